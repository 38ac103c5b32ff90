"""The built website, served once, and each page read once per colour scheme for every test
in this folder: the home page, then the lessons in navigation order.

A page load is the slow part (figures, MathJax, widgets, axe-core), so the light-mode read
collects everything the light-mode tests judge (``test_site_pages.py``: images, links, axe)
and everything the screen-reader tests judge (``test_screen_reader.py``: failed requests,
maths, widgets, the accessibility tree, the Tab walk) in one visit: both read the page with
the network cut, at the same size, in light mode. The dark-mode read, in a second tab, runs
its axe-core scan while the light one runs its own.
"""

from __future__ import annotations

import pytest
from sitecheck import (
    SCREENSHOTS,
    StaticServer,
    axe_result,
    find_site,
    lesson_links,
    new_page,
    read_for_reader,
    read_page,
    start_axe,
)


@pytest.fixture(scope="session")
def site():
    """(html folder, served base URL) of the built site."""
    root, how = find_site()
    if root is None:
        pytest.skip(how)
    if not (root / "index.html").is_file():
        pytest.fail(f"{how}, but {root} holds no index.html: build the site first (make site).")
    with StaticServer(root) as server:
        yield root, server.url


@pytest.fixture(scope="session")
def screenshots():
    """The screenshot folder, emptied of the last run's pictures."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS


@pytest.fixture(scope="session")
def reads(site, chromium, screenshots):
    """Every page read once in light and once in dark mode, side by side (two contexts, so
    the two axe-core scans, the slow part, run at once on two cores).

    ``"light"``: what :func:`sitecheck.read_page` returns, axe-core's findings (``"axe"``) and,
    under ``"reader"``, what the screen reader and the keyboard got
    (:func:`sitecheck.read_for_reader`) with the requests that failed while it was open.
    ``"dark"``: what ``read_page`` returns, the theme the page chose and axe-core's findings.
    """
    root, base = site
    light_context, light = new_page(chromium, base)
    dark_context, dark = new_page(chromium, base, color_scheme="dark")
    # A fresh context's first page is scanned while the theme still settles into dark mode
    # (axe then measured the search field on a half-dark background): read it once first.
    read_page(dark, base + "index.html")
    failed: list[str] = []
    axe_running = [False]

    def failure(request, why: str) -> None:
        # axe-core fetches the stylesheets' @imports itself, resolved against the page rather
        # than the stylesheet (/basic.css): its own requests, not the reader's.
        if not (axe_running[0] and request.resource_type in ("xhr", "fetch")):
            failed.append(f"{request.url[:120]} ({why})")

    light.on("requestfailed", lambda r: failure(r, r.failure))
    light.on("response", lambda r: r.status >= 400 and failure(r.request, f"HTTP {r.status}"))
    infos: list[dict] = []
    darks: list[dict] = []
    urls = [base + "index.html"]
    while len(infos) < len(urls):
        url = urls[len(infos)]
        failed.clear()
        info = read_page(light, url)
        axe_running[0] = True
        start_axe(light)                             # as loaded, before anything moves focus
        dark_info = read_page(dark, url)
        dark_info["theme"] = dark.evaluate("() => document.documentElement.dataset.theme")
        start_axe(dark)
        info["axe"] = axe_result(light)
        axe_running[0] = False
        if not infos:
            light.screenshot(path=str(screenshots / "home.png"))
            urls += lesson_links(info, base)
        figures = light.locator(".cell_output img")
        if not (screenshots / "lesson-figure.png").exists() and figures.count() > 0 \
                and "03_convolution" in url:
            figures.first.scroll_into_view_if_needed()
            light.mouse.wheel(0, -250)       # the figure with the code and text above it
            light.wait_for_timeout(300)
            light.screenshot(path=str(screenshots / "lesson-figure.png"))
        reader = read_for_reader(light_context, light)
        reader.update(page=url.removeprefix(base), failed=sorted(set(failed)))
        info["reader"] = reader
        infos.append(info)
        dark_info["axe"] = axe_result(dark)
        if "03_convolution" in url:
            figure = dark.locator(".cell_output img").first
            figure.scroll_into_view_if_needed()
            dark.screenshot(path=str(screenshots / "lesson-figure-dark.png"))
        darks.append(dark_info)
    light_context.close()
    dark_context.close()
    print(f"\nsite: {len(infos)} pages from {root}, light and dark; screenshots in {screenshots}")
    return {"light": infos, "dark": darks}


@pytest.fixture(scope="session")
def pages(reads):
    """Every page read in light mode: the home page first, then the lessons in nav order."""
    return reads["light"]


@pytest.fixture(scope="session")
def dark_pages(reads):
    """The same pages read in dark mode."""
    return reads["dark"]
