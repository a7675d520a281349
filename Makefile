# The README's two commands: `make run` and `make test`. Both set up what they need first.
.PHONY: run test test-dates lint lock setup setup-test stop mutation

run: setup
	.venv/bin/safemap demo
	.venv/bin/safemap serve

# The suite runs in a random order (pytest-randomly); its seed is printed at the top ("Using --randomly-seed=N") and
# `make test SEED=N` repeats that order. The dated tests run in another order, with SEED+1.
ifndef SEED
SEED := $(shell od -An -N2 -tu2 /dev/urandom | tr -d ' ')
endif

# Three workers on two cores: the tests spend about half their time waiting (servers and browsers starting,
# subprocesses, PostgreSQL), so a third keeps the cores busy. `make test WORKERS=2` for a quieter run.
WORKERS ?= 3

# The whole suite: the tests that do not depend on the day now, and those that do (`dated`) at three pretend
# instants (below) rather than once more today.
test: setup-test lint
	.venv/bin/pytest -n $(WORKERS) --dist loadfile --timeout 600 -m "not dated" -p randomly --randomly-seed=$(SEED)
	$(DATED_RUNS)

# The tests whose outcome depends on the day (marked `dated`) at three pretend instants, Tehran time: 00:30 on
# Nowruz (still the day before in UTC), 03:29 (the last minute before UTC's day turns), 23:59 on New Year's Eve.
# One session, one worker per instant (--dist each): each worker runs every dated test at its own instant.
# Only the files that mark some test dated are collected (the rest would be imported for nothing).
PRETEND = 2027-03-20T21:00:00+00:00,2027-09-22T23:59:00+00:00,2028-12-31T20:29:00+00:00
DATED = $(shell grep -rl --include='test_*.py' 'mark\.dated' tests)
DATED_RUNS = .venv/bin/pytest -n 3 --dist each --timeout 600 -q -m dated --pretend-now $(PRETEND) \
	-p randomly --randomly-seed=$$(($(SEED) + 1)) $(DATED)
test-dates: setup-test
	$(DATED_RUNS)

# Mutation testing of the rule modules (pyproject.toml's [tool.mutmut]) against tests/unit; the figures and the
# survivors are in docs/testing.md. Not part of CI: about 10 minutes on two cores.
mutation: setup-test
	rm -rf mutants
	.venv/bin/mutmut run --max-children 2
	.venv/bin/mutmut export-cicd-stats && cat mutants/mutmut-cicd-stats.json

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
