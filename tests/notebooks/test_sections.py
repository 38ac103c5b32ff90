"""The section map behind the course's directions matches the notebooks (issue 28, item 4).

``cnncourse.course.sections.SECTIONS`` (read from ``cnncourse/course/sections.json``) says, per lesson, which section of its notebook makes
each name that a later section uses, so a cell run after a restart (or with a section
skipped) can say which section to run first. It is generated from the notebooks' cells:
after changing a notebook, run ``python tests/notebooks/test_sections.py --write``.
"""

import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cnncourse.course import sections  # noqa: E402
from cnncourse.lessons import LESSONS  # noqa: E402

SETUP = {"cc", "torch", "device", "pick"}   # made by the setup cell, said separately


def _made(tree: ast.Module) -> set[str]:
    made = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            made.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            made.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With)):
            made.update(n.id for n in ast.walk(node)
                        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return made


def section_names(path: Path) -> dict[str, str]:
    """``{section heading: "names it makes that later cells use"}`` for one notebook."""
    cells = json.loads(path.read_text())["cells"]
    section, first, used_later = None, {}, set()
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            heading = re.search(r"^## (\d+\. .*)$", source, re.M)
            section = heading.group(1).replace("`", "").strip() if heading else section
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        made = _made(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
                    and node.id not in made and node.id in first):
                used_later.add(node.id)
        for name in made - SETUP:
            first.setdefault(name, section)
    found: dict[str, list[str]] = {}
    for name in sorted(used_later - SETUP):
        if first.get(name):
            found.setdefault(first[name], []).append(name)
    return {heading: " ".join(names) for heading, names in found.items()}


def expected() -> dict[str, dict[str, str]]:
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return {lesson: section_names(path) for lesson, path in zip(LESSONS, notebooks)}


def render(table: dict[str, dict[str, str]]) -> str:
    """``sections.json``'s text: sections in notebook order, one per line."""
    ordered = {lesson: dict(sorted(found.items(), key=lambda kv: int(kv[0].split(".")[0])))
               for lesson, found in table.items()}
    return json.dumps(ordered, indent=1, ensure_ascii=False) + "\n"


def test_the_section_map_matches_the_notebooks():
    assert sections.SECTIONS == expected(), (
        "notebooks changed: run `python tests/notebooks/test_sections.py --write`")


def test_the_map_names_what_later_sections_need():
    # 08 makes its loaders in section 3 and its history in section 5 (used by later cells).
    build = sections.SECTIONS["build_cnn"]
    where = {name: heading for heading, names in build.items() for name in names.split()}
    assert where["train_loader"].startswith("3.") and where["history"].startswith("5.")
    assert sections.where("build_cnn", "train_loader").startswith("section 3 (")
    assert sections.where("build_cnn", "no_such_name") is None


def test_sections_json_is_as_written():
    """The file is exactly what --write produces (so a regenerated map diffs cleanly)."""
    path = Path(sections.__file__).with_name("sections.json")
    assert path.read_text(encoding="utf-8") == render(sections.SECTIONS)


if __name__ == "__main__" and "--write" in sys.argv:
    path = ROOT / "cnncourse" / "course" / "sections.json"
    path.write_text(render(expected()), encoding="utf-8")
    print(f"wrote {path}")
