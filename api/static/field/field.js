// The tablet page: capture a place, queue it durably on the device (IndexedDB), send it when a connection
// exists. An item leaves the queue only after the server answered 2xx; its client-made UUID makes every
// re-send of the same item return the same report, so a retry can never create a second one.
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("field-config").textContent);
  const M = config.messages;
  const $ = (id) => document.getElementById(id);
  const form = $("report-form");
  const ME = config.user.username;
  const localDigits = (value) => config.lang === "en" ? String(value)
    : String(value).replace(/\d/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]);

  // ---------- identifiers ----------
  // crypto.randomUUID needs a secure context; getRandomValues works everywhere.
  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // ---------- the queue (IndexedDB) ----------
  const db = new Promise((resolve, reject) => {
    const open = indexedDB.open("safemap-field", 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore("outbox", {keyPath: "id"});
      open.result.createObjectStore("sent", {keyPath: "id"});
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });

  // Runs `work` in one transaction and resolves once it is durably committed.
  async function transaction(stores, mode, work) {
    const handle = (await db).transaction(stores, mode);
    let result;
    return new Promise((resolve, reject) => {
      handle.oncomplete = () => resolve(result);
      handle.onerror = () => reject(handle.error);
      handle.onabort = () => reject(handle.error || new Error("transaction aborted"));
      const request = work(Object.fromEntries(stores.map((name) => [name, handle.objectStore(name)])));
      if (request) request.onsuccess = () => { result = request.result; };
    });
  }

  const queue = {
    add: (items) => transaction(["outbox"], "readwrite", ({outbox}) => { items.forEach((i) => outbox.put(i)); }),
    all: (store) => transaction([store], "readonly", (stores) => stores[store].getAll()),
    update: (item) => transaction(["outbox"], "readwrite", ({outbox}) => { outbox.put(item); }),
    discard: (id) => transaction(["outbox"], "readwrite", ({outbox}) => { outbox.delete(id); }),
    // Moving an item to "sent" is one transaction: it is in exactly one of the two stores at any time.
    sent: (item, answer) => transaction(["outbox", "sent"], "readwrite", ({outbox, sent}) => {
      outbox.delete(item.id);
      sent.put({id: item.id, kind: item.kind, user: item.user, label: item.label, created_at: item.created_at,
                sent_at: new Date().toISOString(), answer});
    }),
  };
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => undefined);

  // ---------- sending ----------
  function csrf() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("safemap_csrf="));
    return cookie ? decodeURIComponent(cookie.slice("safemap_csrf=".length)) : "";
  }

  async function post(url, body, headers = {}) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 30000);
    try {
      return await fetch(url, {method: "POST", body, credentials: "same-origin", signal: abort.signal,
                               headers: {"X-CSRF-Token": csrf(), "Accept-Language": config.lang, ...headers}});
    } finally {
      clearTimeout(timer);
    }
  }

  function send(item) {
    if (item.kind === "photo") {
      const form = new FormData();
      form.append("uuid", item.id);
      form.append("file", item.blob, `${item.id}.jpg`);
      return post(`/api/reports/${item.report}/photos`, form);
    }
    if (item.kind === "focus_group") return sendSession(item);
    return postJson(item.url, item.body);
  }

  const postJson = (url, body) => post(url, JSON.stringify(body), {"Content-Type": "application/json"});

  // The session, then its points: both carry their UUIDs, so a re-send after a lost answer adds nothing.
  async function sendSession(item) {
    const session = await postJson("/api/focus-groups", item.body.session);
    if (!session.ok) return session;
    const {id} = await session.json();
    return postJson(`/api/focus-groups/${id}/points`, item.body.points);
  }

  // `problem` is set when the server refused the item itself: sending it again unchanged would be refused
  // again, so it waits for the facilitator (correct it, discard it, or "send now").
  async function note(item, error, problem = null) {
    item.attempts = (item.attempts || 0) + 1;
    item.error = error;
    item.problem = problem;
    await queue.update(item);
  }

  let flushing = null;
  let rounds = 0;  // finished send rounds, shown as <body data-send-rounds> (the browser tests wait for one)
  function flush(retryRefused = false) {
    if (!flushing) {
      const run = () => sendQueued(retryRefused).finally(render);
      flushing = (navigator.locks ? navigator.locks.request("safemap-field-outbox", run) : run())
        .catch((error) => console.warn("sending failed", error))
        .finally(() => { flushing = null; document.body.dataset.sendRounds = String(++rounds); });
    }
    return flushing;
  }

  async function sendQueued(retryRefused) {
    const items = (await queue.all("outbox")).filter((i) => i.user === ME && (retryRefused || !i.problem))
      .sort((a, b) => a.seq - b.seq);
    for (const item of items) {
      if (!navigator.onLine) break;
      let response;
      try {
        response = await send(item);
      } catch (error) {
        await note(item, M.network);
        break;
      }
      if (response.ok) {
        await queue.sent(item, await response.json().catch(() => ({})));
        continue;
      }
      const problem = (await response.json().catch(() => ({}))).error || {};
      if (response.status === 401 || (response.status === 403 && problem.field === "csrf")) {
        $("sign-in-again").hidden = false;
        await note(item, M.sign_in_again);
        break;
      }
      const message = problem.message || `HTTP ${response.status}`;
      // An item is forgotten only on a 2xx. A 5xx, a timeout or a lost connection leaves its outcome unknown:
      // it is sent again later with the same UUIDs, which the server recognises. So is a 404 for the parent of
      // a photo or of a session's points: the parent was sent, so it will be there.
      const parentMissing = response.status === 404 && (item.kind === "photo" || item.kind === "focus_group");
      if (response.status >= 500 || response.status === 408 || response.status === 429 || parentMissing) {
        await note(item, message);
        break;
      }
      await note(item, message, {field: problem.field || null, message});
    }
  }

  // ---------- what is queued and what was sent ----------
  function describe(item) {
    const kind = {photo: M.photo, focus_group: M.focus_group}[item.kind] || M.report;
    return `${kind} — ${item.label || ""}`;
  }

  async function render() {
    const [outbox, sent] = await Promise.all([queue.all("outbox"), queue.all("sent")]);
    const queued = outbox.filter((i) => i.user === ME).sort((a, b) => a.seq - b.seq);
    const done = sent.filter((i) => i.user === ME).sort((a, b) => b.sent_at.localeCompare(a.sent_at));
    const reports = (items) => items.filter((i) => i.kind !== "photo").length;
    const counts = [["queued-count", reports(queued)], ["sent-count", reports(done)],
                    ["photos-queued", queued.length - reports(queued)]];
    for (const [id, count] of counts) {
      $(id).dataset.count = String(count);
      $(id).textContent = localDigits(count);
    }
    $("outbox-list").replaceChildren(...queued.map((item) => {
      const li = document.createElement("li");
      li.dataset.id = item.id;
      li.textContent = `${describe(item)} — ${M.queued}`;
      if (item.error) {
        const error = document.createElement("div");
        error.className = "error";
        error.textContent = item.error;
        const discard = document.createElement("button");
        discard.type = "button";
        discard.className = "link";
        discard.textContent = "×";
        discard.addEventListener("click", async () => {
          if (window.confirm(M.discard_confirm)) { await queue.discard(item.id); render(); }
        });
        li.append(error, discard);
      }
      return li;
    }));
    $("sent-list").replaceChildren(...done.slice(0, 50).map((item) => {
      const li = document.createElement("li");
      li.dataset.id = item.id;
      const answer = item.answer || {};
      const ids = item.kind === "photo" ? "" : ` #${localDigits(answer.id ?? answer.focus_group_id ?? "")}` +
        (answer.spot_id ? ` (${M.spot} #${localDigits(answer.spot_id)})` : "");
      li.textContent = `${describe(item)} — ${M.sent}${ids}`;
      return li;
    }));
    if (!queued.length) $("sign-in-again").hidden = true;
    return queued.length;
  }

  // ---------- the map and the point ----------
  const areas = config.neighbourhoods.features;
  const areaSelect = $("area");
  for (const feature of areas) {
    const option = document.createElement("option");
    option.value = feature.properties.code;
    const name = config.lang === "en" ? feature.properties.name_en : feature.properties.name_fa;
    option.textContent = `${name} (${localDigits(feature.properties.code)})`;
    areaSelect.append(option);
  }
  const remembered = localStorage.getItem("safemap-field-area");
  if (areas.some((f) => f.properties.code === remembered)) areaSelect.value = remembered;

  const map = L.map("map", {zoomControl: true, attributionControl: Boolean(config.basemap_url)});
  if (config.basemap_url) {
    L.tileLayer(config.basemap_url, {attribution: config.basemap_attribution || "", maxZoom: 19}).addTo(map);
  }
  const layers = {};
  L.geoJSON(config.neighbourhoods, {
    style: {color: "#1f4e79", weight: 2, fillOpacity: 0.06},
    onEachFeature: (feature, layer) => { layers[feature.properties.code] = layer; },
  }).addTo(map);

  function showArea() {
    const layer = layers[areaSelect.value];
    if (layer) map.fitBounds(layer.getBounds(), {padding: [10, 10]});
    else map.setView([35.745, 51.2], 12);
    localStorage.setItem("safemap-field-area", areaSelect.value);
  }
  areaSelect.addEventListener("change", showArea);
  showArea();

  function inRing(x, y, ring) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function areaAt(lat, lon) {
    return areas.find((feature) => {
      const g = feature.geometry;
      const polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      return polygons.some((rings) => inRing(lon, lat, rings[0]) && !rings.slice(1).some((r) => inRing(lon, lat, r)));
    });
  }

  let marker = null;
  function setPoint(lat, lon) {
    const area = areaAt(lat, lon);
    if (!area) {
      $("form-message").textContent = M.outside;
      return false;
    }
    $("form-message").textContent = "";
    // A session belongs to the neighbourhood chosen for it, wherever its participants' points lie.
    if (area.properties.code !== areaSelect.value && form.dataset.mode !== "group") {
      areaSelect.value = area.properties.code;
      localStorage.setItem("safemap-field-area", areaSelect.value);
    }
    $("lat").value = lat.toFixed(6);
    $("lon").value = lon.toFixed(6);
    $("point").textContent = `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
    if (!marker) {
      marker = L.marker([lat, lon], {draggable: true}).addTo(map);
      marker.on("dragend", () => {
        const moved = marker.getLatLng();
        if (!setPoint(moved.lat, moved.lng)) marker.setLatLng([Number($("lat").value), Number($("lon").value)]);
      });
    } else {
      marker.setLatLng([lat, lon]);
    }
    return true;
  }

  function clearPoint() {
    $("lat").value = "";
    $("lon").value = "";
    $("point").textContent = "";
    if (marker) { marker.remove(); marker = null; }
  }

  map.on("click", (event) => setPoint(event.latlng.lat, event.latlng.lng));
  $("gps").addEventListener("click", () => {
    if (!navigator.geolocation) { $("form-message").textContent = M.gps_failed; return; }
    $("form-message").textContent = M.gps_wait;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const {latitude, longitude} = position.coords;
        if (setPoint(latitude, longitude)) map.setView([latitude, longitude], Math.max(map.getZoom(), 16));
      },
      () => { $("form-message").textContent = M.gps_failed; },
      {enableHighAccuracy: true, timeout: 20000, maximumAge: 30000},
    );
  });

  // ---------- the safety audit ----------
  const sliders = config.audit_keys.map((key) => $(`audit-${key}`));
  for (const slider of sliders) {
    slider.addEventListener("input", () => {
      slider.dataset.touched = "true";
      $(`${slider.id}-value`).textContent = localDigits(slider.value);
    });
  }
  function clearAudit() {
    for (const slider of sliders) {
      slider.value = "0";
      delete slider.dataset.touched;
      $(`${slider.id}-value`).textContent = "–";
    }
  }
  $("audit-clear").addEventListener("click", clearAudit);

  // ---------- photos, resized on the device ----------
  let photos = [];
  let resizing = [];

  async function decode(file) {
    try {
      return await createImageBitmap(file, {imageOrientation: "from-image"});
    } catch (error) {
      const image = new Image();
      image.src = URL.createObjectURL(file);
      await image.decode();
      return image;
    }
  }

  async function resize(file) {
    const source = await decode(file);
    const scale = Math.min(1, config.max_photo_px / Math.max(source.width, source.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(source.width * scale));
    canvas.height = Math.max(1, Math.round(source.height * scale));
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    for (let quality = 0.85; quality > 0.3; quality -= 0.15) {
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
      if (blob && blob.size <= config.max_photo_bytes) return blob;
    }
    throw new Error("the photo stays too large");
  }

  function showPhotos() {
    $("photo-list").replaceChildren(...photos.map((photo) => {
      const figure = document.createElement("figure");
      const image = document.createElement("img");
      image.src = photo.url;
      image.alt = "";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.addEventListener("click", () => {
        URL.revokeObjectURL(photo.url);
        photos = photos.filter((p) => p !== photo);
        showPhotos();
      });
      figure.append(image, remove);
      return figure;
    }));
  }

  $("photos").addEventListener("change", (event) => {
    for (const file of event.target.files) {
      const job = resize(file).then((blob) => {
        photos.push({id: newUuid(), blob, url: URL.createObjectURL(blob)});
        showPhotos();
      }).catch(() => { $("form-message").textContent = M.photo_failed; });
      resizing.push(job);
    }
    event.target.value = "";
  });

  // ---------- one point's fields, shared by a new place and a session's points ----------
  function readPoint() {
    const category = form.querySelector("input[name=category]:checked");
    if (!$("lat").value) { $("form-message").textContent = M.need_point; return null; }
    if (!category) { $("form-message").textContent = M.need_category; return null; }
    const audit = {};
    for (const slider of sliders) if (slider.dataset.touched) audit[slider.name] = Number(slider.value);
    const time = form.querySelector("input[name=time_of_day]:checked");
    return {category: category.value, label: category.nextElementSibling.textContent.trim(),
            time_of_day: time ? time.value : null, time_label: time ? time.nextElementSibling.textContent : "",
            lat: Number($("lat").value), lon: Number($("lon").value), description: $("description").value.trim(),
            audit};
  }

  function clearPointFields() {
    for (const input of form.querySelectorAll("input[name=category], input[name=time_of_day]")) input.checked = false;
    $("description").value = "";
    clearPoint();
    clearAudit();
  }

  // ---------- submitting: always through the queue ----------
  let seq = Date.now() * 1000;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.dataset.mode !== "place") return;
    await Promise.all(resizing);
    resizing = [];
    const point = readPoint();
    if (!point) return;
    const now = new Date().toISOString();
    const label = point.label;
    const report = {
      id: newUuid(), kind: "report", user: ME, seq: seq++, created_at: now, url: "/api/reports", label,
      body: {category: point.category, lat: point.lat, lon: point.lon, description: point.description,
             time_of_day: point.time_of_day, audit: Object.keys(point.audit).length ? point.audit : null,
             reported_at: now, source: "field"},
    };
    report.body.uuid = report.id;
    const attached = photos.map((photo) => ({id: photo.id, kind: "photo", user: ME, seq: seq++, created_at: now,
                                             report: report.id, blob: photo.blob, label}));
    await queue.add([report, ...attached]);
    clearPointFields();
    photos.forEach((photo) => URL.revokeObjectURL(photo.url));
    photos = [];
    showPhotos();
    $("outbox-message").textContent = navigator.onLine ? M.saved : M.saved_offline;
    await render();
    flush();
  });

  // ---------- a focus-group session and the points its participants marked ----------
  let groupPoints = [];
  let sessionUuid = newUuid();
  const latinDigits = (text) => text.replace(/[۰-۹٠-٩]/g, (d) => String("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩".indexOf(d) % 10));

  function setMode(mode) {
    form.dataset.mode = mode;
    for (const button of document.querySelectorAll("[data-mode-button]")) {
      button.setAttribute("aria-pressed", String(button.dataset.modeButton === mode));
    }
    $("form-message").textContent = "";
  }
  for (const button of document.querySelectorAll("[data-mode-button]")) {
    button.addEventListener("click", () => setMode(button.dataset.modeButton));
  }

  function jalaliToday() {
    const parts = new Intl.DateTimeFormat("en-u-ca-persian-nu-latn", {
      timeZone: "Asia/Tehran", year: "numeric", month: "2-digit", day: "2-digit"}).formatToParts(new Date());
    const part = (type) => parts.find((p) => p.type === type).value;
    return localDigits(`${part("year")}/${part("month")}/${part("day")}`);
  }

  const errorFor = (field) => Array.from(form.querySelectorAll("[data-error-for]"))
    .find((element) => element.dataset.errorFor === field) || $("group-message");

  function showProblems(problems) {
    for (const element of form.querySelectorAll("[data-error-for]")) element.textContent = "";
    $("group-message").textContent = "";
    for (const {field, message} of problems) errorFor(field).textContent = message;
  }

  function showGroupPoints() {
    $("point-list").replaceChildren(...groupPoints.map((point) => {
      const li = document.createElement("li");
      li.textContent = [point.label, point.time_label, point.description].filter(Boolean).join(" — ");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = "×";
      remove.setAttribute("aria-label", M.remove);
      remove.addEventListener("click", () => {
        point.marker.remove();
        groupPoints = groupPoints.filter((p) => p !== point);
        showGroupPoints();
      });
      li.append(remove);
      return li;
    }));
    $("point-count").textContent = localDigits(groupPoints.length);
  }

  function resetSession() {
    $("fg-held_on").value = jalaliToday();
    $("fg-facilitator").value = config.user.full_name || ME;
    for (const key of ["participants", "women", "notes"]) $(`fg-${key}`).value = "";
    groupPoints.forEach((point) => point.marker.remove());
    groupPoints = [];
    sessionUuid = newUuid();
    showGroupPoints();
    showProblems([]);
  }

  $("add-point").addEventListener("click", () => {
    const point = readPoint();
    if (!point) return;
    point.uuid = newUuid();
    point.marker = L.circleMarker([point.lat, point.lon], {radius: 9, color: "#b00020"}).addTo(map);
    groupPoints.push(point);
    clearPointFields();
    showGroupPoints();
    errorFor("features").textContent = "";
  });

  $("record-session").addEventListener("click", async () => {
    const values = Object.fromEntries(["held_on", "facilitator", "participants", "women", "notes"]
      .map((key) => [key, $(`fg-${key}`).value.trim()]));
    const problems = ["held_on", "facilitator", "participants", "women"].filter((key) => !values[key])
      .map((field) => ({field, message: M.required}));
    for (const field of ["participants", "women"]) {
      values[field] = latinDigits(values[field]);
      if (values[field] && !/^\d+$/.test(values[field])) problems.push({field, message: M.need_number});
    }
    if (!groupPoints.length) problems.push({field: "features", message: M.need_points});
    showProblems(problems);
    if (problems.length) return;
    const item = {
      id: sessionUuid, kind: "focus_group", user: ME, seq: seq++, created_at: new Date().toISOString(),
      label: `${localDigits(groupPoints.length)} ${M.points}`,
      body: {
        session: {area: areaSelect.value, held_on: values.held_on, facilitator: values.facilitator,
                  participants: Number(values.participants), women: Number(values.women), notes: values.notes,
                  uuid: sessionUuid},
        points: {type: "FeatureCollection", features: groupPoints.map((point) => ({
          type: "Feature", geometry: {type: "Point", coordinates: [point.lon, point.lat]},
          properties: {category: point.category, description: point.description, time_of_day: point.time_of_day,
                       uuid: point.uuid, ...point.audit}}))},
      },
    };
    await queue.add([item]);
    await render();
    // A send already under way may have read the queue before this session was added.
    if (flushing) await flushing;
    await flush();
    const left = (await queue.all("outbox")).find((i) => i.id === item.id);
    if (left && left.problem) {
      // Kept in the form to be corrected; recording it again replaces the refused item (same UUID).
      showProblems([left.problem]);
      return;
    }
    resetSession();
    $("outbox-message").textContent = left ? M.saved_offline : `${M.focus_group} — ${M.sent}`;
  });
  resetSession();

  // ---------- when to send ----------
  function showNetwork() {
    $("network").dataset.online = String(navigator.onLine);
    $("network").textContent = navigator.onLine ? M.online : M.offline;
  }
  window.addEventListener("online", () => { showNetwork(); flush(); });
  window.addEventListener("offline", showNetwork);
  $("send-now").addEventListener("click", () => flush(true));
  setInterval(async () => { if (navigator.onLine && await render()) flush(); }, 20000);
  showNetwork();

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/field/sw.js", {scope: "/field"})
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        registration.active.postMessage({store: location.pathname + location.search});
        document.body.dataset.offlineReady = "true";
      })
      .catch((error) => console.warn("no offline copy of the page", error));
  }
  render().then(() => flush()).then(() => { document.body.dataset.ready = "true"; });
})();
