"""Re-stamp the notebooks' Colab badges and setup cells (``cnncourse stamp``).

The repository address lives once, in ``cnncourse/colab.py``; ``stamp`` rewrites it and every
notebook's badge and setup cell, and ``stamp --check`` (run by ``make test``) reports what is
out of date without writing. It only writes into a repository checkout.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cnncourse import colab
from cnncourse.instructor.notebooks import (
    SETUP_TAG,
    cell_tags,
    notebook_paths,
    read_notebook,
    write_notebook,
)

_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
_COLAB_LINK = re.compile(
    r"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/[\w./-]+?/"
    + re.escape(colab.NOTEBOOK_DIR) + r"/(\d{2}_[\w-]+\.ipynb)")


def stamp_notebook(nb: Any, filename: str, repo: str = colab.REPO,
                   branch: str = colab.BRANCH) -> list[str]:
    """Rewrite the badge and setup cell of ``nb`` in place; return what changed (empty if none)."""
    changes = []
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise ValueError(f"{filename}: the first cell must be the Markdown title cell with the "
                         f"Colab badge; it is missing.")
    title = nb.cells[0]
    badge = colab.badge_markdown(filename, repo, branch)
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
    source = colab.setup_cell_source(repo, branch)
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
    return _COLAB_LINK.sub(lambda m: colab.colab_url(m.group(1), repo, branch), text)


def stamp_config(path: str | Path, repo: str, branch: str) -> bool:
    """Set ``REPO``/``BRANCH`` in ``cnncourse/colab.py`` at ``path``; True if it changed."""
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
          extra_files: list[str | Path] | None = None) -> dict[str, list[str]]:
    """Re-stamp badges and setup cells of every notebook (and Colab links in ``extra_files``).

    With ``check=True`` nothing is written. Returns ``{file: [what is/was out of date]}``
    for the files that needed a change. Outputs are never added.
    """
    repo = colab.REPO if repo is None else repo
    branch = colab.BRANCH if branch is None else branch
    _check_repo(repo, branch)
    paths = notebook_paths(directory)
    stale: dict[str, list[str]] = {}
    for path in paths:
        nb = read_notebook(path)
        changes = stamp_notebook(nb, path.name, repo, branch)
        if changes:
            stale[str(path)] = changes
            if not check:
                write_notebook(nb, path)
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
    """Why ``stamp`` must not write here (None when ``cnncourse/colab.py`` is in a checkout).

    ``stamp`` edits the notebooks and ``cnncourse/colab.py`` of a repository checkout. Run
    from an installed (non-editable) package, it would edit site-packages instead.
    """
    config = Path(colab.__file__).resolve()
    if "site-packages" in config.parts or "dist-packages" in config.parts:
        return (f"this cnncourse is installed as a package ({config.parent}), not a repository "
                f"checkout; stamp would edit site-packages. Clone the repository, run "
                f"`pip install -e .` in it, and run `cnncourse stamp` there.")
    if _checkout_root(config.parent) is None:
        return (f"{config.parent} is not inside a git checkout; stamp only writes into the "
                f"course repository. Clone it and run `pip install -e .` there.")
    return None


def _checkout_root(start: Path) -> Path | None:
    # The nearest folder at or above ``start`` that holds a .git entry (folder or file).
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None
