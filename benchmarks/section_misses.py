"""Dev miss analysis per section: where the right file was chosen, which section held the
missing key facts, which section(s) the answer used, and the predicted intent.

    PYTHONPATH=$PWD python benchmarks/section_misses.py OUT.json tests/eval/answers_dev4.yaml ...

Dev sets only (never the held-out sets). Prints per-miss lines and a summary in numbers.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bot.answering.evaluation import answered, load_answer_questions, norm
from bot.services import build_services, configure_runtime
from bot.settings import load_settings


def main(out_path: str, sets: list[str]) -> None:
    settings = load_settings()
    configure_runtime(settings)
    services = build_services(settings, lambda *a: None)
    service = services.answers
    composer = service.composer
    assert composer is not None
    docs = composer.docs
    rows: list[dict[str, Any]] = []
    patterns: Counter[str] = Counter()
    for name in sets:
        for q, answer in answered(load_answer_questions(Path(name)), service.ask):
            if not q.in_scope or not q.key_facts or not answer.grounded or not answer.sources:
                continue
            body = norm(answer.answer)
            missing = [f for f in q.key_facts if norm(f) not in body]
            if not missing:
                continue
            src = answer.sources[0]
            if src.topic not in q.topics:
                patterns["wrong file"] += 1
                continue
            doc = docs.get(src.path)
            if doc is None:
                continue
            holders = sorted({s.heading for f in missing for s in doc.sections
                              if norm(f) in norm(s.text)})
            used = [s.heading for s in doc.sections if norm(s.text)[:80] in body or
                    s.key == src.section]
            pred = answer.retrieval
            sims = composer.section_sims(doc, pred.vector if pred is not None else None) or {}
            if not holders:
                kind = "fact not in file"
            elif any(h in used for h in holders):
                kind = "same section, cut"
            else:
                kind = "other section"
            kind_full = kind + (" (follow-up)" if q.follow_up_of else "")
            patterns[kind_full] += 1
            ranked = sorted(sims.items(), key=lambda kv: -kv[1])
            holder_rank = [i for i, (k, _) in enumerate(ranked)
                           if k.split("#", 1)[1] in holders]
            rows.append({
                "set": Path(name).stem, "q": q.question, "gold": q.intent,
                "intent": answer.intent, "kind": kind, "follow_up": bool(q.follow_up_of),
                "file": src.path, "used": used, "holders": holders,
                "holder_sim_rank": holder_rank[0] if holder_rank else None,
                "sims": {k.split("#", 1)[1]: round(v, 3) for k, v in ranked[:4]},
                "missing": missing, "len": len(answer.answer),
            })
    for r in rows:
        print(f"{r['set']:<20} {r['kind']:<18} {r['gold']:>9}->{r['intent']:<9} "
              f"rank={r['holder_sim_rank']} len={r['len']} used={r['used']} "
              f"holders={r['holders']} | {r['q'][:60]}")
    print(dict(patterns))
    intents = Counter(f"{r['gold']}->{r['intent']}" for r in rows if r["kind"] == "other section")
    print("other-section by intent:", dict(intents.most_common()))
    ranks = Counter(r["holder_sim_rank"] for r in rows if r["kind"] == "other section")
    print("other-section: similarity rank of the holding section:", dict(ranks))
    Path(out_path).write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
