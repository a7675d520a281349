# The README's two commands: `make run` and `make test`. Both set up what they need first.
.PHONY: run test test-dates lint lock setup setup-test stop

run: setup
	.venv/bin/safemap demo
	.venv/bin/safemap serve

test: setup-test lint
	.venv/bin/pytest -n 2 --dist loadfile --timeout 600

# The tests whose outcome depends on the day (marked `dated`) at three pretend instants, Tehran time: 00:30 on
# Nowruz (still the day before in UTC), 03:29 (the last minute before UTC's day turns), 23:59 on New Year's Eve.
PRETEND = 2027-03-20T21:00:00+00:00 2027-09-22T23:59:00+00:00 2028-12-31T20:29:00+00:00
test-dates: setup-test
	for instant in $(PRETEND); do \
	  .venv/bin/pytest -n 2 --dist loadfile --timeout 600 -q -m dated --pretend-now $$instant || exit 1; \
	done

lint:
	.venv/bin/ruff check gis api tests notebooks
	.venv/bin/ruff format --check gis api tests

# Re-resolve every Python dependency (pyproject.toml's ranges) to the newest versions and pin them, with hashes.
lock: setup
	.venv/bin/uv pip compile pyproject.toml --extra test --extra tools --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock" --no-emit-index-url \
	  --upgrade -o requirements.lock
	cd frontend && npm update --package-lock-only --no-audit --no-fund

setup:
	bash scripts/setup.sh

setup-test:
	bash scripts/setup.sh --test

stop:
	.venv/bin/safemap db stop
