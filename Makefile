# cuewire — the two commands a fresh machine needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help install demo test unit integration chaos lint typecheck up down bench eval clean schemas chart-check rules-check lock screenshots mutants

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml dev/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]' -e ./dev
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install cuewire, its test tools and cuewire-dev (dev/)

demo: $(STAMP)  ## run the whole pipeline on the bundled sample (CONSOLE=1: then keep the review console up)
	$(VENV)/bin/cuewire demo $(if $(CONSOLE),--console)

test: $(STAMP) chart-check rules-check  ## lint, type-check and run every test (real Kafka + Redis are started for the session)
	bash scripts/system-packages.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -m "not chaos or quick"

unit: $(STAMP)  ## only the fast, pure tests
	$(PY) -m pytest tests/unit tests/conformance operators contracts console state config flows

screenshots: $(STAMP)  ## retake the README's console screenshots (docs/) in headless Chromium
	bash scripts/system-packages.sh
	CUEWIRE_UPDATE_SCREENSHOTS=1 $(PY) -m pytest -q tests/console/test_console_browser.py -k approves

chaos: $(STAMP)  ## kill the flow, Redis and Kafka mid-stream: each alert id on the topic once, none lost
	$(PY) -m pytest tests/chaos -m chaos -q

mutants: $(STAMP)  ## mutation testing of govern, match, gate and near_miss (docs/MUTATION.md; not in make test)
	rm -rf mutants  # a fresh run: mutmut's cache does not notice new tests
	$(VENV)/bin/mutmut run --max-children 2
	$(VENV)/bin/mutmut results

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

up: $(STAMP)  ## start Kafka (9092) and Redis (6379) in the background for development
	$(PY) -m cuewire_dev.servers up

down: $(STAMP)  ## stop what `make up` started
	$(PY) -m cuewire_dev.servers down

bench: $(STAMP)  ## throughput, latency, replay and scoring benchmarks (writes bench/results/, prints tables)
	$(PY) -m bench.scoring
	$(PY) -m bench.replay
	$(PY) -m bench

eval: $(STAMP)  ## prequential evaluation of the ticket scorer on human-labelled text, VADER as baseline
	$(PY) -m cuewire_dev.evaluate

K8S_VERSION := 1.33.0
chart-check: $(STAMP)  ## helm lint the chart, and validate what it renders against Kubernetes' schemas
	@helm=$$(bash deploy/tools.sh helm) && \
	$$helm lint --strict deploy/helm/cuewire && \
	$$helm template cuewire deploy/helm/cuewire --kube-version $(K8S_VERSION) \
		| $(VENV)/bin/kubernetes-validate --strict --quiet -k $(K8S_VERSION) -

rules-check:  ## promtool: check the alerting rules and run their unit tests
	@promtool=$$(bash deploy/tools.sh promtool) && \
	$$promtool check rules deploy/prometheus/alerts.yaml && \
	$$promtool test rules deploy/prometheus/alerts_test.yaml

lock:  ## re-pin docker/requirements.lock: the runtime dependencies only, no extras
	rm -rf .cache/lock && $(PYTHON) -m venv .cache/lock && .cache/lock/bin/pip install -q .
	{ sed -n '1,2p' docker/requirements.lock; .cache/lock/bin/pip freeze --exclude cuewire; } > docker/requirements.lock.new
	mv docker/requirements.lock.new docker/requirements.lock && rm -rf .cache/lock

schemas: $(STAMP)  ## regenerate contracts/schemas/ (JSON Schema) from the pydantic models
	$(PY) -m contracts.published

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
