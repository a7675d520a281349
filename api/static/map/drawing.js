// Placing and drawing on the map page, for signed-in staff. Beside the map: the spots known only by their
// address or neighbourhood, waiting to be placed (each opens its page, where the GIS office drags it into
// place). For those who may submit reports: Leaflet-Geoman's line and area tools; a drawn dark street segment,
// park or vacant lot is saved as a report (its precision "placed") and so becomes a spot like any point.
// Text from the server meets the page only through textContent.
function safemapDrawing(safemap, config) {
  "use strict";
  const map = safemap.map;
  const t = config.text;
  const en = document.documentElement.lang === "en";
  const suffix = en ? "?lang=en" : "";

  function csrf() {
    const cookie = document.cookie.split("; ").find((c) => c.startsWith("safemap_csrf="));
    return cookie ? decodeURIComponent(cookie.slice("safemap_csrf=".length)) : "";
  }

  // A version 4 UUID from the random source every browser has (randomUUID needs a secure context).
  function uuid4() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function el(tag, props, children) {
    const node = Object.assign(document.createElement(tag), props || {});
    (children || []).forEach((child) => node.append(child));
    return node;
  }

  const style = el("style", {textContent: `
    .sm-placing { background: #fff; padding: .4rem .6rem; max-width: 19rem; max-height: 40vh; overflow: auto;
                  font: 13px Vazirmatn, Tahoma, sans-serif; }
    .sm-placing h3 { font-size: 13px; margin: .2rem 0; }
    .sm-placing ul { list-style: none; margin: 0; padding: 0; }
    .sm-placing li { padding: .2rem 0; border-bottom: 1px solid #eee; }
    .sm-placing li small { display: block; color: #555; }
    .sm-placing button { font: inherit; margin: .1rem; }
    .sm-placing form label { display: block; margin: .2rem 0; }
    .sm-placing [data-state=error] { color: #b00020; }`});
  document.head.append(style);

  const Panel = L.Control.extend({
    options: {position: "bottomleft"},
    onAdd() {
      const div = L.DomUtil.create("div", "sm-placing leaflet-bar");
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    },
  });
  const panel = new Panel().addTo(map).getContainer();
  panel.id = "placing-panel";

  const list = el("ul");
  const heading = el("h3", {textContent: t.list});
  const waiting = el("section", {id: "to-place"}, [heading, list]);
  panel.append(waiting);

  async function loadWaiting() {
    const response = await fetch("/api/to-place", {credentials: "same-origin",
                                                   headers: {"Accept-Language": en ? "en" : "fa"}});
    if (!response.ok) return;
    const {spots} = await response.json();
    heading.textContent = `${t.list} (${en ? spots.length : spots.length.toLocaleString("fa-IR")})`;
    list.replaceChildren(...(spots.length ? spots.map((s) => {
      const link = el("a", {href: `${config.spotPage}/${s.id}${suffix}`, textContent: s.title || s.category});
      const where = [en ? (s.area_en || s.area_fa) : s.area_fa, ...s.addresses].filter(Boolean).join(" — ");
      const item = el("li", {}, [link, el("small", {textContent: where})]);
      item.dataset.spot = s.id;
      return item;
    }) : [el("li", {textContent: t.none})]));
  }
  loadWaiting();

  if (config.move) {
    // A pin waiting to be placed, dragged to its place: sent with the version the map read.
    const moved = el("p", {id: "move-message", role: "status"});
    waiting.append(moved);
    safemap.onMove = async (marker) => {
      const at = marker.getLatLng();
      const response = await fetch(`/api/spots/${marker.spot.id}/location`, {
        method: "PATCH", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept-Language": en ? "en" : "fa",
                  "If-Match": `"${marker.spot.version}"`},
        body: JSON.stringify({geometry: {type: "Point", coordinates: [at.lng, at.lat]}}),
      });
      const answer = await response.json().catch(() => ({}));
      moved.textContent = response.ok ? t.saved : ((answer.error && answer.error.message) || response.statusText);
      moved.dataset.state = response.ok ? "saved" : (response.status === 409 ? "conflict" : "error");
      safemap.refresh();
      loadWaiting();
    };
  }

  if (!config.draw) return;
  const message = el("p", {id: "draw-message", role: "status"});
  const tools = el("div", {id: "draw-tools"}, [
    el("h3", {textContent: t.draw}),
    ...[["Line", t.draw_line], ["Polygon", t.draw_area]].map(([shape, label]) => {
      const button = el("button", {type: "button", textContent: label});
      button.dataset.shape = shape;
      button.addEventListener("click", () => {
        cancel();
        shapes.start(shape);
      });
      return button;
    }),
  ]);
  const category = el("select", {name: "category", required: true},
                      config.categories.map((c) => el("option", {value: c.code, textContent: c.label})));
  const description = el("textarea", {name: "description", rows: 2, maxLength: 4000});
  const form = el("form", {id: "draw-form", hidden: true}, [
    el("label", {}, [t.category + " ", category]),
    el("label", {}, [t.description + " ", description]),
    el("button", {type: "submit", textContent: t.save_spot}),
    el("button", {type: "button", textContent: t.cancel, onclick: () => cancel()}),
  ]);
  panel.append(tools, form, message);

  const shapes = safemapShapes(map, () => {  // map/shapes.js, shared with the tablet
    form.hidden = false;
    message.textContent = "";
  });
  function cancel() {
    shapes.cancel();
    form.hidden = true;
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const drawn = shapes.drawn();
    if (!drawn) return;
    const body = {
      uuid: uuid4(), source: config.draw, category: category.value, description: description.value,
      geometry: drawn.toGeoJSON().geometry, placed: true,
    };
    const response = await fetch("/api/reports", {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf(), "Accept-Language": en ? "en" : "fa"},
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      message.textContent = (answer.error && answer.error.message) || response.statusText;
      message.dataset.state = "error";
      return;
    }
    cancel();
    description.value = "";
    message.textContent = t.spot_saved;
    message.dataset.state = "saved";
    message.dataset.spot = answer.spot_id;
    safemap.refresh();
  });
}
