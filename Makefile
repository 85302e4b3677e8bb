# Copyright (c) sessionkit.vmware contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's two commands are `make demo` and `make test`; the other targets are their parts.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV = $$(scripts/venv.sh)
PYTEST_ARGS ?=

.PHONY: help venv vcsim test test-python demo bench clean

help:
	@echo "make demo   log in to the bundled simulators, make downstream calls, log out"
	@echo "make test   every test and check (what CI runs)"

venv:
	@scripts/venv.sh >/dev/null

vcsim:
	@scripts/build-vcsim.sh >/dev/null

## Unit, simulator and functional tests (ansible-playbook against the simulators and vcsim).
test-python: venv vcsim tools
	venv=$(VENV); "$$venv/bin/python" -m pytest -n 2 $(PYTEST_ARGS)

## Everything CI runs. The matrix's 2.21 leg is test-python itself; 2.17 and 2.19 skip the load tests it already ran.
## 2.22 (a pre-release) runs in test-matrix only: its leg took 18 min on two busy cores; make test stays under 30.
test: test-python sanity units lint importer docs-check
	@MATRIX_SKIP_LOAD=1 scripts/check-matrix.sh 2.17 2.19

## The ecosystem's checks. Tools (ansible-lint, galaxy-importer, antsibull-*, ansible-builder) live in .venv-tools.
.PHONY: tools sanity units lint importer test-matrix
tools:
	@scripts/check-tools-venv.sh >/dev/null

## ansible-test sanity / units --venv on the newest Python, from an ansible_collections/sessionkit/vmware copy.
sanity: venv
	@scripts/check-ansible-test.sh sanity

units: venv
	@scripts/check-ansible-test.sh units

## ansible-lint --profile production, antsibull-docs lint-collection-docs --plugin-docs, antsibull-changelog lint.
lint: tools
	@scripts/check-lint.sh

## galaxy-importer on the built tarball; fails on any error or warning it reports, whatever its exit code.
importer: tools
	@scripts/check-importer.sh

## pytest tests/unit tests/functional on ansible-core 2.17, 2.19, 2.21 and 2.22 (its pre-release), each in its own venv.
test-matrix: venv vcsim tools
	@scripts/check-matrix.sh

demo: venv
	@scripts/demo.sh

## Figures and ratios against the simulators: benchmarks/results/latest.json and latest.png (see docs: performance).
bench: venv
	venv=$(VENV); "$$venv/bin/python" benchmarks/run.py $(BENCH_ARGS)

## The docs site (module and role pages, and the guides in docs/docsite/) as HTML in docs/build/html, offline.
.PHONY: docs docs-check
docs:
	@scripts/docs.sh

## The docs site renders in headless Chromium (installed with apt-get when missing); screenshots in docs/build/.
docs-check:
	@scripts/docs-check.sh

clean:
	rm -rf .venv* .cache collections tests/output build docs/build .benchmarks .hypothesis
