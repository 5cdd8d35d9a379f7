"""AN1xx rules: analytics markers written in the Markdown source."""

from __future__ import annotations

from carepress.analytics.cta import check_ctas
from carepress.compliance.engine import Context, Violation, rule
from carepress.model.article import Article
from carepress.report.finding import Severity


@rule("AN100", Severity.WARNING, "Malformed CTA marker", page_local=True)
def cta_markers_must_be_well_formed(article: Article, context: Context):
    for problem in check_ctas(article.body):
        yield Violation(problem.message, article.body_line_at(problem.offset))
