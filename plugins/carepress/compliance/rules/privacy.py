"""CP6xx rules: what a page makes its readers' browsers fetch (the sites make no request to another host)."""

from __future__ import annotations

from carepress.compliance.engine import Context, Violation, rule
from carepress.compliance.resources import DIAGRAM_LIBRARY, EMOJI_IMAGES, third_party_resources
from carepress.model.article import Article
from carepress.report.finding import Severity


@rule("CP600", Severity.ERROR, "Resource from another host", page_local=True)
def no_resource_from_another_host(article: Article, context: Context):
    for address, line in third_party_resources(article, context.site.project.markdown_extensions):
        if address == EMOJI_IMAGES:
            yield Violation("an emoji shortcode: `pymdownx.emoji` renders it as an image that every reader's browser loads "
                            "from a CDN (cdn.jsdelivr.net or cdnjs.cloudflare.com); type the emoji itself, a character "
                            "of the text, or leave it out", line)
        elif address == DIAGRAM_LIBRARY:
            yield Violation("a `mermaid` diagram: Material for MkDocs would load its diagram library from unpkg.com in "
                            "every reader's browser; draw the diagram as an image in the content folder", line)
        else:
            yield Violation(f"loads {address} from another host: every reader's browser would fetch it, telling that "
                            "host who reads which page (and the site's Content-Security-Policy blocks it); put the file "
                            "in the content folder and embed it from there, or link to it instead", line)
