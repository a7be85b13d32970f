"""Aggregates of several answer sets with one set of services (dev and held-out alike).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/answer_sets.py tests/eval/answers*.yaml

The same ``evaluate_answers`` as ``wijkwijs eval --answers FILE``, one line per set: every key
fact, coverage, intent, right file, in-scope refusals, off-topic refused and the noise count.
The services (index, models) are built once, so many sets take one start-up.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.answering.evaluation import evaluate_answers, load_answer_questions
from bot.cli_common import progress
from bot.services import build_services, configure_runtime
from bot.settings import load_settings


def main(paths: list[str]) -> int:
    settings = load_settings()
    configure_runtime(settings)
    services = build_services(settings, progress)
    composer = services.answers.composer
    docs = composer.docs if composer is not None else {}
    for name in paths:
        r = evaluate_answers(services.answers, load_answer_questions(Path(name)), docs)
        noise = (r.link_list_bodies + r.mid_list_starts + r.stray_case_quotes +
                 r.second_file_passages + r.over_length)
        print(f"{Path(name).stem:28s} all {r.all_facts:.3f} cov {r.fact_coverage:.3f} "
              f"intent {r.intent_accuracy:.3f} file {r.topic_hit:.3f} "
              f"refused {r.in_scope_refusals}/{r.in_scope} "
              f"oos {round(r.oos_refused * r.out_of_scope)}/{r.out_of_scope} noise {noise}",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
