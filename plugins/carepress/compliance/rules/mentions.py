"""CP502, CP503: the data mandatory mentions need must exist before the theme can show it."""

from __future__ import annotations

from carepress.compliance.engine import Context, Violation, rule
from carepress.compliance.mentions import page_products
from carepress.model.article import Article
from carepress.model.schema import ContentType
from carepress.report.finding import Severity


@rule("CP502", Severity.ERROR, "References missing", page_local=True)
def medical_scientific_pages_cite_references(article: Article, context: Context):
    if article.meta.content_type is ContentType.MEDICAL_SCIENTIFIC and not article.meta.references:
        yield Violation("a `medical_scientific` page must list its sources; add `references: [...]`",
                        article.line_of("content_type"))


@rule("CP503", Severity.ERROR, "Pharmacovigilance contact or SmPC link missing", page_local=True)
def product_pages_carry_safety_information(article: Article, context: Context):
    if not article.meta.content_type.is_product:
        return
    if not article.meta.products:
        yield Violation("a product page must name its product in `products: [id]`, so its SmPC link and "
                        "pharmacovigilance contact are shown", article.line_of("content_type"))
    for product in page_products(article, context.site.products):
        if not product.smpc_url or not product.pharmacovigilance:
            yield Violation(f"product `{product.id}` has no SmPC link or pharmacovigilance contact in "
                            "site_config/products.yml; add both", article.line_of("products"))
