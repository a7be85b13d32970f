"""The bot's own overhead per generated answer, with an instant fake model.

Usage:
    .venv/bin/python benchmarks/llm_overhead.py [--data-dir DIR] [-n 60] [--json OUT]

Runs ``Services.ask`` with ``llm_provider=openai`` against ``tests/fakes/openai_server.py``
(zero delay, a realistic ~110-word reply with citations, streamed in 4-character pieces) in this
process, so what is measured is everything except model time: question rewrite handling,
retrieval, prompt building, the LangChain/OpenAI client, HTTP on localhost, SSE parsing and the
post-processing. Reported per answer, p50/p95 in milliseconds:

- ``offline``: the extractive ``AnswerService.ask`` (retrieval + extract), the baseline;
- ``generated`` (one non-streaming call) and ``streamed`` (one streaming call with a no-op
  partial callback);
- ``follow_up``: with history, so two calls (rewrite + streamed answer);
- ``*_minus_server``: the same minus the time the fake server spent handling the request(s).
  The fake server shares the event loop, so for streaming its time overlaps the client's
  parsing: the true overhead lies between the two numbers.

``--data-dir`` reuses an existing index (e.g. the one the tests build); otherwise a temporary
one is built first (takes a minute or two, not measured).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchutil import emit, pct  # noqa: E402

QUESTIONS = ROOT / "tests/eval/questions.yaml"
REPLY = (
    "Weerstand is een normale reactie op verandering [1]. Luister eerst goed en erken wat je "
    "collega zegt, zonder meteen te verdedigen [1]. Vat samen wat je hoort en vraag door naar "
    "de zorg die erachter zit: gaat het om tijd, om geld of om het gevoel niet gehoord te "
    "worden [2]? Sluit met je voorstel aan bij wat voor de ander belangrijk is, en stel een "
    "**kleine eerste stap** voor, bijvoorbeeld een proefperiode van een maand [1]. Zo maak je "
    "het makkelijker om mee te doen. Spreek af wanneer je samen terugkijkt, zodat je collega "
    "ziet dat de zorgen serieus genomen worden [3]."
)

REWRITTEN = "Hoe ga ik om met weerstand van een collega?"



def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 2), "p95": round(pct(values, 95), 2)}


async def measure(services: Any, questions: list[str], n: int) -> dict[str, Any]:
    from tests.fakes.openai_server import FakeOpenAIServer

    async def ignore(_text: str) -> None:
        return None

    out: dict[str, Any] = {}
    def reply(body: dict[str, Any]) -> str:
        return REWRITTEN if "<nieuwe_vraag>" in json.dumps(body) else REPLY

    async with FakeOpenAIServer(reply, chunk_size=4) as llm:
        settings = services.settings.model_copy(update={
            "llm_provider": "openai", "llm_base_url": f"{llm.url}/v1", "llm_model": "bench"})
        svc = dataclasses.replace(services, settings=settings)
        assert svc.llm is not None
        await svc.ask(10**9, questions[0])  # warm up client and connection pool
        series: dict[str, list[float]] = {k: [] for k in (
            "offline", "generated", "streamed", "follow_up", "generated_minus_server",
            "streamed_minus_server", "follow_up_minus_server")}
        generated = 0
        for i in range(n):
            q = questions[i % len(questions)]
            t0 = time.perf_counter()
            await asyncio.to_thread(services.answers.ask, q)
            series["offline"].append((time.perf_counter() - t0) * 1000)
            for name, user, partial in (("generated", 2 * i + 1, None),
                                        ("streamed", 2 * i + 2, ignore),
                                        ("follow_up", 2 * i + 2, ignore)):
                busy = llm.busy_seconds
                t0 = time.perf_counter()
                answer = await svc.ask(user, q, partial)
                total = (time.perf_counter() - t0) * 1000
                generated += answer.generated
                series[name].append(total)
                series[f"{name}_minus_server"].append(total - (llm.busy_seconds - busy) * 1000)
        out = {name: summary(values) for name, values in series.items()}
        out["answers"] = n
        out["generated_share"] = round(generated / (3 * n), 3)
        out["llm_requests"] = len(llm.requests)
    out["overhead_vs_offline_p50_ms"] = {
        k: round(out[k]["p50"] - out["offline"]["p50"], 2)
        for k in ("generated", "streamed", "follow_up")}
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, help="reuse the index in DIR/index")
    parser.add_argument("-n", type=int, default=60, help="answers per series")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import logging

    from bot.evaluation import load_eval_questions
    from bot.services import build_services, configure_runtime
    from bot.settings import load_settings

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="wijkwijs-llm-bench-"))
    settings = load_settings(data_dir=data_dir, knowledge_dir=ROOT / "knowledge",
                             prompts_dir=ROOT / "prompts", llm_provider="none",
                             database_url=f"sqlite:///{Path(tempfile.mkdtemp()) / 'b.db'}")
    configure_runtime(settings)
    logging.getLogger().setLevel(logging.ERROR)
    services = build_services(settings, lambda _m: None)
    candidates = [q.question for q in load_eval_questions(QUESTIONS) if q.grounded]
    questions = [q for q in candidates if services.answers.ask(q).grounded]
    results: dict[str, Any] = {"questions": len(questions)}
    results.update(asyncio.run(measure(services, questions, args.n)))
    services.close()
    emit(results, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
