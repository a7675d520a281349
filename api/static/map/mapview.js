// Safemap's map: loads spots (or server-side clusters) and report heat for the viewport from the API, so the
// page never holds every point. Stage and category overlays, the filter panel and the neighbourhood choice
// become query parameters; the server answers with at most a capped number of features. The analysis overlays
// (density per neighbourhood, Gi* hotspots) are fetched only while switched on. Text from the server (names,
// labels, titles, messages) meets HTML only through escape() or textContent: an area's name is never markup.
function safemapMap(config) {
  "use strict";
  const map = window[config.map];
  const heat = window[config.heat];
  const text = config.text;
  const fa = config.lang === "fa";
  // One formatter: toLocaleString builds a new one per call, 140 ms for a zoom's 5,000 cluster counts.
  const persian = new Intl.NumberFormat("fa-IR");
  const num = (n) => fa ? persian.format(Number(n)) : String(n);
  const stageOf = Object.fromEntries(config.stages.map((s) => [s.number, s]));
  const categoryOf = Object.fromEntries(config.categories.map((c) => [c.code, c]));
  const sourceOf = Object.fromEntries(config.sources.map((s) => [s.code, s]));
  const state = {mode: null, count: 0, error: null, requests: 0};
  const spots = L.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 45, disableClusteringAtZoom: 18,
                                      showCoverageOnHover: false}).addTo(map);
  const shapes = L.layerGroup().addTo(map);
  const clusters = L.layerGroup().addTo(map);
  const filters = {area: "", source: "", time_of_day: "", since: "", until: ""};

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    });
    (children || []).forEach((child) => node.appendChild(child));
    return node;
  }

  function escape(value) {
    return String(value).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                                      "'": "&#39;"})[c]);
  }

  // Rows of [heading, cell]: the heading is text, the cell HTML its caller has escaped.
  const table = (rows) => "<table>" + rows.map(([k, v]) => "<tr><th>" + escape(k) + "</th><td>" + v + "</td></tr>")
    .join("") + "</table>";

  function jalali(iso) {
    const date = new Date(iso);
    return fa ? date.toLocaleDateString("fa-IR-u-ca-persian") : date.toISOString().slice(0, 10);
  }

  function active(list) {
    return list.filter((item) => map.hasLayer(window[item.group]));
  }

  // The viewport asked for, widened on every side by PAD of its size: a pan that stays within needs no request.
  const PAD = 0.3;
  function query(extra) {
    const b = map.getBounds().pad(PAD);
    const params = new URLSearchParams({
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(","),
      zoom: String(Math.round(map.getZoom())),  // the API clusters by whole zoom levels
    });
    const stages = active(config.stages);
    const categories = active(config.categories);
    if (stages.length < config.stages.length) params.set("stage", stages.map((s) => s.number).join(","));
    if (categories.length < config.categories.length) {
      params.set("category", categories.map((c) => c.code).join(","));
    }
    Object.entries(filters).forEach(([k, v]) => { if (v) params.set(k, v); });
    Object.entries(extra || {}).forEach(([k, v]) => params.set(k, v));
    return {params, empty: !stages.length || !categories.length};
  }

  // What the drawn spots or clusters cover: the same zoom and filters over a larger box than the view.
  let drawn = null;
  const withoutBbox = (params) => { const p = new URLSearchParams(params); p.delete("bbox"); return p.toString(); };
  function covered() {
    return Boolean(drawn) && drawn.key === withoutBbox(query().params) && drawn.bounds.contains(map.getBounds());
  }
  function bboxBounds(params) {
    const [w, s, e, n] = params.get("bbox").split(",").map(Number);
    return L.latLngBounds([s, w], [n, e]);
  }

  // Status line: what the map shows now (also read by the browser tests through data-* attributes).
  const status = el("div", {class: "sm-status", id: "sm-status", role: "status"});
  function showStatus() {
    status.classList.toggle("sm-error", Boolean(state.error));
    status.dataset.mode = state.mode || "";
    status.dataset.count = String(state.count);
    if (state.error) { status.textContent = text.error + ": " + state.error; return; }
    if (state.mode === "clusters") {
      status.textContent = num(state.count) + " " + text.spots + " — " + text.zoom_in;
    } else {
      status.textContent = num(state.count) + " " + text.spots;
    }
  }

  async function getJSON(url, params) {
    state.requests += 1;
    // The server's refusals come back in the page's language.
    const response = await fetch(url + "?" + params.toString(),
                                 {headers: {Accept: "application/json", "Accept-Language": config.lang}});
    const body = await response.json();
    if (!response.ok) {
      throw new Error((body.error && (body.error.message || body.error.code)) || response.statusText);
    }
    return body;
  }

  function pin(feature) {
    const p = feature.properties;
    const stage = stageOf[p.stage];
    const category = categoryOf[p.category] || {icon: "question", label: p.category};
    // Known only by its address or neighbourhood: a "to be placed" mark at the neighbourhood, never a point.
    const unplaced = p.location_precision === "address" || p.location_precision === "neighbourhood";
    const icon = L.divIcon({
      className: "", iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -12],
      html: '<div class="sm-pin' + (unplaced ? " sm-unplaced" : "") + '" data-spot="' + escape(p.id) +
            '" style="background:' + escape(stage.colour) + '">' +
            '<i class="fa-solid fa-' + (unplaced ? "question" : escape(category.icon)) + '"></i></div>',
    });
    const [lon, lat] = feature.geometry.coordinates;
    const title = (unplaced ? text.to_place + ": " : "") + (p.title || category.label);
    // Those who may move spots drag one waiting to be placed (always a point) to its place.
    const movable = Boolean(config.movable) && unplaced;
    const marker = L.marker([lat, lon], {icon, title, draggable: movable});
    marker.spot = p;
    if (movable) marker.on("dragend", () => api.onMove && api.onMove(marker));
    marker.bindPopup(() => popupHtml(p, null), {maxWidth: 320});
    marker.on("popupopen", () => loadDetails(marker));
    return marker;
  }

  function popupHtml(p, details) {
    const stage = stageOf[p.stage];
    const category = categoryOf[p.category] || {label: p.category};
    const rows = [
      [text.category, escape(category.label)],
      [text.stage, '<span class="sm-swatch" style="background:' + escape(stage.colour) + '"></span>' +
                   escape(stage.label)],
      [text.reports, num(p.report_count)],
    ];
    if (details) {
      const sources = details.sources.map((code) => (sourceOf[code] || {label: code}).label);
      rows.push([text.sources, escape(sources.join("، ")) || "—"]);
      const last = details.events[details.events.length - 1];
      rows.push([text.last_event, last ? escape(config.eventKinds[last.kind] || last.kind) + " — " +
                                           escape(jalali(last.at)) : "—"]);
      // The safety score 1–10 by day and after dark, green/amber/red (gis/programme/safety.py).
      const score = (period) => {
        const s = (details.safety || {})[period] || {};
        return '<span class="sm-score ' + escape(s.band || "none") + '" data-period="' + escape(period) + '">' +
          (s.score == null ? "—" : num(s.score)) + "</span>";
      };
      rows.push([text.safety_score, escape(text.period_day) + " " + score("day") + " · " +
                 escape(text.period_night) + " " + score("night")]);
    } else {
      rows.push([text.sources, escape(text.loading)]);
    }
    const link = config.spotPage + "/" + encodeURIComponent(p.id) + (fa ? "" : "?lang=en");
    return '<div class="sm-popup" data-spot="' + escape(p.id) + '"><h3>' + escape(p.title || category.label) +
      "</h3>" + table(rows) + '<p><a href="' + escape(link) + '" target="_blank">' + escape(text.open_page) +
      "</a></p></div>";
  }

  async function loadDetails(marker) {
    try {
      const response = await fetch("/api/spots/" + marker.spot.id, {headers: {"Accept-Language": config.lang}});
      const feature = await response.json();
      if (!response.ok) throw new Error(feature.error ? feature.error.message : response.statusText);
      marker.setPopupContent(popupHtml(marker.spot, feature.properties));
    } catch (error) {
      marker.setPopupContent(popupHtml(marker.spot, null) + '<p class="sm-error">' + escape(error.message) + "</p>");
    }
  }

  // Server clusters are drawn on one canvas, each a circle with its count: thousands of them (zoom 17 over
  // 100,000 spots) as DOM icons cost 0.3–0.5 s of layout and paint on every zoom step. Their pane lies over
  // the neighbourhoods' polygons, as the markers' does, so a click reaches the cluster.
  map.createPane("smClusters").style.zIndex = 450;
  const clusterCanvas = L.canvas({padding: PAD, pane: "smClusters"});
  const ClusterMark = L.CircleMarker.extend({
    _updatePath() {
      L.CircleMarker.prototype._updatePath.call(this);
      const ctx = this._renderer._ctx;
      if (!this._renderer._drawing || this._empty()) return;
      ctx.font = "bold 12px Vazirmatn, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillStyle = "#fff";
      ctx.fillText(this.options.label, this._point.x, this._point.y);
    },
  });

  function clusterMarker(feature) {
    const p = feature.properties;
    const size = Math.round(28 + Math.min(34, 6 * Math.log10(p.count + 1) * 2));
    const colour = (stageOf[p.stage] || {colour: "#555"}).colour;
    const [lon, lat] = feature.geometry.coordinates;
    const marker = new ClusterMark([lat, lon], {
      renderer: clusterCanvas, radius: size / 2, color: "#fff", opacity: 0.8, weight: 3, fillColor: colour,
      fillOpacity: 0.9, label: num(p.count),
    });
    marker.on("click", () => {
      const [w, s, e, n] = p.bbox;
      if (w === e && s === n) map.setView([s, w], Math.min(map.getZoom() + 3, 19));
      else map.fitBounds([[s, w], [n, e]], {padding: [30, 30]});
    });
    return marker;
  }

  // Markers already on the map stay (an open popup survives the pan it causes); only the difference changes.
  const shown = new Map();
  function showSpots(features) {
    const key = (p) => [p.stage, p.category, p.report_count, p.location_precision, p.version].join("/");
    const wanted = new Map(features.map((f) => [f.properties.id, f]));
    const gone = [];
    shown.forEach((marker, id) => {
      const next = wanted.get(id);
      if (!next || key(next.properties) !== key(marker.spot)) { gone.push(marker); shown.delete(id); }
    });
    spots.removeLayers(gone);
    const added = features.filter((f) => !shown.has(f.properties.id)).map(pin);
    added.forEach((marker) => shown.set(marker.spot.id, marker));
    spots.addLayers(added);
  }

  let sequence = 0;
  let pending = 0;
  async function refresh() {
    const mine = ++sequence;
    pending += 1;
    const {params, empty} = query();
    drawn = null;
    if (empty) {
      spots.clearLayers(); shown.clear(); shapes.clearLayers(); clusters.clearLayers();
      Object.assign(state, {mode: "spots", count: 0, error: null});
      showStatus();
      if (map.hasLayer(heat)) heat.setLatLngs([]);
      pending -= 1;
      return;
    }
    try {
      const [data] = await Promise.all([getJSON(config.api + "/spots", params), refreshHeat(params)]);
      if (mine !== sequence) return;
      shapes.clearLayers(); clusters.clearLayers();
      if (data.mode === "clusters") {
        spots.clearLayers(); shown.clear();
        data.features.forEach((f) => clusters.addLayer(clusterMarker(f)));
        state.count = data.features.reduce((sum, f) => sum + f.properties.count, 0);
      } else {
        showSpots(data.features);
        data.features.filter((f) => f.properties.shape).forEach((f) => {
          const colour = stageOf[f.properties.stage].colour;
          shapes.addLayer(L.geoJSON(f.properties.shape, {style: {color: colour, weight: 4, fillOpacity: 0.2},
                                                         interactive: false}));
        });
        state.count = data.features.length;
      }
      Object.assign(state, {mode: data.mode, error: null});
      drawn = {key: withoutBbox(params), bounds: bboxBounds(params)};
    } catch (error) {
      if (mine !== sequence) return;
      state.error = error.message;
    } finally {
      pending -= 1;
    }
    if (mine === sequence) showStatus();
  }

  async function refreshHeat(params) {
    if (!map.hasLayer(heat)) return;
    const data = await getJSON(config.api + "/heat", params);
    heat.setOptions({max: Math.max(1, data.max * 0.6)});
    heat.setLatLngs(data.points);
  }

  // A short pause lets a run of moves (a wheel's zoom steps) ask once; a move within what is drawn asks nothing.
  let timer = null;
  function later() {
    clearTimeout(timer);
    timer = setTimeout(() => { timer = null; refresh(); }, 40);
  }
  map.on("moveend", () => { if (!covered()) later(); });
  map.on("overlayadd overlayremove", (event) => {
    const name = Object.keys(analysis).find((key) => analysis[key].group === event.layer);
    if (!name) later();
    else if (event.type === "overlayadd") loadAnalysis(name);
    else { analysis[name].group.clearLayers(); Object.assign(analysis[name], {count: 0, data: null}); showKey(); }
  });

  // Filters panel.
  const FilterControl = L.Control.extend({
    onAdd() {
      const select = (name, options) => {
        const node = el("select", {id: "sm-" + name, name},
                        [el("option", {value: "", text: text.all})].concat(
                          options.map((o) => el("option", {value: o.code, text: o.label}))));
        node.addEventListener("change", () => {
          filters[name] = node.value;
          if (name === "area") {
            zoomToArea(node.value);
            if (map.hasLayer(analysis.hotspots.group)) loadAnalysis("hotspots");
          }
          later();
        });
        return node;
      };
      const date = (name) => {
        const node = el("input", {id: "sm-" + name, name, placeholder: text.date_hint, dir: "ltr",
                                  inputmode: "numeric"});
        node.addEventListener("change", () => { filters[name] = node.value.trim(); later(); });
        return node;
      };
      const other = new URLSearchParams(window.location.search);
      other.set("lang", text.other_lang_code);
      const panel = el("div", {class: "sm-panel", id: "sm-filters"}, [
        el("h2", {}, [el("span", {text: text.filters}),
                      el("a", {href: "?" + other.toString(), id: "sm-lang", text: text.other_lang})]),
        el("label", {for: "sm-area", text: text.neighbourhood}), select("area", config.neighbourhoods),
        el("label", {for: "sm-source", text: text.source}), select("source", config.sources),
        el("label", {for: "sm-time_of_day", text: text.time_of_day}), select("time_of_day", config.timesOfDay),
        el("label", {for: "sm-since", text: text.since}), date("since"),
        el("label", {for: "sm-until", text: text.until}), date("until"),
        status,
      ]);
      L.DomEvent.disableClickPropagation(panel);
      L.DomEvent.disableScrollPropagation(panel);
      return panel;
    },
  });
  new FilterControl({position: "topright"}).addTo(map);

  function zoomToArea(code) {
    const feature = config.areas.features.find((f) => f.properties.code === code);
    if (feature) map.fitBounds(L.geoJSON(feature).getBounds());
  }

  // Legend: stage colours and category icons.
  const Legend = L.Control.extend({
    onAdd() {
      const details = el("details", {open: ""}, [el("summary", {text: text.legend})]);
      const panel = el("div", {class: "sm-panel sm-legend", id: "sm-legend"}, [details]);
      details.insertAdjacentHTML("beforeend",
        "<strong>" + escape(text.stage) + "</strong>" +
        config.stages.map((s) => '<div><span class="sm-swatch" style="background:' + escape(s.colour) +
                                 '"></span>' + escape(s.label) + "</div>").join("") +
        "<strong>" + escape(text.categories) + "</strong>" +
        config.categories.map((c) => '<div><i class="fa-solid fa-' + escape(c.icon) + ' sm-cat-icon"></i>' +
                                     escape(c.label) + "</div>").join(""));
      L.DomEvent.disableScrollPropagation(panel);
      return panel;
    },
  });
  new Legend({position: "bottomright"}).addTo(map);

  // Analysis overlays. Each is fetched again whenever it is switched on, since stages move on; the hotspot grid
  // also follows the neighbourhood filter (Gi* within that area). The figures count only the spots the reader's
  // role may see: the API applies the same scope as to the spots.
  const DENSITY_COLOURS = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];
  const HOTSPOT_COLOURS = {hot: "#b2182b", cold: "#2166ac"};
  const analysis = {
    density: {group: window[config.density], count: 0, data: null, error: null, sequence: 0,
              params: () => new URLSearchParams({level: "neighbourhood"}), draw: drawDensity},
    hotspots: {group: window[config.hotspots], count: 0, data: null, error: null, sequence: 0,
               params: () => new URLSearchParams(filters.area ? {area: filters.area} : {}), draw: drawHotspots},
  };
  const figure = (n, digits, significant) => n === null || n === undefined ? "—" :
    Number(n).toLocaleString(fa ? "fa-IR" : "en-US",
                             significant ? {maximumSignificantDigits: digits} : {maximumFractionDigits: digits});

  async function loadAnalysis(name) {
    const layer = analysis[name];
    const mine = ++layer.sequence;
    pending += 1;
    try {
      const data = await getJSON(config.analysisApi + "/" + name, layer.params());
      if (mine !== layer.sequence || !map.hasLayer(layer.group)) return;
      layer.group.clearLayers();
      layer.data = data;
      layer.count = layer.draw(data, layer.group);
      if (layer.error && state.error === layer.error) state.error = null;
      layer.error = null;
    } catch (error) {
      if (mine !== layer.sequence) return;
      state.error = layer.error = error.message;
    } finally {
      pending -= 1;
    }
    showStatus();
    showKey();
  }

  function drawDensity(data, group) {
    L.geoJSON(data, {
      style: (f) => ({color: "#555", weight: 1, fillColor: DENSITY_COLOURS[f.properties.class] || "#ccc",
                      fillOpacity: 0.6}),
      onEachFeature: (f, layer) => {
        const p = f.properties;
        const name = escape((fa ? p.name_fa : p.name_en) || p.name_fa);
        const rows = [[text.spot_count, figure(p.spots, 0)], [text.open_spots, figure(p.open_spots, 0)],
                      [text.area_km2, figure(p.area_km2, 2)], [text.per_km2, figure(p.spots_per_km2, 2)]];
        if (p.population) {
          rows.push([text.population, figure(p.population, 0)], [text.per_1000, figure(p.spots_per_1000, 2)]);
        }
        layer.bindTooltip(name + " — " + figure(p.spots_per_km2, 2) + " " + escape(text.per_km2), {sticky: true});
        layer.bindPopup('<div class="sm-popup sm-density" data-area="' + escape(p.code) + '"><h3>' + name + "</h3>" +
                        table(rows) + "</div>");
        group.addLayer(layer);
      },
    });
    return data.features.length;
  }

  function drawHotspots(data, group) {
    const significant = data.features.filter((f) => f.properties.hotspot in HOTSPOT_COLOURS);
    L.geoJSON({type: "FeatureCollection", features: significant}, {
      style: (f) => ({color: HOTSPOT_COLOURS[f.properties.hotspot], weight: 1.5,
                      fillColor: HOTSPOT_COLOURS[f.properties.hotspot], fillOpacity: 0.4}),
      onEachFeature: (f, layer) => {
        const p = f.properties;
        layer.bindPopup('<div class="sm-popup sm-hotspot" data-cell="' + escape(p.cell) + '"><h3>' +
                        escape(text[p.hotspot]) + "</h3>" +
                        table([[text.cell_count, figure(p.count, 1)], [text.z_score, figure(p.gi_z, 2)],
                               [text.p_value, figure(p.gi_p, 3, true)], [text.kde, figure(p.kde, 2)]]) + "</div>");
        group.addLayer(layer);
      },
    });
    return significant.length;
  }

  // The key of the analysis overlays that are on: density classes with their ranges, hot and cold cells.
  const key = el("div", {class: "sm-panel sm-legend", id: "sm-analysis-key"});
  const Key = L.Control.extend({onAdd: () => key});
  const keyControl = new Key({position: "bottomright"});
  function showKey() {
    const parts = [];
    const density = analysis.density.data;
    if (density && map.hasLayer(analysis.density.group)) {
      const ranges = new Map();
      density.features.forEach(({properties: p}) => {
        const [low, high] = ranges.get(p.class) || [p.spots_per_km2, p.spots_per_km2];
        ranges.set(p.class, [Math.min(low, p.spots_per_km2), Math.max(high, p.spots_per_km2)]);
      });
      parts.push("<strong>" + escape(text.per_km2) + "</strong>" + Array.from(ranges.keys()).sort().map((c) => {
        const [low, high] = ranges.get(c);
        return '<div data-class="' + c + '"><span class="sm-box" style="background:' + DENSITY_COLOURS[c] +
               '"></span>' + figure(low, 1) + (high > low ? " – " + figure(high, 1) : "") + "</div>";
      }).join(""));
    }
    if (analysis.hotspots.data && map.hasLayer(analysis.hotspots.group)) {
      parts.push("<strong>" + escape(text.hotspots) + "</strong>" + ["hot", "cold"].map((kind) =>
        '<div><span class="sm-box" style="background:' + HOTSPOT_COLOURS[kind] + '"></span>' + escape(text[kind]) +
        "</div>").join(""));
    }
    key.innerHTML = parts.join("");
    if (parts.length) keyControl.addTo(map); else keyControl.remove();
  }

  // Headings in the layer control, before the first stage and the first category overlay.
  function heading(group, title) {
    const input = Array.from(document.querySelectorAll(".leaflet-control-layers-overlays input"))
      .find((node) => node.layerId === L.Util.stamp(window[group]));
    const row = input && input.closest("label");
    if (row) row.parentNode.insertBefore(el("div", {class: "sm-heading", text: title}), row);
  }
  heading(config.density, text.analysis);
  heading(config.stages[0].group, text.stage);
  heading(config.categories[0].group, text.categories);

  // The controls stand over the map's sides: on a wide screen the areas fit into the part they leave free.
  function fitAreas() {
    if (!config.areas.features.length) return;
    const wide = map.getSize().x > 900;
    const left = wide ? document.querySelector(".leaflet-top.leaflet-left").offsetWidth : 0;
    const right = wide ? document.querySelector(".leaflet-top.leaflet-right").offsetWidth : 0;
    map.fitBounds(L.geoJSON(config.areas).getBounds(),
                  {paddingTopLeft: [left + 10, 10], paddingBottomRight: [right + 10, 10], animate: false});
  }
  fitAreas();
  clearTimeout(timer);  // the fit's own moveend: the first refresh below already loads the new view
  timer = null;

  refresh();
  // busy(): a refresh is waiting or under way (the browser tests wait for it to settle).
  // onMove(marker): set by the placing tools (drawing.js) for those who may move spots by dragging them.
  const api = {map, spots, clusters, heat, analysis, state, filters, refresh, onMove: null,
               busy: () => pending > 0 || timer !== null};
  return api;
}
