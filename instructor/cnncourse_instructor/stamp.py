"""Re-stamp the notebooks' Colab badges, setup cells and stated run times (``cnncourse-instructor stamp``).

The repository address lives once, in ``cnncourse/course/colab.py``; ``stamp`` rewrites it and every
notebook's badge and setup cell. The machine run time each notebook states in its first cell
lives once, in the timing record ``docs/timing.json`` (written by
``cnncourse-instructor timing --full --out docs/timing.json``); ``stamp`` writes it into a marked span::

    **Time:** about 20 minutes; the code as shipped runs in <!-- runtime -->about 20 s on a
    2-core CPU<!-- /runtime -->.

``stamp --check`` (run by ``make test``) reports what is out of date without writing. It only
writes into a repository checkout.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cnncourse.course import colab
from cnncourse_instructor import timing
from cnncourse_instructor.notebooks import (
    NOTEBOOK_DIR,
    SETUP_TAG,
    badge_markdown,
    cell_tags,
    colab_url,
    default_notebook_dir,
    notebook_paths,
    read_notebook,
    setup_cell_source,
    write_notebook,
)

_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
_COLAB_LINK = re.compile(
    r"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/[\w./-]+?/"
    + re.escape(NOTEBOOK_DIR) + r"/(\d{2}_[\w-]+\.ipynb)")


def stamp_notebook(nb: Any, filename: str, repo: str = colab.REPO,
                   branch: str = colab.BRANCH) -> list[str]:
    """Rewrite the badge and setup cell of ``nb`` in place; return what changed (empty if none)."""
    changes = []
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise ValueError(f"{filename}: the first cell must be the Markdown title cell with the "
                         f"Colab badge; it is missing.")
    title = nb.cells[0]
    badge = badge_markdown(filename, repo, branch)
    if _BADGE.search(title.source):
        new = _BADGE.sub(lambda _m: badge, title.source, count=1)
    else:  # no badge yet: put it on the line after the title
        lines = title.source.split("\n")
        at = next((i + 1 for i, line in enumerate(lines) if line.startswith("# ")), 0)
        new = "\n".join(lines[:at] + ["", badge, ""] + lines[at:]).replace("\n\n\n", "\n\n")
    if new != title.source:
        title.source = new
        changes.append("badge")
    setup = setup_cell(nb)
    source = setup_cell_source(repo, branch)
    if setup is None:
        import nbformat

        cell = nbformat.v4.new_code_cell(source, metadata={"tags": [SETUP_TAG]})
        if nb.get("nbformat_minor", 5) < 5:  # cell ids exist only from nbformat 4.5
            cell.pop("id", None)
        nb.cells.insert(1, cell)
        changes.append("setup cell added")
    else:
        if setup.source != source:
            setup.source = source
            changes.append("setup cell")
        if SETUP_TAG not in cell_tags(setup):
            setup.metadata["tags"] = cell_tags(setup) + [SETUP_TAG]
            changes.append("setup tag")
    return changes


RUNTIME_START, RUNTIME_END = "<!-- runtime -->", "<!-- /runtime -->"
_RUNTIME = re.compile(re.escape(RUNTIME_START) + r"(.*?)" + re.escape(RUNTIME_END), re.S)
_TIME_PARAGRAPH = re.compile(r"\*\*Time:\*\*(.*?)(?=\n\s*\n|\Z)", re.S)
# The learner-time head of a "**Time:**" paragraph: "about 20 minutes", "about 1-2 hours for a
# serious attempt"; it ends where the sentence turns to the machine ("on a laptop", "(...").
_HEAD = re.compile(r"\s*(about\s+[^.;,(]+?)\s*(?=[.;,(]|\s+on\s|\s+including\s|$)", re.S)


def stated_runtime(nb: Any) -> str | None:
    """The run time a notebook states in its first cell's marked span, or None without one."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return None
    match = _RUNTIME.search(nb.cells[0].source)
    return " ".join(match.group(1).split()) if match else None


def stamp_runtime(nb: Any, filename: str, record: dict[str, Any]) -> list[str]:
    """Write the run time ``record`` holds for ``nb`` into its first cell; return what changed.

    The span ``<!-- runtime -->...<!-- /runtime -->`` is rewritten in place. A first cell
    without one gets its ``**Time:**`` paragraph rewritten: the learner time it states is
    kept ("about 20 minutes"), the machine part is replaced by the span. A notebook the record
    does not hold, or holds as failed, is reported (``stamp`` cannot fix it: time it again).
    """
    stem = Path(filename).stem
    entry = record["notebooks"].get(stem)
    title = nb.cells[0] if nb.cells and nb.cells[0].cell_type == "markdown" else None
    if title is None:
        raise ValueError(f"{filename}: the first cell must be the Markdown title cell; it is "
                         f"missing.")
    if entry is None:
        if stated_runtime(nb) is None:
            return []  # never timed and states no run time: nothing to compare
        return ["run time not in the timing record: time it with `cnncourse-instructor timing --full "
                f"--out docs/timing.json notebooks/{filename}`"]
    if entry.get("status", "ok") != "ok":
        return [f"run time: the timing record says it failed ({entry['status']}); fix it and "
                f"time it again"]
    phrase = timing.runtime_phrase(float(entry["seconds"]), record["where"])
    span = f"{RUNTIME_START}{phrase}{RUNTIME_END}"
    if _RUNTIME.search(title.source):
        new = _RUNTIME.sub(lambda _m: span, title.source, count=1)
    else:
        paragraph = _TIME_PARAGRAPH.search(title.source)
        head = _HEAD.match(paragraph.group(1)) if paragraph else None
        if head is None:
            raise ValueError(
                f"{filename}: expected a '**Time:** about N minutes ...' paragraph in the first "
                f"cell (or a {RUNTIME_START}...{RUNTIME_END} span) to write the run time into; "
                f"add one.")
        learner = " ".join(head.group(1).split())
        sentence = f"**Time:** {learner}; the code as shipped runs in {span}."
        new = title.source[:paragraph.start()] + sentence + title.source[paragraph.end():]
    if new == title.source:
        return []
    title.source = new
    return ["run time"]


def stamp_package_times(record_path: Path, check: bool = False) -> list[str]:
    """Keep ``cnncourse/timing.json`` (read by the Colab setup line, which has no docs/ folder)
    a copy of the checkout's ``docs/timing.json``; return what was or is out of date."""
    package_copy = Path(colab.__file__).resolve().parents[1] / colab.RUN_TIMES_FILE
    if record_path.resolve().parent.parent != package_copy.parent.parent:
        return []                               # a record outside this checkout: not ours to copy
    text = record_path.read_text(encoding="utf-8")
    if package_copy.is_file() and package_copy.read_text(encoding="utf-8") == text:
        return []
    if not check:
        package_copy.write_text(text, encoding="utf-8")
    return [f"not a copy of {record_path.name}"]


def _load_record(directory: str | Path | None,
                 record: str | Path | bool | None) -> dict[str, Any] | None:
    # The timing record stated run times come from (None: no run-time stamping).
    if record is False:
        return None
    if record is None or record is True:
        folder = Path(directory) if directory is not None else default_notebook_dir()
        record = folder.resolve().parent / "docs" / "timing.json"
        if not record.is_file():
            return None
    times = timing.read_record(record)
    times["_path"] = Path(record)
    if times.get("mode") != "full":
        raise ValueError(f"timing record {record} was measured in {times.get('mode')!r} mode; "
                         f"stated run times come from a full run: "
                         f"`cnncourse-instructor timing --full --out {record}`.")
    return times


def setup_cell(nb: Any) -> Any:
    """The cell tagged ``setup`` (or, untagged, a second cell that looks like it), or None."""
    for cell in nb.cells:
        if cell.cell_type == "code" and SETUP_TAG in cell_tags(cell):
            return cell
    if len(nb.cells) > 1 and nb.cells[1].cell_type == "code" and \
            "COURSE_REPO" in nb.cells[1].source:
        return nb.cells[1]
    return None


def stamp_text(text: str, repo: str = colab.REPO, branch: str = colab.BRANCH) -> str:
    """Rewrite every "Open in Colab" notebook link in ``text`` (e.g. the README) to repo/branch."""
    return _COLAB_LINK.sub(lambda m: colab_url(m.group(1), repo, branch), text)


def stamp_config(path: str | Path, repo: str, branch: str) -> bool:
    """Set ``REPO``/``BRANCH`` in ``cnncourse/course/colab.py`` at ``path``; True if it changed."""
    _check_repo(repo, branch)
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    new = re.sub(r'^REPO = "[^"]*"', f'REPO = "{repo}"', text, count=1, flags=re.M)
    new = re.sub(r'^BRANCH = "[^"]*"', f'BRANCH = "{branch}"', new, count=1, flags=re.M)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def _check_repo(repo: str, branch: str) -> None:
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo or ""):
        raise ValueError(f"stamp: expected --repo as OWNER/NAME (e.g. cnncourse/cnncourse), "
                         f"got {repo!r}.")
    if not re.fullmatch(r"[\w./-]+", branch or "") or branch.startswith("/"):
        raise ValueError(f"stamp: expected --branch as a git branch name such as main, "
                         f"got {branch!r}.")


def stamp(directory: str | Path | None = None, repo: str | None = None,
          branch: str | None = None, check: bool = False,
          extra_files: list[str | Path] | None = None,
          record: str | Path | bool | None = None) -> dict[str, list[str]]:
    """Re-stamp badges, setup cells and stated run times of every notebook (and Colab links in
    ``extra_files``).

    ``record`` is the timing record the run times come from: a path, ``None`` for
    ``docs/timing.json`` beside the notebook folder when that file exists, ``False`` for none.
    With ``check=True`` nothing is written. Returns ``{file: [what is/was out of date]}``
    for the files that needed a change. Outputs are never added.
    """
    repo = colab.REPO if repo is None else repo
    branch = colab.BRANCH if branch is None else branch
    _check_repo(repo, branch)
    paths = notebook_paths(directory)
    times = _load_record(directory, record)
    stale: dict[str, list[str]] = {}
    for path in paths:
        nb = read_notebook(path)
        changes = stamp_notebook(nb, path.name, repo, branch)
        if times is not None:
            changes += stamp_runtime(nb, path.name, times)
        if changes:
            stale[str(path)] = changes
            if not check:
                write_notebook(nb, path)
    if times is not None:
        changes = stamp_package_times(times["_path"], check)
        if changes:
            stale["cnncourse/timing.json"] = changes
    for extra in extra_files or []:
        extra = Path(extra)
        if not extra.is_file():
            continue
        text = extra.read_text(encoding="utf-8")
        new = stamp_text(text, repo, branch)
        if new != text:
            stale[str(extra)] = ["Colab links"]
            if not check:
                extra.write_text(new, encoding="utf-8")
    return stale


def not_a_checkout() -> str | None:
    """Why ``stamp`` must not write here (None when ``cnncourse/course/colab.py`` is in a checkout).

    ``stamp`` edits the notebooks and ``cnncourse/course/colab.py`` of a repository checkout. Run
    from an installed (non-editable) package, it would edit site-packages instead.
    """
    config = Path(colab.__file__).resolve()
    if "site-packages" in config.parts or "dist-packages" in config.parts:
        return (f"this cnncourse is installed as a package ({config.parent}), not a repository "
                f"checkout; stamp would edit site-packages. Clone the repository, run "
                f"`pip install -e . -e ./instructor` in it, and run `cnncourse-instructor stamp` "
                f"there.")
    if _checkout_root(config.parent) is None:
        return (f"{config.parent} is not inside a git checkout; stamp only writes into the "
                f"course repository. Clone it and run `pip install -e . -e ./instructor` there.")
    return None


def _checkout_root(start: Path) -> Path | None:
    # The nearest folder at or above ``start`` that holds a .git entry (folder or file).
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None
