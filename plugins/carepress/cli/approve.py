"""`carepress approve`: record the reviewers' sign-off and the fingerprint of what they approved."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from carepress.cli import main
from carepress.cli._common import EXIT_FINDINGS, config_option, configuration_errors, fail, today_option
from carepress.compliance.approval import Approval, ApprovalNotWritten, ApprovalRefused, approve_file
from carepress.compliance.resources import SUPERFENCES
from carepress.compliance.engine import Context, registered_rules, run_rules
from carepress.authoring.slug import untypable
from carepress.model.loader import real_path
from carepress.model.site import load_site
from carepress.report.finding import Finding
from carepress.settings import load_project

DEFAULT_VALIDITY_DAYS = 365
# The page's ids checked against the registries: the fingerprint covers them, so fixing one after the
# approval would void it (CP203). The build rejects such a page anyway.
REGISTRY_RULES = ("CP108", "CP109", "CP116")


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--code", required=True, help="The approval (job) code, e.g. FR-DT2-2026-0042.")
@click.option("--medical", required=True, metavar="NAME", help="The medical reviewer.")
@click.option("--legal", required=True, metavar="NAME", help="The legal reviewer.")
@click.option("--regulatory", required=True, metavar="NAME", help="The regulatory reviewer.")
@click.option("--expires", metavar="YYYY-MM-DD", help="End of the approval (default: one year after today).")
@config_option
@today_option
@configuration_errors
def approve(file: Path, code: str, medical: str, legal: str, regulatory: str, expires: str | None,
            config_file: Path, today: str | None) -> None:
    """Mark FILE approved: rewrite only its `validation` block, atomically.

    The comments written in the old block are kept, as full-line comments at the top of the new one.
    Any later edit of the body or of another front-matter field voids the approval (CP203). The files the page
    links to or embeds (images, PDF leaflets) are recorded with their digests: a later change of one voids it too (CP205).
    """
    project, _ = load_project(config_file, today)
    if not file.is_file():
        fail(f"{file}: no such file")
    approved = project.today
    try:
        end = dt.date.fromisoformat(expires) if expires else approved + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
    except ValueError:
        fail(f"--expires {expires!r} is not a date; write it as YYYY-MM-DD")
    if end <= approved:
        fail(f"--expires {end.isoformat()} must be after the approval date {approved.isoformat()}")
    for name, value in (("code", code), ("medical", medical), ("legal", legal), ("regulatory", regulatory)):
        if not value.strip():
            fail(f"--{name} must not be empty")
        if untypable(value):
            fail(f"--{name} {value!r} holds a control character, a line break or an undecodable byte; "
                 "type it again in UTF-8, on one line")
    resolved = real_path(file)
    # Only an article of the content folder, written in place: a symbolic link may point anywhere (CP111).
    if file.is_symlink() or not resolved.is_relative_to(project.content_dir.resolve()):
        fail(f"{file}: not an article of the content folder ({project.content_dir}); approve the file itself, "
             "not a link to it")
    src_uri = resolved.relative_to(project.content_dir.resolve()).as_posix()
    shown = resolved.relative_to(project.root.resolve()).as_posix() if resolved.is_relative_to(project.root.resolve()) else str(file)
    approval = Approval(code.strip(), medical.strip(), legal.strip(), regulatory.strip(), approved, end)
    try:
        if broken := _registry_findings(project, resolved, src_uri):
            raise ApprovalRefused(broken)
        written = approve_file(resolved, approval, src_uri, shown, project.content_dir,
                               SUPERFENCES in project.markdown_extensions)
    except ApprovalNotWritten as problem:
        fail(f"{shown} was not changed: {problem}")
    except ApprovalRefused as refused:
        for finding in refused.findings:
            click.echo(f"{finding.location()} {finding.code} {finding.severity.value}  {finding.message}", err=True)
        click.echo(f"carepress: {shown} was not changed: fix the finding(s) above, then approve again", err=True)
        raise SystemExit(EXIT_FINDINGS) from None
    click.echo(f"{shown}: approved as {approval.code} until {end.isoformat()} ({written.fingerprint})", err=True)
    if written.comments_moved:
        kept = len(written.comments)
        first, last = written.comments_line, written.comments_line + kept - 1
        where = f"line {first}" if kept == 1 else f"lines {first}-{last}"
        click.echo(f"{shown}: kept {kept} comment{'s' if kept > 1 else ''} of the old `validation` block, "
                   f"now at its top ({where})", err=True)


def _registry_findings(project, file: Path, src_uri: str) -> list[Finding]:
    """What the page's persona and product ids break (unknown, or of another audience); nothing for a page
    that does not load, whose findings `approve_file` reports."""
    site = load_site(project, files=[file])
    article = site.articles.get(src_uri)
    if article is None:
        return []
    rules = [registered for registered in registered_rules() if registered.code.code in REGISTRY_RULES]
    return run_rules(article, Context(site, None, project.today), None, rules=rules)
