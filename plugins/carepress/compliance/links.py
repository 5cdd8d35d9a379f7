"""Links between pages: where a page's relative links lead, and which of them a site may not show.

A link from a patient-site page to a page that only the HCP site takes is an error (CP400): the
linking page is rejected, whether the link names the page relative to the patient site or by its address on the HCP
site (site_config/hcp.yml's `site_url`). A link to a page that exists but is not published on the same site (a
draft, a rejected page, the other audience's page) is a warning (CP401): the gate turns it into
plain text in the build, so no dead link and nothing of the target reaches the output.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import regex

from carepress.compliance.resources import BLOCK_PREFIX, without_code
from carepress.model.article import Article
from carepress.model.project import Project
from carepress.model.schema import SiteAudience
from carepress.report.finding import Finding, Severity, define, make

CP401 = define("CP401", Severity.WARNING, "Link to a page this site does not publish")

# Inline links and images [text](target "title") (a target in <...> may hold spaces), reference definitions
# [ref]: target (in a quote or a list item too), HTML href (quoted or not).
INLINE_LINK = regex.compile(r"(?<!!)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*(?|<([^>\n]+)>|([^)\s>]+))(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
# The same, with the attribute list (attr_list) that may follow it: `[x](y.md){ .md-button }`.
LINK_AND_ATTRIBUTES = regex.compile(INLINE_LINK.pattern + r"(?:\{[^}\n]*\})?")
_REFERENCE = regex.compile(BLOCK_PREFIX + r"\[[^\]\n]+\]:[ \t]*(?|<([^>\n]+)>|(\S+))", regex.MULTILINE)
_HREF = regex.compile(r"\bhref\s*=\s*(?|\"([^\"]+)\"|'([^']+)'|([^\s\"'<>=`]+))", regex.IGNORECASE)


def resolve(src_uri: str, target: str) -> str | None:
    """The Markdown file a relative link of page `src_uri` to a `.md` file names (MkDocs resolves it from the
    source file), or None for external links, anchors and addresses."""
    path = _local_path(target)
    if path is None or not path.endswith(".md"):
        return None
    resolved = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(src_uri), path))
    return None if resolved.startswith("../") or resolved == ".." else resolved


def link_targets(src_uri: str, target: str) -> list[str]:
    """The Markdown files a relative link of page `src_uri` may lead to. A `.md` target is resolved as MkDocs does;
    an address (`../sommeil/`, `/diabete-type-2/sommeil/`, `sommeil.html`) as the browser does, from the page's
    address with directory URLs (`a/b.md` is at `a/b/`), and names `sommeil.md` or `sommeil/index.md`."""
    markdown = resolve(src_uri, target)
    if markdown:
        return [markdown]
    path = _local_path(target)
    extension = posixpath.splitext(posixpath.basename((path or "").rstrip("/")))[1]
    if not path or extension not in ("", ".html"):
        return []  # a file (`.pdf`, `.png`), or nothing of this site
    joined = within(url_folder(src_uri), path)
    if joined.startswith("../") or joined == "..":
        return []
    if extension == ".html":
        joined = posixpath.dirname(joined) if posixpath.basename(joined) == "index.html" else joined[: -len(".html")]
    return ["index.md"] if joined in (".", "") else [joined + ".md", joined + "/index.md"]


def url_folder(src_uri: str) -> str:
    """The folder of page `src_uri`'s address with directory URLs (`a/b.md` is at `a/b/`, `a/index.md` at `a/`), from
    which the browser resolves its relative addresses."""
    stem = src_uri[:-3]
    return stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"


def within(folder: str, target: str) -> str:
    """The content path that `target`, relative to `folder` (or to the site's root when it starts with `/`), names."""
    return posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target))


def used_files(src_uri: str, page_folder: str, markdown: set[str], html: set[str]) -> set[str]:
    """The content paths a page's `file_targets` may name: each target from the source file's folder (as MkDocs
    resolves Markdown, and raw HTML it parses), those of raw HTML from the folder of the page's address
    (`page_folder`) too, as the browser does. A path out of the content folder starts with `../`."""
    source_folder = posixpath.dirname(src_uri)
    return ({within(source_folder, target) for target in markdown | html}
            | {within(page_folder, target) for target in html})


def _local_path(target: str) -> str | None:
    """The unquoted path of a link with no scheme nor host; None for other links, anchors and what is no address."""
    try:
        parts = urlsplit(target)
    except ValueError:  # `http://[::1/`: no address at all (CP115 rejects the page)
        return None
    return unquote(parts.path) if parts.path and not parts.scheme and not parts.netloc else None


_SCANNED = ("page_links", "malformed_links", "hosted_links")  # what one scan of a page's links finds


def _scanned(article: Article, name: str) -> list:
    """Read once per article: CP400 and CP401 ask on each site (and a judged page's cache keeps it)."""
    if name not in article.derived:
        article.derived.update(zip(_SCANNED, _scan_links(article)))
    return article.derived[name]


def page_links(article: Article) -> list[tuple[str, int]]:
    """(target src_uri, line) of every link from `article` to another Markdown page."""
    return _scanned(article, "page_links")


def malformed_links(article: Article) -> list[tuple[str, int, str]]:
    """(target, line, why) of every link of `article` that cannot be read as an address (`http://[::1/`): MkDocs stops
    the build on one (CP115)."""
    return _scanned(article, "malformed_links")


def hosted_links(article: Article) -> list[tuple[str, str, str, int]]:
    """(target, host without `www.`, path as written, offset in the body) of every web link of `article` that names a
    host (`https://pro.example.org/a/`, `//pro.example.org/a/`), query and fragment left out. Most are links out of
    the hub: the line is worked out only for those a rule reports."""
    return _scanned(article, "hosted_links")


def _scan_links(article: Article) -> tuple[list[tuple[str, int]], list[tuple[str, int, str]], list[tuple[str, str, str, int]]]:
    body = article.body
    pages, malformed, hosted = [], [], []
    # Each form is searched only when the text it needs is in the body: most pages have no reference definition nor
    # HTML link, and those two expressions (one anchored at every line, one ignoring case) were five sixths of the scan.
    for needed, pattern, group in (("](", INLINE_LINK, 2), ("]:", _REFERENCE, 1), ("=", _HREF, 1)):
        if needed not in body:
            continue
        for found in pattern.finditer(body):
            written = found.group(group)
            targets = link_targets(article.src_uri, written)
            if targets:  # an address may name either of two files: the one the tree has is looked up
                pages += [(target, article.body_line_at(found.start(group))) for target in targets]  # where it is written
            elif "//" in written or "[" in written or "]" in written:  # a host, or what urlsplit refuses (an IPv6 bracket)
                try:
                    parts = urlsplit(written)
                except ValueError as problem:
                    malformed.append((written, article.body_line_at(found.start(group)), str(problem)))
                    continue
                if parts.scheme in ("", "http", "https") and (host := parts.hostname):
                    hosted.append((written, host.removeprefix("www."), parts.path, found.start(group)))
    return pages, malformed, hosted


# What a page may embed or link to beside other pages: Markdown link and image targets, reference definitions,
# and the address attributes of raw HTML (`srcset` holds several, each before its size). Each is looked for only
# when a cheap test says it may be there: the attributes' expression costs 200 µs on a page of 6 KB.
_MARKDOWN_TARGET = regex.compile(r"\]\(\s*(?|<([^>\n]+)>|([^)\s>]+))")
_DEFINITION_TARGET = regex.compile(BLOCK_PREFIX + r"\[[^\]\n]+\]:[ \t]*(?|<([^>\n]+)>|([^\s>]+))", regex.MULTILINE)
_HTML_TARGET = re.compile(r"\b(?:href|src|poster|data)\s*=\s*[\"']?([^\"'\s>]+)|\bsrcset\s*=\s*[\"']([^\"']+)", re.IGNORECASE)


def file_targets(article: Article, superfences: bool = False) -> tuple[set[str], set[str]]:
    """The relative addresses `article` links to or embeds as the page shows it (not in code samples or comments, not
    a reference definition no link uses), query and fragment left out: (those of Markdown, which MkDocs resolves
    from the source file, those of raw HTML, which the browser resolves from the page's URL).

    Read once per article: CP205 asks in the gate's workers, the build's unused-files pass in the parent, which the
    workers send what they derived (and the judged pages' cache keeps it for an unchanged page)."""
    key = f"file_targets:{superfences}"
    found = article.derived.get(key)
    if found is None:
        found = article.derived[key] = _scan_file_targets(article.body, superfences)
    return found


def _scan_file_targets(body: str, superfences: bool) -> tuple[set[str], set[str]]:
    body = without_code(body, superfences)
    markdown = [found.group(1) for found in _MARKDOWN_TARGET.finditer(body)] if "](" in body else []
    if "]:" in body:
        folded = body.casefold()
        markdown += [found.group(1) for found in _DEFINITION_TARGET.finditer(body)
                     if folded.count(f"[{_label(found.group())}]") > 1]  # the definition's own, and a use
    html = []
    if "<" in body:
        for single, several in _HTML_TARGET.findall(body):
            html += [single] if single else [entry.split()[0] for entry in several.split(",") if entry.split()]
    return _paths(markdown), _paths(html)


# What a stylesheet (and the <style> of an HTML or SVG file) loads: url(...) and @import "...".
_CSS_TARGET = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s'"]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
EMBEDDING_SUFFIXES = (".css", ".html", ".htm", ".svg")  # files that may load others: what `embedded_targets` reads


def embedded_targets(text: str) -> set[str]:
    """The relative addresses a stylesheet, an HTML or an SVG file loads or links to, from its own address."""
    found = [next(filter(None, groups), "") for groups in _CSS_TARGET.findall(text)] if "url(" in text or "@import" in text else []
    if "<" in text:
        for single, several in _HTML_TARGET.findall(text):
            found += [single] if single else [entry.split()[0] for entry in several.split(",") if entry.split()]
    return _paths([target for target in found if target])


def loaded_files(start: Iterable[str], read: Callable[[str], str | None]) -> set[str]:
    """The content paths that the stylesheets, HTML and SVG files among `start` load (a CSS background, an SVG's
    image), and what those load in turn, less `start`. `read(path)`: a file's text, None when it cannot be read."""
    seen = set(start)
    loading = [path for path in seen if path.lower().endswith(EMBEDDING_SUFFIXES)]
    found = set()
    while loading:
        path = loading.pop()
        text = read(path)
        for target in embedded_targets(text) if text is not None else ():
            if (used := within(posixpath.dirname(path), target)) not in seen:
                seen.add(used)
                found.add(used)
                if used.lower().endswith(EMBEDDING_SUFFIXES):
                    loading.append(used)
    return found


def read_content_text(folder: Path, path: str) -> str | None:
    """The text of the file at content path `path` in `folder`, None for a path out of it or a file it cannot read."""
    if path.startswith(("../", "/")) or path == "..":
        return None
    try:
        return (folder / path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _label(definition: str) -> str:
    """The label of a reference definition (`> [Fiche A]: …` gives `fiche a`): its uses say `[Fiche A]` too."""
    return definition[definition.index("[") + 1:definition.index("]:")].casefold()


def _paths(targets: list[str]) -> set[str]:
    paths = set()
    for target in set(targets):
        if ":" not in target and "?" not in target and "#" not in target and "%" not in target:
            paths.add(target)  # a plain path, as most are: what urlsplit would give
            continue
        try:
            parts = urlsplit(target)
        except ValueError:  # no address at all (CP115's)
            continue
        if parts.path and not parts.scheme and not parts.netloc:
            paths.add(unquote(parts.path))
    return paths


def hcp_site_links(article: Article, project: Project) -> Iterator[tuple[str, str, int]]:
    """`site_links` to the HCP site, but for its home page (`home`), the professionals' portal, where the gate and the
    access control stand."""
    home = project.homes.get(SiteAudience.HCP.value)
    return ((target, page, line) for target, page, line in site_links(article, project, SiteAudience.HCP) if page != home)


def site_links(article: Article, project: Project, audience: SiteAudience) -> Iterator[tuple[str, str, int]]:
    """(target, src_uri, line) of every link of `article` to a page of `audience`'s site by its address there
    (`https://pro.example.org/professionnels/reco/`, `http://www.pro.example.org/professionnels/reco.html?x#y`), read
    from that site's `site_url`, whose pages keep their content paths. Its own address is left out, whichever page
    it shows."""
    site_url, links = project.site_urls.get(audience.value), hosted_links(article)
    if not site_url or not links:
        return
    host, base = _site_address(site_url)
    for target, link_host, path, offset in links:
        if link_host != host:
            continue
        path = posixpath.normpath(path or "/")  # `/../a/` is `/a/`, as the browser reads it
        if (path + "/").startswith(base):
            pages = link_targets("index.md", "/" + path[len(base):])  # from the site's root, as a link from its home
            if pages != ["index.md"]:  # the site's own address
                yield from ((target, page, article.body_line_at(offset)) for page in pages)


@functools.cache
def _site_address(site_url: str) -> tuple[str, str]:
    """The host (without `www.`) and the folder (ending in `/`) of a site's address."""
    parts = urlsplit(site_url)
    return parts.hostname.removeprefix("www."), parts.path.rstrip("/") + "/"


def hcp_only(site, src_uri: str) -> bool:
    target = site.articles.get(src_uri)
    return target is not None and not SiteAudience.PATIENT.accepts(target.meta.audience) and SiteAudience.HCP.accepts(target.meta.audience)


def _unbuilt_page(project, src_uri: str) -> bool:
    """A Markdown file of the tree that MkDocs does not build (`exclude_docs`, `draft_docs`): no site has it."""
    return not project.builds(src_uri) and (project.content_dir / src_uri).is_file()


def unpublished_link_findings(site, audience: SiteAudience, verdicts: dict) -> None:
    """Add CP401 to every published page that links to a page this site leaves out."""
    # Asked once per page, not once per link to it (CP401 is a warning: it publishes or withholds nothing).
    published = {src_uri: verdict.published for src_uri, verdict in verdicts.items()}
    for src_uri, finding in unpublished_links(site, audience, published):
        verdicts[src_uri].findings.append(finding)


def unpublished_links(site, audience: SiteAudience, published: dict[str, bool]) -> Iterator[tuple[str, Finding]]:
    """(src_uri, CP401) for each link of a published page to a page this site leaves out. `published`: every Markdown
    file of the tree (src_uri -> whether this site publishes it)."""
    for src_uri, on_site in published.items():
        article = site.articles.get(src_uri)
        if article is None or not on_site:
            continue
        for target, line in page_links(article):
            if published[target] if target in published else not _unbuilt_page(site.project, target):
                continue  # published, or no page of the tree
            if audience is SiteAudience.PATIENT and hcp_only(site, target):
                continue  # CP400 already rejects the page
            waiver = article.meta.compliance.waive.get(CP401.code)
            yield src_uri, make(CP401, article.path, line,
                f"links to {target}, which the {audience.value} site does not publish; the build shows the link text "
                "without the link: remove the link or publish the target", audience=audience.value, waived=waiver)
        for address, target, line in site_links(article, site.project, audience):  # by its full address: kept as written
            if published.get(target, True):
                continue  # published, or no page of the tree
            waiver = article.meta.compliance.waive.get(CP401.code)
            yield src_uri, make(CP401, article.path, line,
                f"links to {address}, the address of {target}, which the {audience.value} site does not publish: "
                "readers get a page not found; remove the link or publish the target", audience=audience.value,
                waived=waiver)
