"""A content tree with its registries: everything the rules look at."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

from carepress.model.article import Article
from carepress.forked import forked_map
from carepress.model.loader import Loaded, iter_markdown, parse_article, read_bytes, read_file, tree_findings
from carepress.model.project import Project
from carepress.model.registries import Persona, Product, load_registries
from carepress.packs import PackCache, code_digest, digest
from carepress.report.finding import Finding


@dataclass
class FileFacts:
    """What one run learnt of the files pages attach: whether each content path is a file, and each file's digest
    (`sha256:<hex>`, None when it cannot be read). The next run looks at them anew: no modification-time shortcut,
    a file swapped between two runs is seen."""

    is_file: dict[str, bool] = field(default_factory=dict)
    digests: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Site:
    project: Project
    personas: dict[str, Persona]
    products: dict[str, Product]
    articles: dict[str, Article]  # by src_uri
    load_findings: list[Finding] = field(default_factory=list)  # registries and files that did not load
    unreadable: dict[str, str] = field(default_factory=dict)  # src_uri -> display path, files with no Article
    revision: int = 0  # raised by `replace_article`: what is computed from the articles is stale
    # src_uri -> the key of what its bytes became, when read with a cache: the judged pages' cache builds on it.
    source_keys: dict[str, str] = field(default_factory=dict)
    # YAML text -> what it gave, of each article parsed in this run, when `load_site` is asked to keep them.
    front_matter: dict[str, dict] = field(default_factory=dict)
    # The files the pages attach (CP205), each looked at once in this run (compliance/attachments.py).
    files: FileFacts = field(default_factory=FileFacts)

    def replace_article(self, article: Article, findings: list[Finding]) -> None:
        """An edited article and its loader findings (a preview's rebuild), in place of those read before."""
        self.articles[article.src_uri] = article
        self.source_keys.pop(article.src_uri, None)
        self.files = FileFacts()  # a file attached may have changed with it: looked at again when asked
        self.load_findings = [f for f in self.load_findings if f.path != article.path] + findings
        self.revision += 1


READ_FORMAT = "read-1"  # bump when what a file becomes changes shape (Loaded, Article)


def load_site(project: Project, files: list[Path] | None = None, jobs: int = 1, cache: PackCache | None = None,
              keep_front_matter: bool = False) -> Site:
    """Load the registries and every Markdown file (or only `files`) of the content folder.

    With `jobs` > 1, files are parsed in forked processes (an article pickles back in a fifth of
    the time it takes to parse). With a `cache`, a file whose bytes were read before is not parsed
    again: what it became is keyed by those bytes, its paths and the code (`source_keys`). With
    `keep_front_matter`, what the YAML of each article parsed gave is kept (`Site.front_matter`)."""
    project.check()
    registries = load_registries(project.registry_dir, project.root)
    site = Site(project, registries.personas, registries.products, {}, list(registries.findings))
    site.load_findings.extend(tree_findings(project.content_dir, project.root, project.builds))
    resolved: dict[str, str] = {}  # per process: each worker resolves the folders of its own files
    code = code_digest() if cache else ""

    def read(file: Path) -> tuple[str | None, Loaded | bytes | None, tuple[str, dict] | None]:
        """(key, what the file became, pickled when it goes to the cache, its front-matter), or (key, None, None)
        when the cache has it."""
        src_uri, shown, raw = read_bytes(file, project.content_dir, project.root, resolved)
        if isinstance(raw, Loaded):
            return None, raw, None
        key = digest(READ_FORMAT, code, src_uri, shown, raw) if cache else None
        if cache and cache.has(key):
            return key, None, None
        loaded = parse_article(raw, src_uri, shown)
        front_matter, loaded.front_matter = (loaded.front_matter if keep_front_matter else None), None
        if cache is None:
            return None, loaded, front_matter
        return key, pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL), front_matter

    def stored(answer: tuple[str | None, Loaded | bytes | None, tuple[str, dict] | None]) -> tuple:
        key, loaded, front_matter = answer
        if isinstance(loaded, bytes):  # parsed and pickled once, by a worker: stored as it came
            cache.put_pickled(key, loaded)
            return key, pickle.loads(loaded), front_matter
        return key, loaded or cache.get(key), front_matter

    listed = files if files is not None else list(iter_markdown(project.content_dir, project.builds))
    for file, (key, loaded, front_matter) in zip(listed, forked_map(read, listed, jobs, then=stored)):
        if loaded is None:  # a damaged entry, or one a concurrent run's clean-up removed meanwhile: read anew
            key, loaded = None, read_file(file, project.content_dir, project.root, resolved)
            loaded.front_matter = None
        if front_matter:
            site.front_matter.setdefault(*front_matter)
        site.load_findings.extend(loaded.findings)
        if loaded.article:
            site.articles[loaded.src_uri] = loaded.article
            if key:
                site.source_keys[loaded.src_uri] = key
        else:
            site.unreadable[loaded.src_uri] = loaded.path
    if cache:
        cache.seal()
    return site
