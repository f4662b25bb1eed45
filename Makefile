# Forge: `make run` sets up and runs everything; `make test` sets up and runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONUNBUFFERED := 1

.PHONY: run test setup venv node localenv services db static browser gl blender assimp lint ci migrate-roundtrip clean s3 \
        bench-gallery bench-pipelines bench-pipelines-meshy bench-ws bench-errors bench-exports bench-ingest bench-characters \
        bench-storage

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

# Blender as a Python module, for FBX export only (optional: about 380 MB to download, 820 MB
# installed). It pins numpy 1.x, so it lives in a venv of its own and runs as a subprocess.
BLENDER_VENV := .venv-blender
BPY_VERSION := 5.0.1

$(BLENDER_VENV)/.installed:
	@test -x $(BLENDER_VENV)/bin/python || $(PYTHON) -m venv $(BLENDER_VENV)
	$(BLENDER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BLENDER_VENV)/bin/python -m pip install --quiet 'bpy==$(BPY_VERSION)'
	@touch $@

blender: $(BLENDER_VENV)/.installed

# Debian's assimp, a second FBX reader for the export tests.
assimp:
	@command -v assimp >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq assimp-utils >/dev/null)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/.installed: node_modules/.installed static/js/error-reporting.js
	mkdir -p static/vendor
	cp node_modules/@google/model-viewer/dist/model-viewer.min.js static/vendor/model-viewer.min.js
	# The Sentry browser SDK and Forge's start-up code, bundled into one file (errors dashboard).
	node_modules/.bin/esbuild static/js/error-reporting.js --bundle --minify --format=iife \
		--target=es2020 --legal-comments=none --log-level=warning \
		--outfile=static/vendor/error-reporting.min.js
	@touch $@

node: static/vendor/.installed

# A local .env, written once: a generated SECRET_KEY, plain HTTP on localhost, readable logs
# (Forge's defaults are production's; DEBUG=on in .env brings Django's technical pages back).
localenv:
	@$(PYTHON) scripts/local_env.py

services: venv localenv
	@$(PY) manage.py services_check

db: services
	@$(PY) manage.py services_check --create-db
	$(PY) manage.py migrate --noinput

static: venv node
	$(PY) manage.py collectstatic --noinput --verbosity 0

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# Mesa's OpenGL through EGL, for export renders (moderngl draws on the CPU with llvmpipe).
gl:
	@dpkg -s libegl1 libegl-mesa0 libgl1-mesa-dri >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libegl1 libegl-mesa0 libgl1-mesa-dri >/dev/null)

setup: venv node gl db static

run: setup
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Forge is starting:"
	@echo "    site      http://localhost:$(PORT)/"
	@echo "    admin     http://localhost:$(PORT)/admin/"
	@echo "    API docs  http://localhost:$(PORT)/api/docs/"
	@echo "    health    http://localhost:$(PORT)/health/"
	@echo ""
	@# prometheus-client's multiprocess mode: daphne and every qcluster worker write their series
	@# into one directory, emptied at each start (docs/observability.md).
	rm -rf .metrics && mkdir -p .metrics
	PORT=$(PORT) PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/.metrics $(VENV)/bin/honcho start

# An S3-compatible server (SeaweedFS's `weed`, a dev dependency) for FORGE_STORAGE=s3 on this
# machine: ten ports from S3_PORT (S3 on S3_PORT+6), data in var/s3; it prints the settings to
# put in .env (docs/storage.md). Runs until Ctrl-C.
S3_PORT ?= 8330
s3: venv
	$(PY) scripts/s3_server.py --port $(S3_PORT) --dir var/s3 --origin http://localhost:$(PORT) --origin http://127.0.0.1:$(PORT)

# The tests install the optional FBX extra (Blender) so CI checks FBX export too.
test: venv node gl blender assimp haproxy services browser
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrate-roundtrip: db
	$(PY) manage.py makemigrations --check --dry-run
	for app in forge assets pipelines errors; do $(PY) manage.py migrate $$app zero --noinput || exit 1; done
	$(PY) manage.py migrate --noinput

bench-gallery: setup
	$(PY) benchmarks/bench_gallery.py $(BENCH_ARGS)

bench-pipelines: setup
	$(PY) benchmarks/bench_pipelines.py $(BENCH_ARGS)

bench-pipelines-meshy: setup
	$(PY) benchmarks/bench_meshy.py $(BENCH_ARGS)

bench-ws: setup
	$(PY) benchmarks/bench_ws.py $(BENCH_ARGS)

bench-errors: setup
	$(PY) benchmarks/bench_errors.py $(BENCH_ARGS)

bench-exports: setup
	$(PY) benchmarks/bench_exports.py $(BENCH_ARGS)

bench-ingest: setup
	$(PY) benchmarks/bench_ingest.py $(BENCH_ARGS)

bench-characters: setup
	$(PY) benchmarks/bench_characters.py $(BENCH_ARGS)

bench-storage: setup
	$(PY) benchmarks/bench_storage.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(BLENDER_VENV) node_modules static/vendor staticfiles

# --- Several processes on one machine (docs/scaling.md) -------------------------------------
.PHONY: haproxy run-cluster bench-cluster

# Debian's HAProxy, the load balancer of `make run-cluster` and the cluster tests.
haproxy:
	@command -v haproxy >/dev/null || test -x /usr/sbin/haproxy || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null)

# HAProxy on $(PORT) in front of two daphne processes ($(PORT)+1, +2) and two qclusters.
run-cluster: setup haproxy
	$(PY) manage.py seed_demo
	$(PY) scripts/cluster.py --port $(PORT) $(CLUSTER_ARGS)

bench-cluster: setup haproxy
	$(PY) benchmarks/bench_cluster.py $(BENCH_ARGS)
