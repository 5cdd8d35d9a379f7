"""Analytics core: settings validation, content dimensions, URL stripping, CTA markers, headers, privacy page."""

from __future__ import annotations

import pytest

from carepress.analytics.cta import check_ctas
from carepress.analytics.dimensions import content_dimensions, page_path, strip_url
from carepress.analytics.headers import content_security_policy, netlify_headers, nginx_snippet, security_headers
from carepress.analytics.privacy import OPT_OUT_SHORTCODE, opt_out_control, privacy_markdown
from carepress.analytics.settings import Provider, parse_settings
from carepress.model.loader import parse_article
from carepress.model.registries import ConfigurationError
from tests.conftest import front_matter


@pytest.mark.parametrize("options, message", [
    ({"provider": "google-analytics"}, "unknown provider 'google-analytics'"),
    ({"provider": "plausible"}, "`endpoint` is missing"),
    ({"provider": "umami", "endpoint": "http://stats.example.org", "site_id": "x"}, "must use https"),
    ({"provider": "matomo", "endpoint": "https://stats.example.org"}, "`site_id` is missing for matomo"),
    ({"provider": "matomo", "endpoint": "https://stats.example.org", "site_id": "abc"}, "numeric idsite"),
    ({"provider": "beacon", "endpoint": "stats.example.org"}, "is not a URL"),
    ({"provider": "beacon", "endpoint": "https://[stats.example.org"}, "is not a URL"),  # urlsplit raises
    ({"provider": "beacon", "endpoint": "https://stats.example.org:abc"}, "is not a URL"),  # a port that is no number
    ({"provider": "beacon", "endpoint": "https://stats.example.org/c?key=1"}, "must not carry a query"),
    ({"provider": "beacon", "endpoint": "https://s.example.org", "retention_months": 36}, "between 1 and 25"),
    ({"provider": "matomo", "endpoint": "https://s.example.org", "site_id": 3, "matomo_dimensions": {"email": 1}},
     "unknown dimension 'email'"),
])
def test_bad_settings_are_one_sentence(options, message):
    with pytest.raises(ConfigurationError) as raised:
        parse_settings(options, "https://patients.example.org/")
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_settings_accept_localhost_http_and_build_each_engine_url():
    assert parse_settings({"provider": "beacon", "endpoint": "http://127.0.0.1:8123/c"}).collect_url == "http://127.0.0.1:8123/c"
    assert parse_settings({"provider": "matomo", "endpoint": "http://localhost/", "site_id": 2}).collect_url == "http://localhost/matomo.php"
    plausible = parse_settings({"provider": "plausible", "endpoint": "https://stats.example.org/"}, "https://patients.example.org/")
    assert plausible.site_id == "patients.example.org"  # Plausible's site is its domain
    assert plausible.collect_url == "https://stats.example.org/api/event"
    assert plausible.origin == "https://stats.example.org"
    umami = parse_settings({"provider": "umami", "endpoint": "https://u.example.org/api/send", "site_id": "abc"})
    assert umami.collect_url == "https://u.example.org/api/send"
    assert parse_settings({}).provider is Provider.NONE and not parse_settings({}).enabled


def test_dimensions_come_from_the_article():
    text = front_matter(persona=["patient-dt2-recent", "aidant-dt2"], funnel_stage="bofu", lang="en") + "\n# T\n"
    loaded = parse_article(text.encode(), "dt2.md", "content/dt2.md")
    assert loaded.findings == []
    assert content_dimensions(loaded.article, "/dt2/", "fr") == {
        "persona": "patient-dt2-recent,aidant-dt2", "funnel_stage": "close", "content_type": "disease_awareness",
        "topic": "diabete-type-2", "audience": "patient", "language": "en", "page_path": "/dt2/"}


def test_a_page_without_article_has_only_language_and_path():
    dimensions = content_dimensions(None, "/confidentialite/", "fr")
    assert dimensions["language"] == "fr" and dimensions["page_path"] == "/confidentialite/"
    assert not dimensions["persona"] and not dimensions["funnel_stage"]


@pytest.mark.parametrize("url, stripped", [
    ("https://site.example/dt2/?email=jane@example.org#s", "https://site.example/dt2/"),
    ("https://user:pw@site.example:8443/a?b", "https://site.example:8443/a"),
    ("/guide.pdf#page=2", "/guide.pdf"),
])
def test_strip_url_removes_query_fragment_and_credentials(url, stripped):
    assert strip_url(url) == stripped


def test_page_path_is_site_absolute():
    assert page_path("") == "/"
    assert page_path("dt2/alimentation/?x=1") == "/dt2/alimentation/"


@pytest.mark.parametrize("markdown, message", [
    ('[Guide](g.pdf){ .cp-cta }', "without an event name"),
    ('[Guide](g.pdf){ data-cp-event="guide" }', "without the `.cp-cta` class"),
    ('[Guide](g.pdf){ .cp-cta data-cp-event="Download Guide" }', "is not valid"),
    ('[Guide](g.pdf){ .cp-cta data-cp-event="" }', "has no value"),
    ('[Guide](g.pdf){ .cp-cta data-cp-event }', "has no value"),
    ('[Guide](g.pdf){ .cp-cta data-cp-event="guide }', "cannot be read"),
    ('[Guide](g.pdf){ .cp-cta data-cp-event=a data-cp-event=b }', "given twice"),
    ('[Guide](g.pdf) .cp-cta data-cp-event="guide"', "outside an attribute list"),
])
def test_malformed_cta_markers(markdown, message):
    [problem] = check_ctas("Intro.\n\n" + markdown + "\n")
    assert message in problem.message and problem.offset >= len("Intro.\n\n")


def test_well_formed_cta_and_code_examples_pass():
    markdown = ('[Guide](g.pdf){ .cp-cta #guide data-cp-event="download-guide" target=_blank }\n\n'
                '```markdown\n[x](y){ .cp-cta }\n```\n'
                'Write `{ .cp-cta }` and ``data-cp-event`` in the attribute list.\n')
    assert list(check_ctas(markdown)) == []


def test_security_headers_allow_only_self_and_the_endpoint():
    none = parse_settings({})
    assert "connect-src 'self';" in content_security_policy(none)
    matomo = parse_settings({"provider": "matomo", "endpoint": "https://stats.example.org/m/", "site_id": 1})
    policy = content_security_policy(matomo)
    assert "connect-src 'self' https://stats.example.org;" in policy
    assert "script-src 'self';" in policy and "unsafe" not in policy and "frame-ancestors 'none'" in policy
    headers = security_headers(matomo)
    assert {"X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"} <= set(headers)
    assert "/*\n  Content-Security-Policy: default-src 'self';" in netlify_headers(headers)
    assert 'add_header X-Content-Type-Options "nosniff" always;' in nginx_snippet(headers)


def test_privacy_page_names_engine_host_retention_and_opt_out():
    settings = parse_settings({"provider": "umami", "endpoint": "https://u.example.org", "site_id": "w", "retention_months": 6})
    french = privacy_markdown(settings, "fr")
    assert "Umami" in french and "`u.example.org`" in french and "6 mois" in french and OPT_OUT_SHORTCODE in french
    assert "6 months" in privacy_markdown(settings, "en")
    assert "data-cp-opt-out" in opt_out_control(settings, "fr")
    none = parse_settings({})
    assert "ne mesure pas" in privacy_markdown(none, "fr") and OPT_OUT_SHORTCODE not in privacy_markdown(none, "fr")
