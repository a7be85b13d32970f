"""Intent examples from question keys: the section -> intent table, the derivation, the trainer
picking up knowledge/vragen (with the fast hash embedder), and the fitted-model cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from bot.answering import intent as im
from bot.answering.intent import (
    INTENTS,
    IntentModel,
    balanced,
    load_training_set,
    train_intent_model,
)
from bot.answering.intent_sources import (
    SECTIONS_FILE,
    SectionMap,
    derive_examples,
    load_question_keys,
    questions_folder,
    same_question,
)
from tests.conftest import HashEmbedder, make_settings

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the query texts it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.queries = 0

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        self.queries += len(texts)
        return super().encode_queries(texts)


@pytest.fixture(scope="module")
def sections() -> SectionMap:
    return SectionMap.load(KNOWLEDGE / SECTIONS_FILE, INTENTS)


@pytest.mark.parametrize(("folder", "heading", "intent"), [
    ("lesstof", "Wat is het?", "definitie"),
    ("lesstof", "Wat betekent faciliteren?", "definitie"),
    ("lesstof", "Waarom is het belangrijk voor een community librarian?", "waarom"),
    ("lesstof", "Waarom een omgevingsanalyse?", "waarom"),
    ("lesstof", "Hoe pak je het aan?", "stappen"),
    ("lesstof", "Stap 3: ga zelf kijken met een wijkschouw", "stappen"),
    ("lesstof", "Valkuilen", "valkuilen"),
    ("lesstof", "Voorbeeld uit de praktijk", "voorbeeld"),
    ("lesstof", "Uitgewerkt voorbeeld: een taalcafé", "voorbeeld"),
    ("lesstof", "Persona's", None),  # a topic heading says nothing about the kind of answer
    ("lesstof", "Verbonden onderwerpen", None),
    ("lesstof", "Zie ook", None),
    ("casussen", "Het bezwaar", "weerstand"),
    ("casussen", "De zorg eronder", "weerstand"),
    ("casussen", "Goede aanpak", "weerstand"),
    ("casussen", "Minder goede aanpak (en waarom dat misgaat)", "weerstand"),
    ("casussen", "Wie", None),
    ("casussen", "Zie ook", None),
    ("opdrachten", "Wat lever je op?", "opdracht"),
    ("opdrachten", "Tips", "opdracht"),
    ("cursus", "Opbouw en studiebelasting", "cursus"),
    ("voorbeelden", "Wat is het?", "voorbeeld"),
    ("voorbeelden", "Wat kun je ervan leren als community librarian?", "voorbeeld"),
])
def test_section_table_maps_where_a_question_sits(sections: SectionMap, folder: str,
                                                  heading: str, intent: str | None) -> None:
    assert sections.intent(folder, heading) == intent


def test_section_table_rejects_unknown_intents(tmp_path: Path) -> None:
    bad = tmp_path / SECTIONS_FILE
    bad.write_text("rules:\n  - {folder: lesstof, intent: definitie}\n"
                   "  - {heading: Valkuilen, intent: fouten}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="fouten"):
        SectionMap.load(bad, INTENTS)
    bad.write_text("rules:\n  - {heading: '(', intent: definitie}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="pattern"):
        SectionMap.load(bad, INTENTS)


def write_keys(folder: Path, file: str, sections: dict[str, list[str]]) -> None:
    path = folder / f"{file.removesuffix('.md')}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"file": file, "sections": [
        {"heading": h, "questions": qs} for h, qs in sections.items()]}, allow_unicode=True),
        encoding="utf-8")


def test_derivation_labels_by_section_and_skips_the_rest(tmp_path: Path,
                                                         sections: SectionMap) -> None:
    write_keys(tmp_path, "lesstof/netwerken.md", {
        "Wat is het?": ["wat is netwerken eigenlijk?", "dubbel gesteld?"],
        "Valkuilen": ["wat gaat er mis bij netwerken?", "Dubbel gesteld"],
        "Zwakke en sterke banden": ["wat zijn zwakke banden?"],
    })
    write_keys(tmp_path, "casussen/welzijn-concurrent.md", {
        "Wie": ["wie is de manager in deze casus?"],
        "Goede aanpak": ["hoe maak ik de taakverdeling met welzijn duidelijk?"],
    })
    (tmp_path / "lesstof" / "kapot.yaml").write_text("file: [\n", encoding="utf-8")
    (tmp_path / "lesstof" / "verkeerd.yaml").write_text("- a\n- b\n", encoding="utf-8")
    assert len(load_question_keys(tmp_path)) == 7  # the broken files are skipped
    derived = {q.text: (q.intent, q.file, q.heading) for q in derive_examples(tmp_path, sections)}
    assert derived == {
        "wat is netwerken eigenlijk?": ("definitie", "lesstof/netwerken.md", "Wat is het?"),
        "wat gaat er mis bij netwerken?": ("valkuilen", "lesstof/netwerken.md", "Valkuilen"),
        "hoe maak ik de taakverdeling met welzijn duidelijk?":
            ("weerstand", "casussen/welzijn-concurrent.md", "Goede aanpak"),
    }  # "dubbel gesteld" sits under two intents: left out; unmapped headings: skipped


def knowledge_copy(tmp_path: Path) -> Path:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name in ("intenties.yaml", SECTIONS_FILE):
        shutil.copy(KNOWLEDGE / name, knowledge / name)
    return knowledge


def test_training_set_reads_knowledge_vragen_by_default(tmp_path: Path) -> None:
    knowledge = knowledge_copy(tmp_path)
    assert load_training_set(knowledge).derived == []  # no question keys: hand-labelled only
    hand_question = load_training_set(knowledge).hand[0][0]
    excluded = next(iter(yaml.safe_load(
        (KNOWLEDGE / SECTIONS_FILE).read_text(encoding="utf-8"))["exclude"]))
    write_keys(knowledge / "vragen", "lesstof/netwerken.md", {
        "Valkuilen": ["welke fouten maak je als je gaat netwerken?", hand_question.upper(),
                      excluded + "!"]})
    data = load_training_set(knowledge)
    assert questions_folder(knowledge) == knowledge / "vragen"
    assert [(q.text, q.intent) for q in data.derived] == [
        ("welke fouten maak je als je gaat netwerken?", "valkuilen")]
    elsewhere = tmp_path / "keys"
    write_keys(elsewhere, "lesstof/promotie.md", {"Hoe pak je het aan?": ["hoe maak ik reclame?"]})
    assert [q.text for q in load_training_set(knowledge, elsewhere).derived] == \
        ["hoe maak ik reclame?"]


def test_settings_default_is_knowledge_vragen(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, intent_questions_dir=None)
    assert questions_folder(settings.knowledge_dir, settings.intent_questions_dir) == \
        settings.knowledge_dir / "vragen"


def test_trainer_uses_the_keys_and_caches_the_fitted_model(tmp_path: Path) -> None:
    knowledge = knowledge_copy(tmp_path)
    cache = tmp_path / "data"
    embedder = CountingEmbedder()
    plain = train_intent_model(knowledge, embedder, cache_dir=cache)
    assert plain is not None and plain.trained_on[1] == 0
    hand = plain.trained_on[0]
    # Questions in the words of the hand-labelled valkuilen questions, so the agreement filter
    # (the hand-trained model must find the section's intent plausible) keeps them.
    write_keys(knowledge / "vragen", "lesstof/netwerken.md", {
        "Valkuilen": ["wat zijn valkuilen bij netwerken met partners",
                      "welke fouten maken mensen bij netwerken"],
        "Wat is het?": ["hoe laat gaat de laatste trein"]})  # disagrees: dropped
    calls = embedder.queries
    model = train_intent_model(knowledge, embedder, cache_dir=cache)
    assert model is not None and model.trained_on == (hand, 2)
    assert embedder.queries == calls + 3  # only the new questions were embedded...
    calls = embedder.queries
    again = train_intent_model(knowledge, embedder, cache_dir=cache)
    assert again is not None and again.trained_on == (hand, 2)
    assert embedder.queries == calls  # ...and the second start loads the fitted model
    assert len(list(cache.glob("intent-model-*.npz"))) == 3  # hand-only, keys + its scope
    for question in ("wat zijn de valkuilen bij netwerken", "wat is een draaiboek",
                     "hoe maak ik pannenkoeken"):
        a, b = model.predict(question), again.predict(question)
        assert a.intent == b.intent and a.confidence == pytest.approx(b.confidence)
        # Off-topic or not stays the hand-labelled model's call (the keys hold no off-topic
        # questions); the keys only re-rank the in-scope intents.
        assert b.p("buiten_scope") == pytest.approx(plain.predict(question).p("buiten_scope"))
        assert sum(b.probabilities.values()) == pytest.approx(1.0)


def test_trainer_without_keys_matches_the_hand_labelled_model(tmp_path: Path) -> None:
    knowledge = knowledge_copy(tmp_path)
    embedder = HashEmbedder()
    model = train_intent_model(knowledge, embedder)
    direct = IntentModel(embedder).fit(load_training_set(knowledge).hand)
    assert model is not None
    q = "waarom is netwerken belangrijk"
    assert model.predict(q).probabilities == pytest.approx(direct.predict(q).probabilities)


def test_balanced_weights_give_every_intent_the_same_total() -> None:
    labels = ["a", "a", "a", "b"]
    weights = balanced(labels, [1.0, 1.0, 0.25, 1.0])
    assert sum(weights) == pytest.approx(3.25)
    assert sum(w for w, lab in zip(weights, labels, strict=True) if lab == "a") == \
        pytest.approx(sum(w for w, lab in zip(weights, labels, strict=True) if lab == "b"))
    assert weights[0] / weights[2] == pytest.approx(4.0)  # a key keeps its lower weight


def test_same_question_ignores_case_and_punctuation() -> None:
    assert same_question("Wat is een draaiboek?") == same_question("wat is een  draaiboek")
    assert same_question("wat is een draaiboek") != same_question("wat is een plan")


def test_batch_prediction_equals_single(tmp_path: Path) -> None:
    knowledge = knowledge_copy(tmp_path)
    model = train_intent_model(knowledge, HashEmbedder())
    assert model is not None
    texts = ["wat is een persona", "de wethouder wil niet"]
    batch = model.predict_many(texts, model.embedder.encode_queries(texts))
    for text, pred in zip(texts, batch, strict=True):
        assert pred.probabilities == pytest.approx(model.predict(text).probabilities)
    assert np.isclose(sum(batch[0].probabilities.values()), 1.0)
    assert im.AGREEMENT > 0  # the filter is on


def test_extra_intent_batches_are_read_beside_intenties_yaml(tmp_path: Path) -> None:
    """Round 5: ``intenties-*.yaml`` batches are hand-labelled examples too (name order, a
    question already labelled earlier is not repeated); other yaml files are not read."""
    knowledge = knowledge_copy(tmp_path)
    only_main = load_training_set(knowledge).hand
    first = only_main[0][0]
    (knowledge / "intenties-b.yaml").write_text(yaml.safe_dump({"intents": {
        "definitie": ["Mijn teamleider noemt het steeds kwartiermaken. Wat is dat eigenlijk?"],
        "buiten_scope": [first.upper() + "!"]}}), encoding="utf-8")  # a repeat: left out
    (knowledge / "intenties-a.yaml").write_text(yaml.safe_dump({"intents": {
        "weerstand": ["De school reageert niet op mijn mails. Hoe krijg ik ze mee?"]}}),
        encoding="utf-8")
    (knowledge / "andere-intenties.yaml").write_text(yaml.safe_dump({"intents": {
        "stappen": ["niet meegelezen"]}}), encoding="utf-8")
    assert [p.name for p in im.intent_files(knowledge)] == \
        ["intenties.yaml", "intenties-a.yaml", "intenties-b.yaml"]
    hand = load_training_set(knowledge).hand
    assert hand == [
        *only_main,
        ("De school reageert niet op mijn mails. Hoe krijg ik ze mee?", "weerstand"),
        ("Mijn teamleider noemt het steeds kwartiermaken. Wat is dat eigenlijk?", "definitie")]
    (knowledge / "intenties-c.yaml").write_text("intents:\n  onbekend: [x]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown intent"):
        load_training_set(knowledge)
