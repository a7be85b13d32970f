#!/usr/bin/env python3
"""Simulate the Dockerfile's build without a Docker engine (none runs here).

Reads the Dockerfile, then in a temp dir: makes the venv the builder makes, runs the builder's
`pip install` RUN steps (ARG defaults substituted) on a copy of the build context, sets the
runtime stage's ENV (/opt/venv, /app, /data mapped into the temp dir), runs its `wijkwijs …` RUN
steps (the build-time ingest and role-play cache) and finally the HEALTHCHECK command
(without the Bot API check: no token at build time). Prints sizes; exit status non-zero on
the first failing step.

    python3 .ci/simulate_docker_build.py [--venv EXISTING_VENV] [--keep]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    out: list[tuple[str, str]] = []
    buf = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") and not buf:
            continue
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        full = (buf + line).strip()
        buf = ""
        if full:
            word, _, rest = full.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def env_pairs(args: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)=("[^"]*"|\S+)', args))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", help="reuse this venv instead of creating one")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    opts = parser.parse_args()

    steps = instructions((ROOT / "Dockerfile").read_text(encoding="utf-8"))
    tmp = Path(tempfile.mkdtemp(prefix="wijkwijs-image."))
    venv = Path(opts.venv).resolve() if opts.venv else tmp / "opt" / "venv"
    app, data = tmp / "app", tmp / "data"
    mapping = {"/opt/venv": str(venv), "/app": str(app), "/data": str(data)}

    def mapped(value: str) -> str:
        for old, new in mapping.items():
            value = re.sub(rf"(?<![\w/]){re.escape(old)}(?=/|\b|$)", new, value)
        return value

    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKWIJS_")}
    args: dict[str, str] = {}
    stage = ""

    def run(command: str, cwd: Path) -> None:
        print(f"[{stage}] RUN {command}", flush=True)
        subprocess.run(["/bin/sh", "-c", command], cwd=cwd, env={**env, **args}, check=True)

    try:
        app.mkdir(parents=True)
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, app / name)
        for name in ("bot", "knowledge", "prompts"):
            shutil.copytree(ROOT / name, app / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        if not opts.venv:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        for word, rest in steps:
            if word == "FROM":
                stage = rest.split(" AS ")[-1].strip().lower()
            elif word == "ARG":
                name, _, default = rest.partition("=")
                args[name] = default
            elif word == "ENV":
                env.update({k: mapped(v.strip('"')) for k, v in env_pairs(rest).items()})
                env["PATH"] = mapped(env["PATH"]).replace("$PATH", os.environ["PATH"])
            elif word == "RUN" and stage == "builder" and "pip install" in rest:
                run(rest, app)
            elif word == "RUN" and stage == "runtime" and rest.startswith("wijkwijs "):
                run(mapped(rest), app)
            elif word == "RUN":
                print(f"[{stage}] skipped (system step): RUN {rest[:70]}…", flush=True)
            elif word == "HEALTHCHECK":
                command = re.search(r"CMD (\[.*\])", rest)
                assert command, rest
                argv = [a.strip().strip('"') for a in command.group(1)[1:-1].split(",")]
                stage = "start"  # what `wijkwijs run` does first in the container
                run("wijkwijs db upgrade", app)
                stage = "healthcheck"
                run(" ".join([*argv, "--no-bot-api"]), app)
        has_torch = subprocess.run([str(venv / "bin" / "python"), "-c", "import torch"],
                                   capture_output=True).returncode == 0
        du = subprocess.run(["du", "-sh", str(venv), str(data)], capture_output=True, text=True)
        print(du.stdout.strip())
        print(f"torch installed: {has_torch}; data dir mode: {oct(data.stat().st_mode & 0o777)}")
    except subprocess.CalledProcessError as exc:
        print(f"FAILED (exit {exc.returncode}): {exc.cmd[-1]}", file=sys.stderr)
        return 1
    finally:
        if opts.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
