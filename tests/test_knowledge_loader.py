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
