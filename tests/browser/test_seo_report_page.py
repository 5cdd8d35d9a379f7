"""The SEO report's first-party script: tables sort on click, the filter hides pages; no request leaves the file."""

from __future__ import annotations


def test_tables_sort_and_filter(hub, page):
    for index, words in enumerate((50, 900, 300)):
        hub.article(f"dt2/page-{index}.md", keywords={"primary": f"sujet{index} diabète type 2 quotidien"},
                    body="# Page\n\n" + "mot " * words + "\n")
    assert hub.carepress("report", "seo").returncode == 0
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto((hub.root / "reports" / "seo" / "index.html").as_uri())
    words_header = page.locator("#pages-table th", has_text="Words")
    column = [h.inner_text() for h in page.locator("#pages-table th").all()].index(words_header.inner_text()) + 1

    def words_column() -> list[int]:
        return [int(text) for text in page.locator(f"#pages-table tbody td:nth-child({column})").all_inner_texts()]

    words_header.click()
    assert words_column() == sorted(words_column()) and words_header.get_attribute("aria-sort") == "ascending"
    words_header.click()
    assert words_column() == sorted(words_column(), reverse=True)
    page.fill("#filter", "sujet1")
    assert page.locator("#pages-table tbody tr:visible").count() == 1
    assert page.locator(".card:visible").count() == 1
    assert all(url.startswith("file://") for url in requested)
