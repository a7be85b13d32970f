"""Lesson question or objection? The routing zone on dev sets (round 15, route15).

    PYTHONPATH=$PWD python benchmarks/route_zone.py OUT.json tests/eval/answers_route_dev8.yaml ...
    PYTHONPATH=$PWD python benchmarks/route_zone.py --oracle OUT.json tests/eval/answers_dev3.yaml

Dev sets only (never the held-out sets). For every first question (no follow-up) in scope whose
gold intent or answer intent is ``weerstand``: the signals the router has (bot/answering/route.py:
the casus lead, the casus keys' margin over the other files' keys, the intent model's first
intent and its ratio to the runner-up) and the casus matcher's margin (best casus score minus the
second's). Prints how many lesson-gold questions were answered from a casus and how many
objections from a lesson file. ``--oracle``: lesson-gold questions the router sends to casus
advice get their gold intent instead, to measure what perfect routing would gain in answers
with every key fact (an upper bound, not a method).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bot.answering.composer import AnswerComposer
from bot.answering.draft import Draft
from bot.answering.evaluation import (
    AnswerEvalQuestion,
    answered,
    load_answer_questions,
    norm,
)
from bot.answering.followup import AnswerContext
from bot.answering.route import casus_lead, closest_keys
from bot.answering.service import Answer
from bot.retrieval.retriever import RetrievalResult
from bot.services import build_services, configure_runtime
from bot.settings import load_settings

GOLD: dict[str, str] = {"intent": ""}
"""The gold intent of the question being asked (``--oracle``)."""


def install_oracle() -> None:
    """Wrap the router: a question routed to casus advice whose gold intent is a lesson one
    gets that intent."""
    original = AnswerComposer._route

    def route(self: AnswerComposer, draft: Draft, result: RetrievalResult, text: str) -> None:
        original(self, draft, result, text)
        if draft.intent == "weerstand" and GOLD["intent"] not in ("", "weerstand",
                                                                  "buiten_scope"):
            draft.intent = GOLD["intent"]

    AnswerComposer._route = route  # type: ignore[method-assign]


def main(out_path: str, sets: list[str], oracle: bool) -> None:
    settings = load_settings()
    configure_runtime(settings)
    service = build_services(settings, lambda *a: None).answers
    composer = service.composer
    assert composer is not None and composer.advisor is not None
    docs = composer.docs
    kind_of = {d.topic: d.kind for d in docs.values()}
    if oracle:
        install_oracle()
    rows: list[dict[str, Any]] = []
    lesson_from_casus = objection_from_lesson = every = total = 0
    for name in sets:
        questions = load_answer_questions(Path(name))
        by_text = {q.question: q for q in questions}

        def ask(text: str, context: AnswerContext | None,
                by_text: dict[str, AnswerEvalQuestion] = by_text) -> Answer:
            q = by_text.get(text)
            lesson = q is not None and bool(q.topics) and kind_of.get(q.topics[0]) != "casus"
            GOLD["intent"] = q.intent if q is not None and lesson else ""
            return service.ask(text, context)

        for q, answer in answered(questions, ask):
            if not q.in_scope or not q.key_facts:
                continue
            body = norm(answer.answer)
            ok = all(norm(f) in body for f in q.key_facts)
            total += 1
            every += ok
            result = answer.retrieval
            if q.follow_up_of or result is None or result.vector is None or \
                    "weerstand" not in (q.intent, answer.intent):
                continue
            gold_kind = kind_of.get(q.topics[0], "?") if q.topics else "-"
            answer_kind = answer.sources[0].kind if answer.sources else "-"
            lesson_from_casus += q.intent != "weerstand" and gold_kind != "casus" and \
                answer_kind == "casus"
            objection_from_lesson += q.intent == "weerstand" and answer.grounded and \
                answer_kind not in ("casus", "-")
            pred = composer.predict(composer.glossary.normalise(q.question), result.vector)
            ranked = sorted(pred.probabilities.items(), key=lambda kv: -kv[1]) if pred else []
            keys = result.keys
            cases = composer.advisor.rank(result.vector, q.question,
                                          keys.files if keys else None,
                                          keys.sections if keys else None)
            best = closest_keys(result, docs)
            rows.append({
                "set": Path(name).stem, "question": q.question, "gold": q.intent,
                "gold_kind": gold_kind, "answer_intent": answer.intent,
                "answer_kind": answer_kind, "every_key_fact": ok,
                "casus_lead": round(casus_lead(result, docs), 3),
                "casus_key_margin": round(best.get(True, 0.0) - best.get(False, 0.0), 3),
                "intent": ranked[0][0] if ranked else "",
                "intent_ratio": round(ranked[0][1] / ranked[1][1], 2) if len(ranked) > 1
                else None,
                "casus_match_margin": round(cases[0].score - cases[1].score, 4)
                if len(cases) > 1 else None,
            })
    Path(out_path).write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"every key fact {every}/{total}; lesson-gold answered from a casus "
          f"{lesson_from_casus}; objections answered from a lesson file {objection_from_lesson} "
          f"(first questions only){' [oracle routing]' if oracle else ''}")


if __name__ == "__main__":
    args = sys.argv[1:]
    use_oracle = "--oracle" in args
    args = [a for a in args if a != "--oracle"]
    main(args[0], args[1:], use_oracle)
