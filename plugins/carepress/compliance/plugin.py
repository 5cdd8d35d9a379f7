"""The gate: a thin MkDocs adapter that drops every page the site may not publish."""

from __future__ import annotations

import logging
import os
import posixpath
from dataclasses import dataclass, field, replace
from pathlib import Path

import pathspec
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from carepress.compliance.config import ComplianceConfig
from carepress.build.atomic import final_folder
from carepress.build.errors import ConfigurationPluginError
from carepress.compliance.access import write_nginx_snippet
from carepress.compliance.engine import Verdict, evaluate
from carepress.compliance.inserted_text import refuse_inserted_text, shown_config
from carepress.compliance.lexicon import load_lexicons
from carepress.compliance.links import (INLINE_LINK, LINK_AND_ATTRIBUTES, file_targets, link_targets, loaded_files, page_links,
                                        read_content_text, used_files)
from carepress.compliance.manifest import manifest, write_manifest
from carepress.compliance.mentions import mentions_block, mentions_for, missing_mentions
from carepress.compliance.preview_hooks import PreviewHooks
from carepress.compliance.resources import SUPERFENCES, address_host, third_party_resources
from carepress.compliance.site_privacy import named_hosts, refuse_third_party_settings, theme_requests
from carepress.compliance.text_watch import OWN_PREFIX, watch_text_handlers
from carepress.model.article import Article
from carepress.model.loader import escapes_content, misnamed_article
from carepress.model.schema import SiteAudience
from carepress.model.registries import ConfigurationError, load_registries
from carepress.model.site import Site, load_site
from carepress.packs import PackCache, digest, folder_state
from carepress.settings import project_from_options
from carepress.report.finding import CATALOGUE, Severity, define

log = logging.getLogger("mkdocs.plugins.carepress.compliance")

ASSETS = Path(__file__).parent / "assets"
GATE_ASSETS = ("gate.js", "gate.css")  # served under assets/carepress/, on the HCP site only
CP118 = define("CP118", Severity.ERROR, "Page that is no article of the content folder")


@dataclass
class BuildState:
    """What the gate decided, shared with the SEO and analytics plugins of the same build."""

    audience: SiteAudience
    site: Site
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    built: set[str] | None = None  # the pages MkDocs builds, once it has applied `exclude_docs` (on_nav)
    preview: bool = False  # a preview (`carepress serve`) publishes nothing: no manifest, no server configuration

    def article(self, src_uri: str) -> Article | None:
        return self.site.articles.get(src_uri)


_STATES: dict[int, BuildState] = {}


def build_state(config: MkDocsConfig) -> BuildState | None:
    return _STATES.get(id(config))


class CompliancePlugin(PreviewHooks, BasePlugin[ComplianceConfig]):
    cacheable = True  # it decides which pages exist: the page cache keys hold the page list and the config
    parallel_safe = True  # page events are per page; mention findings found in workers are merged back
    jobs = 1  # processes that judge the pages; `carepress build` sets it to its own (build/parallel.py)
    # `carepress build`'s page cache folder (build/parallel.py): what the gate read and judged is kept beside it,
    # what it read shared with the other audience's build and with the commands (cli/_common.py).
    cache_dir: Path | None = None
    # Given by `carepress build` (build/parallel.py) for one build: on_files puts there what each page's YAML gave,
    # for MkDocs to take instead of parsing it again (build/front_matter.py). None: nothing is kept.
    front_matter: dict[str, dict] | None = None
    unpublished: frozenset[str] | set[str] = frozenset()  # the pages this site leaves out, once judged (on_nav)
    page_outputs: dict[str, str] = {}  # src_uri -> the file MkDocs writes the page to (on_nav); replaced, never changed

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Text an extension or a plugin puts into pages as they are converted is never judged: refused.
        # A plugin with an `enabled` option of its own is loaded even when it is off; a hook (`hooks:`) is a module.
        plugins = [name for name, plugin in config.plugins.items()
                   if not hasattr(plugin, "config") or plugin.config.get("enabled", True) is not False]
        try:  # the other site's configuration is read too (the HCP site's address, CP400)
            refuse_inserted_text(Path(config.config_file_path).resolve(), map(str, config.markdown_extensions), plugins)
            refuse_third_party_settings(Path(config.config_file_path).resolve(), config.theme.name, config.theme.get("font"),
                                        config.extra)
            self.project = project_from_options(
                Path(config.config_file_path), config.docs_dir, dict(self.config), config.site_name,
                config.site_url, config.theme.get("language"),
                unbuilt=tuple(pattern.pattern for spec in (config.exclude_docs, config.draft_docs) if spec
                              for pattern in spec.patterns),
                markdown_extensions=tuple(map(str, config.markdown_extensions)))
            # Read again when the pages are judged; read here, a registry or lexicon that cannot be used stops the
            # build before it empties the site folder (a preview then goes on serving the last build's pages).
            self.project.check()
            products = load_registries(self.project.registry_dir, self.project.root).products
            load_lexicons(self.project.registry_dir, products)
        except ConfigurationError as error:
            raise ConfigurationPluginError(str(error)) from None
        watch_text_handlers(config.plugins)  # what another plugin or a hook changes in a page's text stops the build
        config.extra["audience"] = self.config.audience
        self.nav_as_written = config.nav  # each build's nav is this one less the pages it leaves out (on_files)
        return config

    @event_priority(100)  # before search, navigation and every other plugin sees the files
    def _judge_files(self, files: Files, config: MkDocsConfig) -> Files:
        audience = SiteAudience(self.config.audience)
        # The preview reports every severity, the build errors only: each keeps its own judged folder, so that
        # neither one's clean-up drops what the other kept.
        judged_folder = f"preview-{audience.value}" if self.in_preview() else audience.value
        read, judged = self._cache("read"), self._cache("judged", judged_folder)
        try:
            site = load_site(self.project, jobs=self.jobs, cache=read, keep_front_matter=self.front_matter is not None)
            if self.front_matter is not None:  # handed over once: the site (a preview keeps it) and the plugin let go
                self.front_matter.update(site.front_matter)
                site.front_matter.clear()
                self.front_matter = None
            verdicts = evaluate(site, audience, min_severity=self.reported_severity(), jobs=self.jobs, cache=judged)
        except ConfigurationError as error:
            raise ConfigurationPluginError(str(error)) from None
        for cache in filter(None, (read, judged)):
            if failed := cache.prune():
                log.info(f"gate cache: nothing more kept ({failed})")
        if read and judged:
            log.info(f"gate cache: {read.hits} page(s) read as before, {judged.hits} judged as before "
                     "by the rules that look at the page alone")
        self.state = _STATES[id(config)] = BuildState(audience, site, verdicts, preview=self.in_preview())
        # Pages show what the registries say (a product's pharmacovigilance contact, a topic's name): in every
        # page's cache key, for all the plugins (they read the same registries).
        self.registry_digest = digest(*folder_state(self.project.registry_dir, content=True))
        self.mention_findings: dict[str, list] = {}  # src_uri -> what the last check of its mentions found
        self.rendered_mentions: dict[str, str] = {}  # src_uri -> its mentions block, rendered since that check
        dropped = 0
        docs_dir = Path(config.docs_dir)
        resolved: dict[str, str] = {}
        for file in list(files):
            source = docs_dir / file.src_uri
            if _from_content_folder(file, docs_dir) and escapes_content(source, docs_dir, resolved):
                files.remove(file)  # a link out of docs_dir: MkDocs would publish its target
                if file.is_documentation_page():
                    dropped += 1
                    continue  # its verdict carries the loader's CP111 and is logged below
                shown = os.path.relpath(source, self.project.root)
                log.warning(f"{shown} CP111 this link points outside the content folder (not published)")
        for file in list(files.documentation_pages()):
            verdict = verdicts.get(file.src_uri)
            if file.generated_by is None and not self.keeps(verdict):
                files.remove(file)
                dropped += 1
        self.move_home(files)
        self._log(verdicts.values())
        log.info(f"{audience.value} site: {len(verdicts) - dropped} page(s) published, {dropped} left out")
        if audience is SiteAudience.HCP:
            for name in GATE_ASSETS:
                files.append(File.generated(config, f"assets/carepress/{name}", abs_src_path=str(ASSETS / name)))
        return files

    @event_priority(-100)  # once every plugin has left out its pages: the hardening plugin's CP113 too
    def _leave_out_what_serves_no_page(self, files: Files, config: MkDocsConfig) -> Files:
        if build_state(config) is None:
            return files
        unjudged = self._leave_out_unjudged_pages(files, config)
        if self.nav_as_written:
            built = {file.src_uri for file in files.documentation_pages()}
            left_out = (set(self.state.verdicts) | _excluded_pages(files) | unjudged) - built
            config.nav = _published_nav(self.nav_as_written, left_out)
        self._leave_out_unused_files(files, config)
        return files

    on_files = CombinedEvent(_judge_files, _leave_out_what_serves_no_page)

    def _leave_out_unjudged_pages(self, files: Files, config: MkDocsConfig) -> set[str]:
        """Leave out (CP118) every page that is not an article of the content folder as the gate read it: one a
        plugin or a hook generated or read from elsewhere, or put in place of the article's file. No rule judged its
        text. The CarePress plugins' own pages (the privacy notices, their text CarePress' own) are kept. The source
        paths of the pages left out."""
        docs_dir = Path(config.docs_dir)
        left_out = set()
        for file in list(files.documentation_pages()):
            if (file.generated_by or "").startswith(OWN_PREFIX):
                continue
            if file.src_uri in self.state.verdicts and _from_content_folder(file, docs_dir):
                continue
            files.remove(file)
            left_out.add(file.src_uri)
            origin = (f"generated by `{file.generated_by}`" if file.generated_by
                      else f"read from {file.abs_src_path}" if file.abs_src_path else "added by a plugin or a hook")
            log.warning(f"{file.src_uri} {CP118.code} this page is {origin}, not an article of the content folder: "
                        "no rule judged its text, so it is not published; write it as an article of the content "
                        "folder (with its front-matter and approval), or remove what adds it from the configuration")
        return left_out

    def _leave_out_unused_files(self, files: Files, config: MkDocsConfig) -> None:
        """A file of the content folder that is no page (an image, a PDF, raw HTML) is published only where a page
        this site keeps uses it, or the configuration names it: MkDocs copies every such file to both sites, a
        draft's figure and an HCP product sheet beside its page too."""
        docs_dir = os.path.normpath(config.docs_dir) + os.sep
        shared = pathspec.GitIgnoreSpec.from_lines(self.config.shared_files)
        content = [file for file in files if not file.is_documentation_page() and file.generated_by is None
                   and os.path.normpath(file.abs_src_path or "").startswith(docs_dir)]
        for file in [file for file in content if misnamed_article(file.src_uri)]:
            files.remove(file)  # a `.MD` draft copied as it is: its source, front-matter and all (CP117)
            content.remove(file)
        candidates = [file for file in content if not shared.match_file(file.src_uri)]
        if not candidates:
            return
        unused = {file.src_uri for file in candidates} - _named_in_config(config)
        for page in files.documentation_pages():
            article = self.state.article(page.src_uri) if unused else None  # every file used: no more to read
            if article is None:
                continue
            markdown, html = file_targets(article, SUPERFENCES in self.project.markdown_extensions)
            page_folder = page.url if page.url.endswith("/") or not page.url else posixpath.dirname(page.url)
            unused.difference_update(used_files(page.src_uri, page_folder, markdown, html))
        # A kept stylesheet, HTML or SVG file keeps what it loads (a CSS background, an SVG's image), in turn.
        if unused:
            known = {file.src_uri for file in content}  # files of this site only: no link leads out of the folder
            docs = Path(config.docs_dir)
            unused.difference_update(loaded_files(known - unused, lambda uri: read_content_text(docs, uri) if uri in known else None))
        unused = [file for file in candidates if file.src_uri in unused]
        for file in unused:
            files.remove(file)
        if unused:
            log.info(f"{self.config.audience} site: {len(unused)} file(s) of the content folder left out, as no page "
                     f"it publishes uses them (such as {unused[0].src_uri}); name shared ones in `shared_files`")

    def _cache(self, *name: str) -> PackCache | None:
        """A cache folder beside the build's page cache (.cache/carepress/read, .cache/carepress/judged/patient)."""
        if self.cache_dir is None:
            return None
        cache, unusable = PackCache.opened(Path(self.cache_dir).parent.joinpath(*name))
        if unusable:
            log.info(f"gate cache not used ({unusable})")
        return cache

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        markdown = super().on_page_markdown(markdown, page, config, files)  # the preview's placeholder
        state = build_state(config)
        article = state.article(page.file.src_uri) if state else None
        # The gate read this page's links (`page_links`): when the Markdown is the body it read (MkDocs drops the
        # blank lines after the front-matter) and none leads out, there is nothing to unlink (55 µs a page).
        if (article is not None and not any(target in self.unpublished for target, _ in page_links(article))
                and markdown == article.body.lstrip("\n")):
            return markdown

        # A link to a page this site leaves out (CP401) becomes its text: no dead link, nothing of the target.
        def unlink(found):
            return found.group(1) if self._leads_out(page, found.group(2)) else found.group(0)

        # With attr_list, the `{ .md-button }` that follows a link is the link's: it goes with it, not into the text.
        return (LINK_AND_ATTRIBUTES if "attr_list" in config.markdown_extensions else INLINE_LINK).sub(unlink, markdown)

    def _leads_out(self, page: Page, target: str) -> bool:
        return any(file in self.unpublished for file in link_targets(page.file.src_uri, target))

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        # What inline links the Markdown pass left: reference-style links and HTML anchors to a page left out
        # (MkDocs keeps their `.md` target, which it found in no page), and those written as its address (the page's
        # links, read by the gate, say whether it has any).
        state = build_state(config)
        article = state.article(page.file.src_uri) if state else None
        if article is None or not (".md" in html or any(target in self.unpublished for target, _ in page_links(article))):
            return html
        from selectolax.lexbor import LexborHTMLParser

        # A fragment, as the page's content is: parsed as a document, what comes before its first paragraph
        # (a <style>, a <link>, blank lines) would go to the document's <head>, and out of the page.
        tree = LexborHTMLParser(html, is_fragment=True)
        changed = False
        for anchor in tree.css("a[href]"):
            if self._leads_out(page, anchor.attributes.get("href") or ""):
                anchor.unwrap()
                changed = True
        return tree.root.html if changed else html

    def on_page_context(self, context: dict, page: Page, config: MkDocsConfig, nav) -> dict:
        context = super().on_page_context(context, page, config, nav)  # the preview's banner
        state = build_state(config)
        article = state.article(page.file.src_uri) if state else None
        if article is not None:
            context["carepress_mentions"] = self._mentions(article, state).as_context()
        return self._with_gate(context, state)

    def on_template_context(self, context: dict, template_name: str, config: MkDocsConfig) -> dict:
        # The not-found page is gated too: gate.js takes a visitor coming from any page of the HCP site as
        # one who has confirmed, and the not-found page's links lead into the site.
        return self._with_gate(context, build_state(config)) if template_name == "404.html" else context

    def _with_gate(self, context: dict, state: BuildState | None) -> dict:
        if state and state.audience is SiteAudience.HCP:
            context["carepress_gate"] = {"leave_url": self.config.patient_site_url}
        return context

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        # Only the page's mentions block is kept: all are checked together in on_post_build, where the parser's code
        # and memory stay in the processor's caches (a block checked between two renderings took ten times as long).
        state = build_state(config)
        if state and page.file.src_uri in state.site.articles:
            self.rendered_mentions[page.file.src_uri] = mentions_block(output)
        return output

    def cache_key(self, page: Page) -> str:
        # A preview's page carries its banner: it is never a published page, nor the other way round.
        return f"{self.registry_digest}:{'preview' if self.in_preview() else 'build'}"

    # carepress build's parallel path renders pages in forked workers: their mentions blocks come back here, and a
    # page restored from the page cache brings its own.
    def collect_page_state(self, page: Page) -> str | None:
        return self.rendered_mentions.pop(page.file.src_uri, None)

    def merge_page_state(self, page: Page, block: str | None) -> None:
        if block is not None:
            self.rendered_mentions[page.file.src_uri] = block

    def _check_mentions(self, state: BuildState) -> None:
        """The mention findings of the pages rendered since the last check, in place of an earlier rendering's
        (a preview renders again the pages whose banner changes with an edited page)."""
        for src_uri, block in sorted(self.rendered_mentions.items()):
            article = state.site.articles[src_uri]
            waivers = article.meta.compliance.waive
            found = [replace(finding, waived=waivers[finding.code])
                     if finding.code in waivers and CATALOGUE[finding.code].waivable else finding
                     for finding in missing_mentions(block, self._mentions(article, state), article.path, state.audience.value)]
            for finding in found:
                if finding.waived is None:
                    log.warning(f"{finding.location()} {finding.code} {finding.message}")
            earlier = self.mention_findings.pop(src_uri, None)
            if not found and not earlier:
                continue  # the usual case
            findings = state.verdicts[src_uri].findings
            if earlier:
                findings[:] = [f for f in findings if all(f is not e for e in earlier)]
            findings.extend(found)
            self.mention_findings[src_uri] = found
        self.rendered_mentions.clear()

    def on_nav(self, nav, config: MkDocsConfig, files: Files):
        nav = super().on_nav(nav, config, files)
        if state := build_state(config):
            state.built = {file.src_uri for file in files.documentation_pages()}
            self.page_outputs = {file.src_uri: file.abs_dest_path for file in files.documentation_pages()}
            # Links to pages this site leaves out become text; the preview keeps rejected pages, and links to them.
            # Taken here, once every plugin's on_files has run: the hardening plugin rejects pages after the gate.
            # The pages MkDocs does not build (`exclude_docs`, `draft_docs`) are no page to link to either.
            self.unpublished = {src_uri for src_uri, verdict in state.verdicts.items() if not self.keeps(verdict)}
            self.unpublished |= _excluded_pages(files)
        return nav

    @event_priority(100)  # before anything reads the verdicts: the sitemap, the manifest, whatever the plugins' order
    def _check_rendered_mentions(self, config: MkDocsConfig) -> None:
        state = build_state(config)
        if state is None:
            return
        self._check_mentions(state)
        lacking = sorted(src_uri for src_uri, found in self.mention_findings.items()
                         if any(finding.blocks_publication for finding in found))
        if lacking and not state.preview:
            # Found once the pages are written: too late to leave them out, as the gate does, and other pages
            # link to them. The build fails instead, and `carepress build` keeps the site it would have replaced.
            raise PluginError(f"{len(lacking)} page(s) do not show their mandatory mentions (CP500-CP503 above, first "
                              f"{state.site.articles[lacking[0]].path}): the {state.audience.value} site's build fails "
                              "(`carepress build` keeps the site it would have replaced); restore "
                              "theme/partials/carepress/mentions.html, or waive the code on a page that may go without")

    @event_priority(100)
    def _check_theme_requests(self, config: MkDocsConfig) -> None:
        """What the theme makes pages fetch from another host: in the page it renders without content (404.html),
        and in one page of each page template used (a page's own resources are CP600's, judged before)."""
        state = build_state(config)
        if state is None:
            return
        named = named_hosts([dict(config), [getattr(plugin, "config", None) for plugin in config.plugins.values()]])
        outputs = {"404.html": (Path(config.site_dir) / "404.html", set())}
        for src_uri, output in sorted(self.page_outputs.items()):
            article = state.article(src_uri)
            template = ((article.meta.model_extra or {}).get("template") or "main.html") if article else None
            if template is not None and template not in outputs:
                own = {host for address, _ in third_party_resources(article, self.project.markdown_extensions)
                       if (host := address_host(address))}  # the page's own: CP600 judges them
                outputs[template] = (Path(output), own)
        for name, (page, own) in outputs.items():
            if not page.is_file():
                continue
            if found := theme_requests(page.read_text(encoding="utf-8", errors="replace"), named | own):
                raise PluginError(f"{shown_config(Path(config.config_file_path))}: the theme makes pages load "
                                  f"{', '.join(found)} ({name}), from a host the configuration does not name: each "
                                  "reader's visit would tell it which page they read, without their consent (CNIL), and "
                                  "the site's Content-Security-Policy blocks it. Serve the file from the hub (theme/ or "
                                  "the content folder), or remove what loads it (a template of theme/, a setting of the "
                                  "theme); `carepress build` keeps the site it would have replaced")

    def _write_manifest(self, config: MkDocsConfig) -> None:
        state = build_state(config)
        if state is None or state.preview:
            return
        # Beside the content folder, as deploy/ is: a build run from another folder (`--config-dir`) keeps its records
        # in the hub, not wherever it was started.
        reports = self.project.content_dir.parent / self.config.reports_dir
        path = write_manifest(manifest(state.site, state.audience, state.verdicts, state.built), reports / "manifest")
        log.info(f"publication manifest: {path}")
        if state.audience is SiteAudience.HCP:
            snippet = write_nginx_snippet(final_folder(Path(config.site_dir)), self.config.access_control, reports)
            log.info(f"HCP access control (nginx): {snippet}")

    on_post_build = CombinedEvent(_check_theme_requests, _check_rendered_mentions, _write_manifest)

    def _mentions(self, article: Article, state: BuildState):
        return mentions_for(article, state.site.products, state.audience, self.config.disclaimer)

    def on_shutdown(self) -> None:
        _STATES.clear()

    @staticmethod
    def _log(verdicts) -> None:
        # An error finding is logged as a warning, so `mkdocs build --strict` fails on it.
        for verdict in verdicts:
            for finding in verdict.findings:
                if finding.waived:
                    continue
                text = f"{finding.location()} {finding.code} {finding.message}"
                if finding.blocks_publication:
                    log.warning(f"{text} (not published)")
                elif finding.severity is Severity.WARNING:
                    log.info(text)


def _published_nav(items: list, left_out: set[str]) -> list:
    """An explicit `nav:` less the entries of pages of the tree this site leaves out, and the sections they
    empty: MkDocs shows an entry it has no page for as a link, with the title and address written."""
    kept = []
    for item in items:
        value = item
        if isinstance(item, dict) and len(item) == 1:
            ((title, value),) = item.items()
            if isinstance(value, list):
                if children := _published_nav(value, left_out):
                    kept.append({title: children})
                continue
        if isinstance(value, str) and posixpath.normpath(value) in left_out:
            continue
        kept.append(item)
    return kept


def _from_content_folder(file: File, docs_dir: Path) -> bool:
    """The file is the content folder's own at its path: neither generated nor read from elsewhere."""
    return file.generated_by is None and os.path.normpath(file.abs_src_path or "") == os.path.normpath(docs_dir / file.src_uri)


def _excluded_pages(files: Files) -> set[str]:
    """The Markdown files MkDocs lists but does not build (`exclude_docs`, `draft_docs`)."""
    return {file.src_uri for file in files.documentation_pages(inclusion=InclusionLevel.is_excluded)}


def _named_in_config(config: MkDocsConfig) -> set[str]:
    """The content files the configuration uses: extra CSS and JavaScript, the theme's logo and favicon."""
    named = [*map(str, config.extra_css), *map(str, config.extra_javascript),
             config.theme.get("logo"), config.theme.get("favicon")]
    return {posixpath.normpath(name) for name in named if isinstance(name, str) and name}
