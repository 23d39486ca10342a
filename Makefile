# County "Safe County" map service. Two commands matter: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app web
ASSETS := web/assets

.PHONY: install system venv assets run test bench peers demo clean-db

install: system venv assets

system:
	@bash scripts/install-system.sh

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

assets: $(ASSETS)/node_modules/.installed

$(ASSETS)/node_modules/.installed: $(ASSETS)/package.json $(ASSETS)/package-lock.json
	cd $(ASSETS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install
	$(FLASK) demo --if-empty
	@echo "serving http://$${BIND:-127.0.0.1:5000} (gunicorn, gunicorn.conf.py; Ctrl+C to stop)"
	$(VENV)/bin/gunicorn -c gunicorn.conf.py "web:create_app()"

demo: install
	$(FLASK) demo

test: install
	$(PY) -m pytest -q -m "not bench"

bench: install .venv/bench/.installed peers
	PEERS_VENVS=$(PEERS) $(PY) -m pytest -q -m bench tests/bench -s

# Locust (the load benchmark) in a venv of its own: gevent never meets the app
.venv/bench/.installed: requirements-bench.txt
	test -x .venv/bench/bin/python || $(PYTHON) -m venv .venv/bench
	.venv/bench/bin/python -m pip install -q -r requirements-bench.txt
	touch $@

clean-db:
	-$(FLASK) db stop
	rm -rf var/pg

# The OGC API's peers (tests/bench/test_bench_ogc_peers.py), each in a venv of its own under
# PEERS (default .venv): pygeoapi needs Python 3.12 or later (PEERS_PYTHON).
PEERS ?= $(VENV)
PEERS_PYTHON ?= $(or $(firstword $(wildcard /usr/bin/python3.12 /usr/bin/python3.13 \
	$(HOME)/.pyenv/versions/3.12*/bin/python3.12)),python3.12)

peers: $(PEERS)/peers-pygeoapi/.installed $(PEERS)/peers-tipg/.installed

$(PEERS)/peers-%/.installed: requirements-peers-%.txt
	test -x $(PEERS)/peers-$*/bin/python || $(PEERS_PYTHON) -m venv $(PEERS)/peers-$*
	$(PEERS)/peers-$*/bin/python -m pip install -q -r requirements-peers-$*.txt
	touch $@
