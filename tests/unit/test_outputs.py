"""Files written beside the sites (manifest, server configuration, reports) are replaced whole, or not at all."""

from __future__ import annotations

import errno
import os

import pytest

from carepress import outputs


def test_a_file_is_replaced_whole_and_keeps_its_permissions(tmp_path):
    report = tmp_path / "findings.json"
    report.write_text("ancien", encoding="utf-8")
    os.chmod(report, 0o640)
    outputs.write_text(report, "nouveau é")
    assert report.read_text(encoding="utf-8") == "nouveau é"
    assert report.stat().st_mode & 0o777 == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["findings.json"]  # no temporary file left


def test_a_new_file_gets_the_permissions_open_would_give_it(tmp_path):
    fresh = outputs.write_text(tmp_path / "new.json", "{}")
    plain = tmp_path / "plain.json"
    plain.write_text("{}", encoding="utf-8")
    assert fresh.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777


def test_a_write_that_fails_leaves_the_previous_file_and_no_temporary_one(tmp_path, monkeypatch):
    report = tmp_path / "seo.json"
    report.write_text("complet", encoding="utf-8")

    def disk_full(source, target):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs.os, "replace", disk_full)
    with pytest.raises(OSError):
        outputs.write_text(report, "x" * 100_000)
    assert report.read_text(encoding="utf-8") == "complet"
    assert [path.name for path in tmp_path.iterdir()] == ["seo.json"]


def test_files_held_back_are_written_only_when_asked_and_the_last_write_of_a_file_counts(tmp_path):
    manifest = tmp_path / "manifest" / "manifest-patient.json"
    with outputs.held_back() as held:
        outputs.write_text(manifest, "premier")
        outputs.write_text(manifest, "second")
        outputs.write_text(tmp_path / "hcp.conf", "conf")
        assert not manifest.exists() and not (tmp_path / "hcp.conf").exists()
    outputs.write_text(tmp_path / "after.txt", "now")  # outside the block: written at once
    assert (tmp_path / "after.txt").read_text(encoding="utf-8") == "now"
    outputs.write_held(held)
    assert manifest.read_text(encoding="utf-8") == "second"
    assert (tmp_path / "hcp.conf").read_text(encoding="utf-8") == "conf"


def test_nothing_held_back_is_written_when_the_work_fails(tmp_path):
    with pytest.raises(RuntimeError):
        with outputs.held_back():
            outputs.write_text(tmp_path / "manifest.json", "{}")
            raise RuntimeError("the build failed")
    outputs.write_text(tmp_path / "later.json", "{}")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["later.json"]


def test_a_full_disk_is_said_of_the_file_asked_for(tmp_path, monkeypatch):
    def disk_full(handle, mode):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as a write to a full disk: no file named

    monkeypatch.setattr(outputs.os, "fdopen", disk_full)
    with pytest.raises(OSError) as raised:
        outputs.write_text(tmp_path / "pages.csv", "a,b\n")
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(tmp_path / "pages.csv")
    assert list(tmp_path.iterdir()) == []
