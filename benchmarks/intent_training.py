"""Start-up cost of the intent model: first start (empty cache) and warm start (cached fit).

Usage:
    PYTHONPATH=$PWD .venv/bin/python benchmarks/intent_training.py [--keys DIR] [--json OUT]

``--keys``: the question keys folder (default knowledge/vragen; "none" = hand-labelled only).
Runs in one process: the embedding model is loaded and warmed first (not counted); then
``train_intent_model`` with an empty cache directory (embeds every training question, fits
twice), again with the same directory (loads the fitted model), and once more after the fitted
model is removed (embeddings cached, refit only: what adding one question-key file costs).
Wall and CPU seconds are reported; on a shared machine the CPU figure is the fairer one.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from benchutil import emit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering.glossary import Glossary  # noqa: E402
from bot.answering.intent import load_training_set, train_intent_model  # noqa: E402
from bot.retrieval.embeddings import make_embedder  # noqa: E402
from bot.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keys", default="", help="question keys folder (none = no keys)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    knowledge = ROOT / "knowledge"
    keys = None if not args.keys else Path(args.keys) if args.keys != "none" \
        else Path(tempfile.mkdtemp()) / "absent"
    embedder = make_embedder(Settings(_env_file=None).embedding_model)  # type: ignore[call-arg]
    embedder.encode_queries(["warm up"])
    glossary = Glossary.load(knowledge)
    data = load_training_set(knowledge, keys)
    result: dict[str, object] = {"hand_examples": len(data.hand),
                                 "key_examples": len(data.derived)}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        for run in ("first start", "warm start", "refit (embeddings cached)"):
            if run.startswith("refit"):
                for fitted in cache.glob("intent-model-*.npz"):
                    fitted.unlink()
            wall, cpu = time.perf_counter(), time.process_time()
            model = train_intent_model(knowledge, embedder, glossary.normalise, cache, keys)
            result[run] = {"wall_s": round(time.perf_counter() - wall, 2),
                           "cpu_s": round(time.process_time() - cpu, 2)}
            assert model is not None
            result["keys_used"] = model.trained_on[1]
        result["cache_bytes"] = sum(p.stat().st_size for p in cache.iterdir())
    result["load_average"] = os.getloadavg()[0]
    emit(result, args.json)


if __name__ == "__main__":
    main()
