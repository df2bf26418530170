# Tongban: `make run` serves the app; `make test` checks everything. See README.md.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_SYSTEM_CERTS := 1
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/package.json web/vite.config.ts web/tsconfig.json
WEB_BUILT := src/tongban/web_dist/index.html

.PHONY: run test lint bench web deps uv migrate demo openapi clean

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install -q uv

deps: uv
	@$(UV) sync --frozen --quiet

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB_BUILT): web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run --silent build
	@touch $@

web: $(WEB_BUILT)

migrate: deps
	@$(UV) run --frozen tongban migrate

demo: migrate
	@$(UV) run --frozen tongban demo

run: deps web demo
	@echo "Tongban: http://$${TONGBAN_HOST:-127.0.0.1}:$${TONGBAN_PORT:-8000}  (demo accounts: admin, liufeng — password tongban-demo)"
	@exec $(UV) run --frozen tongban serve

lint: deps web/node_modules/.package-lock.json
	$(UV) run --frozen ruff check src tests bench
	$(UV) run --frozen ruff format --check src tests bench
	$(UV) run --frozen mypy
	cd web && npm run --silent typecheck && npm run --silent lint

openapi: deps
	$(UV) run --frozen tongban openapi > web/openapi.json
	cd web && npm run --silent gen:api

# Lint, front-end units, the suite on PostgreSQL (when reachable), then the whole suite on SQLite
# with the browser and multi-process tests; pytest's summary line comes last.
test: deps web lint
	cd web && npm run --silent test
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		echo "== pytest on PostgreSQL =="; \
		TONGBAN_TEST_DATABASE_URL=$(PG_TEST_URL) $(UV) run --frozen pytest -q -p no:cacheprovider -m "not e2e and not integration"; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: skipping the PostgreSQL run"; fi
	@echo "== pytest on SQLite, with browser and multi-process tests =="
	$(UV) run --frozen pytest -q -p no:cacheprovider

bench: deps web
	$(UV) run --frozen python -m bench.directory
	$(UV) run --frozen python -m bench.events
	$(UV) run --frozen python -m bench.im
	$(UV) run --frozen python -m bench.im_search
	$(UV) run --frozen python -m bench.forms
	$(UV) run --frozen python -m bench.calendar
	$(UV) run --frozen python -m bench.docs
	$(UV) run --frozen python -m bench.meetings
	$(UV) run --frozen python -m bench.minutes

clean:
	rm -rf .venv web/node_modules src/tongban/web_dist .mypy_cache .ruff_cache .pytest_cache test-artifacts
