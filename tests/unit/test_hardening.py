"""Unit tests of the hardening helpers: Material markup fixes, escaping, unlinking, addresses."""

from markupsafe import Markup

from carepress.compliance.rules.paths import address, folded
from carepress.hardening.markup import escape_front_matter, fix_markup

MATERIAL = ('<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplete="off">'
            '<div class="md-search" data-md-component="search" role="dialog">'
            '<input type="text" class="md-search__input" name="query" aria-label="Rechercher" placeholder="Rechercher" '
            'autocapitalize="off" autocorrect="off" autocomplete="off" spellcheck="false">'
            '<label class="md-nav__link" for="__nav_2" id="__nav_2_label" tabindex="">')


def test_material_markup_is_fixed_and_text_inputs_keep_autocomplete():
    fixed = fix_markup(MATERIAL)
    assert 'id="__drawer">' in fixed
    assert "autocorrect" not in fixed and 'tabindex=""' not in fixed
    assert 'name="query" aria-label="Rechercher"' in fixed and 'autocomplete="off" spellcheck' in fixed
    assert 'role="dialog" aria-label="Rechercher">' in fixed


def test_front_matter_strings_become_escaped_markup_at_any_depth():
    escaped = escape_front_matter({"title": "<b>x</b> & y", "keywords": {"secondary": ['"><img>']}, "hide": ["toc"],
                                   "approved": 3})
    assert escaped["title"] == "&lt;b&gt;x&lt;/b&gt; &amp; y" and isinstance(escaped["title"], Markup)
    assert escaped["keywords"]["secondary"] == ["&#34;&gt;&lt;img&gt;"]
    assert escaped["hide"] == ["toc"] and escaped["approved"] == 3
    assert escape_front_matter(escaped) == escaped  # never escaped twice


def test_addresses_fold_index_files_case_and_accents():
    assert address("a/b.md") == address("a/b/index.md") == address("a/b/README.md") == "a/b"
    assert folded(address("Diabète/Alimentation.md")) == folded(address("diabete/alimentation.md"))
    assert folded("diabète") != folded("diabetes")


def test_cp112_names_the_pages_of_the_same_site_that_share_an_address():
    import datetime as dt

    from carepress.compliance.engine import Context
    from carepress.compliance.rules.paths import one_file_per_address
    from carepress.model.loader import parse_article
    from carepress.model.project import Project
    from carepress.model.schema import SiteAudience
    from carepress.model.site import Site
    from tests.conftest import REPO, front_matter

    def article(src_uri: str, audience: str):
        return parse_article(front_matter(audience=audience).encode(), src_uri, "content/" + src_uri).article

    pages = {uri: article(uri, audience) for uri, audience in
             [("doublons/page.md", "patient"), ("doublons/page/index.md", "hcp"), ("Doublons/Pagé.md", "patient"),
              ("ailleurs.md", "patient")]}
    site = Site(Project(REPO, REPO / "content", REPO / "site_config"), {}, {}, dict(pages))

    def others(src_uri: str, audience: SiteAudience | None) -> list[str]:
        found = one_file_per_address(site.articles[src_uri], Context(site, audience, dt.date(2026, 11, 22)))
        return [violation.message.split("`")[1] for violation in found]

    assert others("doublons/page.md", SiteAudience.PATIENT) == ["Doublons/Pagé.md"]  # the HCP page is not on this site
    assert others("doublons/page/index.md", SiteAudience.HCP) == []
    assert others("doublons/page.md", None) == ["Doublons/Pagé.md", "doublons/page/index.md"]  # the whole tree
    assert others("ailleurs.md", None) == []
    site.replace_article(article("doublons/PAGE.md", "patient"), [])  # a page read anew: the index follows
    assert others("doublons/page.md", SiteAudience.PATIENT) == ["Doublons/Pagé.md", "doublons/PAGE.md"]
    first = one_file_per_address(site.articles["doublons/page.md"], Context(site, None, dt.date(2026, 11, 22)))
    assert "differ only in capitals or accents" in next(iter(first)).message


def test_a_rule_below_the_severity_asked_for_runs_only_on_a_page_that_waives_it():
    import datetime as dt

    from carepress.compliance.engine import Context, run_rules
    from carepress.model.loader import parse_article
    from carepress.model.project import Project
    from carepress.model.schema import SiteAudience
    from carepress.model.site import Site
    from carepress.report.finding import Severity
    from tests.conftest import REPO, front_matter

    def findings(min_severity: Severity, **fields) -> dict[str, str | None]:
        article = parse_article(front_matter(**fields).encode(), "a.md", "content/a.md").article
        site = Site(Project(REPO, REPO / "content", REPO / "site_config"), {}, {}, {"a.md": article})
        context = Context(site, SiteAudience.PATIENT, dt.date(2026, 11, 22))
        return {f.code: f.waived for f in run_rules(article, context, {}, min_severity)}

    assert {"SE301", "SE304"} <= set(findings(Severity.WARNING))  # no H1, no page links here: warnings
    assert not {"SE301", "SE304"} & set(findings(Severity.ERROR))  # errors only: not run
    waived = findings(Severity.ERROR, compliance={"waive": {"SE301": "page de test"}})
    assert waived["SE301"] == "page de test"  # run all the same: the manifest lists the waiver used
    assert "SE304" not in waived  # waiving one rule does not bring back the others below errors


def test_unsafe_file_names_and_topics_are_cp113():
    import datetime as dt

    from carepress.compliance.engine import Context, run_rules
    from carepress.model.loader import parse_article
    from carepress.model.project import Project
    from carepress.model.site import Site
    from tests.conftest import REPO, front_matter

    def codes(src_uri: str, **fields) -> list[str]:
        article = parse_article(front_matter(**fields).encode(), src_uri, "content/" + src_uri).article
        site = Site(Project(REPO, REPO / "content", REPO / "site_config"), {}, {}, {src_uri: article})
        return [f.code for f in run_rules(article, Context(site, None, dt.date(2026, 11, 22))) if f.code == "CP113"]

    assert codes("ok/page.md", topic="diabete-type-2") == []
    assert codes("a\\..\\b.md") == ["CP113"]
    assert codes("line\nbreak.md") == ["CP113"]
    assert codes("ok.md", topic="../../admin") == ["CP113"]
    assert codes("ok.md", template="/etc/passwd") == ["CP113"]


def test_audit_prints_one_row_per_gate_and_site_and_fails_on_any_error():
    from rich.console import Console

    from carepress.hardening.audit import report
    from carepress.hardening.gates import GateError

    console = Console(record=True, width=120)
    rows = [("W3C Nu HTML checker", "patient", 6, []),
            ("internal links and assets", "hcp", 3, [GateError("index.html", '<a href="x/">: not found (404)')])]
    assert report(rows, console) == 1
    text = console.export_text()
    assert "W3C Nu HTML checker" in text and "pages checked" in text
    assert 'internal links and assets hcp/index.html: <a href="x/">: not found (404)' in text
    assert report(rows[:1], Console(record=True)) == 0


def test_material_controls_are_fixed_once_and_an_article_showing_their_markup_keeps_it():
    sample = ('<pre><code>&lt;input type="checkbox" id="__drawer" autocomplete="off"&gt; '
              '&lt;input autocapitalize="off" autocorrect="off"&gt; &lt;button tabindex=""&gt;OK&lt;/button&gt;</code></pre>'
              '<p><code>&lt;span tabindex=""&gt;</code></p>')
    fixed = fix_markup(MATERIAL + '<label class="md-nav__link" for="__nav_3" id="__nav_3_label" tabindex="">' + sample)
    assert fixed.endswith(sample)  # the article, after Material's header and navigation, is left as written
    assert fixed.count('id="__drawer" autocomplete') == 1 and fixed.count("autocorrect") == 1
    assert 'tabindex=""' not in fixed[:-len(sample)]  # every section label of the navigation
