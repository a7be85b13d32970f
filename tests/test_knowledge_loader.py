"""Loader: bad files are reported as path:line: reason and skipped; the rest loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.knowledge.loader import load_knowledge
from tests.conftest import KNOWLEDGE

GOOD = """---
title: Netwerken
theme: netwerken
topic: netwerken
kind: lesstof
tags: [netwerk]
---

# Netwerken

## Wat is het?

Netwerken is contacten leggen en onderhouden.
"""


def make_kdir(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    kdir = tmp_path / "knowledge"
    kdir.mkdir()
    shutil.copy(KNOWLEDGE / "taxonomy.yaml", kdir / "taxonomy.yaml")
    for name, content in files.items():
        path = kdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return kdir


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (GOOD.replace("tags: [netwerk]", "tags: [netwerk"), 6, "bad YAML"),
        (GOOD.replace("topic: netwerken", "topic: breien"), 4, "unknown topic 'breien'"),
        (GOOD.replace("topic: netwerken", "topic: promotie"), 4, "does not belong to theme"),
        (GOOD.replace("title: Netwerken\n", ""), 1, "missing field 'title'"),
        (GOOD.replace("kind: lesstof", "kind: roman"), 5, "field 'kind'"),
        (GOOD.split("# Netwerken")[0], 8, "empty body"),
        ("# geen front matter\n", 1, "missing front matter"),
        ("---\ntitle: x\n", 1, "not closed"),
    ],
)
def test_bad_file_is_reported_with_line_and_skipped(tmp_path: Path, content: str, line: int,
                                                    reason: str) -> None:
    kdir = make_kdir(tmp_path, {"a/goed.md": GOOD, "b/fout.md": content})
    result = load_knowledge(kdir)
    assert [f.path for f in result.files] == ["a/goed.md"]
    [err] = result.errors
    assert err.path == "b/fout.md"
    assert err.line == line
    assert reason in err.reason
    assert str(err).startswith(f"b/fout.md:{line}: ")


def test_not_utf8_reports_the_line(tmp_path: Path) -> None:
    raw = GOOD.replace("Netwerken is", "Netwerken \xe9s").encode("latin-1")
    kdir = make_kdir(tmp_path, {"fout.md": raw})
    [err] = load_knowledge(kdir).errors
    assert err.reason == "not valid UTF-8"
    assert err.line == 13


def test_opdracht_checklist_expands_repeated_groups() -> None:
    result = load_knowledge(KNOWLEDGE)
    opdracht3 = next(f for f in result.files
                     if f.topic == "opdracht-3-partners" and f.kind == "opdracht")
    assert opdracht3.opdracht is not None
    from bot.knowledge.models import expand_checklist

    ids = [i.id for i in expand_checklist(opdracht3.opdracht.checklist)]
    assert "partner-2-waarde" in ids and "partner-3-overtuigen" in ids


VOORBEELD = """---
title: De VoorleesExpress
theme: werken-als-community-librarian
topic: inspirerende-voorbeelden
kind: voorbeeld
bronnen:
  - title: VoorleesExpress
    url: https://www.voorleesexpress.nl
  - title: Stichting Lezen
    url: https://www.lezen.nl
---

# De VoorleesExpress

## Wat is het?

Vrijwilligers lezen voor bij gezinnen thuis.
"""


def test_voorbeeld_bronnen_are_loaded() -> None:
    kdir_files = load_knowledge(KNOWLEDGE).files
    voorbeelden = [f for f in kdir_files if f.kind == "voorbeeld"]
    assert voorbeelden and all(f.voorbeeld and f.voorbeeld.bronnen for f in voorbeelden)


def test_good_voorbeeld_bronnen(tmp_path: Path) -> None:
    kdir = make_kdir(tmp_path, {"voorbeelden/vx.md": VOORBEELD})
    result = load_knowledge(kdir)
    assert result.errors == []
    [f] = result.files
    assert f.voorbeeld is not None
    assert [(b.title, b.url) for b in f.voorbeeld.bronnen] == [
        ("VoorleesExpress", "https://www.voorleesexpress.nl"),
        ("Stichting Lezen", "https://www.lezen.nl"),
    ]


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        # the field is required for kind: voorbeeld
        (VOORBEELD.split("bronnen:")[0] + VOORBEELD.split("url: https://www.lezen.nl\n")[1],
         1, "missing field 'bronnen'"),
        (VOORBEELD.replace("url: https://www.lezen.nl", "url: www.lezen.nl"),
         10, "field 'bronnen.1.url': 'www.lezen.nl' is not an http(s) URL"),
        (VOORBEELD.replace("  - title: Stichting Lezen\n", "  - title: \"\"\n"),
         9, "field 'bronnen.1.title'"),
        (VOORBEELD.replace("    url: https://www.voorleesexpress.nl\n", ""),
         7, "missing field 'bronnen.0.url'"),
        (VOORBEELD.replace("    url: https://www.lezen.nl\n",
                           "    url: https://www.lezen.nl\n    jaar: 2020\n"),
         11, "unknown field 'bronnen.1.jaar'"),
        (VOORBEELD.replace("bronnen:\n", "bronnen: []\nx:\n"), 6, "field 'bronnen'"),
        (VOORBEELD.replace("  - title: VoorleesExpress\n    url: https://www.voorleesexpress.nl\n",
                           "  - https://www.voorleesexpress.nl\n"), 7, "field 'bronnen.0'"),
    ],
)
def test_bad_voorbeeld_bronnen_reported_with_line(tmp_path: Path, content: str, line: int,
                                                  reason: str) -> None:
    kdir = make_kdir(tmp_path, {"a/goed.md": GOOD, "voorbeelden/vx.md": content})
    result = load_knowledge(kdir)
    assert [f.path for f in result.files] == ["a/goed.md"]
    [err] = result.errors
    assert err.line == line, str(err)
    assert reason in err.reason, str(err)
    assert str(err).startswith(f"voorbeelden/vx.md:{line}: ")


def test_bronnen_only_checked_for_voorbeeld(tmp_path: Path) -> None:
    """Other kinds may carry no bronnen; the field is not required for them."""
    kdir = make_kdir(tmp_path, {"a/goed.md": GOOD})
    [f] = load_knowledge(kdir).files
    assert f.voorbeeld is None
