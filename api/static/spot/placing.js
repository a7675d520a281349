// The spot page's map: where the spot is, for staff. The GIS office drags the marker (or, with Leaflet-Geoman,
// a line's or an area's vertices) or types coordinates; the move is sent with the version the page read, so a
// second tab that moved it first gets the server's conflict message instead of overwriting it. A saved move
// reloads the page: its history then shows the move and every form carries the new version.
(() => {
  "use strict";
  const section = document.getElementById("placing");
  if (!section) return;
  const {en, csrf, data} = window.SafemapPage;
  const w = data("spot-words");
  const geometry = data("spot-geometry");
  const message = document.getElementById("place-message");
  const editable = section.dataset.editable === "true";
  const version = Number(section.dataset.version);

  const map = L.map("spot-map", {zoomSnap: 0.5});
  safemapBasemaps(map, data("spot-basemaps"), null);  // base maps, landmarks, streets, search (map/basemaps.js)
  const shape = L.geoJSON(geometry, {
    pointToLayer: (_feature, at) => L.marker(at, {draggable: editable, autoPan: true}),
    style: {color: "#c0392b", weight: 5, fillOpacity: 0.25},
  }).addTo(map);
  const bounds = shape.getBounds();
  if (geometry.type === "Point") map.setView(bounds.getCenter(), 16);
  else map.fitBounds(bounds, {padding: [30, 30], maxZoom: 18});

  function say(text, state) {
    message.textContent = text;
    message.dataset.state = state;
  }

  async function save(body) {
    say(w["place.saving"], "saving");
    let response;
    try {
      response = await fetch(`/api/spots/${section.dataset.spot}/location`, {
        method: "PATCH",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf(),
                  "Accept-Language": en ? "en" : "fa", "If-Match": `"${version}"`},
        body: JSON.stringify(body),
      });
    } catch (error) {
      say(error.message, "error");
      return;
    }
    if (response.ok) {
      say(w["place.saved"], "saved");
      window.location.reload();
      return;
    }
    const problem = await response.json().catch(() => ({}));
    const error = problem.error || {};
    say(error.message || response.statusText, response.status === 409 ? "conflict" : "error");
  }

  if (!editable) return;
  shape.eachLayer((layer) => {
    if (layer instanceof L.Marker) {
      layer.on("dragend", () => {
        const at = layer.getLatLng();
        save({geometry: {type: "Point", coordinates: [at.lng, at.lat]}});
      });
    } else {
      layer.pm.enable({allowSelfIntersection: false});
      layer.on("pm:edit", () => save({geometry: layer.toGeoJSON().geometry}));
    }
  });
  document.getElementById("typed").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    save({x: form.get("x").trim(), y: form.get("y").trim()});
  });
})();
