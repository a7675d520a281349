// The import page: a letter's file is previewed (POST /api/imports/preview: columns, first rows, the words to
// map, the whole check as a dry run), the unknown words are mapped once (POST /api/imports/aliases), then it is
// imported (POST /api/imports/reports; a 202 job is followed at GET /api/imports/{job}) and the letter with its
// scan is kept with the batch. Words come from the page; text from the file goes in as textContent.
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
    for (const item of found.unresolved) {
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
    try {
      await call(`/api/imports/aliases${api}`, {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({aliases}),
      });
    } catch (error) {
      say(error.message, true);
      return;
    }
    await preview();
    say(text.mapping_saved, false);
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
    try {
      const {status: code, answer} = await call(`/api/imports/reports${api}`, {method: "POST", body});
      result = code === 202 ? await follow(answer) : answer;
      if (result.batch_id) await keepLetter(result.batch_id);
    } catch (error) {
      say(error.message, true);
      $("import").disabled = false;
      return;
    }
    say("", false);
    showSummary(result);
  }

  function showSummary(result) {
    const summary = $("summary");
    summary.replaceChildren();
    const counts = [
      ["accepted", result.accepted], ["duplicates", result.duplicates],
      ["new_spots", result.new_spots], ["rejected", result.rejected],
    ];
    for (const [key, value] of counts) {
      summary.appendChild(element("dt", text[key]));
      summary.appendChild(element("dd", digits(value || 0), {"data-count": key}));
    }
    const links = $("links");
    links.replaceChildren();
    const link = (href, label, id) => links.appendChild(element("li", element("a", label, {href, id})));
    if (result.batch_id) link(`/imports/${result.batch_id}${suffix}`, text.batch_rows, "batch-link");
    link(`/map${suffix}`, text.on_map, "map-link");
    link(`/work${suffix}`, text.work_list, "work-link");
    if (result.rejected_url) link(result.rejected_url, text.rejected_file, "rejected-link");
    $("summary-step").hidden = false;
    $("progress").hidden = true;
    $("summary-step").scrollIntoView({block: "start"});
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    chosen = {};
    preview();
  });
  $("save-mapping").addEventListener("click", saveMapping);
  $("import").addEventListener("click", runImport);
})();
