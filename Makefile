# The README's two commands: `make run` and `make test`. Both set up what they need first.
.PHONY: run test setup setup-test stop

run: setup
	.venv/bin/safemap demo
	.venv/bin/safemap serve

test: setup-test
	.venv/bin/pytest -n 2 --dist loadfile --timeout 600

setup:
	bash scripts/setup.sh

setup-test:
	bash scripts/setup.sh --test

stop:
	.venv/bin/safemap db stop
