// The tablet page: capture a place, queue it durably on the device (IndexedDB), send it when a connection
// exists. An item leaves the queue only after the server answered 2xx; its client-made UUID makes every
// re-send of the same item return the same report, so a retry can never create a second one.
(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("field-config").textContent);
  const M = config.messages;
  const $ = (id) => document.getElementById(id);
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
                               headers: {"X-CSRF-Token": csrf(), ...headers}});
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
    return post(item.url, JSON.stringify(item.body), {"Content-Type": "application/json"});
  }

  async function note(item, error) {
    item.attempts = (item.attempts || 0) + 1;
    item.error = error;
    await queue.update(item);
  }

  let flushing = null;
  function flush() {
    if (!flushing) {
      const run = () => sendQueued().finally(render);
      flushing = (navigator.locks ? navigator.locks.request("safemap-field-outbox", run) : run())
        .catch((error) => console.warn("sending failed", error))
        .finally(() => { flushing = null; });
    }
    return flushing;
  }

  async function sendQueued() {
    const items = (await queue.all("outbox")).filter((i) => i.user === ME).sort((a, b) => a.seq - b.seq);
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
      await note(item, problem.message || `HTTP ${response.status}`);
      if (response.status >= 500 || response.status === 408 || response.status === 429) break;
    }
  }

  // ---------- what is queued and what was sent ----------
  function describe(item) {
    const kind = item.kind === "photo" ? M.photo : M.report;
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
      const ids = item.kind === "photo" ? "" : ` #${localDigits(answer.id ?? "")}` +
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
    if (area.properties.code !== areaSelect.value) {
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

  // ---------- submitting: always through the queue ----------
  const form = $("report-form");
  let seq = Date.now() * 1000;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await Promise.all(resizing);
    resizing = [];
    const category = form.querySelector("input[name=category]:checked");
    if (!$("lat").value) { $("form-message").textContent = M.need_point; return; }
    if (!category) { $("form-message").textContent = M.need_category; return; }
    const audit = {};
    for (const slider of sliders) if (slider.dataset.touched) audit[slider.name] = Number(slider.value);
    const time = form.querySelector("input[name=time_of_day]:checked");
    const now = new Date().toISOString();
    const label = category.nextElementSibling.textContent.trim();
    const report = {
      id: newUuid(), kind: "report", user: ME, seq: seq++, created_at: now, url: "/api/reports", label,
      body: {category: category.value, lat: Number($("lat").value), lon: Number($("lon").value),
             description: $("description").value.trim(), time_of_day: time ? time.value : null,
             audit: Object.keys(audit).length ? audit : null, reported_at: now, source: "field"},
    };
    report.body.uuid = report.id;
    const attached = photos.map((photo) => ({id: photo.id, kind: "photo", user: ME, seq: seq++, created_at: now,
                                             report: report.id, blob: photo.blob, label}));
    await queue.add([report, ...attached]);
    const area = areaSelect.value;
    form.reset();
    areaSelect.value = area;
    clearPoint();
    clearAudit();
    photos.forEach((photo) => URL.revokeObjectURL(photo.url));
    photos = [];
    showPhotos();
    $("outbox-message").textContent = navigator.onLine ? M.saved : M.saved_offline;
    await render();
    flush();
  });

  // ---------- when to send ----------
  function showNetwork() {
    $("network").dataset.online = String(navigator.onLine);
    $("network").textContent = navigator.onLine ? M.online : M.offline;
  }
  window.addEventListener("online", () => { showNetwork(); flush(); });
  window.addEventListener("offline", showNetwork);
  $("send-now").addEventListener("click", () => flush());
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
