#!/usr/bin/env bash
# Set up everything Safemap needs on a fresh Debian machine; cheap to re-run (each step checks first).
#   scripts/setup.sh          what `make run` needs: PostGIS, the virtual environment, front-end assets
#   scripts/setup.sh --test   plus what the tests need: Chromium, GDAL's command-line tools
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

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
stamp=.venv/.safemap-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "installing Python packages ..."
  .venv/bin/pip install -q -e '.[test]'
  touch "$stamp"
fi

if [ -f scripts/assets.sh ]; then
  bash scripts/assets.sh
fi
