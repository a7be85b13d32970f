"""Casus matching by CONCERN, not by role (``bot/answering/casus_match.py``): a story in which
one case's stakeholder voices another case's concern gets the concern's case; the role only
breaks ties. Plus the floors on the crossed dev set ``tests/eval/answers_casus_dev7.yaml``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering.casus import CasusAdvisor
from bot.answering.casus_match import concern_views, role_words, without_roles
from bot.retrieval.lexical import tokenize
from bot.services import Services
from tests.dev_floors import dev_report


def advisor(services: Services) -> CasusAdvisor:
    composer = services.answers.composer
    assert composer is not None and composer.advisor is not None
    return composer.advisor


def test_role_words_are_the_stakeholders_not_the_concerns(base_services: Services) -> None:
    cases = advisor(base_services).cases
    roles = role_words(cases)
    for case in cases:
        assert set(tokenize(case.stakeholder)) <= roles
    # Titles name the concern too ("... over tijd en geld"): those words stay concern words.
    assert not roles & set(tokenize("tijd geld imago privacy risico cijfers"))


def test_concern_views_and_words_leave_every_role_out(base_services: Services) -> None:
    cases = advisor(base_services).cases
    roles = role_words(cases)
    for case in cases:
        views = concern_views(case)
        assert len(views) == 3 and all(views), case.path
        assert case.title not in " ".join(views), case.path
        neutral = set(tokenize(without_roles(" ".join([case.title, *views]), roles)))
        assert not neutral & roles, case.path


@pytest.mark.parametrize(("story", "path"), [
    # From dev set 7; main before the change answered each with the case of the ROLE named
    # (or another one): directeur-risico-imago, wethouder-alleen-boeken,
    # beleidsmedewerker-wil-resultaten, teamleider-tijd-en-geld, collega-veranderingsmoe.
    ("De directeur van de basisschool wil ons geen namen en adressen van ouders geven voor de "
     "voorleesochtenden. Ze zegt dat dat niet mag van de AVG en dat ouders anders wegblijven.",
     "casussen/zorgorganisatie-privacy.md"),
    ("De wethouder wil het buurtdebat over de windmolens liever niet in de bibliotheek. Als het "
     "uit de hand loopt, staat het morgen in de krant en lijkt de bieb partijdig.",
     "casussen/directeur-risico-imago.md"),
    ("De directeur van de supermarkt in de wijk zegt dat iedereen hem al om sponsoring vraagt, "
     "de school, de voetbalclub, de kerk, en dat het hem nooit iets oplevert. Hoe overtuig ik "
     "hem?", "casussen/ondernemer-sceptisch.md"),
    ("Mijn teamverantwoordelijke zegt dat wij geen sociaal werkers zijn. Wat als er iemand "
     "huilend aan de balie staat?", "casussen/collega-niet-ons-werk.md"),
    ("Our director says she's not against the plan, but the team is already stretched, she'll "
     "get the complaints if the desk is understaffed, and she fears a trial will quietly become "
     "a permanent task.", "casussen/teamleider-tijd-en-geld.md"),
])
def test_a_role_voicing_another_concern_gets_the_concerns_casus(
        base_services: Services, story: str, path: str) -> None:
    answer = base_services.answers.ask(story)
    assert answer.intent == "weerstand"
    assert answer.casus_path == path
    # the similar cases are other cases, not the chosen one again
    assert answer.related and len(answer.related) == len(set(answer.related))
    title = advisor(base_services).by_path(path)
    assert title is not None and title.title not in answer.related


@pytest.mark.parametrize(("role", "path"), [
    ("een bestuurslid", "casussen/bestuurslid-wil-cijfers.md"),
    ("een wethouder", "casussen/wethouder-bezuiniging.md"),
])
def test_the_role_breaks_a_tie_between_concerns(base_services: Services, role: str,
                                                path: str) -> None:
    """The same wish for hard figures fits two cases; the role named decides."""
    answer = base_services.answers.ask(f"{role} wil eerst harde cijfers zien voor ze ja zegt")
    assert answer.casus_path == path


def test_crossed_dev_set_floors(base_services: Services) -> None:
    """Dev set 7 (41 crossed role/concern stories, written before the change): every key fact
    0.659 (27/41) on main before, 0.854 (35/41) after (docs/benchmarks.md, "Round 7: casus
    matching by concern"). Floors = what was reached; never lower them."""
    report, detail = dev_report(base_services, "answers_casus_dev7.yaml", 41)
    assert report.all_facts >= 0.877, detail  # 36/41 (35/41 before round 12's casus12)
    assert report.fact_coverage >= 0.877, detail  # 0.878
    assert report.intent_accuracy >= 0.975, detail  # 40/41
    assert report.topic_hit >= 0.95, detail  # 39/41 (36/41 before)
    assert report.in_scope_refusals == 0, detail
    assert report.second_file_passages == report.over_length == 0, detail


def test_casus_views_are_embedded_once_and_then_read_from_the_cache(tmp_path: Path) -> None:
    """Start-up embeds the matcher's casus views (and the advice units) only the first time:
    a second advisor on the same cache directory embeds nothing and scores the same."""
    import numpy as np

    from bot.answering.documents import build_documents
    from bot.knowledge.loader import load_knowledge
    from tests.conftest import KNOWLEDGE, HashEmbedder

    loaded = load_knowledge(KNOWLEDGE)
    docs = build_documents(loaded.files)
    first_embedder = HashEmbedder()
    first = CasusAdvisor(loaded.files, docs, first_embedder, tmp_path)
    views = len(first.cases) * (first.matcher.n_views + first.matcher.n_whole)
    assert first_embedder.calls >= views > 0
    assert list(tmp_path.glob("casus-views-*.npz"))
    second_embedder = HashEmbedder()
    second = CasusAdvisor(loaded.files, docs, second_embedder, tmp_path)
    assert second_embedder.calls == 0
    assert np.allclose(first.matcher.vectors, second.matcher.vectors)
    assert np.allclose(first.matcher.whole_vectors, second.matcher.whole_vectors)
