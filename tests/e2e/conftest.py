"""The end-to-end tests' shared Chromium: JupyterLab in a browser (``browser/``) and the built
website (``site/``) run real servers and are left out of ``make check`` (the workshop room's
tests are in ``tests/hub``). pytest puts this folder on ``sys.path``, so ``browser.conftest`` imports."""

import pytest


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium through Playwright, one for the whole session.

    The JupyterLab test (browser/) and the website test (site/) share it: a second
    sync Playwright started while the first is alive fails ("Sync API inside the asyncio
    loop"). Skips with install instructions when Chromium or Playwright is missing.
    """
    from browser.conftest import CHROMIUM_ARGS, find_chromium, unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            yield browser
        finally:
            browser.close()
