"""The gate: a thin MkDocs adapter that drops every page the site may not publish."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files

from carepress.compliance.config import ComplianceConfig
from carepress.compliance.engine import Verdict, evaluate
from carepress.model.article import Article
from carepress.model.schema import SiteAudience
from carepress.model.site import Site, load_site
from carepress.settings import project_from_options
from carepress.report.finding import Severity

log = logging.getLogger("mkdocs.plugins.carepress.compliance")


@dataclass
class BuildState:
    """What the gate decided, shared with the SEO and analytics plugins of the same build."""

    audience: SiteAudience
    site: Site
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    def article(self, src_uri: str) -> Article | None:
        return self.site.articles.get(src_uri)


_STATES: dict[int, BuildState] = {}


def build_state(config: MkDocsConfig) -> BuildState | None:
    return _STATES.get(id(config))


class CompliancePlugin(BasePlugin[ComplianceConfig]):
    cacheable = True  # it decides which pages exist: the page cache keys hold the page list and the config

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.project = project_from_options(
            Path(config.config_file_path), config.docs_dir, dict(self.config), config.site_name,
            config.site_url, config.theme.get("language"))
        config.extra["audience"] = self.config.audience
        return config

    @event_priority(100)  # before search, navigation and every other plugin sees the files
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        audience = SiteAudience(self.config.audience)
        site = load_site(self.project)
        verdicts = evaluate(site, audience)
        _STATES[id(config)] = BuildState(audience, site, verdicts)
        dropped = 0
        for file in list(files.documentation_pages()):
            verdict = verdicts.get(file.src_uri)
            if file.generated_by is None and (verdict is None or not verdict.published):
                files.remove(file)
                dropped += 1
        self._log(verdicts.values())
        log.info(f"{audience.value} site: {len(verdicts) - dropped} page(s) published, {dropped} left out")
        return files

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
