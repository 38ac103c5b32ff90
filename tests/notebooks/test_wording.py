"""Learner-facing text speaks for itself: it never refers to the outline the course was
commissioned from ("the seed", "the seed's CNN"). Random seeds are fine."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTLINE = re.compile(
    r"\bseed's\b"                                              # "the seed's CNN"
    r"|\b(?:in|from|by|of|than) the seed\b(?! (?:for|of|value|=))"  # "as in the seed"
    r"|\bthe seed (?:outline|tutorial|text|says|line|network|CNN|model|sketch|course)\b"
    r"|\bseed (?:outline|tutorial)\b", re.IGNORECASE)
FILES = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("cnncourse/**/*.py"),
                *ROOT.glob("docs/**/*.md"), ROOT / "README.md", ROOT / "CONTRIBUTING.md"])


def outline_mentions(text: str) -> list[str]:
    """Each phrase in ``text`` that refers to the source outline, with some context."""
    return [text[max(0, m.start() - 30):m.end() + 30].replace("\n", " ")
            for m in OUTLINE.finditer(text)]


def test_the_pattern_catches_outline_references_and_spares_random_seeds():
    assert outline_mentions("You write the seed's small CNN")
    assert outline_mentions("exactly as in the seed, the loss")
    assert not outline_mentions("seed_everything(0); the same seed gives the same curve")
    assert not outline_mentions("a random seed for the generator; seed=0")


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_no_learner_text_mentions_the_outline(path):
    found = outline_mentions(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)} refers to the source outline: {found}"
