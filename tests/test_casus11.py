"""Round 11 (issue 13, casus11): the floors on the casus dev set
``tests/eval/answers_casus_dev11.yaml`` (60 objection stories in new wordings, written from the
course material before round 11's tuning; one key fact each from *De zorg eronder*, *Goede
aanpak* and *Minder goede aanpak*)."""

from __future__ import annotations

from bot.services import Services
from tests.dev_floors import dev_report


def test_casus_dev11_floors(base_services: Services) -> None:
    """Floors = round 12's casus12 (greedy sentence fill; main f92bbb6: 24/60, coverage
    0.671); never lower them."""
    report, detail = dev_report(base_services, "answers_casus_dev11.yaml", 60)
    assert report.all_facts >= 0.549, detail  # 33/60 (round 15, followup15; 31/60 before)
    assert report.fact_coverage >= 0.725, detail  # 0.726 (round 15; 0.707 before)
    assert report.intent_accuracy >= 0.899, detail  # 54/60
    assert report.topic_hit >= 0.883, detail  # 0.883
    assert report.in_scope_refusals == 0, detail
