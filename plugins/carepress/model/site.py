"""A content tree with its registries: everything the rules look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from carepress.model.article import Article
from carepress.forked import forked_map
from carepress.model.loader import Loaded, escaping_links, iter_markdown, read_file
from carepress.model.project import Project
from carepress.model.registries import Persona, Product, load_registries
from carepress.report.finding import Finding


@dataclass
class Site:
    project: Project
    personas: dict[str, Persona]
    products: dict[str, Product]
    articles: dict[str, Article]  # by src_uri
    load_findings: list[Finding] = field(default_factory=list)  # registries and files that did not load
    unreadable: dict[str, str] = field(default_factory=dict)  # src_uri -> display path, files with no Article
    revision: int = 0  # raised by `replace_article`: what is computed from the articles is stale

    def replace_article(self, article: Article, findings: list[Finding]) -> None:
        """An edited article and its loader findings (a preview's rebuild), in place of those read before."""
        self.articles[article.src_uri] = article
        self.load_findings = [f for f in self.load_findings if f.path != article.path] + findings
        self.revision += 1


def load_site(project: Project, files: list[Path] | None = None, jobs: int = 1) -> Site:
    """Load the registries and every Markdown file (or only `files`) of the content folder.

    With `jobs` > 1, files are parsed in forked processes (an article pickles back in a fifth of
    the time it takes to parse)."""
    project.check()
    registries = load_registries(project.registry_dir, project.root)
    site = Site(project, registries.personas, registries.products, {}, list(registries.findings))
    site.load_findings.extend(escaping_links(project.content_dir, project.root))
    resolved: dict[Path, Path] = {}  # per process: each worker resolves the folders of its own files

    def read(file: Path) -> Loaded:
        return read_file(file, project.content_dir, project.root, resolved)

    listed = files if files is not None else list(iter_markdown(project.content_dir))
    for loaded in forked_map(read, listed, jobs):
        site.load_findings.extend(loaded.findings)
        if loaded.article:
            site.articles[loaded.src_uri] = loaded.article
        else:
            site.unreadable[loaded.src_uri] = loaded.path
    return site
