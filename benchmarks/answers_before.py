"""Answer eval of the previous passage answer (no composer), for the before/after table.

Usage (an index in ./data):
    PYTHONPATH=$PWD .venv/bin/python benchmarks/answers_before.py [FILE ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT = ["tests/eval/answers.yaml", "tests/eval/answers_heldout.yaml"]


def main() -> int:
    from bot.answering.evaluation import evaluate_answers, load_answer_questions
    from bot.answering.service import AnswerService
    from bot.services import build_services, configure_runtime
    from bot.settings import load_settings

    settings = load_settings()
    configure_runtime(settings)
    services = build_services(settings, lambda _m: None)
    assert services.answers.composer is not None
    passages = AnswerService(services.retriever, services.taxonomy, top_k=settings.top_k)
    for name in sys.argv[1:] or DEFAULT:
        report = evaluate_answers(passages, load_answer_questions(ROOT / name),
                                  services.answers.composer.docs)
        print(f"== {name}")
        print(report.render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
