// Drawing a line or an area with Leaflet-Geoman, shared by the map page (map/drawing.js) and the tablet
// (field/field.js): start a shape, take back its last corner, finish it, or cancel. An area may not cross
// itself (the server refuses one that does). `onDrawn(layer)` receives each finished shape; one at a time.
function safemapShapes(map, onDrawn) {
  "use strict";
  const options = {snappable: false, allowSelfIntersection: false};
  let drawn = null;
  map.on("pm:create", (event) => {
    if (drawn) map.removeLayer(drawn);
    drawn = event.layer;
    onDrawn(drawn);
  });
  const active = () => map.pm.Draw.getActiveShape();
  const shapes = {
    drawing: () => Boolean(active()),
    drawn: () => drawn,
    start(shape) {
      shapes.cancel();
      map.pm.enableDraw(shape, options);
    },
    // Geoman's own "remove last vertex" and "finish" actions, for buttons a finger can reach.
    undo() {
      const shape = active();
      if (shape) map.pm.Draw[shape]._removeLastVertex();
    },
    finish() {
      const shape = active();
      if (shape) map.pm.Draw[shape]._finishShape();
    },
    cancel() {
      if (drawn) map.removeLayer(drawn);
      drawn = null;
      map.pm.disableDraw();
    },
  };
  return shapes;
}
