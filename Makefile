# Two entry points for newcomers: `make run` and `make test`. Both are idempotent and quiet on a
# second run: the venv is (re)installed only when pyproject.toml changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
TORCH := torch==2.13.0
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test install install-dev lint typecheck pytest ingest chat bench clean

run: $(VENV)/.stamp-run
	@$(BIN)/wijkwijs run

test: $(VENV)/.stamp-dev
	@$(BIN)/ruff check -q bot tests benchmarks && echo "ruff: ok"
	@$(BIN)/mypy bot
	@$(BIN)/hadolint Dockerfile && echo "hadolint: ok"
	@$(BIN)/python -m pytest -q

$(VENV)/bin/python:
	@echo "Creating $(VENV) and installing (first run only; a few minutes)…"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip

# torch first, pinned to the CPU wheel; an unpinned torch would pull a multi-GB CUDA build.
$(VENV)/.stamp-torch: | $(VENV)/bin/python
	@$(PIP) install $(TORCH)
	@touch $@

$(VENV)/.stamp-run: pyproject.toml $(VENV)/.stamp-torch
	@$(PIP) install -e .
	@touch $@

$(VENV)/.stamp-dev: pyproject.toml $(VENV)/.stamp-torch
	@$(PIP) install -e '.[dev]'
	@touch $@ $(VENV)/.stamp-run

install: $(VENV)/.stamp-run
install-dev: $(VENV)/.stamp-dev

ingest: $(VENV)/.stamp-run
	$(BIN)/wijkwijs ingest

chat: $(VENV)/.stamp-run
	$(BIN)/wijkwijs chat

bench: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/retrieval.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
