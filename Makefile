# Alliance: build, demo and CI entry points.
#
#   make demo         run the demo on http://127.0.0.1:$(PORT)/
#   make test         everything CI runs (system packages, lint, types, tests)
#
# CI runs `.ci/run`, which is `make test`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
# What is installed, and from which pyproject.toml: the product alone (the demo), or the
# product and the test toolchain (everything else). The test stamp implies the product's.
PRODUCT_STAMP := $(VENV)/.installed-product
STAMP := $(VENV)/.installed
PORT ?= 8000
PYTEST_ARGS ?=
DJANGO_SETTINGS_MODULE := alliance.config.settings

.PHONY: help venv product demo system-deps lint typecheck migrations-check \
	test-sqlite test-postgres drill drill-sqlite drill-postgres test clean

help:
	@echo "make demo          run the demo clinic on 127.0.0.1:$(PORT) (PORT=...)"
	@echo "make test          system-deps, venv, lint, typecheck, migrations-check,"
	@echo "                   test-sqlite, test-postgres (PYTEST_ARGS=... for pytest), drill"
	@echo "make drill         the restore drill: back up a demo clinic, verify, restore (REL-07)"
	@echo "make system-deps   apt-get install postgresql, chromium, pango, poppler if missing"
	@echo "make product       create $(VENV) and install the product only (what the demo needs)"
	@echo "make venv          create $(VENV) and install the product and its test toolchain"
	@echo "make clean         remove $(VENV), var/ and caches"

# ---------------------------------------------------------------- environment

venv: $(STAMP)

product: $(PRODUCT_STAMP)

$(VENV)/bin/python:
	@if [ ! -x $(VENV)/bin/python ]; then \
		py=""; \
		if command -v python3.11 >/dev/null 2>&1; then \
			py=python3.11; \
		elif command -v python3 >/dev/null 2>&1 \
			&& python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
			py=python3; \
		else \
			echo "Python 3.11 is required (python3.11, or python3 being 3.11)" >&2; \
			exit 1; \
		fi; \
		echo "Creating $(VENV) with $$py"; \
		"$$py" -m venv $(VENV); \
	fi
	$(VENV)/bin/python -m pip install --upgrade pip

# Reinstall only when pyproject.toml is newer than the stamp. The demo needs only the product:
# a newcomer's first `make demo` installs no linters, type checker or browser driver.
$(PRODUCT_STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -e .
	touch $@

# The test toolchain with the product: both stamps, so a later `make demo` installs nothing.
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install -e '.[test]'
	touch $@ $(PRODUCT_STAMP)

system-deps:
	@missing=(); \
	if [ ! -x /usr/lib/postgresql/15/bin/initdb ] \
		&& ! dpkg-query -W -f='$${Status}' postgresql-15 2>/dev/null | grep -q 'ok installed'; then \
		missing+=(postgresql); \
	fi; \
	if [ ! -x /usr/bin/chromium ]; then \
		missing+=(chromium); \
	fi; \
	: "WeasyPrint (printable plans) needs Pango and a font; tests read PDFs with pdftoppm"; \
	if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then \
		missing+=(libpango-1.0-0 libpangoft2-1.0-0); \
	fi; \
	if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
		missing+=(fonts-dejavu-core); \
	fi; \
	if ! command -v pdftoppm >/dev/null 2>&1; then \
		missing+=(poppler-utils); \
	fi; \
	: "Debian's python3.11 cannot 'python -m venv' without python3-venv"; \
	if [ ! -x $(VENV)/bin/python ]; then \
		py="$$(command -v python3.11 || command -v python3 || true)"; \
		if [ -n "$$py" ] && ! "$$py" -c 'import ensurepip' >/dev/null 2>&1; then \
			missing+=(python3-venv); \
		fi; \
	fi; \
	if [ $${#missing[@]} -eq 0 ]; then \
		echo "system-deps: postgresql, chromium, pango and poppler already installed"; \
		exit 0; \
	fi; \
	sudo=""; \
	if [ "$$(id -u)" -ne 0 ]; then \
		if command -v sudo >/dev/null 2>&1; then \
			sudo=sudo; \
		else \
			echo "system-deps: need root (or sudo) to install: $${missing[*]}" >&2; \
			exit 1; \
		fi; \
	fi; \
	echo "system-deps: installing $${missing[*]}"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive \
		apt-get -o DPkg::Lock::Timeout=900 update; \
	$$sudo env DEBIAN_FRONTEND=noninteractive \
		apt-get -o DPkg::Lock::Timeout=900 install -y "$${missing[@]}"

# ----------------------------------------------------------------------- demo

# The demo needs no root; without Pango (system-deps) only the PDF downloads fail, with a message.
demo: product
	$(VENV)/bin/alliance demo --port $(PORT)

# --------------------------------------------------------------------- checks

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: venv
	$(VENV)/bin/mypy alliance

migrations-check: venv
	@tmp="$$(mktemp -d)"; \
	trap 'rm -rf "$$tmp"' EXIT; \
	export DJANGO_SETTINGS_MODULE=$(DJANGO_SETTINGS_MODULE); \
	export ALLIANCE_DATABASE_URL="sqlite:///$$tmp/migrations-check.sqlite3"; \
	echo "$(VENV)/bin/python -m django makemigrations --check --dry-run"; \
	$(VENV)/bin/python -m django makemigrations --check --dry-run

# ---------------------------------------------------------------------- tests

test-sqlite: venv
	@tmp="$$(mktemp -d)"; \
	trap 'rm -rf "$$tmp"' EXIT; \
	export ALLIANCE_DATABASE_URL="sqlite:///$$tmp/alliance.sqlite3"; \
	echo "ALLIANCE_DATABASE_URL=$$ALLIANCE_DATABASE_URL $(VENV)/bin/pytest $(PYTEST_ARGS)"; \
	rc=0; \
	$(VENV)/bin/pytest $(PYTEST_ARGS) || rc=$$?; \
	exit $$rc

# scripts/pg-throwaway start prints the URL and records the cluster in the
# file named by PG_THROWAWAY_STATE; stop reads it back. The EXIT trap stops and
# removes the cluster whatever pytest does, and pytest's exit code is kept.
test-postgres: venv
	@PG_THROWAWAY_STATE="$$(mktemp "$${TMPDIR:-/tmp}/alliance-pg-state.XXXXXX")"; \
	export PG_THROWAWAY_STATE; \
	trap 'scripts/pg-throwaway stop || echo "test-postgres: could not stop the throwaway cluster" >&2; rm -f "$$PG_THROWAWAY_STATE"' EXIT; \
	trap 'exit 130' INT; \
	trap 'exit 143' TERM; \
	ALLIANCE_DATABASE_URL="$$(scripts/pg-throwaway start)"; \
	export ALLIANCE_DATABASE_URL; \
	echo "ALLIANCE_DATABASE_URL=$$ALLIANCE_DATABASE_URL $(VENV)/bin/pytest $(PYTEST_ARGS)"; \
	rc=0; \
	$(VENV)/bin/pytest $(PYTEST_ARGS) || rc=$$?; \
	exit $$rc

# ------------------------------------------------------------------ restore drill

# The restore drill (REL-07, docs/operations.md), on each database: migrate a new database and
# build a demo clinic in it, back it up, verify the backup in a throwaway database (counts, the
# audit chain, every signature), restore it into another empty database, verify the restored
# audit chain against the merged checkpoints, and compare every table's rows with the
# original's. The restore records itself in the restored audit trail: one event more there.
# On PostgreSQL the empty database is one that `alliance migrate` made and nobody used, as an
# operator might prepare it (pg_restore then replaces its empty tables); tests/backups
# restores into bare new databases on both.
# Each step prints its own time; the restore's is the measured part of the RTO that
# docs/operations.md gives.
DRILL_CLIENTS ?= 40

define drill_steps
	export ALLIANCE_VAR_DIR="$$tmp/var" ALLIANCE_AUDIT_CHECKPOINT_DIR="$$tmp/checkpoints"; \
	export ALLIANCE_DATABASE_URL="$$source"; \
	echo "drill ($(1)): demo clinic of $(DRILL_CLIENTS) clients"; \
	$(VENV)/bin/alliance demo --no-serve --clients $(DRILL_CLIENTS) >/dev/null; \
	$(VENV)/bin/alliance audit checkpoint; \
	$(VENV)/bin/alliance backup --output "$$tmp/drill.backup"; \
	$(VENV)/bin/alliance backup verify "$$tmp/drill.backup"; \
	export ALLIANCE_DATABASE_URL="$$target" ALLIANCE_AUDIT_CHECKPOINT_DIR="$$tmp/restored"; \
	$(2) \
	$(VENV)/bin/alliance restore "$$tmp/drill.backup"; \
	$(VENV)/bin/alliance audit verify; \
	$(VENV)/bin/python -c "$$DRILL_COMPARE" "$$source" "$$target"; \
	echo "drill ($(1)): passed in $$SECONDS s"
endef

define DRILL_COMPARE
import sys, dj_database_url
from alliance.backups.databases import contents
source, target = (contents(dict(dj_database_url.parse(url))).tables for url in sys.argv[1:])
target["audit_auditevent"] -= 1
differ = sorted(t for t in source.keys() | target.keys() if source.get(t) != target.get(t))
print(f"row counts: {len(source)} tables", "differ: " + ", ".join(differ) if differ else "match")
sys.exit(1 if differ else 0)
endef
export DRILL_COMPARE

drill: drill-sqlite drill-postgres

drill-sqlite: venv
	@tmp="$$(mktemp -d)"; \
	trap 'rm -rf "$$tmp"' EXIT; \
	source="sqlite:///$$tmp/alliance.sqlite3"; \
	target="sqlite:///$$tmp/restored.sqlite3"; \
	$(call drill_steps,sqlite,)

# A throwaway cluster as in test-postgres; the restore goes to a second database on it.
drill-postgres: venv
	@PG_THROWAWAY_STATE="$$(mktemp "$${TMPDIR:-/tmp}/alliance-pg-state.XXXXXX")"; \
	export PG_THROWAWAY_STATE; \
	tmp="$$(mktemp -d)"; \
	trap 'scripts/pg-throwaway stop || echo "drill-postgres: could not stop the throwaway cluster" >&2; rm -f "$$PG_THROWAWAY_STATE"; rm -rf "$$tmp"' EXIT; \
	trap 'exit 130' INT; \
	trap 'exit 143' TERM; \
	source="$$(scripts/pg-throwaway start)"; \
	. "$$PG_THROWAWAY_STATE"; \
	"$$PGT_BINDIR/createdb" -h 127.0.0.1 -p "$$PGT_PORT" -U alliance alliance_restored; \
	target="$${source%/*}/alliance_restored"; \
	$(call drill_steps,postgresql,$(VENV)/bin/alliance migrate >/dev/null;)

test: system-deps
	$(MAKE) venv
	$(MAKE) lint
	$(MAKE) typecheck
	$(MAKE) migrations-check
	$(MAKE) test-sqlite
	$(MAKE) test-postgres
	$(MAKE) drill

# ---------------------------------------------------------------------- clean

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis \
		build dist test-artifacts *.egg-info
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
