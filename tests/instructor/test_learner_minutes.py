"""One source of learner minutes: ``docs/learner_minutes.json``. Each notebook's first cell, the
README's notebook map, the instructor guide's "Learner time" lines and its full-day plan must
say what it says (they disagreed: 07 was 40 minutes in the notebook and the README, 30-45 in
the guide and 20 in the full-day plan)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "docs" / "learner_minutes.json"
GUIDE = ROOT / "docs" / "instructor-guide.md"
FIX = f"; the source is {SOURCE.relative_to(ROOT)}: change it and every place that states it"

_SPAN = re.compile(r"(?:about\s+)?(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?\s+(minutes|hours)")
_DEEP = re.compile(r"of which about (\d+) are")


def minutes_in(text: str) -> tuple[list[int], int]:
    """``"about 30-35 minutes, of which about 5 are ..."`` -> ``([30, 35], 5)``."""
    found = _SPAN.search(text)
    assert found, f"no 'N minutes' or 'N-M hours' in {text[:120]!r}"
    low, high, unit = found.group(1), found.group(2) or found.group(1), found.group(3)
    scale = 60 if unit == "hours" else 1
    deep = _DEEP.search(text)
    return [round(float(low) * scale), round(float(high) * scale)], int(deep.group(1)) if deep \
        else 0


@pytest.fixture(scope="module")
def source() -> dict:
    return json.loads(SOURCE.read_text())["notebooks"]


def test_the_source_names_every_notebook(source):
    names = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(source) == names
    for name, entry in source.items():
        low, high = entry["minutes"]
        assert 0 < low <= high and 0 <= entry["deep_dive"] < low, name


def test_each_notebook_states_its_minutes(source):
    for name, entry in source.items():
        nb = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
        first = "".join(nb["cells"][0]["source"])
        head = re.search(r"\*\*Time:\*\*(.*?)(?:the code as shipped|$)", first, re.S)
        assert head, f"{name}: no '**Time:**' paragraph in the first cell"
        said = minutes_in(head.group(1))
        assert said == (entry["minutes"], entry["deep_dive"]), f"{name}: states {said}{FIX}"


def test_the_readme_map_states_them(source):
    text = (ROOT / "README.md").read_text()
    table = text[text.index("<!-- notebook-map:start -->"):text.index("<!-- notebook-map:end -->")]
    rows = [r for r in table.splitlines() if r.startswith("| [")]
    header = next(r for r in table.splitlines() if r.startswith("| notebook"))
    column = [c.strip() for c in header.strip("|").split("|")].index("learner minutes")
    assert len(rows) == len(source)
    for row, (name, entry) in zip(rows, sorted(source.items())):
        assert f"notebooks/{name}.ipynb" in row
        cell = row.strip("|").split("|")[column].strip()
        said = [int(x) for x in cell.split("-")]
        low, high = entry["minutes"]
        assert said in ([low, high], [low] if low == high else None), f"{name}: {cell}{FIX}"


def test_the_guide_states_them_notebook_by_notebook(source):
    text = GUIDE.read_text()
    for name, entry in source.items():
        number = name[:2]
        section = text[text.index(f"\n### {number} · "):]
        section = section[:section.index("\n### ", 1)] if "\n### " in section[1:] else section
        line = section[section.index("**Learner time:**"):]
        line = line[:line.index("\n-") if "\n-" in line else len(line)]
        said = minutes_in(line)
        assert said == (entry["minutes"], entry["deep_dive"]), f"{name}: guide {said}{FIX}"


def _clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def test_the_full_day_plan_follows_its_rule_and_adds_up(source):
    text = GUIDE.read_text()
    plan = text[text.index("**Full day ("):]
    total_line = plan[plan.index("Teaching time is"):]
    plan = plan[:plan.index("\n\n", plan.index("| time |"))]
    rows = [[c.strip() for c in r.strip("|").split("|")] for r in plan.splitlines()
            if re.match(r"\| \d+:\d\d \|", r)]
    planned = {}
    for (start, what, focus), (nxt, _, _) in zip(rows, rows[1:]):
        took = re.search(r"\((\d+) min\)$", focus)
        assert took, f"full-day plan: no '(N min)' at the end of {focus!r}"
        assert _clock(start) + int(took.group(1)) == _clock(nxt), f"{start} {what}: times"
        number = re.match(r"(\d\d) ", what)
        if number:
            planned[number.group(1)] = int(took.group(1))
    for name, entry in source.items():
        rule = entry["minutes"][0] - entry["deep_dive"]
        expected = entry.get("full_day", rule)
        assert planned.get(name[:2]) == expected, \
            f"{name}: the full-day plan gives {planned.get(name[:2])} min, expected {expected}{FIX}"
    total = sum(planned.values())
    assert f"{total} minutes of notebooks" in total_line.replace("\n", " "), \
        f"the plan's notebooks add up to {total} minutes"
