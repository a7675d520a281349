#!/usr/bin/env bash
# Front-end assets the tool serves itself (no CDN): npm installs frontend/'s locked packages, then the files the
# pages need are copied to api/static/vendor/. Cheap to re-run: both steps are skipped while up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

modules=frontend/node_modules
vendor=api/static/vendor
stamp=$vendor/.installed

if [ ! -f "$modules/.package-lock.json" ] || [ frontend/package-lock.json -nt "$modules/.package-lock.json" ]; then
  command -v npm >/dev/null || { echo "npm is missing: apt-get install nodejs npm" >&2; exit 1; }
  echo "installing front-end packages ..."
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ -f "$stamp" ] && [ "$stamp" -nt frontend/package-lock.json ] && [ "$stamp" -nt scripts/assets.sh ]; then
  exit 0
fi
echo "copying front-end assets to $vendor ..."
rm -rf "$vendor"
mkdir -p "$vendor"/leaflet "$vendor"/markercluster "$vendor"/heat "$vendor"/fontawesome/css \
  "$vendor"/fontawesome/webfonts "$vendor"/vazirmatn "$vendor"/swagger-ui "$vendor"/geoman "$vendor"/vectorgrid
cp -r "$modules"/leaflet/dist/leaflet.js "$modules"/leaflet/dist/leaflet.css "$modules"/leaflet/dist/images \
  "$modules"/leaflet/LICENSE "$vendor"/leaflet/
cp "$modules"/leaflet.markercluster/dist/leaflet.markercluster.js "$modules"/leaflet.markercluster/dist/*.css \
  "$modules"/leaflet.markercluster/MIT-LICENCE.txt "$vendor"/markercluster/
# Drawing and moving spots on the map and the spot page (lines and areas too).
cp "$modules"/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.js \
  "$modules"/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css \
  "$modules"/@geoman-io/leaflet-geoman-free/LICENSE "$vendor"/geoman/
# Vector (MVT) base maps from MBTiles or PMTiles files, drawn in the browser (Beerware licence).
cp "$modules"/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js "$vendor"/vectorgrid/
cp "$modules"/leaflet.heat/dist/leaflet-heat.js "$modules"/leaflet.heat/LICENSE "$vendor"/heat/
cp "$modules"/@fortawesome/fontawesome-free/css/fontawesome.min.css \
  "$modules"/@fortawesome/fontawesome-free/css/solid.min.css "$vendor"/fontawesome/css/
cp "$modules"/@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2 \
  "$modules"/@fortawesome/fontawesome-free/webfonts/fa-solid-900.ttf "$vendor"/fontawesome/webfonts/
cp "$modules"/@fortawesome/fontawesome-free/LICENSE.txt "$vendor"/fontawesome/
# The variable font under a plain file name (no brackets in URLs).
cp "$modules/vazirmatn/fonts/webfonts/Vazirmatn[wght].woff2" "$vendor"/vazirmatn/Vazirmatn-wght.woff2
cp "$modules"/vazirmatn/OFL.txt "$vendor"/vazirmatn/
# The API documentation page (/docs) loads Swagger UI from here.
cp "$modules"/swagger-ui-dist/swagger-ui-bundle.js "$modules"/swagger-ui-dist/swagger-ui.css \
  "$modules"/swagger-ui-dist/LICENSE "$vendor"/swagger-ui/
cat > "$vendor"/vazirmatn/vazirmatn.css <<'CSS'
@font-face {
  font-family: 'Vazirmatn';
  src: url('Vazirmatn-wght.woff2') format('woff2-variations'), url('Vazirmatn-wght.woff2') format('woff2');
  font-weight: 100 900;
  font-style: normal;
  font-display: swap;
}
CSS
touch "$stamp"
