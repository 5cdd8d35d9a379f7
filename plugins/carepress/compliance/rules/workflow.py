"""CP2xx: the validation workflow. A page publishes only once it is approved."""

from __future__ import annotations

from carepress.compliance.engine import Context, Violation, rule
from carepress.model.article import Article
from carepress.model.schema import Status
from carepress.report.finding import Severity

_NEXT_STEP = {
    Status.DRAFT: "finish the draft and send it for review",
    Status.IN_REVIEW: "wait for the medical, legal and regulatory sign-off, then run `carepress approve`",
    Status.WITHDRAWN: "the page was withdrawn; delete it or have it approved again",
}


@rule("CP200", Severity.ERROR, "Page is not approved")
def must_be_approved(article: Article, context: Context):
    status = article.meta.validation.status
    if status is not Status.APPROVED:
        yield Violation(f"validation status is `{status.value}`, so the page is not published; {_NEXT_STEP[status]}",
                        article.line_of("validation", "status"))
