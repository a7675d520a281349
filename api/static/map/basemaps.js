/* Base maps served by Safemap itself, the street and landmark layers, and the address search box, for every
   Leaflet map: the map page, the spot page and the tablet call safemapBasemaps(map, config, control) with the
   config api/pages/basemaps.py builds (control: the page's layer control, or null to make one). Every request
   goes to this server. */
function safemapBasemaps(map, config, control) {
  "use strict";
  const text = config.text;
  const base = {};
  const overlays = {};
  const none = L.layerGroup();
  config.basemaps.forEach(function (item) {
    const options = {
      attribution: item.attribution || "",
      maxNativeZoom: item.maxZoom,
      maxZoom: 19,
      className: "sm-basemap sm-basemap-" + item.name,
    };
    if (!item.vector) {
      base[item.label] = L.tileLayer(item.url, options);
    } else if (L.vectorGrid) {
      // Every layer of the tiles in one quiet style: a vector base map's own layer names are not known here.
      options.rendererFactory = L.canvas.tile;
      options.vectorTileLayerStyles = {};
      options.getFeatureId = null;
      base[item.label] = L.vectorGrid.protobuf(item.url, options);
    }
  });
  base[text.none] = none;
  const first = config.basemaps.length && base[config.basemaps[0].label] || none;
  first.addTo(map);

  // Names come from imported files and the database: a tooltip given a string parses it as HTML, so each
  // gets a text node instead (an area named with markup shows the markup, and nothing runs).
  function asText(value) {
    return document.createTextNode(value == null ? "" : String(value));
  }

  function nameLabel(latlng, label, className) {
    return L.marker(latlng, {
      icon: L.divIcon({className: "sm-place-label " + className, html: "", iconSize: [0, 0]}),
      interactive: false,
      keyboard: false,
    }).bindTooltip(asText(label), {permanent: true, direction: "center", className: "sm-place-name " + className});
  }

  // Neighbourhood names and the lake, metro stations and landmarks: the demo's modest base map.
  const places = L.layerGroup([], {attribution: config.landmarksAttribution});
  (config.labels || []).forEach(function (item) {
    nameLabel([item.lat, item.lon], item.label, "sm-neighbourhood-name").addTo(places);
  });
  const colours = {lake: "#1f78b4", metro: "#e31a1c", landmark: "#33a02c"};
  fetch(config.landmarksApi, {credentials: "same-origin"})
    .then(function (response) { return response.ok ? response.json() : {features: []}; })
    .then(function (data) {
      L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          const kind = feature.properties.kind;
          return L.circleMarker(latlng, {
            radius: kind === "lake" ? 9 : 5,
            color: "#fff",
            weight: 1,
            fillColor: colours[kind] || "#555",
            fillOpacity: 0.9,
            interactive: false,  // named by its label; clicks and counts of markers stay the spots'
            className: "sm-landmark sm-landmark-" + kind,
          });
        },
        onEachFeature: function (feature, layer) {
          const p = feature.properties;
          const name = (config.lang === "en" && p.name_en) || p.name_fa;
          layer.bindTooltip(asText(name), {permanent: true, direction: "top", className: "sm-place-name"});
        },
      }).addTo(places);
    })
    .catch(function () { /* the base map stays without its landmarks; the map still works */ });
  overlays[text.landmarks] = places;
  places.addTo(map);

  // Streets of a loaded street layer, fetched for the viewport once zoomed in enough to read them.
  if (config.streets) {
    const streets = L.geoJSON(null, {
      style: {color: "#8c8c8c", weight: 2, opacity: 0.8, className: "sm-street"},
      onEachFeature: function (feature, layer) { layer.bindTooltip(asText(feature.properties.name), {sticky: true}); },
      interactive: true,
    });
    let asked = 0;
    const load = function () {
      if (!map.hasLayer(streets)) return;
      if (map.getZoom() < 14) { streets.clearLayers(); return; }
      const b = map.getBounds();
      const mine = ++asked;
      const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); });
      fetch(config.streetsApi + "?bbox=" + bbox.join(","), {credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (mine !== asked) return;
          streets.clearLayers();
          streets.addData(data);
        })
        .catch(function () { /* keep what is drawn */ });
    };
    map.on("moveend", load);
    streets.on("add", load);
    overlays[text.streets] = streets;
    streets.addTo(map);
  }

  if (control) {
    Object.keys(base).forEach(function (label) { control.addBaseLayer(base[label], label); });
    Object.keys(overlays).forEach(function (label) { control.addOverlay(overlays[label], label); });
  } else {
    control = L.control.layers(base, overlays, {position: "topleft", collapsed: true}).addTo(map);
  }

  // The search box: neighbourhoods (and their local names), landmarks, streets and typed coordinates.
  const Search = L.Control.extend({
    options: {position: "topright"},
    onAdd: function () {
      const box = L.DomUtil.create("div", "leaflet-bar sm-search");
      const input = L.DomUtil.create("input", "sm-search-input", box);
      input.type = "search";
      input.placeholder = text.search;
      input.setAttribute("aria-label", text.search);
      const list = L.DomUtil.create("ul", "sm-search-results", box);
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      let marker = null;
      let timer = null;
      let asked = 0;
      let results = [];

      function go(result) {
        if (result.bbox && result.kind !== "coordinates") {
          map.fitBounds([[result.bbox[1], result.bbox[0]], [result.bbox[3], result.bbox[2]]], {maxZoom: 17});
        } else {
          map.setView([result.lat, result.lon], Math.max(map.getZoom(), 16));
        }
        if (marker) marker.remove();
        marker = L.circleMarker([result.lat, result.lon], {radius: 8, color: "#ff7f00", weight: 3, fill: false})
          .bindTooltip(asText(result.label)).addTo(map);
        list.replaceChildren();
      }

      function show(found) {
        results = found;
        list.replaceChildren();
        if (!found.length) {
          const empty = L.DomUtil.create("li", "sm-search-empty", list);
          empty.textContent = text.no_results;
          return;
        }
        found.forEach(function (result) {
          const item = L.DomUtil.create("li", "sm-search-result", list);
          item.dataset.kind = result.kind;
          const label = L.DomUtil.create("span", "sm-search-label", item);
          label.textContent = result.label;
          const kind = L.DomUtil.create("small", "sm-search-kind", item);
          kind.textContent = text["kind_" + result.kind] || result.kind;
          item.addEventListener("click", function () { go(result); });
        });
      }

      function ask() {
        const q = input.value.trim();
        if (!q) { list.replaceChildren(); results = []; return; }
        const mine = ++asked;
        fetch(config.searchApi + "?lang=" + config.lang + "&q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (response) {
            if (!response.ok) throw new Error(String(response.status));
            return response.json();
          })
          .then(function (data) { if (mine === asked) show(data.results); })
          .catch(function () {
            if (mine !== asked) return;
            list.replaceChildren();
            L.DomUtil.create("li", "sm-search-empty", list).textContent = text.search_failed;
          });
      }

      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(ask, 250);
      });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && results.length) go(results[0]);
        if (event.key === "Escape") list.replaceChildren();
      });
      return box;
    },
  });
  const search = new Search().addTo(map);
  const corner = search.getContainer().parentNode;
  corner.insertBefore(search.getContainer(), corner.firstChild);  // above any panel in the same corner
  return {base: base, overlays: overlays, control: control};
}
