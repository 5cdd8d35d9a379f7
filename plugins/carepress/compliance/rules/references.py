"""Rules that look beyond the page: registry ids (CP108, CP109, CP116), links that are no address (CP115) and links to
other pages (CP400)."""

from __future__ import annotations

import difflib

from carepress.compliance.engine import Context, Violation, rule
from carepress.compliance.links import hcp_only, hcp_site_links, malformed_links, page_links
from carepress.model.article import Article
from carepress.model.schema import SiteAudience, reads
from carepress.report.finding import Severity


def _unknown(ids: list[str], known: dict, field: str, article: Article, registry: str):
    for index, value in enumerate(ids):
        if value not in known:
            close = difflib.get_close_matches(value, sorted(known), n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"known ids: {', '.join(sorted(known)) or 'none'}"
            yield Violation(f"{field} `{value}` is not in site_config/{registry}; {hint}", article.line_of(field, index))


@rule("CP108", Severity.ERROR, "Unknown persona id", page_local=True)
def persona_must_exist(article: Article, context: Context):
    yield from _unknown(article.meta.persona, context.site.personas, "persona", article, "personas.yml")


@rule("CP116", Severity.ERROR, "Persona of another audience", page_local=True)
def persona_matches_audience(article: Article, context: Context):
    for index, value in enumerate(article.meta.persona):
        persona = context.site.personas.get(value)
        if persona is not None and not reads(persona.audience, article.meta.audience):  # an unknown id is CP108's
            yield Violation(f"persona `{value}` is a `{persona.audience.value}` persona (site_config/personas.yml) "
                            f"and this page's audience is `{article.meta.audience.value}`, published on a site that "
                            "persona does not read; the coverage matrix and analytics would count the page for them: "
                            "choose a persona of the page's audience, or change `audience` (`all` publishes on both sites)",
                            article.line_of("persona", index))


@rule("CP109", Severity.ERROR, "Unknown product id", page_local=True)
def product_must_exist(article: Article, context: Context):
    yield from _unknown(article.meta.products, context.site.products, "products", article, "products.yml")


@rule("CP115", Severity.ERROR, "Link that is no address", page_local=True)
def links_are_addresses(article: Article, context: Context):
    for target, line, why in malformed_links(article):
        yield Violation(f"the link target {target!r} cannot be read as an address ({why}); MkDocs would stop the "
                        "build on it: fix the address (an IPv6 host is written in brackets, `http://[::1]/`) or remove "
                        "the link", line)


@rule("CP400", Severity.ERROR, "Patient page links to HCP-only content", per_audience=True)
def no_link_to_hcp_content(article: Article, context: Context):
    if context.audience is not SiteAudience.PATIENT:
        return
    for target, line in page_links(article):
        if hcp_only(context.site, target):
            yield Violation(f"links to {target}, a page for healthcare professionals only; the patient site may not lead "
                            "to HCP content: remove the link", line)
    project = context.site.project
    for address, target, line in hcp_site_links(article, project):
        if hcp_only(context.site, target):
            yield Violation(f"links to {address}, the HCP site's page {target}, for healthcare professionals only; the "
                            "patient site may not lead to HCP content: remove the link, or link to the professionals' "
                            f"portal, {project.site_urls['hcp']}", line)
