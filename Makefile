# The README's two commands: `make run` and `make test`. Both set up what they need first.
.PHONY: run test lint lock setup setup-test stop

run: setup
	.venv/bin/safemap demo
	.venv/bin/safemap serve

test: setup-test lint
	.venv/bin/pytest -n 2 --dist loadfile --timeout 600

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
