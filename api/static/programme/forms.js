// The deputy's programme pages (routing rules, meetings, trainings, phases): each <form data-post="/api/…">
// is sent as JSON with the CSRF token; a field named "a.0.b" nests ({a: [{b: …}]}), data-type="int" sends a
// number, an empty field is left out. A button with data-delete="/api/…" removes a record. After a success
// the page reloads; a refusal shows the API's message (it names the field) in the form's status line.
(function () {
  "use strict";
  const {csrf} = window.SafemapPage;
  // The page's language, so a refusal reads in it (a Persian page's browser may ask for English).
  const suffix = `?lang=${document.documentElement.lang === "en" ? "en" : "fa"}`;

  function put(target, path, value) {
    const keys = path.split(".");
    let node = target;
    keys.forEach((key, i) => {
      const last = i === keys.length - 1;
      const next = /^\d+$/.test(keys[i + 1] || "") ? [] : {};
      if (last) node[key] = value;
      else node = node[key] = node[key] || next;
    });
  }

  function body(form) {
    const result = {};
    for (const field of form.elements) {
      if (!field.name || field.disabled || (field.type === "checkbox" && !field.checked)) continue;
      const raw = field.value.trim();
      if (raw === "") continue;
      const digits = raw.replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
      put(result, field.name, field.dataset.type === "int" ? Number(digits) : raw);
    }
    // Rows left wholly empty (a follow-up line not used) are dropped from arrays.
    for (const value of Object.values(result)) {
      if (Array.isArray(value)) value.splice(0, value.length, ...value.filter((row) => row));
    }
    return result;
  }

  async function send(method, url, payload, status) {
    status.textContent = "…";
    const response = await fetch(url + suffix, {
      method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
      body: payload === null ? null : JSON.stringify(payload),
    });
    if (response.ok) {
      window.location.reload();
      return;
    }
    const answer = await response.json().catch(() => ({}));
    const error = answer.error || {};
    status.textContent = error.message || String(response.status);
    status.className = "failed";
  }

  for (const form of document.querySelectorAll("form[data-post]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(form.dataset.method || "POST", form.dataset.post, body(form), form.querySelector(".status"));
    });
  }
  for (const button of document.querySelectorAll("button[data-delete]")) {
    button.addEventListener("click", () => send("DELETE", button.dataset.delete, null,
                                                document.getElementById("status")));
  }
})();
