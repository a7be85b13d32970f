"""Question keys (knowledge/vragen/): loading, validation, the index hash and the key matrix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.knowledge.loader import load_knowledge
from bot.knowledge.question_keys import h2_headings, load_question_keys
from bot.retrieval.index import Indexer
from bot.retrieval.keys import KeyIndex, build_key_index, cache_path
from tests.conftest import KNOWLEDGE, HashEmbedder
from tests.test_knowledge_loader import GOOD, make_kdir

KEYS = """file: lesstof/netwerken.md
sections:
  - heading: "Wat is het?"
    questions:
      - "wat bedoelen ze met netwerken?"
      - "what is networking?"
"""


def test_valid_key_file_loads_keys_with_their_section(tmp_path: Path) -> None:
    kdir = make_kdir(tmp_path, {"lesstof/netwerken.md": GOOD,
                                "vragen/lesstof/netwerken.yaml": KEYS})
    keys = load_question_keys(kdir, load_knowledge(kdir).files)
    assert not keys.errors
    assert [k.question for k in keys.keys] == ["wat bedoelen ze met netwerken?",
                                               "what is networking?"]
    assert {k.section for k in keys.keys} == {"lesstof/netwerken.md#Wat is het?"}


@pytest.mark.parametrize(("content", "line", "reason"), [
    (KEYS.replace("lesstof/netwerken.md", "lesstof/bestaat-niet.md"), 1,
     "file 'lesstof/bestaat-niet.md' does not exist"),
    (KEYS.replace('"Wat is het?"', '"Wat is het"'), 3,
     "heading 'Wat is het' is not a '## ' heading of lesstof/netwerken.md (headings: Wat is het?)"),
    (KEYS.replace("file: lesstof/netwerken.md\n", ""), 1, "field 'file' is required"),
    ("file: [unclosed\n", 2, "invalid YAML"),
    (KEYS.replace('      - "what is networking?"\n', "      - \n"), 6,
     "a question must be a non-empty string"),
    ('file: lesstof/netwerken.md\nsections:\n  - heading: "Wat is het?"\n', 3,
     "'questions' must be a non-empty list"),
])
def test_bad_key_file_is_reported_with_path_line_and_reason(tmp_path: Path, content: str,
                                                            line: int, reason: str) -> None:
    kdir = make_kdir(tmp_path, {"lesstof/netwerken.md": GOOD,
                                "vragen/lesstof/netwerken.yaml": content})
    keys = load_question_keys(kdir, load_knowledge(kdir).files)
    assert keys.errors, content
    err = keys.errors[0]
    assert err.path == "vragen/lesstof/netwerken.yaml" and reason in err.reason, str(err)
    assert err.line == line, str(err)
    assert str(err).startswith(f"vragen/lesstof/netwerken.yaml:{line}: ")


def test_every_key_file_in_the_repository_is_valid() -> None:
    """The course's own question keys: every file and heading exists (else: fix the key file)."""
    files = load_knowledge(KNOWLEDGE).files
    keys = load_question_keys(KNOWLEDGE, files)
    assert not keys.errors, "\n".join(map(str, keys.errors))
    assert len(keys.keys) >= 500
    paths = {f.path for f in files}
    assert {k.path for k in keys.keys} <= paths
    for k in keys.keys:
        doc = next(f for f in files if f.path == k.path)
        assert k.heading in h2_headings(doc.body)


def test_a_changed_key_file_re_ingests_and_re_embeds_the_keys(tmp_path: Path) -> None:
    kdir = make_kdir(tmp_path, {"lesstof/netwerken.md": GOOD,
                                "vragen/lesstof/netwerken.yaml": KEYS})
    index = tmp_path / "index"
    first = Indexer(kdir, index, HashEmbedder("hash-a"))
    report = first.ingest()
    assert report.keys == 2 and not report.key_errors
    assert len(list(index.glob("question-keys-*.npy"))) == 1
    again = Indexer(kdir, index, HashEmbedder("hash-a"))
    assert again.is_current()
    (kdir / "vragen/lesstof/netwerken.yaml").write_text(
        KEYS + '      - "hoe begin ik met netwerken?"\n')
    assert not again.is_current()  # the key file is part of the content hash
    embedder = HashEmbedder("hash-a")
    report = Indexer(kdir, index, embedder).ingest()
    assert report.keys == 3 and report.embedded == 0  # chunks unchanged, keys re-embedded
    assert embedder.calls == 0  # keys are queries: encode_queries, not passages
    [cache] = index.glob("question-keys-*.npy")  # the old matrix is gone
    keys = load_question_keys(kdir, load_knowledge(kdir).files)
    assert cache == cache_path(index, keys, "hash-a") and np.load(cache).shape[0] == 3
    (kdir / "vragen/lesstof/netwerken.yaml").write_text(KEYS.replace("Wat is het?", "Wat?"))
    report = Indexer(kdir, index, HashEmbedder("hash-a")).ingest()
    assert report.keys == 0 and "heading 'Wat?'" in str(report.key_errors[0])


def test_key_index_takes_the_best_key_per_file_and_section(tmp_path: Path) -> None:
    kdir = make_kdir(tmp_path, {
        "lesstof/netwerken.md": GOOD + "\n## Hoe pak je het aan?\n\nBegin klein.\n",
        "vragen/lesstof/netwerken.yaml": KEYS + '  - heading: "Hoe pak je het aan?"\n'
                                                '    questions: ["hoe begin ik klein?"]\n'})
    keys = load_question_keys(kdir, load_knowledge(kdir).files)
    embedder = HashEmbedder()
    index = build_key_index(keys, embedder, None)
    assert isinstance(index, KeyIndex) and len(index) == 3
    match = index.match(embedder.encode_queries(["hoe begin ik klein?"])[0])
    assert match is not None
    assert match.files["lesstof/netwerken.md"] == pytest.approx(1.0)
    assert match.sections["lesstof/netwerken.md#Hoe pak je het aan?"] == pytest.approx(1.0)
    assert match.sections["lesstof/netwerken.md#Wat is het?"] < 0.5
    assert match.section("lesstof/netwerken.md#Hoe pak je het aan? > Detail") == \
        pytest.approx(1.0)  # a ### subsection counts as its ## section
