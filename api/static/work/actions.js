// An agency's actions: due dates with overdue marks; each open action is marked in progress or done with a
// note (PATCH /api/actions/{id}, with the version read and the CSRF cookie). Text goes in as textContent.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("work-data").textContent);
  const text = data.text;
  const en = data.lang === "en";
  const suffix = en ? "?lang=en" : "";
  const digits = (value) => (en ? String(value) : String(value).replace(/\d/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]));
  const body = document.querySelector("#actions tbody");
  const status = document.getElementById("status");
  const OPEN = ["assigned", "in_progress"];

  function csrf() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("safemap_csrf="));
    return cookie ? decodeURIComponent(cookie.slice("safemap_csrf=".length)) : "";
  }

  function cell(row, content, className) {
    const td = document.createElement("td");
    if (content instanceof Node) td.appendChild(content); else td.textContent = content;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function say(message, failed) {
    status.textContent = message;
    status.className = failed ? "overdue" : "";
  }

  async function move(action, next, note, row) {
    if (!note.value.trim()) {
      say(text.need_note, true);
      note.focus();
      return;
    }
    for (const button of row.querySelectorAll("button")) button.disabled = true;
    let response;
    try {
      response = await fetch(`/api/actions/${action.id}${suffix}`, {
        method: "PATCH",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf(), "If-Match": `"${action.version}"`},
        body: JSON.stringify({status: next, note: note.value.trim()}),
      });
    } catch (error) {
      say(text.failed, true);
      for (const button of row.querySelectorAll("button")) button.disabled = false;
      return;
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      say(`${text.failed}: ${(problem.error && problem.error.message) || response.status}`, true);
      for (const button of row.querySelectorAll("button")) button.disabled = false;
      return;
    }
    const etag = (response.headers.get("ETag") || "").replace(/\D/g, "");
    action.status = next;
    action.outcome = note.value.trim();
    action.version = etag ? Number(etag) : action.version + 1;
    action.overdue = action.overdue && OPEN.includes(next);
    row.replaceWith(render(action));
    say(text.saved, false);
  }

  function render(action) {
    const tr = document.createElement("tr");
    tr.dataset.id = action.id;
    tr.dataset.status = action.status;
    const link = document.createElement("a");
    link.href = `/spots/${action.spot_id}${suffix}`;
    link.textContent = action.spot_title || `#${digits(action.spot_id)}`;
    cell(tr, link);
    cell(tr, action.what);
    const due = cell(tr, action.due_label, action.overdue ? "due overdue" : "due");
    if (action.overdue) {
      const mark = document.createElement("span");
      mark.className = "overdue-mark";
      mark.textContent = ` (${text.overdue})`;
      due.appendChild(mark);
    }
    cell(tr, text[`status_${action.status}`] || action.status, "state");
    if (OPEN.includes(action.status)) {
      const note = document.createElement("textarea");
      note.rows = 2;
      note.name = "note";
      note.setAttribute("aria-label", text.note);
      cell(tr, note);
      const buttons = cell(tr, "", "do");
      const steps = action.status === "assigned" ? [["in_progress", text.start], ["done", text.done]]
        : [["done", text.done]];
      for (const [next, label] of steps) {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.next = next;
        button.textContent = label;
        button.addEventListener("click", () => move(action, next, note, tr));
        buttons.appendChild(button);
      }
    } else {
      cell(tr, action.outcome || "");
      cell(tr, "");
    }
    return tr;
  }

  for (const action of data.actions) body.appendChild(render(action));
  document.getElementById("empty").hidden = data.actions.length > 0;
})();
