// The spot page's workflow panel: signed-in staff move the spot through the four stages with the JSON API.
// It offers only the moves the API allows (the actions /api/auth/me lists) at the spot's stage and status;
// the server still guards every one. Each write sends the version read, so a stale page gets 409 and
// changes nothing.
// Below the moves, the GIS office corrects the aggregation (split a report off, merge into a nearby spot,
// undo a merge); the deputy sees the same lists read-only.
(() => {
  "use strict";
  const panel = document.getElementById("workflow");
  const spotId = Number(panel.dataset.spot);
  // The page's language, its digits and the CSRF token: the staff pages' shared script (api/static/page/page.js).
  const {en, digits: num, csrf} = window.SafemapPage;
  // Every word the panel shows is one of the page's words (api/pages/strings.py: the "workflow" group and a few
  // shared with other pages), in the page's language, from the data block the server wrote: no text here.
  const W = JSON.parse(document.getElementById("spot-words").textContent);
  const part = (table, prefix) => Object.fromEntries(Object.entries(table)
    .filter(([key]) => key.startsWith(prefix)).map(([key, text]) => [key.slice(prefix.length), text]));
  // The words this panel shares with other pages, by the names it uses.
  const SHARED = {date: "spot.date", kind: "map.category", agency: "dashboard.agency", due: "work.due",
                  status: "work.status", overdue: "work.overdue", category: "map.categories", note_label: "spot.note",
                  show: "dashboard.show", spot: "work.spot", stage: "map.stage", sources: "map.sources",
                  report: "field.report", status_done: "dashboard.done", before: "dashboard.before",
                  after: "dashboard.after", not_assessed: "field.not_assessed", score_0: "field.score_0",
                  score_1: "field.score_1", score_2: "field.score_2", score_3: "field.score_3",
                  safety_score: "map.safety_score", period_day: "map.period_day", period_night: "map.period_night"};
  const T = {...part(W, "workflow."),
             ...Object.fromEntries(Object.entries(SHARED).map(([name, key]) => [name, W[key]]))};
  Object.assign(T, {visibilities: part(T, "visibility_"), purposes: part(T, "purpose_"), statuses: part(T, "status_"),
                    rejectReasons: part(T, "reject_"),
                    // The nine criteria in the API's order, labelled by the server (gis.vocabulary.AUDIT_CRITERIA).
                    criteria: Object.fromEntries(JSON.parse(panel.dataset.criteria)
                      .map(([key, fa, english]) => [key, en ? english : fa])),
                    // Day, evening, night (gis.vocabulary.TIMES_OF_DAY), the time an audit was taken.
                    times: Object.fromEntries(JSON.parse(panel.dataset.times)
                      .map(([key, fa, english]) => [key, en ? english : fa]))});
  // What the signed-in user may do: the actions gis/access.py gives their role, as /api/auth/me lists them.
  const can = (action) => state.me.may.includes(action);
  const state = {me: null, file: null, agencies: [], categories: [], own: new Set(), stages: [], sources: [],
                 radius: 200, candidates: [], reports: [], evidence: null};

  // ---------- small helpers ----------
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === false || value == null) continue;
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    node.append(...children.filter((c) => c != null));
    return node;
  }
  const latin = (text) => text.replace(/[\u06f0-\u06f9]/g, (d) => d.charCodeAt(0) - 0x06f0)
    .replace(/[\u0660-\u0669]/g, (d) => d.charCodeAt(0) - 0x0660);
  const mean = (value) => value == null ? "—"
    : Number(value).toLocaleString(en ? "en" : "fa-IR", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  // The mean of the criteria assessed: "not assessed" (null) is left out, a 0 counts (gis/intake/field.py).
  function auditMean(audit) {
    const scores = Object.values(audit || {}).filter((v) => v != null).map(Number);
    return scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
  }
  const agencyName = (code, fa, english) => en ? english || code : fa;
  const jalali = new Intl.DateTimeFormat("en-u-ca-persian",
                                         {timeZone: "UTC", year: "numeric", month: "2-digit", day: "2-digit"});
  // An ISO date as the server's pages show it: Solar Hijri with Persian digits, or ISO on English pages.
  function day(iso) {
    if (!iso) return "—";
    if (en) return iso.slice(0, 10);
    const parts = Object.fromEntries(jalali.formatToParts(new Date(`${iso.slice(0, 10)}T00:00:00Z`))
      .map((p) => [p.type, p.value]));
    return num(`${parts.year}/${parts.month}/${parts.day}`);
  }
  // Today is Tehran's day, as the server decides "not in the future": from 00:00 to 03:30 in Tehran the
  // device's UTC (or other) date is still yesterday.
  const tehranDay = new Intl.DateTimeFormat("en-CA", {timeZone: "Asia/Tehran", year: "numeric", month: "2-digit",
                                                      day: "2-digit"});
  function today() {
    const parts = Object.fromEntries(tehranDay.formatToParts(new Date()).map((p) => [p.type, p.value]));
    return day(`${parts.year}-${parts.month}-${parts.day}`);
  }
  const spotUrl = (id) => `/spots/${id}${en ? "?lang=en" : ""}`;
  const getJSON = (url) => fetch(url, {credentials: "same-origin"})
    .then((r) => r.ok ? r.json() : Promise.reject(new Error(`${url}: HTTP ${r.status}`)));

  function say(text, error = false) {
    const box = document.getElementById("wf-message");
    box.textContent = text;
    box.classList.toggle("error", error);
  }

  function showSignIn() {
    const next = encodeURIComponent(`/spots/${spotId}${en ? "?lang=en" : ""}`);
    panel.replaceChildren(el("a", {id: "wf-sign-in", href: `/login?${en ? "lang=en&" : ""}next=${next}`,
                                   text: T.sign_in}));
    panel.className = "sign-in";
    panel.hidden = false;
  }

  // ---------- form pieces: every control has a label and a slot for the server's message about it ----------
  function field(form, name, label, control) {
    control.id = `wf-${form}-${name}`;
    control.name = name;
    return el("div", {class: "field", "data-field": name},
              el("label", {for: control.id, text: label}), control);
  }
  const textInput = (form, name, label, attrs = {}) =>
    field(form, name, label, el("input", {type: "text", ...attrs}));
  const area = (form, name, label, required) => field(form, name, label, el("textarea", {rows: 3, required}));
  const dateInput = (form, name, label, value) => textInput(form, name, label, {
    dir: "ltr", inputmode: "numeric", autocomplete: "off", placeholder: T.date_placeholder, value,
    required: true});
  function select(form, name, label, options, selected) {
    return field(form, name, label, el("select", {}, ...options.map(([value, caption]) =>
      el("option", {value, selected: value === selected, text: caption}))));
  }
  // One row of large buttons per criterion, in words: very bad (0) … good (3), or "not assessed" (the
  // default): radio buttons, so every value including 0 is what was tapped, the same in RTL and LTR.
  function choices(form, name, legend, options, checked) {
    return el("fieldset", {class: "choices", "data-field": name}, el("legend", {text: legend}),
              ...options.map(([value, caption]) => el("label", {class: "choice"},
                el("input", {type: "radio", name, value, checked: value === checked,
                             id: `wf-${form}-${name}-${value || "none"}`.replace(/\W/g, "-")}),
                el("span", {text: caption}))));
  }
  function auditFields(form) {
    const scores = [...[0, 1, 2, 3].map((n) => [String(n), T[`score_${n}`]]), ["", T.not_assessed]];
    return el("fieldset", {class: "audit", "data-field": "audit"}, el("legend", {text: T.audit}),
              ...Object.entries(T.criteria).map(([key, label]) => choices(form, `audit.${key}`, label, scores, "")));
  }
  const timeField = (form, checked) => choices(form, "time_of_day", T.audit_time, Object.entries(T.times), checked);
  const photoField = (form) => el("div", {class: "field", "data-field": "file"},
    el("label", {for: `wf-${form}-photos`, text: T.photos}),
    el("input", {type: "file", id: `wf-${form}-photos`, name: "photos", accept: "image/jpeg,image/png,image/webp",
                 multiple: true}),
    can("spot.remediate") ? el("label", {class: "choice"}, el("input", {type: "checkbox", name: "photo_public"}),
                               el("span", {text: T.photo_public})) : null);
  function agencyBoxes() {
    return el("fieldset", {class: "boxes", "data-field": "agencies"}, el("legend", {text: T.agencies}),
              ...state.agencies.map((g) => el("label", {},
                el("input", {type: "checkbox", name: "agencies", value: g.code}),
                agencyName(g.code, g.name_fa, g.name_en))));
  }
  const value = (form, name) => form.elements[name].value.trim();
  // All nine criteria, each 0–3 or null (not assessed); no audit at all when nothing was assessed.
  function auditValue(form) {
    const audit = Object.fromEntries(Object.keys(T.criteria).map((key) => {
      const score = form.elements[`audit.${key}`].value;
      return [key, score === "" ? null : Number(score)];
    }));
    return Object.values(audit).some((v) => v != null) ? audit : null;
  }
  const timeValue = (form) => form.elements.time_of_day.value || null;

  // After a visit, re-audit or action update is stored, its photos go to it one by one (each cleaned by the
  // server): `url` is where, once the move is saved (a visit's id is known only then).
  const visitPhotos = (purpose) => () => {
    const visit = state.file.visits.filter((v) => v.purpose === purpose).at(-1);
    return visit && `/api/spots/${spotId}/visits/${visit.id}/photos`;
  };
  async function sendPhotos(form, url) {
    const files = [...form.elements.photos.files];
    const target = url();
    if (!files.length || !target) return;
    for (const file of files) {
      const data = new FormData();
      data.append("uuid", crypto.randomUUID());
      data.append("public", form.elements.photo_public?.checked ? "true" : "false");
      data.append("file", file);
      const response = await fetch(target, {
        method: "POST", credentials: "same-origin", body: data,
        headers: {"X-CSRF-Token": csrf(), "Accept-Language": en ? "en" : "fa"}}).catch(() => null);
      if (!response || !response.ok) {
        const problem = response ? (await response.json().catch(() => ({}))).error || {} : {};
        say(`${T.photo_failed}: ${file.name} ${problem.message || ""}`, true);
      }
    }
    await load();
  }

  // ---------- sending a move ----------
  // One move: a collapsible form that sends `body(form)` and reloads everything once the server accepted it.
  function move(key, title, controls, method, url, body, after = null) {
    const form = el("form", {novalidate: true}, ...controls,
                    el("p", {class: "form-error", role: "alert"}),
                    el("button", {type: "submit", class: "primary", text: T.send}));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (await submit(form, title, method, url, body(form)) && after) await after(form);
    });
    return el("details", {class: "move", "data-move": key}, el("summary", {text: title}), form);
  }

  async function submit(form, title, method, url, body) {
    for (const node of form.querySelectorAll(".field-error")) node.remove();
    for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    form.querySelector(".form-error").textContent = "";
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    let response;
    try {
      response = await fetch(url, {method, credentials: "same-origin", body: JSON.stringify(body),
                                   headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf(),
                                             "Accept-Language": en ? "en" : "fa"}});
    } catch (error) {
      form.querySelector(".form-error").textContent = T.network;
      button.disabled = false;
      return;
    }
    if (response.ok) {
      await refresh();
      say(`${title}: ${T.saved}`);
      return true;
    }
    const problem = (await response.json().catch(() => ({}))).error || {};
    if (response.status === 401 || problem.field === "csrf") {
      showSignIn();
      panel.prepend(el("p", {class: "error", role: "alert", text: T.again}));
      return;
    }
    if (response.status === 409) {
      // The spot moved under this page: what it shows is stale, so read it again before anyone retries.
      await refresh();
      say(problem.field === "version" ? T.conflict : problem.message, true);
      return;
    }
    fieldError(form, problem.field, problem.message || `HTTP ${response.status}`);
    button.disabled = false;
  }

  // The message goes next to the field it names ("audit.lighting", else "audit"), or under the form.
  function fieldError(form, name, message) {
    const slot = name && (form.querySelector(`[data-field="${CSS.escape(name)}"]`)
      || form.querySelector(`[data-field="${CSS.escape(name.split(".")[0])}"]`));
    if (!slot) {
      form.querySelector(".form-error").textContent = message;
      return;
    }
    const id = `${form.closest("[data-move]").dataset.move}-${name.replace(/\W/g, "-")}-error`;
    slot.append(el("p", {class: "field-error", id, role: "alert", text: message}));
    const control = slot.querySelector("input, select, textarea");
    if (control) {
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", id);
      control.focus();
    }
  }

  // ---------- which moves this user has now (the guards of gis/programme/workflow.py) ----------
  function moves() {
    const {stage, status, version, actions} = state.file;
    const open = status === "open";
    const list = [];
    if (can("spot.verify") && open && stage === 1) list.push(verifyMove(version));
    if (can("spot.reject") && open && (stage === 1 || stage === 2)) list.push(rejectMove(version));
    if (can("spot.remediate") && open && stage === 2) {
      list.push(move("remediation", T.remediation, [area("remediation", "note", T.note_label, false)], "POST",
                     `/api/spots/${spotId}/remediation`, (f) => ({version, note: value(f, "note")})));
    }
    if (open && stage === 3) {
      if (can("spot.visit")) list.push(visitMove(version));
      if (can("action.assign")) list.push(actionMove(version));
      if (can("spot.note")) list.push(noteMove(version));
      for (const action of actions.filter((a) => a.is_open)) {
        if (can("action.cancel") || (can("action.progress") && state.own.has(action.id))) {
          list.push(actionUpdateMove(action));
        }
      }
      if (can("spot.evaluate")) {
        const ready = !actions.some((a) => a.is_open) && actions.some((a) => a.status === "done");
        list.push(ready ? evaluationMove(version) : el("p", {class: "hint", text: T.wait_actions}));
      }
    }
    if (can("spot.edit") && status === "merged") {
      list.push(move("unmerge", T.unmerge, [area("unmerge", "note", T.note_label, true)], "POST",
                     `/api/spots/${spotId}/unmerge`, (f) => ({note: value(f, "note")})));
    }
    if (can("spot.reopen") && stage === 4 && (open || status === "resolved")) {
      if (open && can("spot.close")) list.push(closeMove(version));
      list.push(move("reopen", T.reopen, [area("reopen", "reason", T.reason, true)], "POST",
                     `/api/spots/${spotId}/reopen`, (f) => ({version, reason: value(f, "reason")})));
    }
    return list;
  }

  function verifyMove(version) {
    const current = state.file.category;
    const categories = state.categories.map((c) => [c.code, en ? c.label_en : c.label_fa]);
    return move("verify", T.verify, [
      select("verify", "category", T.category, categories, current),
      area("verify", "note", T.note_label, false),
    ], "POST", `/api/spots/${spotId}/verify`, (f) => ({
      version, note: value(f, "note"),
      category: value(f, "category") === current ? null : value(f, "category")}));
  }

  function rejectMove(version) {
    const form = move("reject", T.reject, [
      select("reject", "reason", T.reason, Object.entries(T.rejectReasons), "not_unsafe"),
      textInput("reject", "duplicate_of", T.duplicate_of, {dir: "ltr", inputmode: "numeric"}),
      area("reject", "note", T.note_label, true),
    ], "POST", `/api/spots/${spotId}/reject`, (f) => ({
      version, reason: value(f, "reason"), note: value(f, "note"),
      duplicate_of: value(f, "reason") === "duplicate"
        ? Number(latin(value(f, "duplicate_of"))) || null : null}));
    const other = form.querySelector('[data-field="duplicate_of"]');
    const reason = form.querySelector("select[name=reason]");
    other.hidden = true;
    reason.addEventListener("change", () => { other.hidden = reason.value !== "duplicate"; });
    return form;
  }

  function visitMove(version) {
    return move("visit", T.visit, [
      dateInput("visit", "visited_on", T.visited_on, today()),
      area("visit", "findings", T.findings, true),
      timeField("visit", null),
      auditFields("visit"),
      photoField("visit"),
    ], "POST", `/api/spots/${spotId}/visits`, (f) => ({
      version, visited_on: value(f, "visited_on"), findings: value(f, "findings"), time_of_day: timeValue(f),
      audit: auditValue(f)}), (f) => sendPhotos(f, visitPhotos("visit")));
  }

  function actionMove(version) {
    const agencies = state.agencies.map((g) => [g.code, agencyName(g.code, g.name_fa, g.name_en)]);
    const details = move("action", T.action, [
      select("action", "agency", T.agency, agencies),
      area("action", "what", T.what_label, true),
      dateInput("action", "due_on", T.due_on, ""),
    ], "POST", `/api/spots/${spotId}/actions`, (f) => ({
      version, agency: value(f, "agency"), what: value(f, "what"), due_on: value(f, "due_on")}));
    proposeAgencies(details.querySelector("form"));
    return details;
  }

  // What the deputy's routing rules (category × neighbourhood → agency, job, due days) propose: a button per
  // agency fills the form, and the first agency with no open action here is filled in at once. A spot that
  // needs several agencies gets one action each: send the form once per agency.
  async function proposeAgencies(form) {
    const proposals = await getJSON(`/api/spots/${spotId}/routing`).catch(() => []);
    if (!proposals.length) return;
    const fill = (p) => {
      form.elements.agency.value = p.agency;
      form.elements.due_on.value = day(p.due_on);
      if (p.what) form.elements.what.value = p.what;
    };
    const buttons = proposals.map((p) => {
      const label = `${agencyName(p.agency, p.agency_fa, p.agency_en)} · ${day(p.due_on)}`;
      const button = el("button", {type: "button", class: "proposal", "data-agency": p.agency,
                                   text: p.assigned ? `${label} (${T.proposal_assigned})` : label});
      button.addEventListener("click", () => fill(p));
      return button;
    });
    form.prepend(el("p", {class: "proposals", id: "wf-proposals"}, `${T.proposed}: `, ...buttons));
    const first = proposals.find((p) => !p.assigned);
    if (first) fill(first);
  }

  // A note is the staff's unless its writer chooses to publish it in the spot's public history.
  function noteMove(version) {
    const audience = select("note", "visibility", T.visibility, Object.entries(T.visibilities), "staff");
    return move("note", T.note, [area("note", "note", T.note_label, true), agencyBoxes(), audience], "POST",
                `/api/spots/${spotId}/notes`, (f) => ({
                  version, note: value(f, "note"), visibility: value(f, "visibility"),
                  agencies: [...f.querySelectorAll("input[name=agencies]:checked")]
                    .map((box) => box.value)}));
  }

  // The agency moves its own action forward; staff may only cancel. The action carries its own version.
  function actionUpdateMove(action) {
    const mine = can("action.progress");
    const key = `action-${action.id}`;
    const choices = mine ? ["in_progress", "done"].filter((s) => s !== action.status) : ["cancelled"];
    const agency = agencyName(action.agency, action.agency_fa, action.agency_en);
    const title = `${mine ? T.update : T.cancel}: ${agency} — ${action.what}`;
    return move(key, title, [
      select(key, "status", T.new_status, choices.map((s) => [s, T.statuses[s]]), choices[choices.length - 1]),
      area(key, "note", mine ? T.outcome : T.reason, true),
      mine ? photoField(key) : null,
    ].filter((node) => node != null), "PATCH", `/api/actions/${action.id}`, (f) => ({
      version: action.version, status: value(f, "status"), note: value(f, "note")}),
    mine ? (f) => sendPhotos(f, () => `/api/actions/${action.id}/photos`) : null);
  }

  // The re-audit is taken at the time of day of the first audit, so the two compare (closing checks it).
  function evaluationMove(version) {
    const first = state.evidence?.evaluation.before.time_of_day || null;
    return move("evaluation", T.evaluation, [
      dateInput("evaluation", "visited_on", T.visited_on, today()),
      area("evaluation", "findings", T.findings, false),
      first ? el("p", {class: "hint", id: "wf-same-time", "data-time": first, text: T.same_time}) : null,
      timeField("evaluation", first),
      auditFields("evaluation"),
      photoField("evaluation"),
    ].filter((node) => node != null), "POST", `/api/spots/${spotId}/evaluation`, (f) => ({
      version, visited_on: value(f, "visited_on"), findings: value(f, "findings"), time_of_day: timeValue(f),
      audit: auditValue(f) || {}}), (f) => sendPhotos(f, visitPhotos("re_audit")));
  }

  // Closing needs evidence: a re-audit better than the audit before (the server checks it again).
  function closeMove(version) {
    const {audit_before: before, audit_after: after} = state.file;
    if (!after || (before && auditMean(after) <= auditMean(before))) {
      return el("p", {class: "hint", text: T.no_improvement});
    }
    const times = state.evidence?.evaluation;
    if (times && times.before.time_of_day && times.before.time_of_day !== times.after.time_of_day) {
      return el("p", {class: "hint", id: "wf-time-mismatch", text: T.time_mismatch});
    }
    return move("close", T.close, [area("close", "reason", T.reason, true)], "POST",
                `/api/spots/${spotId}/close`, (f) => ({version, reason: value(f, "reason")}));
  }

  // ---------- reports and possible duplicates (gis/aggregation/edits.py): the GIS office edits, the deputy reads
  const seesAggregation = () => can("spot.candidates");

  // The spots within `radius` metres; on a refusal, the server's problem ({field, message}) and nothing kept.
  async function fetchCandidates(radius) {
    const response = await fetch(`/api/spots/${spotId}/candidates?radius=${encodeURIComponent(radius)}`,
                                 {credentials: "same-origin", headers: {"Accept-Language": en ? "en" : "fa"}});
    const body = await response.json().catch(() => ({}));
    if (!response.ok) return body.error || {message: `HTTP ${response.status}`};
    state.radius = radius;
    state.candidates = body.candidates;
    return null;
  }

  function radiusForm() {
    const form = el("form", {id: "wf-radius", "data-move": "radius", novalidate: true},
                    textInput("radius", "radius", T.radius,
                              {dir: "ltr", inputmode: "numeric", autocomplete: "off", value: num(state.radius)}),
                    el("button", {type: "submit", text: T.show}),
                    el("p", {class: "form-error", role: "alert"}));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      for (const node of form.querySelectorAll(".field-error")) node.remove();
      form.querySelector(".form-error").textContent = "";
      const problem = await fetchCandidates(latin(value(form, "radius")))
        .catch(() => ({message: T.network}));
      if (problem) return fieldError(form, problem.field, problem.message);
      document.getElementById("wf-duplicates").replaceWith(duplicates());
    });
    return form;
  }

  // The note goes with the version read: a spot changed since (or further along than its target) gets 409.
  const mergeMove = (button) => {
    const into = Number(button.dataset.into);
    return move("merge", `${T.merge_into} ${num(into)}`, [area("merge", "note", T.note_label, true)], "POST",
                `/api/spots/${spotId}/merge`,
                (f) => ({into, version: state.file.version, note: value(f, "note")}));
  };

  const splitMove = (button) => {
    const report = Number(button.dataset.report);
    return move("split", `${T.split_report} ${num(report)} ${T.to_new_spot}`,
                [area("split", "note", T.note_label, true)], "POST", `/api/reports/${report}/split`,
                (f) => ({note: value(f, "note")}));
  };

  // The reverse of a split: the report joins a spot the office names (an emptied spot is merged there).
  const attachMove = (button) => {
    const report = Number(button.dataset.report);
    return move("attach", `${T.move_report} ${num(report)} ${T.to_other_spot}`,
                [textInput("attach", "into", T.into_spot, {dir: "ltr", inputmode: "numeric", autocomplete: "off"}),
                 area("attach", "note", T.note_label, true)], "POST", `/api/reports/${report}/attach`,
                (f) => ({into: Number(latin(value(f, "into"))), note: value(f, "note")}));
  };

  // A row's button opens its move, one at a time, in the slot under the table.
  function rowMoves(box, selector, slot, makeMove) {
    box.addEventListener("click", (event) => {
      const button = event.target.closest(selector);
      if (!button) return;
      const form = makeMove(button);
      form.open = true;
      box.querySelector(slot).replaceChildren(form);
      form.querySelector("input, textarea").focus();
    });
    return box;
  }

  const label = (rows, code, key = "code") => {
    const row = rows.find((r) => r[key] === code);
    return row ? (en ? row.label_en : row.label_fa) : String(code);
  };
  const metres = (distance) => `${num(Math.round(distance))} ${T.metres}`;

  // A report split off founds a new stage-1 spot, which then shows among the possible duplicates.
  function reportList() {
    const office = can("spot.edit");
    const splits = office && state.reports.length > 1;
    const rows = state.reports.map((r) => el("tr", {"data-report": r.id},
      el("td", {text: num(r.id)}), el("td", {text: en ? r.source_en : r.source_fa}),
      el("td", {text: en ? r.category_en : r.category_fa}), el("td", {text: day(r.reported_at)}),
      el("td", {"data-metres": r.distance_m, text: metres(r.distance_m)}),
      el("td", {text: r.description || "—"}),
      office ? el("td", {class: "row-move"},
                  splits ? el("button", {type: "button", class: "split", "data-report": r.id, text: T.split_off})
                         : null,
                  el("button", {type: "button", class: "attach", "data-report": r.id, text: T.move_off})) : null));
    const heads = [T.report, T.source, T.category, T.reported_on, T.distance, T.description];
    return rowMoves(el("div", {id: "wf-reports"}, el("h3", {text: T.reports}),
                       table("wf-report-list", office ? [...heads, ""] : heads, rows, "—"),
                       el("div", {id: "wf-split"})), "button.split, button.attach", "#wf-split",
                    (button) => (button.classList.contains("attach") ? attachMove(button) : splitMove(button)));
  }

  function duplicates() {
    const office = can("spot.edit");
    const rows = state.candidates.map((c) => el("tr", {"data-candidate": c.id},
      el("td", {}, el("a", {href: spotUrl(c.id), text: c.title ? `${num(c.id)} — ${c.title}` : num(c.id)})),
      el("td", {"data-metres": c.distance_m, text: metres(c.distance_m)}),
      el("td", {text: en ? c.category_en : c.category_fa}),
      el("td", {"data-compatible": String(c.compatible), text: c.compatible ? T.yes : T.no}),
      el("td", {text: label(state.stages, c.stage, "number")}),
      el("td", {text: c.sources.map((code) => label(state.sources, code)).join(W["spot.comma"]) || "—"}),
      office ? el("td", {class: "row-move"},
                  el("button", {type: "button", class: "merge", "data-into": c.id, text: T.merge_here})) : null));
    const heads = [T.spot, T.distance, T.category, T.compatible, T.stage, T.sources];
    return rowMoves(el("div", {id: "wf-duplicates"}, el("h3", {text: T.duplicates}), radiusForm(),
                       table("wf-candidates", office ? [...heads, ""] : heads, rows, T.no_candidates),
                       el("div", {id: "wf-merge"})), "button.merge", "#wf-merge", mergeMove);
  }

  // ---------- what the spot's file holds ----------
  function table(id, heads, rows, empty) {
    if (!rows.length) return el("p", {id, class: "empty", text: empty});
    return el("table", {id}, el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", {text: h})))),
              el("tbody", {}, ...rows));
  }

  // ---------- the evidence: safety scores, before/after the fix, recurrence, photos (gis/programme/evaluation.py)
  const scoreBadge = (s, key) => el("span", {class: `score ${s?.band || "none"}`, "data-score": key,
                                            "data-value": s?.score ?? "", text: s?.score == null ? T.no_score : num(s.score)});
  const signed = (value) => value == null ? "—" : num(`${value > 0 ? "+" : ""}${value}`);
  function gallery(photos, phase) {
    const shown = photos.filter((p) => p.phase === phase);
    return el("div", {class: "gallery", "data-phase": phase}, el("h4", {text: T[phase]}),
              ...(shown.length ? shown.map((p) => el("a", {href: p.href, target: "_blank", "data-source": p.source},
                el("img", {src: `${p.href}?thumb=true`, alt: `${T[phase]} — ${T.purposes[p.source] || p.source}`,
                           loading: "lazy"}))) : [el("p", {class: "empty", text: T.no_photos})]));
  }
  function evidence() {
    const ev = state.evidence;
    if (!ev) return null;
    const panelData = ev.evaluation;
    const periods = ["day", "night"].map((p) => el("tr", {"data-period": p},
      el("th", {text: T[`period_${p}`]}),
      el("td", {}, scoreBadge({score: panelData.periods[p].before, band: panelData.periods[p].band_before}, `${p}-before`)),
      el("td", {}, scoreBadge({score: panelData.periods[p].after, band: panelData.periods[p].band_after}, `${p}-after`)),
      el("td", {text: signed(panelData.periods[p].change)})));
    const changed = panelData.changed_criteria.map((c) => el("li", {"data-criterion": c.criterion},
      `${T.criteria[c.criterion]}: ${num(c.before)} ${W["spot.arrow"]} ${num(c.after)}`));
    const rec = panelData.recurrence;
    return el("section", {id: "wf-evidence"},
      el("h3", {text: T.evidence}),
      el("p", {id: "wf-scores"}, `${T.safety_score}: ${T.period_day} `, scoreBadge(ev.scores.day, "day"),
         ` · ${T.period_night} `, scoreBadge(ev.scores.night, "night")),
      el("table", {id: "wf-before-after"},
         el("thead", {}, el("tr", {}, el("th"), el("th", {text: T.before}), el("th", {text: T.after}),
                               el("th", {text: T.change}))),
         el("tbody", {}, ...periods)),
      el("p", {id: "wf-change", "data-change": panelData.change ?? ""},
         `${T.change}: ${signed(panelData.change)}`),
      changed.length ? el("div", {}, el("h4", {text: T.criteria_changed}), el("ul", {id: "wf-changed"}, ...changed))
        : null,
      rec ? el("p", {id: "wf-recurrence", "data-before": rec.before, "data-after": rec.after},
               `${T.recurrence}: ${T.before} ${num(rec.per_month_before ?? "—")} ${W["spot.arrow"]} `
               + `${T.after} ${num(rec.per_month_after ?? "—")}`) : null,
      el("div", {id: "wf-gallery"}, gallery(ev.photos, "before"), gallery(ev.photos, "after")));
  }

  function render() {
    const file = state.file;
    const {full_name: fullName, username} = state.me;
    const role = en ? state.me.role_en : state.me.role_fa;
    const [before, after] = [auditMean(file.audit_before), auditMean(file.audit_after)];
    const visits = file.visits.map((v) => el("tr", {"data-visit": v.id, "data-purpose": v.purpose},
      el("td", {text: day(v.visited_on)}), el("td", {text: T.purposes[v.purpose] || v.purpose}),
      el("td", {text: v.findings || "—"}), el("td", {text: mean(v.audit_mean)})));
    const actions = file.actions.map((a) => el("tr", {"data-action": a.id, "data-status": a.status,
                                                      class: a.overdue ? "late" : null},
      el("td", {text: agencyName(a.agency, a.agency_fa, a.agency_en)}), el("td", {text: a.what}),
      el("td", {}, day(a.due_on), a.overdue ? el("span", {class: "badge", text: T.overdue}) : null),
      el("td", {text: T.statuses[a.status] || a.status}), el("td", {text: a.outcome || "—"})));
    const list = moves();
    const merged = file.status === "merged";
    panel.className = "";
    panel.replaceChildren(...[
      el("h2", {id: "wf-heading", text: T.title}),
      el("p", {class: "who", text: `${T.signed_in} ${fullName || username} (${role})`}),
      el("p", {id: "wf-message", role: "status"}),
      merged ? el("p", {id: "wf-merged", "data-into": file.merged_into}, `${T.merged_into} `,
                  el("a", {href: spotUrl(file.merged_into), text: `${T.spot} ${num(file.merged_into)}`})) : null,
      el("p", {id: "wf-audits", "data-before": before ?? "", "data-after": after ?? "",
               text: `${T.audit_before}: ${mean(before)} · ${T.audit_after}: ${mean(after)}`}),
      evidence(),
      el("h3", {text: T.visits}),
      table("wf-visits", [T.date, T.kind, T.findings, T.audit_mean], visits, T.no_visits),
      el("h3", {text: T.actions}),
      table("wf-actions", [T.agency, T.what, T.due, T.status, T.outcome], actions, T.no_actions),
      el("h3", {text: T.moves}),
      el("div", {id: "wf-moves", "data-version": file.version},
         ...(list.length ? list : [el("p", {class: "hint", text: T.no_moves})])),
      seesAggregation() && !merged ? reportList() : null,
      seesAggregation() && !merged ? duplicates() : null,
    ].filter((node) => node != null));
    panel.setAttribute("aria-labelledby", "wf-heading");
    panel.hidden = false;
  }

  // ---------- loading ----------
  async function load() {
    const response = await fetch(`/api/spots/${spotId}/workflow`, {credentials: "same-origin"});
    if (response.status === 401) return showSignIn();
    if (!response.ok) {
      panel.hidden = true;
      return;
    }
    state.file = await response.json();
    state.evidence = await getJSON(`/api/spots/${spotId}/evidence`).catch(() => null);
    if (seesAggregation() && state.file.status !== "merged") {
      const [problem, listed] = await Promise.all([fetchCandidates(state.radius),
                                                   getJSON(`/api/spots/${spotId}/reports`)]);
      if (problem) console.warn("the possible duplicates could not load", problem.message);
      state.reports = listed.reports;
    }
    if (can("action.progress")) {
      // The file names agencies by code; the agency's own actions are the ones /api/actions lists for it.
      const own = await getJSON("/api/actions");
      state.own = new Set(own.filter((a) => a.spot_id === spotId).map((a) => a.id));
    }
    render();
  }

  // The stage, status and history above are rendered by the server: take them from a fresh copy of the page.
  async function refreshPage() {
    const response = await fetch(window.location.href, {credentials: "same-origin"});
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const id of ["spot", "history"]) {
      const node = fresh.getElementById(id);
      if (node) document.getElementById(id).replaceWith(document.adoptNode(node));
    }
  }

  const refresh = () => Promise.all([load(), refreshPage()]);

  async function start() {
    // No CSRF cookie means no session (both are set and cleared together): skip the 401 round trip.
    if (!csrf()) return showSignIn();
    const me = await fetch("/api/auth/me", {credentials: "same-origin"});
    if (!me.ok) return showSignIn();
    state.me = await me.json();
    [state.agencies, state.categories, state.stages, state.sources] = await Promise.all([
      can("action.assign") || can("spot.note") ? getJSON("/api/agencies") : [],
      can("spot.verify") ? getJSON("/api/categories") : [],
      seesAggregation() ? getJSON("/api/stages") : [],
      seesAggregation() ? getJSON("/api/sources") : [],
    ]);
    await load();
  }

  start().catch((error) => console.warn("the workflow panel could not load", error));
})();
