"""The course content itself: complete, valid, linked, and without duplicated passages."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.knowledge.loader import load_knowledge
from bot.knowledge.taxonomy import Taxonomy
from tests.conftest import KNOWLEDGE

if TYPE_CHECKING:
    from bot.services import Services

LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def test_all_files_valid() -> None:
    result = load_knowledge(KNOWLEDGE)
    assert result.errors == []
    assert len(result.files) >= 60


def test_every_topic_has_lesstof_in_range() -> None:
    taxonomy = Taxonomy.load(KNOWLEDGE)
    files = load_knowledge(KNOWLEDGE).files
    lesstof = defaultdict(list)
    for f in files:
        if f.kind == "lesstof":
            lesstof[f.topic].append(f)
            assert 350 <= words(f.body) <= 900, (f.path, words(f.body))
    # cursusinformatie is covered by the kind 'cursusinfo' file, not by lesstof.
    missing = [t for t in taxonomy.topic_theme if t != "cursusinformatie" and not lesstof[t]]
    assert missing == []
    assert any(f.kind == "cursusinfo" for f in files)


def test_content_counts() -> None:
    files = load_knowledge(KNOWLEDGE).files
    kinds = defaultdict(int)
    for f in files:
        kinds[f.kind] += 1
    assert kinds["voorbeeld"] >= 10
    assert kinds["casus"] >= 15
    assert sorted(f.opdracht.assignment for f in files if f.opdracht) == [1, 2, 3, 4]
    for f in files:
        if f.casus:
            assert len(f.casus.good_responses) >= 3 and len(f.casus.poor_responses) >= 3


def test_no_broken_links() -> None:
    broken = []
    for path in KNOWLEDGE.rglob("*.md"):
        for target in LINK.findall(path.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            if not (path.parent / target).resolve().is_file():
                broken.append(f"{path.relative_to(KNOWLEDGE)} -> {target}")
    for path in (KNOWLEDGE / "rollenspel").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for target in (data or {}).get("related", []) or []:
            if not (path.parent / target).resolve().is_file():
                broken.append(f"{path.relative_to(KNOWLEDGE)} -> {target}")
    assert broken == []


def test_no_duplicated_passages_across_files() -> None:
    """No sentence of 12+ words appears in two different files."""
    seen: dict[str, str] = {}
    dupes = []
    for f in load_knowledge(KNOWLEDGE).files:
        body = re.sub(r"\]\([^)]*\)", "]", f.body)  # link targets are not passages
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", body):
            norm = " ".join(re.findall(r"\w+", sentence.lower()))
            if len(norm.split()) < 12:
                continue
            other = seen.setdefault(norm, f.path)
            if other != f.path:
                dupes.append(f"{other} & {f.path}: {sentence[:80]}")
    assert dupes == []


def test_eval_set_is_big_enough() -> None:
    raw = yaml.safe_load(Path("tests/eval/questions.yaml").read_text(encoding="utf-8"))
    qs = raw["questions"]
    assert len([q for q in qs if q.get("grounded", True)]) >= 80
    assert len([q for q in qs if q.get("grounded") is False]) >= 10


EXAMPLE_LABEL = re.compile(r"^\*{1,2}([^*:]+):\*{1,2}\s*(.*)$")
EXAMPLE_GROUP = re.compile(r"^###\s+\w+\s+(\d+)\b")


def worked_example(body: str) -> dict[tuple[int | None, str], str]:
    """Labelled answers in the '## Uitgewerkt voorbeeld' section: (group number, label) -> text."""
    section = body.split("## Uitgewerkt voorbeeld", 1)[1].split("\n## ", 1)[0]
    answers: dict[tuple[int | None, str], str] = {}
    group: int | None = None
    key: tuple[int | None, str] | None = None
    for line in section.splitlines():
        if line.startswith("###"):
            match = EXAMPLE_GROUP.match(line)
            group = int(match.group(1)) if match else None
            key = None
            continue
        label = EXAMPLE_LABEL.match(line.strip())
        if label:
            key = (group, label.group(1).strip().lower())
            answers[key] = label.group(2)
        elif key is not None and line.strip():
            answers[key] += "\n" + line.strip()
    return answers


def _field_of(label: str, field_id: str) -> bool:
    return label == field_id or label.split()[-1] == field_id


def test_worked_examples_pass_their_own_checklist() -> None:
    """Every 'Uitgewerkt voorbeeld' answers each item the current assignment checks ask for.

    Examples may show one of a repeated group (e.g. 'Partner 1'); every item they do show, and
    every item outside a group, must pass `bot.assignments.checks.check` with the assignment's
    own quality criteria (knowledge/opdrachten/controles.yaml).
    """
    from bot.assignments.checks import check
    from bot.assignments.criteria import load_criteria
    from bot.knowledge.models import expand_checklist

    criteria = load_criteria(KNOWLEDGE)  # the same quality criteria participants' answers meet

    opdrachten = [f for f in load_knowledge(KNOWLEDGE).files if f.opdracht]
    assert len(opdrachten) == 4
    problems: list[str] = []
    for f in opdrachten:
        assert f.opdracht is not None
        assert "## Uitgewerkt voorbeeld" in f.body, f.path
        answers = worked_example(f.body)
        groups = {g for g, _ in answers if g is not None}
        for item in expand_checklist(f.opdracht.checklist):
            if item.group:
                n = int(item.group.split()[-1])
                if n not in groups:
                    continue
                field_id = item.id.rsplit("-", 1)[-1]
                text = next((t for (g, lab), t in answers.items()
                             if g == n and _field_of(lab, field_id)), "")
            else:
                text = next((t for (g, lab), t in answers.items() if lab == item.id), "")
            spec = criteria.for_item(f.opdracht.assignment, item.id)
            for message in check(item, text, spec, criteria.lexicons):
                problems.append(f"{f.path} {item.id}: {message}")
        if any(e.repeat for e in f.opdracht.checklist):
            assert groups, f"{f.path}: the example shows no repeated group"
    assert problems == []


def test_every_voorbeeld_has_bronnen() -> None:
    """Issue 15: every voorbeeld names public pages where its facts can be checked."""
    voorbeelden = [f for f in load_knowledge(KNOWLEDGE).files if f.kind == "voorbeeld"]
    assert len(voorbeelden) >= 15
    for f in voorbeelden:
        assert f.voorbeeld is not None and f.voorbeeld.bronnen, f.path
        assert all(b.url.startswith("https://") for b in f.voorbeeld.bronnen), f.path
    # the loader enforces it: a voorbeeld without bronnen is not loaded at all
    on_disk = sorted(p.name for p in (KNOWLEDGE / "voorbeelden").glob("*.md"))
    assert sorted(Path(f.path).name for f in voorbeelden) == on_disk


def _linked_casussen(scenario: Path, data: dict[str, object]) -> list[Path]:
    related = [scenario.parent / str(r) for r in data.get("related") or []]  # type: ignore[attr-defined]
    same_id = KNOWLEDGE / "casussen" / f"{scenario.stem}.md"
    linked = {p.resolve() for p in related if "casussen" in p.as_posix()}
    if same_id.is_file():
        linked.add(same_id.resolve())
    return sorted(linked)


def test_roleplay_and_casus_describe_the_same_person() -> None:
    """A scenario and the casus it links to (or shares its id with) name the same persona and
    organisation."""
    mismatches = []
    for scenario in sorted((KNOWLEDGE / "rollenspel").glob("[!_]*.yaml")):
        data = yaml.safe_load(scenario.read_text(encoding="utf-8"))
        persona = data["persona"]
        organisation = str(persona["organisation"]).split(",")[0].strip().lower()
        for casus in _linked_casussen(scenario, data):
            text = casus.read_text(encoding="utf-8")
            if persona["name"] not in text:
                mismatches.append(f"{casus.name}: no {persona['name']!r} ({scenario.name})")
            if organisation not in text.lower():
                mismatches.append(f"{casus.name}: no {organisation!r} ({scenario.name})")
    assert mismatches == []


def test_community_librarian_lowercase_outside_the_course_name() -> None:
    """'community librarian' is a common noun; only the course title capitalises it."""
    bad = []
    for f in load_knowledge(KNOWLEDGE).files:
        text = f.body.replace("Aan de slag als Community Librarian", "")
        if re.search(r"\bCommunity Librarian|\w [Cc]ommunity Librarian", text):
            bad.append(f.path)
    assert bad == []


CONTENT_EVAL = Path(__file__).parent / "eval"


def test_content_eval_sets_written_apart() -> None:
    """Issue 15 eval: a tuning set and a held-out set of about a third, no overlap."""
    tune = yaml.safe_load((CONTENT_EVAL / "questions_content.yaml").read_text(encoding="utf-8"))
    held = yaml.safe_load(
        (CONTENT_EVAL / "questions_content_heldout.yaml").read_text(encoding="utf-8"))
    tune_q = {q["question"] for q in tune["questions"]}
    held_q = {q["question"] for q in held["questions"]}
    assert not tune_q & held_q
    assert len(held_q) >= 0.3 * (len(tune_q) + len(held_q))


def test_content_eval_floor(base_services: Services) -> None:
    """Retrieval finds the second-edition material (Flemish, ABCD, Theory of Change, ...)."""
    from bot.evaluation import evaluate, load_eval_questions

    tune = evaluate(base_services.answers,
                    load_eval_questions(CONTENT_EVAL / "questions_content.yaml"))
    assert tune.hit3 >= 0.95, tune.render(verbose=True)
    assert tune.mrr >= 0.90, tune.render(verbose=True)
    assert tune.oos_accuracy >= 0.66, tune.render(verbose=True)
    held = evaluate(base_services.answers,
                    load_eval_questions(CONTENT_EVAL / "questions_content_heldout.yaml"))
    assert held.hit3 >= 0.90, held.render(verbose=True)
    assert held.mrr >= 0.80, held.render(verbose=True)
