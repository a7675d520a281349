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
    : String(value).replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));

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

  // ---------- the server's reasons, in the page's words ----------
  // The server names the field (`field`) and says why (`message`, "field: reason"); the page names the field
  // with its own label and writes the digits of its language.
  const AUDIT_LABELS = Object.fromEntries(config.audit);
  const FIELD_LABELS = {
    category: M.kind, time_of_day: M.time, description: M.description, audit: M.audit, location: M.place,
    lat: M.place, lon: M.place, geometry: M.place, spot_id: M.chosen_spot, area: M.neighbourhood,
    held_on: M.held_on, facilitator: M.facilitator, participants: M.participants, women: M.women,
    notes: M.notes, features: M.session_points, file: M.photo,
  };
  const fieldLabel = (field) => FIELD_LABELS[field] ||
    (field && field.startsWith("audit.") ? AUDIT_LABELS[field.slice(6)] : null) || "";

  function explain(problem) {
    const field = problem.field || "";
    let reason = problem.message || M.refused;
    if (field && reason.startsWith(`${field}: `)) reason = reason.slice(field.length + 2);
    // A reason the server wrote in English (a validation of the request's shape) is not shown as is.
    if (config.lang !== "en" && !/[\u0600-\u06ff]/.test(reason)) reason = M.invalid;
    const label = fieldLabel(field);
    return localDigits(label ? `${label}: ${reason}` : reason);
  }

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
      const message = explain(problem);
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

  // ---------- the one message area, over the map ----------
  // Confirmations, refusals and the server's reasons all appear here, on screen whatever the panel shows,
  // and are announced (aria-live). A refusal also goes to the step of its field, which is scrolled into view
  // and marked.
  let messageTimer = null;
  function say(text, kind = "ok") {
    clearTimeout(messageTimer);
    $("message-text").textContent = localDigits(text);
    $("message").dataset.kind = kind;
    $("message").hidden = false;
    if (kind !== "error") messageTimer = setTimeout(() => { $("message").hidden = true; }, 8000);
  }
  $("message-close").addEventListener("click", () => { $("message").hidden = true; });

  // ---------- steps ----------
  const STEPS = {place: ["point", "audit", "more", "queue"], group: ["session", "point", "audit", "more", "queue"]};
  function showStep(step, {top = true} = {}) {
    form.dataset.step = step;
    for (const button of document.querySelectorAll("[data-step-button]")) {
      if (button.dataset.stepButton === step) button.setAttribute("aria-current", "step");
      else button.removeAttribute("aria-current");
    }
    if (top) $("steps").scrollTop = 0;
  }
  for (const button of document.querySelectorAll("[data-step-button]")) {
    button.addEventListener("click", () => showStep(button.dataset.stepButton));
  }
  for (const button of document.querySelectorAll("[data-step-link]")) {
    button.addEventListener("click", () => showStep(button.dataset.stepLink));
  }

  // Where each field the server or the page may refuse is shown: its step and its element.
  const FIELD_PLACES = {
    category: ["point", "category"], time_of_day: ["point", "time_of_day"], location: ["point", "map"],
    lat: ["point", "map"], lon: ["point", "map"], geometry: ["point", "map"], spot_id: ["point", "nearby"],
    description: ["more", "description"], audit: ["audit", "audit"], area: ["session", "area"],
    held_on: ["session", "fg-held_on"], facilitator: ["session", "fg-facilitator"],
    participants: ["session", "fg-participants"], women: ["session", "fg-women"], notes: ["session", "fg-notes"],
    features: ["session", "point-list"],
  };
  function unmark() {
    for (const element of document.querySelectorAll("[aria-invalid=true], [data-invalid=true]")) {
      element.removeAttribute("aria-invalid");
      delete element.dataset.invalid;
    }
  }
  function mark(field) {
    const [step, id] = FIELD_PLACES[field] || (field && field.startsWith("audit.") ?
      ["audit", `audit-${field.slice(6)}`] : [null, null]);
    if (!step) return;
    const element = $(id);
    if (step !== "point" || id !== "map") showStep(step, {top: false});
    if (!element) return;
    if (element.matches("input, select, textarea, [role=radiogroup]")) element.setAttribute("aria-invalid", "true");
    else element.dataset.invalid = "true";
    const tab = document.querySelector(`[data-step-button="${step}"]`);
    if (tab) tab.dataset.invalid = "true";
    element.scrollIntoView({block: "nearest"});
  }
  function refuse(field, text) {
    unmark();
    say(text, "error");
    mark(field);
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
      li.textContent = localDigits(`${describe(item)} — ${M.queued}`);
      if (item.error) {
        const error = document.createElement("div");
        error.className = "error";
        error.textContent = item.error;
        const discard = document.createElement("button");
        discard.type = "button";
        discard.textContent = "×";
        discard.setAttribute("aria-label", M.discard);
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
      const ids = item.kind === "photo" ? "" : ` #${answer.id ?? answer.focus_group_id ?? ""}` +
        (answer.spot_id ? ` (${M.spot} #${answer.spot_id})` : "");
      li.textContent = localDigits(`${describe(item)} — ${M.sent}${ids}`);
      return li;
    }));
    if (!queued.length) $("sign-in-again").hidden = true;
    return queued;
  }

  // ---------- the map, the point and the place it names ----------
  const areas = config.neighbourhoods.features;
  const areaName = (feature) => config.lang === "en" ? feature.properties.name_en : feature.properties.name_fa;
  const areaSelect = $("area");
  for (const feature of areas) {
    const option = document.createElement("option");
    option.value = feature.properties.code;
    option.textContent = localDigits(`${areaName(feature)} (${feature.properties.code})`);
    areaSelect.append(option);
  }
  const remembered = localStorage.getItem("safemap-field-area");
  if (areas.some((f) => f.properties.code === remembered)) areaSelect.value = remembered;

  // The first raster base map: one Safemap serves itself, else the online one (SAFEMAP_BASEMAP_URL).
  const basemap = config.basemaps.basemaps.find((item) => !item.vector);
  const map = L.map("map", {zoomControl: false, attributionControl: Boolean(basemap)});
  L.control.zoom({zoomInTitle: M.zoom_in, zoomOutTitle: M.zoom_out}).addTo(map);
  if (map.attributionControl) map.attributionControl.setPrefix(false);
  if (basemap) {
    L.tileLayer(basemap.url, {attribution: basemap.attribution || "", minZoom: basemap.minZoom,
                              maxNativeZoom: basemap.maxZoom, maxZoom: 19}).addTo(map);
  }
  const layers = {};
  L.geoJSON(config.neighbourhoods, {
    style: {color: "#1f4e79", weight: 2, fillOpacity: 0.06},
    interactive: false,
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

  const metresBetween = (a, b) => map.distance(L.latLng(a.lat, a.lon), L.latLng(b.lat, b.lon));
  // Named places the page carries (landmarks, metro stations): the nearest names where the point is.
  const landmarks = config.landmarks.features.map((f) => ({
    lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0],
    name: (f.properties.kind === "metro" ? `${M.metro} ` : "") +
      (config.lang === "en" ? f.properties.name_en || f.properties.name_fa : f.properties.name_fa)}));

  function describePlace(lat, lon, area) {
    const parts = [areaName(area)];
    const here = {lat, lon};
    const nearest = landmarks.map((l) => [metresBetween(here, l), l]).sort((a, b) => a[0] - b[0])[0];
    if (nearest && nearest[0] <= 2000) {
      parts.push(`${Math.round(nearest[0] / 10) * 10} ${M.metres} ${nearest[1].name}`);
    }
    $("place").textContent = localDigits(parts.join(" — "));
    $("place").dataset.empty = "false";
  }

  // The pin: 48 px to touch and drag, named for screen readers.
  const pin = L.divIcon({className: "pin", iconSize: [48, 48], iconAnchor: [24, 46]});
  let marker = null;
  function setPoint(lat, lon, {pinned = true} = {}) {
    const area = areaAt(lat, lon);
    if (!area) {
      refuse("location", M.outside);
      return false;
    }
    unmark();
    // A session belongs to the neighbourhood chosen for it, wherever its participants' points lie.
    if (area.properties.code !== areaSelect.value && form.dataset.mode !== "group") {
      areaSelect.value = area.properties.code;
      localStorage.setItem("safemap-field-area", areaSelect.value);
    }
    $("lat").value = lat.toFixed(6);
    $("lon").value = lon.toFixed(6);
    describePlace(lat, lon, area);
    if (!pinned) {  // a line or an area: the shape itself shows the place
      if (marker) { marker.remove(); marker = null; }
    } else if (!marker) {
      marker = L.marker([lat, lon], {draggable: true, icon: pin, keyboard: true, title: M.marker}).addTo(map);
      marker.getElement().setAttribute("aria-label", M.marker);
      marker.on("dragend", () => {
        const moved = marker.getLatLng();
        if (!setPoint(moved.lat, moved.lng)) marker.setLatLng([Number($("lat").value), Number($("lon").value)]);
      });
    } else {
      marker.setLatLng([lat, lon]);
    }
    showNearby();
    return true;
  }

  function clearPoint() {
    $("lat").value = "";
    $("lon").value = "";
    $("place").textContent = M.no_point;
    $("place").dataset.empty = "true";
    if (marker) { marker.remove(); marker = null; }
    chooseSpot(null);
    shapes.cancel();
    if (shape !== "point") shapes.start(shape);
  }

  // A tap places the point; while a line or an area is drawn, Leaflet-Geoman takes the taps as its corners.
  map.on("click", (event) => { if (shape === "point") setPoint(event.latlng.lat, event.latlng.lng); });

  // ---------- a line (a dark street segment) or an area (a park, a vacant lot) instead of a point ----------
  let shape = "point";
  const shapes = safemapShapes(map, (layer) => {  // map/shapes.js, shared with the map page
    // The place is named, and nearby spots offered, at a point of the shape: its middle corner for a line,
    // the middle of an area when inside it, else its first corner.
    const corners = layer.getLatLngs().flat(2);
    const middle = layer.getBounds().getCenter();
    const inside = shape === "Polygon" && inRing(middle.lng, middle.lat, corners.map((at) => [at.lng, at.lat]));
    const at = inside ? middle : corners[shape === "Line" ? Math.floor(corners.length / 2) : 0];
    if (!setPoint(at.lat, at.lng, {pinned: false})) { shapes.cancel(); shapes.start(shape); return; }
    $("draw-actions").hidden = true;
    say(shape === "Line" ? M.line_drawn : M.area_drawn);
  });
  function chooseShape(chosen) {
    shape = chosen;
    for (const button of document.querySelectorAll("[data-shape]")) {
      button.setAttribute("aria-pressed", String(button.dataset.shape === chosen));
    }
    clearPoint();
    $("draw-actions").hidden = chosen === "point";
    $("point-row").hidden = chosen !== "point";
    $("draw-hint").textContent = chosen === "Line" ? M.draw_line_hint : M.draw_area_hint;
  }
  for (const button of document.querySelectorAll("[data-shape]")) {
    button.addEventListener("click", () => chooseShape(button.dataset.shape));
  }
  $("draw-undo").addEventListener("click", () => shapes.undo());
  $("draw-finish").addEventListener("click", () => shapes.finish());
  // The shape as the server stores it, or null for a point.
  const drawnGeometry = () => (shape !== "point" && shapes.drawn() ? shapes.drawn().toGeoJSON().geometry : null);

  function locateMe({quiet = false} = {}) {
    if (!navigator.geolocation) { if (!quiet) say(M.gps_failed, "error"); return; }
    if (!quiet) say(M.gps_wait, "info");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const {latitude, longitude} = position.coords;
        if (setPoint(latitude, longitude)) {
          map.setView([latitude, longitude], Math.max(map.getZoom(), 16));
          if (!quiet) $("message").hidden = true;
        }
      },
      () => { if (!quiet) say(M.gps_failed, "error"); },
      {enableHighAccuracy: true, timeout: 20000, maximumAge: 0},  // a fresh fix: the facilitator has moved
    );
  }
  $("gps").addEventListener("click", () => locateMe());

  // A new place starts where the facilitator stands, if the tablet may already tell (no question asked).
  async function locateIfAllowed() {
    if (form.dataset.mode !== "place" || !navigator.permissions || !navigator.geolocation) return;
    const state = await navigator.permissions.query({name: "geolocation"}).then((p) => p.state, () => "");
    if (state === "granted") locateMe({quiet: true});
  }

  // ---------- spots already recorded nearby: "this is the same place" ----------
  const NEARBY_M = 150;
  const spotIcon = L.divIcon({className: "spot-pin", iconSize: [48, 48], html: "", iconAnchor: [24, 24]});
  let chosenSpot = null;
  // A line or an area is drawn as itself; its vertices and middle say how near it is.
  const spotMarkers = (config.spots || []).map((spot) => {
    let m;
    if (spot.geometry) {
      m = L.GeoJSON.geometryToLayer({type: "Feature", geometry: spot.geometry},
                                    {color: "#f0a202", weight: 7, fillOpacity: 0.25, className: "spot-shape"});
      const middle = m.getBounds().getCenter();
      spot.lat = middle.lat;
      spot.lon = middle.lng;
      spot.vertices = m.getLatLngs().flat(2).map((at) => ({lat: at.lat, lon: at.lng}));
      m.addTo(map);
    } else {
      m = L.marker([spot.lat, spot.lon], {icon: spotIcon, title: `${M.spot_marker}: ${spot.title}`,
                                          keyboard: true}).addTo(map);
    }
    m.getElement().setAttribute("aria-label", localDigits(`${M.spot_marker}: ${spot.title}`));
    m.getElement().dataset.spot = String(spot.id);
    m.on("click", (event) => {
      L.DomEvent.stopPropagation(event);  // a tap on a line or an area is not a new point there
      if (!$("lat").value) setPoint(spot.lat, spot.lon);
      offerSpot(spot);
    });
    return [spot, m];
  });
  const spotDistance = (here, spot) => Math.min(metresBetween(here, spot),
                                                ...(spot.vertices || []).map((at) => metresBetween(here, at)));

  function chooseSpot(spot) {
    chosenSpot = spot;
    $("same-place").setAttribute("aria-pressed", String(Boolean(spot)));
    for (const [s, m] of spotMarkers) m.getElement().dataset.chosen = String(s === spot);
  }

  let offered = null;
  function offerSpot(spot) {
    offered = spot;
    if (!spot || form.dataset.mode !== "place") { $("nearby").hidden = true; chooseSpot(null); return; }
    const here = {lat: Number($("lat").value), lon: Number($("lon").value)};
    const metres = Math.round(spotDistance(here, spot));
    $("nearby-text").textContent = localDigits(M.nearby.replace("{metres}", metres).replace("{title}", spot.title));
    $("nearby").hidden = false;
    if (chosenSpot && chosenSpot !== spot) chooseSpot(null);
  }

  function showNearby() {
    const here = {lat: Number($("lat").value), lon: Number($("lon").value)};
    const near = (config.spots || []).map((spot) => [spotDistance(here, spot), spot])
      .filter(([metres]) => metres <= NEARBY_M).sort((a, b) => a[0] - b[0]);
    offerSpot(near.length ? near[0][1] : null);
  }

  $("same-place").addEventListener("click", () => {
    chooseSpot(chosenSpot ? null : offered);
    if (chosenSpot) say(M.joins_spot, "info");
  });

  // ---------- the time of day: now, unless the facilitator says otherwise ----------
  function timeNow() {
    const hour = new Date().getHours();
    const key = hour >= 6 && hour < 17 ? "day" : hour >= 17 && hour < 20 ? "evening" : "night";
    const input = form.querySelector(`input[name=time_of_day][value=${key}]`);
    if (input) input.checked = true;
  }

  // ---------- the safety audit: nine criteria, each a score in words or «not assessed» ----------
  const AUDIT_KEYS = config.audit.map(([key]) => key);
  function readAudit() {
    return Object.fromEntries(AUDIT_KEYS.map((key) => {
      const chosen = form.querySelector(`input[name="audit-${key}"]:checked`);
      return [key, chosen && chosen.value !== "" ? Number(chosen.value) : null];
    }));
  }
  function clearAudit() {
    for (const input of form.querySelectorAll("#audit input[value='']")) input.checked = true;
  }

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
    $("photo-count").dataset.count = String(photos.length);
    $("photo-count").textContent = localDigits(photos.length);
    $("photo-count").hidden = !photos.length;
    $("photo-list").replaceChildren(...photos.map((photo) => {
      const figure = document.createElement("figure");
      const image = document.createElement("img");
      image.src = photo.url;
      image.alt = "";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", M.remove_photo);
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
        say(M.photo_added);
      }).catch(() => { refuse("photos", M.photo_failed); });
      resizing.push(job);
    }
    event.target.value = "";
  });

  // ---------- one point's fields, shared by a new place and a session's points ----------
  function readPoint() {
    const category = form.querySelector("input[name=category]:checked");
    if (!$("lat").value) { refuse("location", shape === "point" ? M.need_point : M.need_shape); return null; }
    if (!category) { refuse("category", M.need_category); return null; }
    const time = form.querySelector("input[name=time_of_day]:checked");
    return {category: category.value, label: category.nextElementSibling.textContent.trim(),
            time_of_day: time ? time.value : null, time_label: time ? time.nextElementSibling.textContent : "",
            lat: Number($("lat").value), lon: Number($("lon").value), description: $("description").value.trim(),
            audit: readAudit(), geometry: drawnGeometry()};
  }
  const assessed = (audit) => Object.values(audit).some((value) => value !== null);

  function clearPointFields() {
    for (const input of form.querySelectorAll("input[name=category]")) input.checked = false;
    $("description").value = "";
    clearPoint();
    clearAudit();
    timeNow();
    unmark();
  }

  // Choosing the kind of a placed point moves on to the audit.
  for (const input of form.querySelectorAll("input[name=category]")) {
    input.addEventListener("change", () => { if ($("lat").value) showStep("audit"); });
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
      body: {category: point.category, description: point.description,
             time_of_day: point.time_of_day, audit: assessed(point.audit) ? point.audit : null,
             reported_at: now, source: "field",
             // A drawn line or area goes as its geometry, placed by hand; a point as the position taken.
             ...(point.geometry ? {geometry: point.geometry, placed: true} : {lat: point.lat, lon: point.lon})},
    };
    if (chosenSpot) report.body.spot_id = chosenSpot.id;
    report.body.uuid = report.id;
    const attached = photos.map((photo) => ({id: photo.id, kind: "photo", user: ME, seq: seq++, created_at: now,
                                             report: report.id, blob: photo.blob, label}));
    await queue.add([report, ...attached]);
    chooseShape("point");
    clearPointFields();
    photos.forEach((photo) => URL.revokeObjectURL(photo.url));
    photos = [];
    showPhotos();
    // The next place starts at the first step, at its top, where the facilitator now stands.
    showStep("point");
    locateIfAllowed();
    say(navigator.onLine ? M.saved : M.saved_offline);
    $("outbox-message").textContent = navigator.onLine ? M.saved : M.saved_offline;
    await render();
    await flush();
    const left = (await queue.all("outbox")).find((i) => i.id === report.id);
    if (left && left.problem) refuse(left.problem.field, left.problem.message);
    else if (!left) say(`${M.report} — ${M.sent}`);
  });

  // ---------- a focus-group session and the points its participants marked ----------
  let groupPoints = [];
  let sessionUuid = newUuid();
  // Persian (U+06F0…) and Arabic-Indic (U+0660…) digits both end in their value's four bits.
  const latinDigits = (text) => text.replace(/[\u06f0-\u06f9\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) & 0xf));

  function setMode(mode) {
    if (mode === "group") chooseShape("point");  // a session's points are points
    form.dataset.mode = mode;
    for (const button of document.querySelectorAll("[data-mode-button]")) {
      button.setAttribute("aria-pressed", String(button.dataset.modeButton === mode));
    }
    $("message").hidden = true;
    unmark();
    offerSpot(mode === "place" ? offered : null);
    showStep(mode === "group" ? "session" : "point");
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
    unmark();
    for (const {field, message} of problems) errorFor(field).textContent = message;
    if (problems.length) {
      const [first] = problems;
      const label = fieldLabel(first.field);
      const text = label && !first.message.startsWith(label) ? `${label}: ${first.message}` : first.message;
      say(text, "error");
      for (const {field} of problems.slice().reverse()) mark(field);
    }
  }

  function showGroupPoints() {
    $("point-list").replaceChildren(...groupPoints.map((point) => {
      const li = document.createElement("li");
      li.textContent = [point.label, point.time_label, point.description].filter(Boolean).join(" — ");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", `${M.remove}: ${point.label}`);
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
    for (const element of form.querySelectorAll("[data-error-for]")) element.textContent = "";
  }

  // Numbers typed with a Latin keyboard are shown in the page's digits (they are sent as Latin digits).
  for (const key of ["held_on", "participants", "women"]) {
    $(`fg-${key}`).addEventListener("input", (event) => {
      const shown = localDigits(latinDigits(event.target.value));
      if (shown !== event.target.value) event.target.value = shown;
    });
  }

  const groupPin = L.divIcon({className: "group-pin", iconSize: [48, 48], iconAnchor: [24, 24]});
  $("add-point").addEventListener("click", () => {
    const point = readPoint();
    if (!point) return;
    point.uuid = newUuid();
    point.marker = L.marker([point.lat, point.lon], {icon: groupPin, interactive: false}).addTo(map);
    groupPoints.push(point);
    clearPointFields();
    showGroupPoints();
    errorFor("features").textContent = "";
    // The next point starts on the map, with its kind.
    showStep("point");
    say(`${M.point_added} (${groupPoints.length})`);
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
      label: `${groupPoints.length} ${M.points}`,
      body: {
        session: {area: areaSelect.value, held_on: latinDigits(values.held_on), facilitator: values.facilitator,
                  participants: Number(values.participants), women: Number(values.women), notes: values.notes,
                  uuid: sessionUuid},
        points: {type: "FeatureCollection", features: groupPoints.map((point) => ({
          type: "Feature", geometry: {type: "Point", coordinates: [point.lon, point.lat]},
          properties: {category: point.category, description: point.description, time_of_day: point.time_of_day,
                       uuid: point.uuid, ...(assessed(point.audit) ? {audit: point.audit} : {})}}))},
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
      showProblems([{field: left.problem.field, message: left.problem.message}]);
      return;
    }
    resetSession();
    showStep("session");
    const done = left ? M.saved_offline : `${M.focus_group} — ${M.sent}`;
    say(done);
    $("outbox-message").textContent = done;
  });
  resetSession();

  // ---------- the base map and the spots, kept for offline work ----------
  // The server tells the tiles of the tablet's base map over the facilitator's neighbourhoods and the size
  // with their spots (or refuses, over its limit, naming both); on "download" the tiles go to Cache Storage,
  // where the service worker serves them from, and the page, which carries the spots, is stored afresh.
  const TILE_CACHE = "safemap-tiles";  // kept across versions of the page (sw.js)
  const megabytes = (bytes) => (bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0);
  let plan = null;
  $("offline-prepare").addEventListener("click", async () => {
    $("offline-download").hidden = true;
    if (!basemap || basemap.name === "online") { say(M.offline_no_basemap, "error"); return; }
    let response;
    try {
      response = await fetch(`/api/field/offline?basemap=${encodeURIComponent(basemap.name)}`,
                             {credentials: "same-origin", headers: {"Accept-Language": config.lang}});
    } catch (error) {
      say(M.network, "error");
      return;
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const reason = explain(answer.error || {});
      $("offline-size").textContent = reason;
      say(reason, "error");
      return;
    }
    plan = answer;
    $("offline-size").textContent = localDigits(M.offline_size.replace("{tiles}", plan.tiles.length)
      .replace("{mb}", megabytes(plan.total_bytes)));
    $("offline-download").hidden = false;
  });

  $("offline-download").addEventListener("click", async () => {
    if (!plan) return;
    $("offline-download").hidden = true;
    const cache = await caches.open(TILE_CACHE);
    const urls = plan.tiles.map(([z, x, y]) => L.Util.template(basemap.url, {z, x, y}));
    let done = 0;
    let failed = 0;
    const next = urls.slice();
    async function worker() {  // four at a time: the server cuts a GeoTIFF's tiles as they are asked for
      while (next.length) {
        const url = next.shift();
        try {
          const response = await fetch(url, {credentials: "same-origin"});
          if (response.ok) await cache.put(url, response);
          else failed += 1;
        } catch (error) {
          failed += 1;
        }
        done += 1;
        $("offline-size").textContent = localDigits(M.offline_progress.replace("{done}", done)
          .replace("{tiles}", urls.length));
      }
    }
    await Promise.all([worker(), worker(), worker(), worker()]);
    if (!failed) {  // tiles of an earlier preparation (another base map, or one since replaced) are dropped
      const wanted = new Set(urls.map((url) => new URL(url, location.href).href));
      for (const request of await cache.keys()) if (!wanted.has(request.url)) await cache.delete(request);
    }
    const controller = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (controller) controller.postMessage({store: location.pathname + location.search, fresh: true});
    const text = failed ? M.offline_failed : M.offline_done;
    $("offline-size").textContent = text;
    document.body.dataset.offlineTiles = String(urls.length - failed);
    say(text, failed ? "error" : "ok");
  });

  // ---------- when to send ----------
  function showNetwork() {
    $("network").dataset.online = String(navigator.onLine);
    $("network").textContent = navigator.onLine ? M.online : M.offline;
  }
  window.addEventListener("online", () => { showNetwork(); flush(); });
  window.addEventListener("offline", showNetwork);
  $("send-now").addEventListener("click", async () => {
    await flush(true);
    const queued = await render();
    const refused = queued.find((item) => item.problem);
    if (refused) {
      showStep("queue");
      const li = $("outbox-list").querySelector(`li[data-id="${refused.id}"]`);
      if (li) { li.dataset.marked = "true"; li.scrollIntoView({block: "nearest"}); }
      say(refused.error, "error");
    } else if (queued.length) {
      say(queued[0].error || M.network, "error");
    } else {
      say(`${M.sent} (${(await queue.all("sent")).filter((i) => i.user === ME).length})`);
    }
  });
  setInterval(async () => { if (navigator.onLine && (await render()).length) flush(); }, 20000);
  showNetwork();
  timeNow();
  showStep("point");
  locateIfAllowed();

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
