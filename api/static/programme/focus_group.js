// Recording a focus group (/programme/focus-groups/new): the session's fields and the places its participants
// named, each put on the small map (choose the place, then click the map) or left with an address for the GIS
// office to place. One POST /api/focus-groups sends the session with its places as a FeatureCollection, all or
// nothing; the session's UUID (made by the page) makes a second send return the same session. A refusal shows
// the server's message, which names the field, and marks the place it is about.
(function () {
  "use strict";
  const {csrf} = window.SafemapPage;
  const lang = document.documentElement.lang === "en" ? "en" : "fa";
  const config = window.SafemapPage.data("focus-data");
  const text = config.text;
  const form = document.getElementById("focus-group");
  const list = document.getElementById("points");
  const template = document.getElementById("point-template");
  const status = document.getElementById("status");
  const places = new Map();  // <li> → {lonlat, marker}
  let active = null;  // the place the next click on the map puts down

  let map = null;
  let outlines = null;
  if (window.L) {
    map = L.map("focus-map").setView([35.745, 51.13], 12);
    safemapBasemaps(map, config.basemaps, null);  // as every map (map/basemaps.js)
    outlines = L.geoJSON(config.neighbourhoods, {
      style: {color: "#555", weight: 1, fill: false}, interactive: false,
    }).addTo(map);
    outlines.eachLayer((layer) => layer.getElement().setAttribute("data-area", layer.feature.properties.code));
    map.on("click", (event) => { if (active) put(active, event.latlng); });
  }

  // The map shows the session's neighbourhood: the places named are mostly in it.
  function showArea() {
    if (!map) return;
    const code = form.elements.area.value;
    outlines.eachLayer((layer) => {
      const chosen = layer.feature.properties.code === code;
      layer.setStyle(chosen ? {color: "#1f77b4", weight: 3} : {color: "#555", weight: 1});
      if (chosen) map.fitBounds(layer.getBounds(), {animate: false});
    });
  }

  function number(item) {
    return [...list.children].indexOf(item) + 1;
  }

  function choose(item) {
    for (const other of list.children) other.classList.toggle("active", other === item);
    active = item;
  }

  function put(item, latlng) {
    const place = places.get(item);
    place.lonlat = [Number(latlng.lng.toFixed(7)), Number(latlng.lat.toFixed(7))];
    if (place.marker) place.marker.setLatLng(latlng);
    else place.marker = L.marker(latlng).addTo(map);
    place.marker.bindTooltip(`${text.point} ${window.SafemapPage.digits(number(item))}`);
    item.dataset.placed = "true";
    item.querySelector(".where").textContent = text.placed;
  }

  function addPoint() {
    const item = template.content.firstElementChild.cloneNode(true);
    list.appendChild(item);
    places.set(item, {lonlat: null, marker: null});
    item.querySelector(".put-on-map").addEventListener("click", () => choose(item));
    item.querySelector(".remove").addEventListener("click", () => {
      const place = places.get(item);
      if (place.marker) place.marker.remove();
      places.delete(item);
      item.remove();
      if (active === item) active = null;
    });
    choose(item);
  }

  function feature(item) {
    const place = places.get(item);
    const properties = {placed: place.lonlat !== null};
    for (const field of item.querySelectorAll("select, input")) {
      if (field.value.trim()) properties[field.name] = field.value.trim();
    }
    return {
      type: "Feature",
      geometry: place.lonlat ? {type: "Point", coordinates: place.lonlat} : null,
      properties,
    };
  }

  function whole(name) {
    const raw = form.elements[name].value.trim().replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
    return /^\d+$/.test(raw) ? Number(raw) : raw;
  }

  // What the server's schema would refuse in English before its own checks: said here, naming the field.
  function missing() {
    const named = (name) => form.elements[name].closest("label").firstChild.textContent.trim();
    for (const name of ["held_on", "facilitator"]) {
      if (!form.elements[name].value.trim()) return [name, `${named(name)}: ${text.required}`];
    }
    for (const name of ["participants", "women"]) {
      if (typeof whole(name) !== "number") return [name, `${named(name)}: ${text.need_number}`];
    }
    return null;
  }

  async function save(event) {
    event.preventDefault();
    for (const item of list.children) item.querySelector(".point-error").textContent = "";
    const wrong = missing();
    if (wrong) {
      status.textContent = wrong[1];
      status.className = "status failed";
      form.elements[wrong[0]].focus();
      return;
    }
    const body = {
      uuid: config.uuid,
      area: form.elements.area.value,
      held_on: form.elements.held_on.value.trim(),
      facilitator: form.elements.facilitator.value.trim(),
      participants: whole("participants"),
      women: whole("women"),
      notes: form.elements.notes.value.trim(),
      points: {type: "FeatureCollection", features: [...list.children].map(feature)},
    };
    status.className = "status";
    status.textContent = text.saving;
    const response = await fetch(`/api/focus-groups?lang=${lang}`, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
      body: JSON.stringify(body),
    });
    if (response.ok) {
      window.location.assign(`/programme${lang === "en" ? "?lang=en" : ""}#focus-groups`);
      return;
    }
    const error = (await response.json().catch(() => ({}))).error || {};
    status.textContent = error.message || String(response.status);
    status.className = "status failed";
    // Each refused place is marked; the message above names the first one's field and reason in full.
    for (const row of error.rows || []) {
      const item = list.children[row.feature - 1];
      if (item) item.querySelector(".point-error").textContent = `${text.point} ${window.SafemapPage.digits(row.feature)}: ${row.field}`;
    }
  }

  form.elements.area.addEventListener("change", showArea);
  document.getElementById("add-point").addEventListener("click", addPoint);
  form.addEventListener("submit", save);
  showArea();
  addPoint();
})();
