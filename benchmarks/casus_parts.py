"""Accuracy of the casus-part model (bot/answering/casus_followup.py) on labelled follow-ups.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/casus_parts.py \
        tests/eval/casus_followups_heldout.yaml

Prints, per part: how often the model is sure (>= MIN_CONFIDENCE) and right, and the combined
decision the composer makes (the part when sure, else round 11's rule: the intent model's intent
at >= FOLLOW_UP_OWN_INTENT mapped to a part, else more of the advice = every step).
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

import yaml

from bot.answering.casus_followup import MIN_CONFIDENCE, PARTS_FILE, load_part_examples
from bot.answering.composer import FOLLOW_UP_OWN_INTENT, PART_INTENT, UNDERNEATH_INTENTS
from bot.answering.intent_sources import same_question
from bot.services import build_services, configure_runtime
from bot.settings import load_settings

ROUND11 = {**{intent: part for part, intent in PART_INTENT.items()},
           **{intent: "zorg" for intent in UNDERNEATH_INTENTS}}
"""Round 11's rule as a part: what/why -> the concern, pitfalls, examples, else every step."""


def main(path: Path) -> None:
    settings = load_settings()
    configure_runtime(settings)
    composer = build_services(settings, lambda *a: None).answers.composer
    assert composer is not None and composer.parts is not None and composer.intents is not None
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["followups"]
    trained = {same_question(q) for q, _ in
               load_part_examples(settings.knowledge_dir / PARTS_FILE)}
    seen = [i for i in items if same_question(i["text"]) in trained]
    items = [i for i in items if same_question(i["text"]) not in trained]
    print(f"left out (equal to a training example): {len(seen)}")
    total: collections.Counter[str] = collections.Counter()
    sure_right: collections.Counter[str] = collections.Counter()
    sure_wrong: collections.Counter[str] = collections.Counter()
    combined: collections.Counter[str] = collections.Counter()
    old: collections.Counter[str] = collections.Counter()
    for item in items:
        text = composer.glossary.normalise(item["text"])
        vector = composer.intents.embedder.encode_queries([text])[0]
        part = composer.parts.predict(text, vector)
        intent = composer.predict(text, vector)
        rule = ROUND11.get(intent.intent, "aanpak") if intent is not None and \
            intent.confidence >= FOLLOW_UP_OWN_INTENT else "aanpak"
        sure = part.confidence >= MIN_CONFIDENCE
        want = item["part"]
        total[want] += 1
        sure_right[want] += sure and part.part == want
        sure_wrong[want] += sure and part.part != want
        combined[want] += (part.part if sure else rule) == want
        old[want] += rule == want
    n = sum(total.values())
    print(f"{path.name}: {n} follow-ups")
    for name, counts in (("part model sure and right", sure_right),
                         ("part model sure and wrong", sure_wrong),
                         ("combined (shipped)", combined), ("round 11 rule alone", old)):
        per = ", ".join(f"{p} {counts[p]}/{total[p]}" for p in sorted(total))
        print(f"{name:26s} {sum(counts.values())}/{n}  ({per})")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
