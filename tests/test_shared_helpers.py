"""Helpers that used to exist once per package: one fold, one slug check."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from bot.folding import fold, fold_words
from bot.knowledge.models import ChecklistField
from bot.quiz.questions import QuizQuestion
from bot.retrieval.lexical import tokenize
from bot.roleplay.normalise import tokens
from bot.roleplay.scenarios import Scenario


def test_fold_variants() -> None:
    assert fold("Één Australië") == "een australie"
    assert fold("Z'n café’s") == "z'n cafe’s"
    assert fold("Z'n café’s", keep_apostrophes=False) == "zn cafes"
    assert fold_words("  Wat is 'n Wijkschouw?! ") == "wat is n wijkschouw"


def test_every_matcher_folds_alike() -> None:
    assert tokens("Begrijp ik z'n zorg?") == ["begrijp", "ik", "zn", "zorg"]
    assert tokenize("Coördinatie") == tokenize("coordinatie")


@pytest.mark.parametrize("model", [ChecklistField, QuizQuestion, Scenario])
def test_ids_must_be_slugs(model: type[BaseModel]) -> None:
    with pytest.raises(ValidationError, match="is not a slug"):
        model.model_validate({"id": "Geen Slug"})
