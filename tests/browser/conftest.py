"""A real headless browser for the page tests: Debian's chromium driven by Playwright (PyPI).

tools/browser-deps.sh installs chromium (apt) and axe-core (npm) when absent, so a fresh machine
needs nothing by hand; Playwright never downloads a browser of its own. Each test's page is
screenshotted into the artifacts folder (WHOSAID_TEST_ARTIFACTS, var/test-artifacts by default)
when the test ends, pass or fail, for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ..conftest import PROJECT_ROOT

ARTIFACTS = Path(os.environ.get("WHOSAID_TEST_ARTIFACTS", PROJECT_ROOT / "var" / "test-artifacts"))
# Headless on a closed network: without the background-networking flags chromium keeps trying
# to reach Google's hosts at start and in the background.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed with chromium if either is missing."""
    done = subprocess.run(["sh", str(PROJECT_ROOT / "tools" / "browser-deps.sh"),
                           str(PROJECT_ROOT / ".venv" / "browser")],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.fail(f"tools/browser-deps.sh could not install the browser tests' needs:\n{done.stderr}")
    return Path(done.stdout.strip().splitlines()[-1]).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser(axe_source):
    """Per module, not per session: while Playwright's sync API is open its event loop is the
    running loop of the main thread, and later tests that call asyncio.run() would fail."""
    from playwright.sync_api import sync_playwright
    executable = shutil.which("chromium")
    assert executable, "chromium is not on PATH after tools/browser-deps.sh"
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser, request):
    """A fresh page (its own context: no cookies shared between tests), screenshotted at the end."""
    # bypass_csp: the server's Content-Security-Policy (script-src 'self') would refuse the
    # axe-core script the tests inject; the pages' own scripts are static files and still load.
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    try:
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    assert not errors, f"the page's script failed: {errors}"


def serious_violations(tab, axe_source: str) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands, one line each."""
    tab.add_script_tag(content=axe_source)
    result = tab.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
