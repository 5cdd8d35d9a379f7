"""The files an approved page attaches (images, PDF leaflets): recorded by `carepress approve`, checked by CP205."""

from __future__ import annotations

import hashlib
import json

import yaml

from carepress.report.finding import Severity
from tests.unit.helpers import codes, findings_of

APPROVE = ("--code", "FR-PJ-0001", "--medical", "Dr Z. Médecin", "--legal", "Y. Juriste", "--regulatory", "X. Réglementaire",
           "--expires", "2027-11-01")
LEAFLET = b"%PDF-1.4\n% la fiche approuvee\n"
FIGURE = b"\x89PNG\r\n\x1a\n une figure"
BODY = ("# Bouger au quotidien\n\nMarcher trente minutes par jour, à son rythme.\n\n"
        "[La fiche à imprimer](fiche.pdf)\n\n![Schéma de la marche](../images/marche.png)\n")


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _page(hub, body: str = BODY):
    """patient/bouger.md in review, with its leaflet and figure, approved through the command."""
    hub.write("patient/fiche.pdf", LEAFLET)
    hub.write("images/marche.png", FIGURE)
    path = hub.article("patient/bouger.md", body=body, title="Bouger au quotidien", validation={"status": "in_review"})
    result = hub.carepress("approve", "content/patient/bouger.md", *APPROVE)
    assert result.returncode == 0, result.stderr
    return path


def _validation(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])["validation"]


def _cp205(hub):
    return [f for f in findings_of(hub) if f.code == "CP205"]


def test_approve_records_a_linked_leaflet_and_an_embedded_image(hub):
    path = _page(hub)
    assert _validation(path)["attachments"] == {"patient/fiche.pdf": _sha(LEAFLET), "images/marche.png": _sha(FIGURE)}
    text = path.read_text(encoding="utf-8")
    assert f'  attachments:\n    "images/marche.png": "{_sha(FIGURE)}"\n    "patient/fiche.pdf": "{_sha(LEAFLET)}"\n' \
           '  fingerprint: "sha256v2:' in text
    assert text.endswith(BODY)  # the editor's text stays as it was
    assert not {"CP203", "CP205"} & set(codes(findings_of(hub)))


def test_a_page_with_no_attachment_records_none(hub):
    path = _page(hub, "# Bouger au quotidien\n\nMarcher trente minutes par jour.\n\n[Absente](absente.pdf)\n")
    assert "attachments" not in _validation(path) and "attachments" not in path.read_text(encoding="utf-8")
    assert not {"CP203", "CP205"} & set(codes(findings_of(hub)))


def test_a_leaflet_swapped_after_the_approval_is_an_error_at_the_record(hub):
    path = _page(hub)
    hub.write("patient/fiche.pdf", LEAFLET + b"% une autre version\n")
    [finding] = _cp205(hub)
    assert finding.severity is Severity.ERROR and "patient/fiche.pdf" in finding.message
    assert "carepress approve" in finding.message and "changed" in finding.message
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[finding.line - 1].startswith('    "patient/fiche.pdf":')
    assert "CP203" not in codes(findings_of(hub))  # the page itself is as approved
    states = json.loads(hub.carepress("status", "--json").stdout)["states"]
    assert states["attached file changed since approval"] == ["content/patient/bouger.md"]


def test_a_recorded_file_deleted_or_a_linked_file_added_since_is_an_error(hub):
    _page(hub, BODY + "\n[L'annexe](annexe.pdf)\n")  # no annexe.pdf when the page is approved
    assert not _cp205(hub)
    (hub.content / "images" / "marche.png").unlink()
    [deleted] = _cp205(hub)
    assert deleted.severity is Severity.ERROR and "images/marche.png" in deleted.message and "missing" in deleted.message
    hub.write("images/marche.png", FIGURE)
    hub.write("patient/annexe.pdf", b"%PDF-1.4\n% ajoutee apres\n")
    [added] = _cp205(hub)
    assert added.severity is Severity.ERROR and "patient/annexe.pdf" in added.message and "not part of" in added.message


def test_a_page_approved_before_attachments_were_recorded_gets_a_warning_and_is_published(hub):
    from carepress.compliance.engine import evaluate
    from carepress.model.schema import SiteAudience
    from carepress.model.site import load_site
    from carepress.settings import load_project
    from tests.conftest import TODAY
    from tests.unit.helpers import _inside

    hub.write("images/marche.png", FIGURE)
    hub.article("patient/bouger.md", body=BODY, title="Bouger au quotidien")  # approved, no attachments recorded
    [finding] = _cp205(hub)
    assert finding.severity is Severity.WARNING and "images/marche.png" in finding.message
    assert "approve" in finding.message
    with _inside(hub.root):
        project, _ = load_project(hub.root / "mkdocs.yml", TODAY)
        assert evaluate(load_site(project), SiteAudience.PATIENT)["patient/bouger.md"].published


def test_a_page_not_approved_is_not_asked_about_its_files(hub):
    hub.write("images/marche.png", FIGURE)
    hub.article("patient/bouger.md", body=BODY, title="Bouger au quotidien", validation={"status": "in_review"})
    assert not _cp205(hub)


def test_a_warm_check_still_catches_a_file_swapped_between_two_runs(hub):
    _page(hub)
    first = hub.carepress("check")
    assert first.returncode == 0, first.stdout + first.stderr
    assert (hub.root / ".cache" / "carepress" / "judged").is_dir()  # the judged pages' cache was written
    hub.write("patient/fiche.pdf", LEAFLET + b"% une autre version\n")
    second = hub.carepress("check")
    assert second.returncode == 1 and "CP205" in second.stdout and "patient/fiche.pdf" in second.stdout, second.stdout


def test_what_an_attached_svg_loads_is_attached_too(hub):
    """The build publishes what a kept SVG loads (its image): the approval covers it, and a swap voids it (CP205)."""
    background = b"\x89PNG\r\n\x1a\n un fond"
    hub.write("patient/schema.svg", '<svg xmlns="http://www.w3.org/2000/svg"><image href="fond.png"/>'
                                    '<image href="../../hors-du-dossier.png"/></svg>\n')
    hub.write("patient/fond.png", background)
    path = _page(hub, "# Bouger au quotidien\n\nMarcher trente minutes par jour.\n\n![Le schéma](schema.svg)\n")
    recorded = _validation(path)["attachments"]
    assert sorted(recorded) == ["patient/fond.png", "patient/schema.svg"] and recorded["patient/fond.png"] == _sha(background)
    assert not _cp205(hub)
    hub.write("patient/fond.png", background + b" remplace")
    [finding] = _cp205(hub)
    assert finding.severity is Severity.ERROR and "patient/fond.png" in finding.message and "changed" in finding.message


def test_a_warm_check_still_catches_a_file_deleted_or_added_between_two_runs(hub):
    """What a page may attach is kept with the page; whether each file is there is looked at in every run."""
    _page(hub, BODY + "\n[L'annexe](annexe.pdf)\n")  # no annexe.pdf when the page is approved
    assert hub.carepress("check").returncode == 0
    (hub.content / "images" / "marche.png").unlink()
    deleted = hub.carepress("check")
    assert deleted.returncode == 1 and "images/marche.png" in deleted.stdout and "missing" in deleted.stdout, deleted.stdout
    hub.write("images/marche.png", FIGURE)
    hub.write("patient/annexe.pdf", b"%PDF-1.4\n% ajoutee apres\n")
    added = hub.carepress("check")
    assert added.returncode == 1 and "patient/annexe.pdf" in added.stdout and "not part of" in added.stdout, added.stdout


def test_a_run_looks_at_a_file_many_pages_attach_once(hub, monkeypatch):
    from pathlib import Path

    from carepress.compliance.engine import evaluate
    from carepress.model.schema import SiteAudience
    from carepress.model.site import load_site
    from carepress.settings import load_project
    from tests.conftest import TODAY
    from tests.unit.helpers import _inside

    hub.write("images/marche.png", FIGURE)
    for index in range(3):
        hub.article(f"patient/bouger-{index}.md", body=BODY, title=f"Bouger au quotidien {index}")
    looked_at = []
    is_file = Path.is_file
    monkeypatch.setattr(Path, "is_file", lambda path: looked_at.append(path.name) or is_file(path))
    with _inside(hub.root):
        project, _ = load_project(hub.root / "mkdocs.yml", TODAY)
        site = load_site(project)
        looked_at.clear()
        verdicts = evaluate(site, SiteAudience.PATIENT)
    # Approved before attachments were recorded: one warning, whose file was looked at once for the three pages.
    assert [f.code for f in verdicts["patient/bouger-2.md"].findings].count("CP205") == 1
    assert looked_at.count("marche.png") == 1 and looked_at.count("fiche.pdf") == 1
