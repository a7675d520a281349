// An agency's actions: due dates with overdue marks; each open action is marked in progress or done with a
// note (PATCH /api/actions/{id}, with the version read and the CSRF cookie). Text goes in as textContent.
(function () {
  "use strict";
  const {en, suffix, digits, csrf} = window.SafemapPage;
  const data = window.SafemapPage.data("work-data");
  const text = data.text;
  const body = document.querySelector("#actions tbody");
  const status = document.getElementById("status");
  const OPEN = ["assigned", "in_progress"];

  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // The chosen photo, sent before the status moves; its address, or an Error whose message says why not.
  async function upload(action, file) {
    const form = new FormData();
    form.append("uuid", newUuid());
    form.append("file", file);
    const response = await fetch(`/api/actions/${action.id}/photos${suffix}`, {
      method: "POST", credentials: "same-origin", headers: {"X-CSRF-Token": csrf()}, body: form,
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((answer.error && answer.error.message) || String(response.status));
    return answer.href;
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

  async function move(action, next, note, photo, row) {
    if (!note.value.trim()) {
      say(text.need_note, true);
      note.focus();
      return;
    }
    for (const button of row.querySelectorAll("button")) button.disabled = true;
    let response;
    try {
      if (photo.files.length) {
        action.photos = [...(action.photos || []), await upload(action, photo.files[0])];
        photo.value = "";
      }
      response = await fetch(`/api/actions/${action.id}${suffix}`, {
        method: "PATCH",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf(), "If-Match": `"${action.version}"`},
        body: JSON.stringify({status: next, note: note.value.trim()}),
      });
    } catch (error) {
      say(error.message ? `${text.failed}: ${error.message}` : text.failed, true);
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
      const photo = document.createElement("input");
      photo.type = "file";
      photo.name = "photo";
      photo.accept = "image/jpeg,image/png,image/webp";
      photo.setAttribute("aria-label", text.add_photo);
      const label = document.createElement("label");
      label.className = "photo";
      label.append(text.add_photo, photo);
      const box = cell(tr, note);
      box.appendChild(label);
      const buttons = cell(tr, "", "do");
      const steps = action.status === "assigned" ? [["in_progress", text.start], ["done", text.done]]
        : [["done", text.done]];
      for (const [next, label] of steps) {
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.next = next;
        button.textContent = label;
        button.addEventListener("click", () => move(action, next, note, photo, tr));
        buttons.appendChild(button);
      }
    } else {
      cell(tr, action.outcome || "");
      cell(tr, "");
    }
    const shown = tr.children[1];
    (action.photos || []).forEach((href, index) => {
      const link = document.createElement("a");
      link.className = "action-photo";
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = `${text.photo_of_work} ${digits(index + 1)}`;
      shown.append(document.createElement("br"), link);
    });
    return tr;
  }

  for (const action of data.actions) body.appendChild(render(action));
  document.getElementById("empty").hidden = data.actions.length > 0;
})();
