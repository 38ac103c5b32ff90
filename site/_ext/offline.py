"""Sphinx extension: the site's scripts come with the site, so it reads the same with no network.

MathJax (with its assistive MathML, so screen readers get the maths as MathML), require.js and
the Jupyter widget manager that draws the embedded widgets are npm packages pinned in the
repository's ``package.json``/``package-lock.json`` and installed into ``node_modules/`` by
``npm ci`` (``make hub-setup``, which ``make site`` runs first). After the build this extension
copies the files the pages load into ``_static/vendor/``; ``_config.yml`` points
``mathjax_path`` and ``nb_ipywidgets_js`` there instead of cdn.jsdelivr.net and cdnjs.
The lessons' "Open In Colab" badge image points at the site's own ``_static/open-in-colab.svg``
(the link still opens Colab).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.errors import ExtensionError

VENDOR = "vendor"   # under _static/
# (package folder in node_modules, what to copy from it, where under _static/vendor/)
FILES = [
    ("mathjax", "es5/tex-mml-chtml.js", "mathjax/tex-mml-chtml.js"),
    # Components MathJax loads on demand: TeX extensions, the CHTML fonts, assistive MathML,
    # the menu, and the speech rule engine the a11y components use.
    ("mathjax", "es5/input", "mathjax/input"),
    ("mathjax", "es5/output/chtml", "mathjax/output/chtml"),
    ("mathjax", "es5/output/chtml.js", "mathjax/output/chtml.js"),
    ("mathjax", "es5/a11y", "mathjax/a11y"),
    ("mathjax", "es5/ui", "mathjax/ui"),
    ("mathjax", "es5/adaptors", "mathjax/adaptors"),
    ("mathjax", "es5/sre", "mathjax/sre"),
    ("mathjax", "LICENSE", "mathjax/LICENSE"),
    ("requirejs", "require.js", "require.js"),
    ("@jupyter-widgets/html-manager", "dist/embed-amd.js", "html-manager/embed-amd.js"),
    ("@jupyter-widgets/html-manager", "dist/embed.js.LICENSE.txt", "html-manager/LICENSE.txt"),
]
# embed-amd.js loads its icon fonts (hashed names) from beside the modules it defines, where
# require.js would fetch them: "@jupyter-widgets/base.js" and so on beside the page. These
# paths put every one of them in _static/vendor/html-manager/, beside the fonts (every page
# sits at the root of the site).
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".eot", ".svg")
MODULES = ["base", "base7", "controls", "controls7", "html-manager",
           "html-manager/dist/libembed-amd"]
_PATHS = ", ".join(f"'@jupyter-widgets/{m}': '_static/vendor/html-manager/{m.rsplit('/', 1)[-1]}'"
                   for m in MODULES)
REQUIRE_PATHS = "require.config({paths: {" + _PATHS + "}});\n"


# The lessons' "Open In Colab" badge image, and the site's own copy of it (_static/).
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
LOCAL_BADGE = "_static/open-in-colab.svg"


def local_badges(app: Any, doctree: nodes.document, docname: str) -> None:
    """Point the Colab badge images at the site's own badge (the link still opens Colab)."""
    depth = "../" * docname.count("/")
    for image in doctree.findall(nodes.image):
        if image.get("uri") == COLAB_BADGE:
            image["uri"] = depth + LOCAL_BADGE
            image["candidates"] = {"*": depth + LOCAL_BADGE}


def node_modules(app: Any) -> Path:
    """The node_modules folder holding the packages: from the config, the working folder, or
    a folder above the site's sources (``make site`` copies them into build/...)."""
    if app.config.cnncourse_node_modules:
        return Path(app.config.cnncourse_node_modules)
    for folder in [Path.cwd(), *Path(app.confdir).resolve().parents]:
        if (folder / "node_modules" / "mathjax").is_dir():
            return folder / "node_modules"
    return Path.cwd() / "node_modules"


def sources(app: Any) -> list[tuple[Path, str]]:
    """(file or folder to copy, its place under _static/vendor); ExtensionError if missing."""
    root = node_modules(app)
    found = [(root / package / path, target) for package, path, target in FILES]
    manager = root / "@jupyter-widgets" / "html-manager" / "dist"
    found += [(font, f"html-manager/{font.name}") for font in sorted(manager.glob("*"))
              if font.suffix in FONT_SUFFIXES]
    missing = [str(src) for src, _ in found if not src.exists()]
    if missing:
        raise ExtensionError(
            f"offline: the site serves MathJax, require.js and the widget manager itself, but "
            f"{len(missing)} file(s) are missing, e.g. {missing[0]}. Install the pinned npm "
            f"packages first: `npm ci` in the repository root (or `make hub-setup`), or set "
            f"cnncourse_node_modules to a node_modules folder that has them.")
    return found


def check(app: Any) -> None:
    """Fail at the start of the build, not after every notebook ran, when files are missing."""
    if app.builder.format == "html":
        sources(app)


def copy(app: Any, exception: Exception | None) -> None:
    """Copy the vendored files into the built site's _static/vendor/."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / VENDOR
    for src, name in sources(app):
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest)
    (target / "html-manager" / "require-paths.js").write_text(REQUIRE_PATHS, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("cnncourse_node_modules", "", "env")
    app.connect("builder-inited", check)
    app.connect("doctree-resolved", local_badges)
    app.connect("build-finished", copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
