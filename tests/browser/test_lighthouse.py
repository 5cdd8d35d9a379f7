"""Lighthouse's SEO category (npm `lighthouse`, pinned in package-lock.json) scores 100 on the demo patient site."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_folder
from tests.conftest import REPO

LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"


@pytest.fixture(scope="module")
def lighthouse():
    if not LIGHTHOUSE.exists():
        subprocess.run([str(REPO / "scripts" / "ensure-node-packages")], check=True, timeout=600)
    return LIGHTHOUSE


def seo_audit(lighthouse, url: str, tmp_path) -> dict:
    report = tmp_path / "lighthouse.json"
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    result = subprocess.run(
        [str(lighthouse), url, "--only-categories=seo", "--output=json", f"--output-path={report}", "--quiet",
         f"--chrome-flags={flags}"],
        env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", ["", "diabete-type-2/alimentation/"])
def test_demo_patient_pages_score_100_in_lighthouse_seo(hub, lighthouse, tmp_path, path):
    shutil.copytree(REPO / "content", hub.content, dirs_exist_ok=True)
    assert hub.build("patient").returncode == 0
    with serve_folder(hub.root / "site" / "patient") as base:
        data = seo_audit(lighthouse, base + path, tmp_path)
    failing = {ref["id"]: data["audits"][ref["id"]].get("explanation") or data["audits"][ref["id"]]["title"]
               for ref in data["categories"]["seo"]["auditRefs"]
               if data["audits"][ref["id"]]["score"] is not None and data["audits"][ref["id"]]["score"] < 1}
    assert data["categories"]["seo"]["score"] == 1, failing
    assert data["finalDisplayedUrl"].startswith(base)
    audited = {ref["id"] for ref in data["categories"]["seo"]["auditRefs"]}
    assert {"document-title", "meta-description", "is-crawlable", "canonical", "hreflang", "robots-txt"} <= audited
