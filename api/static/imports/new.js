// The import page: a letter's file is previewed (POST /api/imports/preview: columns, first rows, the words to
// map, the whole check as a dry run), the unknown words are mapped once (POST /api/imports/aliases), then it is
// imported (POST /api/imports/reports; a 202 job is followed at GET /api/imports/{job}) and the letter with its
// scan is kept with the batch. A row the check refused can be fixed in the page (its cells sent again as
// `fix` row:column=value, re-checked by a new preview and imported as fixed); each date form the importer would
// guess is confirmed or corrected once (`date` written=reading) for the whole file. Words come from the page;
// text from the file goes in as textContent.
(function () {
  "use strict";
  const {en, suffix, digits, csrf} = window.SafemapPage;
  const data = window.SafemapPage.data("import-data");
  const text = data.text;
  const api = en ? "?lang=en" : "?lang=fa"; // the API answers in English unless asked
  const form = document.getElementById("upload");
  const status = document.getElementById("status");
  const $ = (id) => document.getElementById(id);
  const FIELDS = ["category", "description", "address", "neighbourhood", "date", "time_of_day", "lat", "lon", "x", "y"];
  let chosen = {}; // column → field, as the office changed them
  let fixes = {}; // row → column → the cell as the office fixed it
  let readings = {}; // a date form as written → the day it means, as the office confirmed it
  let current = null; // the last preview

  const fieldLabel = (name) => text[`field_${name}`] || name;
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => digits(values[key]));

  function say(message, failed) {
    status.textContent = message;
    status.className = failed ? "failed" : "";
  }

  function element(tag, content, attributes) {
    const node = document.createElement(tag);
    if (content instanceof Node) node.appendChild(content);
    else if (content !== undefined && content !== null) node.textContent = content;
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  function row(cells, attributes) {
    const tr = element("tr", null, attributes);
    for (const cell of cells) tr.appendChild(cell instanceof Node && cell.tagName === "TD" ? cell : element("td", cell));
    return tr;
  }

  async function call(url, options) {
    let response;
    try {
      response = await fetch(url, {credentials: "same-origin", ...options, headers: {"X-CSRF-Token": csrf(), ...(options.headers || {})}});
    } catch (error) {
      throw new Error(text.network);
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const problem = answer.error || {};
      throw new Error(problem.message || `${text.failed} (${response.status})`);
    }
    return {status: response.status, answer};
  }

  function fileForm() {
    const body = new FormData();
    body.append("file", form.elements.file.files[0]);
    body.append("ref", [form.elements.number.value.trim(), form.elements.date.value.trim()].filter(Boolean).join(" "));
    for (const [column, name] of Object.entries(chosen)) body.append("map", `${column}=${name}`);
    for (const [number, cells] of Object.entries(fixes)) {
      for (const [column, value] of Object.entries(cells)) body.append("fix", `${number}:${column}=${value}`);
    }
    for (const [written, reading] of Object.entries(readings)) body.append("date", `${written}=${reading}`);
    return body;
  }

  async function preview() {
    if (!form.elements.file.files.length) {
      say(text.need_file, true);
      return;
    }
    say(text.reading, false);
    $("preview").disabled = true;
    try {
      current = (await call(`/api/imports/preview${api}`, {method: "POST", body: fileForm()})).answer;
    } catch (error) {
      say(error.message, true);
      return;
    } finally {
      $("preview").disabled = false;
    }
    say("", false);
    showColumns(current);
    showMapping(current);
    showCheck(current);
    $("summary-step").hidden = true;
  }

  function showColumns(found) {
    const byColumn = Object.fromEntries(Object.entries(found.mapping).map(([name, column]) => [column, name]));
    const body = $("columns").querySelector("tbody");
    body.replaceChildren();
    for (const column of found.columns) {
      const select = element("select", null, {"data-column": column});
      select.appendChild(element("option", text.left_out, {value: "-"}));
      for (const name of FIELDS) select.appendChild(element("option", fieldLabel(name), {value: name}));
      select.value = byColumn[column] || "-";
      select.addEventListener("change", () => {
        chosen[column] = select.value;
        preview();
      });
      body.appendChild(row([column, element("td", select)]));
    }
    const head = $("first-rows").querySelector("thead");
    head.replaceChildren(row(["#", ...found.columns].map((c) => element("th", c))));
    const rows = $("first-rows").querySelector("tbody");
    rows.replaceChildren(...found.rows.map((r) => row([digits(r.row), ...r.cells])));
    const check = found.check || {};
    const notes = [];
    if (check.header_row) notes.push(fill(text.header_found, {row: check.header_row}));
    if ((check.skipped_above_header || []).length) notes.push(fill(text.skipped_rows, {rows: check.skipped_above_header.join("، ")}));
    if ((check.totals_rows || []).length) notes.push(fill(text.totals_skipped, {rows: check.totals_rows.join("، ")}));
    if (found.blank) notes.push(fill(text.blank_rows, {n: found.blank}));
    $("blank").textContent = notes.join(" — ");
    $("columns-step").hidden = false;
  }

  function showMapping(found) {
    const body = $("mapping").querySelector("tbody");
    body.replaceChildren();
    let twoDigits = false;
    for (const item of found.unresolved) {
      if (item.kind === "date") {  // a date form: its reading, suggested, to confirm or correct
        const suggestion = item.suggestions[0] || {};
        twoDigits = twoDigits || suggestion.by === "two_digit_year";
        const input = element("input", null, {"data-date": item.written, value: suggestion.code ? digits(suggestion.code) : "", dir: "ltr", size: "12"});
        const cell = element("td", input);
        cell.appendChild(element("small", ` (${text[`by_${suggestion.by}`] || suggestion.by || ""})`));
        body.appendChild(row([text.field_date, item.written, digits(item.count), cell]));
        continue;
      }
      const select = element("select", null, {"data-kind": item.kind, "data-written": item.written});
      select.appendChild(element("option", text.pick, {value: ""}));
      const suggested = new Set();
      for (const s of item.suggestions) {
        suggested.add(s.code);
        const label = `${en ? s.label_en : s.label_fa} (${text[`by_${s.by}`] || s.by})`;
        select.appendChild(element("option", label, {value: s.code}));
      }
      for (const term of data.terms[item.kind] || []) {
        if (!suggested.has(term.code)) select.appendChild(element("option", term.label, {value: term.code}));
      }
      if (item.suggestions.length) select.value = item.suggestions[0].code;
      body.appendChild(row([fieldLabel(item.kind), item.written, digits(item.count), element("td", select)]));
    }
    $("remember-label").hidden = !twoDigits;
    $("mapping-none").hidden = found.unresolved.length > 0;
    $("mapping").hidden = $("save-mapping").hidden = found.unresolved.length === 0;
    $("mapping-step").hidden = false;
  }

  function problemsOf(outcome) {
    if (outcome.problems && outcome.problems.length) return outcome.problems;
    return [{field: outcome.field, reason: outcome.reason, reason_fa: outcome.reason_fa}];
  }

  function showCheck(found) {
    const check = found.check;
    $("check-later").hidden = Boolean(check);
    $("check-counts").hidden = $("check").hidden = !check;
    $("check-step").hidden = false;
    $("leave-out-label").hidden = Boolean(check);
    if (!check) return;
    $("check-counts").textContent = [
      `${text.accepted}: ${digits(check.accepted)}`,
      `${text.duplicates}: ${digits(check.duplicates)}`,
      `${text.rejected}: ${digits(check.rejected)}`,
    ].join("  •  ");
    const body = $("check").querySelector("tbody");
    body.replaceChildren();
    for (const outcome of check.rows) {
      const problems = outcome.status === "accepted" ? [] : problemsOf(outcome);
      for (const problem of problems) {
        const reason = en ? problem.reason : problem.reason_fa || problem.reason;
        body.appendChild(row([digits(outcome.row), problem.field ? fieldLabel(problem.field) : "", reason || ""], {class: outcome.status}));
      }
      if (outcome.status === "rejected") {
        const open = element("button", text.fix, {type: "button", class: "fix-open", "data-row": outcome.row});
        const cell = element("td", open, {colspan: "3"});
        open.addEventListener("click", () => cell.replaceChildren(fixEditor(outcome, problems)));
        body.appendChild(row([cell], {class: "fixing"}));
      }
      for (const flag of outcome.flags || []) {  // kept, but a person should look at it
        const message = en ? flag.message : flag.message_fa || flag.message;
        body.appendChild(row([digits(outcome.row), flag.field ? fieldLabel(flag.field) : "", `${text.to_review}: ${message || ""}`], {class: "flagged"}));
      }
    }
    $("check").hidden = body.children.length === 0;
    $("leave-out-label").hidden = !check.rejected;
    $("check-step").hidden = false;
  }

  async function saveMapping() {
    const aliases = [];
    for (const select of $("mapping").querySelectorAll("select")) {
      if (!select.value) {
        say(text.mapping_first, true);
        select.focus();
        return;
      }
      aliases.push({kind: select.dataset.kind, written: select.dataset.written, code: select.value});
    }
    const dates = {};
    for (const input of $("mapping").querySelectorAll("input[data-date]")) {
      if (!input.value.trim()) {
        say(text.mapping_first, true);
        input.focus();
        return;
      }
      dates[input.dataset.date] = input.value.trim();
    }
    const json = {method: "POST", headers: {"Content-Type": "application/json"}};
    try {
      if (aliases.length) await call(`/api/imports/aliases${api}`, {...json, body: JSON.stringify({aliases})});
      if (!$("remember-label").hidden && $("remember").checked) {
        await call(`/api/imports/date-rules${api}`, {...json, body: JSON.stringify({rule: "two_digit_year"})});
      }
    } catch (error) {
      say(error.message, true);
      return;
    }
    Object.assign(readings, dates);
    await preview();
    say(text.mapping_saved, false);
  }

  // The cells of a refused row its problems name (all of the row's cells when they name no column), each in a
  // box holding what the file wrote; "check again" sends them as fixes with a new preview.
  function fixEditor(outcome, problems) {
    const values = outcome.values || {};
    const mapped = current.mapping;
    const place = ["lat", "lon", "x", "y", "neighbourhood", "address"];
    const columns = new Set();
    for (const problem of problems) {
      const names = problem.field in mapped ? [problem.field] : place.filter((name) => ["location", "coordinates"].includes(problem.field) && name in mapped);
      for (const name of names) columns.add(mapped[name]);
    }
    const shown = columns.size ? [...columns] : current.columns;
    const editor = element("div", null, {class: "fix", "data-row": outcome.row});
    for (const column of shown) {
      const input = element("input", null, {"data-column": column, value: values[column] || ""});
      editor.appendChild(element("label", column)).appendChild(input);
    }
    const again = element("button", text.recheck, {type: "button", class: "recheck"});
    again.addEventListener("click", async () => {
      const cells = fixes[outcome.row] || {};
      for (const input of editor.querySelectorAll("input")) cells[input.dataset.column] = input.value.trim();
      fixes[outcome.row] = cells;
      await preview();
      const now = (current.check.rows || []).find((r) => r.row === outcome.row);
      const fine = now && now.status !== "rejected";
      say(fill(fine ? text.row_fixed : text.row_still, {row: outcome.row}), !fine);
    });
    editor.appendChild(again);
    return editor;
  }

  async function follow(job) {
    const bar = $("progress");
    bar.hidden = false;
    for (;;) {
      const found = (await call(`${job.url}${api}`, {method: "GET"})).answer;
      if (found.rows_total) {
        bar.max = found.rows_total;
        bar.value = found.rows_done;
        say(fill(text.progress, {done: found.rows_done, total: found.rows_total}), false);
      }
      if (!["queued", "running"].includes(found.state)) return found;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  async function keepLetter(batch) {
    const body = new FormData();
    body.append("number", form.elements.number.value.trim());
    body.append("date", form.elements.date.value.trim());
    body.append("office", form.elements.office.value.trim());
    if (form.elements.scan.files.length) body.append("scan", form.elements.scan.files[0]);
    await call(`/api/imports/batches/${batch}/letter${api}`, {method: "POST", body});
  }

  async function runImport() {
    if (current && current.unresolved.length) {
      say(text.mapping_first, true);
      return;
    }
    const body = fileForm();
    body.append("source", "mayor");
    body.append("partial", $("leave-out").checked ? "true" : "false");
    $("import").disabled = true;
    say(text.importing, false);
    let result;
    let toPlace = 0;
    try {
      const {status: code, answer} = await call(`/api/imports/reports${api}`, {method: "POST", body});
      result = code === 202 ? await follow(answer) : answer;
      if (result.batch_id) {
        await keepLetter(result.batch_id);
        toPlace = (await call(`/api/imports/batches/${result.batch_id}${api}`, {method: "GET"})).answer.to_place;
      }
    } catch (error) {
      say(error.message, true);
      $("import").disabled = false;
      return;
    }
    say("", false);
    showSummary(result, toPlace);
  }

  // Each count opens its rows: the spots of the batch's accepted rows, of its new spots, of its rows to be
  // placed and of what its duplicate rows repeat, in the GIS office's work list; the rejected rows' file.
  function showSummary(result, toPlace) {
    const summary = $("summary");
    summary.replaceChildren();
    const lang = en ? "&lang=en" : "";
    const work = (show) => (result.batch_id ? `/work?batch=${result.batch_id}&show=${show}${lang}` : null);
    const counts = [
      ["accepted", result.accepted, work("accepted")], ["duplicates", result.duplicates, work("duplicates")],
      ["new_spots", result.new_spots, work("new")], ["to_place", toPlace, work("place")],
      ["rejected", result.rejected, result.rejected_url],
    ];
    for (const [key, value, href] of counts) {
      summary.appendChild(element("dt", text[key]));
      const count = digits(value || 0);
      summary.appendChild(element("dd", value && href ? element("a", count, {href, id: `count-${key}`}) : count, {"data-count": key}));
    }
    const links = $("links");
    links.replaceChildren();
    const link = (href, label, id) => links.appendChild(element("li", element("a", label, {href, id})));
    if (result.batch_id) link(`/imports/${result.batch_id}${suffix}`, text.batch_rows, "batch-link");
    link(`/map${suffix}`, text.on_map, "map-link");
    if (result.rejected_url) link(result.rejected_url, text.rejected_file, "rejected-link");
    $("summary-step").hidden = false;
    $("progress").hidden = true;
    $("summary-step").scrollIntoView({block: "start"});
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    chosen = {};
    fixes = {};
    readings = {};
    preview();
  });
  $("save-mapping").addEventListener("click", saveMapping);
  $("import").addEventListener("click", runImport);
})();
