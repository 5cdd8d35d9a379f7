"""CP2xx: the validation workflow. A page publishes only once it is approved."""

from __future__ import annotations

import datetime as dt

from carepress.compliance.approval import EARLIER_PREFIX, fingerprint_of
from carepress.compliance.attachments import attachments_of
from carepress.compliance.resources import SUPERFENCES
from carepress.compliance.engine import Context, Violation, rule
from carepress.model.article import Article
from carepress.model.schema import Status
from carepress.report.finding import Severity

_NEXT_STEP = {
    Status.DRAFT: "finish the draft and send it for review",
    Status.IN_REVIEW: "wait for the medical, legal and regulatory sign-off, then run `carepress approve`",
    Status.WITHDRAWN: "the page was withdrawn; delete it or have it approved again",
}


@rule("CP200", Severity.ERROR, "Page is not approved", page_local=True)
def must_be_approved(article: Article, context: Context):
    status = article.meta.validation.status
    if status is not Status.APPROVED:
        yield Violation(f"validation status is `{status.value}`, so the page is not published; {_NEXT_STEP[status]}",
                        article.line_of("validation", "status"))


def _approved(article: Article) -> bool:
    return article.meta.validation.status is Status.APPROVED


@rule("CP201", Severity.ERROR, "Approval record is incomplete", page_local=True)
def approval_must_be_complete(article: Article, context: Context):
    if not _approved(article):
        return
    validation = article.meta.validation
    for role in ("medical", "legal", "regulatory"):
        if not getattr(validation.reviewers, role):
            yield Violation(f"no {role} reviewer is named; every page needs medical, legal and regulatory sign-off "
                            f"(record it with `carepress approve --{role} NAME`)", article.line_of("validation", "reviewers", role))
    for key, what in (("code", "an approval code"), ("approved", "an approval date"), ("expires", "an expiry date")):
        if getattr(validation, key) is None:
            yield Violation(f"the approval has no `{key}` ({what}); record the approval with `carepress approve`",
                            article.line_of("validation", key))


@rule("CP202", Severity.ERROR, "Approval has expired")  # not page-local: it reads the date
def approval_must_not_be_expired(article: Article, context: Context):
    expires = article.meta.validation.expires
    if _approved(article) and expires is not None and expires < context.today:
        yield Violation(f"the approval expired on {expires.isoformat()} (build date {context.today.isoformat()}); "
                        "have the page reviewed again and run `carepress approve`", article.line_of("validation", "expires"))


@rule("CP203", Severity.ERROR, "Page changed since approval", page_local=True)
def content_must_match_approval(article: Article, context: Context):
    if not _approved(article):
        return
    recorded = article.meta.validation.fingerprint
    if not recorded:
        yield Violation("the page has no approval fingerprint, so it was never approved through CarePress; "
                        "run `carepress approve` once the reviewers have signed off", article.line_of("validation"))
    elif recorded.startswith(EARLIER_PREFIX):
        yield Violation("the page was approved with CarePress's earlier fingerprint, which did not cover the approval's "
                        "own dates, code and reviewers; have a reviewer confirm the approval and run `carepress approve` "
                        "again", article.line_of("validation", "fingerprint"))
    elif recorded != fingerprint_of(article):
        yield Violation("the page changed since it was approved (its fingerprint no longer matches); "
                        "have the change reviewed and run `carepress approve` again", article.line_of("validation", "fingerprint"))


@rule("CP204", Severity.WARNING, "Approval expires soon")  # not page-local: it reads the date
def approval_expiring_soon(article: Article, context: Context):
    expires = article.meta.validation.expires
    window = context.site.project.expiry_warning_days
    if _approved(article) and expires is not None and context.today <= expires <= context.today + dt.timedelta(days=window):
        days = (expires - context.today).days
        yield Violation(f"the approval expires on {expires.isoformat()}, in {days} day(s); schedule the re-review now",
                        article.line_of("validation", "expires"))


# Not page-local: it reads the files the page attaches, which the judged pages' cache does not key on.
@rule("CP205", Severity.ERROR, "Attached file changed since approval")
def attachments_must_match_approval(article: Article, context: Context):
    if not _approved(article):
        return
    project = context.site.project
    current = attachments_of(article, project.content_dir, SUPERFENCES in project.markdown_extensions,
                             context.site.files)
    recorded = article.meta.validation.attachments
    if recorded == current:  # most pages: nothing to say
        return
    if not recorded:
        yield Violation(f"the approval does not cover the file(s) the page links to or embeds ({', '.join(current)}): "
                        "it was recorded before CarePress checked attached files; have them reviewed and run "
                        "`carepress approve` again", article.line_of("validation", "attachments"), Severity.WARNING)
        return
    for path in sorted(recorded.keys() | current.keys()):
        if path not in current:
            what = "is missing now (or the page no longer attaches it)"
        elif path not in recorded:
            what = "is attached to the page (linked or embedded) but was not part of its approval"
        elif recorded[path] != current[path]:
            what = "changed since the page was approved (its digest no longer matches)"
        else:
            continue
        yield Violation(f"the attached file {path} {what}; have the file reviewed and run `carepress approve` again",
                        article.line_of("validation", "attachments", path))
