#!/usr/bin/env bash
# Set up everything Safemap needs on a fresh Debian machine; cheap to re-run (each step checks first).
#   scripts/setup.sh          what `make run` needs: PostGIS, the locked virtual environment, front-end assets
#   scripts/setup.sh --test   plus what the tests need: Chromium, GDAL's command-line tools, QGIS (PyQGIS)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

pg_major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
[ -n "$pg_major" ] || pg_major=15
packages=()
[ -f "/usr/share/postgresql/$pg_major/extension/postgis.control" ] || packages+=("postgresql-$pg_major-postgis-3")
if [ "$want_test" = 1 ]; then
  command -v chromium >/dev/null || packages+=(chromium)
  command -v ogrinfo >/dev/null || packages+=(gdal-bin)
  command -v pdftotext >/dev/null || packages+=(poppler-utils)
  # Real QGIS (3.22, PyQGIS for Debian's python3) for the QGIS project test: ~1 GB, a minute to install.
  [ -f /usr/lib/python3/dist-packages/qgis/core/__init__.py ] || packages+=(python3-qgis qgis-providers)
fi
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${packages[*]} — run as root: apt-get install ${packages[*]}" >&2
    exit 1
  fi
  echo "installing ${packages[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# Python packages from the lock (requirements.lock, hashes checked), by the uv the lock pins; `make lock` refreshes
# it. The same set for `make run` and `make test`, so switching between them installs nothing.
[ -x .venv/bin/python ] || python3 -m venv .venv
uv_version=$(sed -n 's/^uv==\([^ ]*\).*/\1/p' requirements.lock)
if [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$uv_version" ]; then
  .venv/bin/pip install -q --disable-pip-version-check "uv==$uv_version"
fi
stamp=.venv/.safemap-installed
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "installing Python packages from requirements.lock ..."
  export UV_PYTHON_DOWNLOADS=never
  .venv/bin/uv pip sync -q --python .venv/bin/python --require-hashes requirements.lock
  .venv/bin/uv pip install -q --python .venv/bin/python --no-deps --no-build-isolation -e .
  touch "$stamp"
fi

if [ -f scripts/assets.sh ]; then
  bash scripts/assets.sh
fi
