"""Headless Chromium (Debian's package, driven by Playwright) against sites served on localhost."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from carepress.hardening.browser import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: F401 (serve_folder: for the tests)
from tests.conftest import REPO


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        subprocess.run([str(REPO / "scripts" / "ensure-chromium")], check=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()
