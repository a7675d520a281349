// The GIS office's work list: stage-1/2 spots from the page's JSON, filtered and sorted in the table, shown on
// a small map; a row (or a marker) opens the spot's page. Text from the database goes in as textContent.
(function () {
  "use strict";
  const {en, suffix, digits} = window.SafemapPage;
  const data = window.SafemapPage.data("work-data");
  const text = data.text;
  const spots = data.spots.map((spot) => ({
    ...spot,
    categoryLabel: (en ? spot.category_en : spot.category_fa) || spot.category,
    areaLabel: (en ? spot.area_en || spot.area_fa : spot.area_fa) || "",
  }));
  const form = document.getElementById("filters");
  const body = document.querySelector("#work tbody");
  const count = document.getElementById("count");
  let sort = {key: null, dir: "asc"};

  function fill(select, pairs) {
    for (const [value, label] of pairs) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      select.appendChild(option);
    }
  }
  const unique = (pairs) => [...new Map(pairs).entries()].sort((a, b) => a[1].localeCompare(b[1], data.lang));
  fill(form.elements.category, unique(spots.map((s) => [s.category, s.categoryLabel])));
  fill(form.elements.area, unique(spots.filter((s) => s.area_code).map((s) => [s.area_code, s.areaLabel])));

  let map = null;
  const markers = new Map();
  if (window.L) {
    map = L.map("work-map", {zoomControl: true}).setView([35.73, 51.12], 12);
    safemapBasemaps(map, window.SafemapPage.data("work-basemaps"), null);  // as every map (map/basemaps.js)
    for (const spot of spots) {
      const marker = L.circleMarker([spot.lat, spot.lon], {
        radius: 6, color: spot.stage === 1 ? "#d62728" : "#ff7f0e", weight: 2, fillOpacity: 0.6,
      });
      marker.on("click", () => window.location.assign(`/spots/${spot.id}${suffix}`));
      marker.bindTooltip(spot.title || spot.categoryLabel);
      markers.set(spot.id, marker);
    }
  }

  function value(spot, key) {
    if (key === "category") return spot.categoryLabel;
    if (key === "area") return spot.areaLabel;
    return spot[key] ?? "";
  }

  function chosen() {
    const f = form.elements;
    return spots.filter((s) =>
      (!f.stage.value || s.stage === Number(f.stage.value)) &&
      (!f.category.value || s.category === f.category.value) &&
      (!f.area.value || s.area_code === f.area.value) &&
      (!f.need.value || s.needs.includes(f.need.value)));
  }

  function cell(row, content) {
    const td = document.createElement("td");
    if (content instanceof Node) td.appendChild(content); else td.textContent = content;
    row.appendChild(td);
    return td;
  }

  function show() {
    let rows = chosen();
    if (sort.key) {
      const sign = sort.dir === "asc" ? 1 : -1;
      rows = [...rows].sort((a, b) => {
        const x = value(a, sort.key), y = value(b, sort.key);
        const order = typeof x === "number" && typeof y === "number" ? x - y
          : String(x).localeCompare(String(y), data.lang);
        return sign * order || a.id - b.id;
      });
    }
    body.replaceChildren();
    for (const spot of rows) {
      const tr = document.createElement("tr");
      tr.dataset.id = spot.id;
      tr.dataset.stage = spot.stage;
      cell(tr, digits(spot.id));
      const link = document.createElement("a");
      link.href = `/spots/${spot.id}${suffix}`;
      link.textContent = spot.title || spot.categoryLabel;
      cell(tr, link);
      cell(tr, digits(spot.stage));
      cell(tr, spot.categoryLabel);
      cell(tr, spot.areaLabel);
      cell(tr, digits(spot.report_count));
      cell(tr, digits(Number(spot.priority).toFixed(1)));
      const needs = cell(tr, "");
      for (const need of spot.needs) {
        const tag = document.createElement("span");
        tag.className = "need";
        tag.dataset.need = need;
        tag.textContent = text[`need_${need}`];
        needs.appendChild(tag);
      }
      tr.addEventListener("mouseenter", () => pick(spot.id, true));
      tr.addEventListener("mouseleave", () => pick(spot.id, false));
      body.appendChild(tr);
    }
    count.textContent = text.count.replace("{shown}", digits(rows.length)).replace("{total}", digits(spots.length));
    if (map) {
      const shown = new Set(rows.map((s) => s.id));
      const visible = [];
      for (const [id, marker] of markers) {
        if (shown.has(id)) { marker.addTo(map); visible.push(marker.getLatLng()); } else marker.remove();
      }
      if (visible.length) map.fitBounds(L.latLngBounds(visible), {padding: [20, 20], maxZoom: 16});
    }
  }

  function pick(id, on) {
    const marker = markers.get(id);
    if (marker) marker.setStyle({weight: on ? 5 : 2});
  }

  form.addEventListener("change", show);
  for (const button of document.querySelectorAll("#work th button[data-sort]")) {
    button.addEventListener("click", () => {
      const key = button.dataset.sort;
      sort = {key, dir: sort.key === key && sort.dir === "asc" ? "desc" : "asc"};
      for (const other of document.querySelectorAll("#work th button[data-sort]")) delete other.dataset.dir;
      button.dataset.dir = sort.dir;
      show();
    });
  }
  show();
})();
