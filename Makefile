# The README's two commands are `make demo` and `make test`; the other targets are their parts.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV = $$(scripts/venv.sh)
PYTEST_ARGS ?=

.PHONY: help venv vcsim test test-python demo clean

help:
	@echo "make demo   log in to the bundled simulators, make downstream calls, log out"
	@echo "make test   every test and check (what CI runs)"

venv:
	@scripts/venv.sh >/dev/null

vcsim:
	@scripts/build-vcsim.sh >/dev/null

## Unit, simulator and functional tests (ansible-playbook against the simulators and vcsim).
test-python: venv vcsim
	venv=$(VENV); "$$venv/bin/python" -m pytest -n 2 $(PYTEST_ARGS)

test: test-python

demo: venv
	@scripts/demo.sh

clean:
	rm -rf .venv* .cache collections tests/output build
