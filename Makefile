# Rapid Review: the two commands are `make run` and `make test`; both install what they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RR := $(VENV)/bin/rapidreview

.PHONY: install run test unit integration browser protos proto-check rules-test deploy-lint smoke-containers bench clean

install:
	scripts/bootstrap

## Run the product: the embedded stack (NATS, PostgreSQL, the services) and the example case.
run: install
	$(RR) up --example

## The whole test suite, as CI runs it.
test: install
	scripts/test

unit: install
	$(PY) -m pytest tests/unit -q

integration: install
	$(PY) -m pytest tests/integration -q

## Browser tests of the workspace (Chromium, one shared embedded stack).
browser: install
	$(PY) -m pytest tests/browser -q

protos: install
	scripts/gen-protos

proto-check: install
	scripts/proto-check

rules-test: install
	$(RR) rules test

deploy-lint:
	scripts/deploy-lint

smoke-containers:
	scripts/smoke-containers

bench: install
	scripts/bench

clean:
	rm -rf .rr-data .pytest_cache
