"""CP600: a page never makes its readers' browsers fetch from another host; links and code samples are fine."""

from __future__ import annotations

import markdown
import pytest

from tests.unit.helpers import findings_of


def _cp600(hub, body: str):
    hub.article("patient/page.md", body="# Page\n\n" + body)
    return [f for f in findings_of(hub, "patient") if f.code == "CP600"]


@pytest.mark.parametrize("markup, address", [
    ("![Une assiette](https://cdn.exemple.org/assiette.png)", "https://cdn.exemple.org/assiette.png"),
    ("![Logo][logo]\n\n[logo]: //cdn.exemple.org/logo.svg", "//cdn.exemple.org/logo.svg"),
    ('<img src="https://pixel.exemple.com/p.gif" alt="">', "https://pixel.exemple.com/p.gif"),
    ("<iframe src='https://www.youtube.com/embed/abc' title='Vidéo'></iframe>", "https://www.youtube.com/embed/abc"),
    ("<video controls poster=https://cdn.exemple.org/p.jpg src=film.mp4></video>", "https://cdn.exemple.org/p.jpg"),
    ('<img src="a.png" srcset="a.png 1x, https://cdn.exemple.org/b.png 2x" alt="">', "https://cdn.exemple.org/b.png"),
    ('<div style="background: url(https://cdn.exemple.org/fond.png)">x</div>', "https://cdn.exemple.org/fond.png"),
    ('<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter">', "https://fonts.googleapis.com/css2?family=Inter"),
    ('<pre class="mermaid">graph TD; A-->B</pre>', "unpkg.com"),
    ('Un encadré.\n{ style="background-image: url(//cdn.exemple.org/motif.svg)" }', "//cdn.exemple.org/motif.svg"),
    # What Python-Markdown renders live though it looks like code: an unclosed fence, one closed by another fence,
    # an indented one, backticks across a paragraph or around a line that opens a block-level element.
    ("```\n<iframe src='https://www.youtube.com/embed/abc'></iframe>", "https://www.youtube.com/embed/abc"),
    ("```\ntexte\n````\n\n<iframe src='https://www.youtube.com/embed/abc'></iframe>", "https://www.youtube.com/embed/abc"),
    ("  ```\n  <iframe src='https://www.youtube.com/embed/abc'></iframe>", "https://www.youtube.com/embed/abc"),
    ("La touche `\n\n<img src=https://cdn.exemple.org/a.png> puis `ls`", "https://cdn.exemple.org/a.png"),
    ("Un `code\n<iframe src='https://www.youtube.com/embed/abc'></iframe>", "https://www.youtube.com/embed/abc"),
    ('<img alt="Glycémie > 1,26 g/L" src="https://cdn.exemple.org/g.png">', "https://cdn.exemple.org/g.png"),
    ('![Un schéma](schema.png){ srcset="https://cdn.exemple.org/b.png 2x" }', "https://cdn.exemple.org/b.png"),
    ('<img src="https&#58;//cdn.exemple.org/a.png" alt="">', "https&#58;//cdn.exemple.org/a.png"),
    ('<table background="https://cdn.exemple.org/fond.png"><tr><td>x</td></tr></table>', "https://cdn.exemple.org/fond.png"),
    ("<style>.encadre { background: url('https://cdn.exemple.org/f.png') }</style>", "https://cdn.exemple.org/f.png"),
    ('Un taux <seuil reste rare. <img src="https://pixel.exemple.com/p.gif">', "https://pixel.exemple.com/p.gif"),
    ('Un \\`<img src="https://pixel.exemple.com/p.gif">`x`', "https://pixel.exemple.com/p.gif"),  # an escaped backtick is text
    ("``` mon code\n\n<iframe src='https://www.youtube.com/embed/abc'></iframe>", "https://www.youtube.com/embed/abc"),  # no fence
    ("````\ntexte\n\n<iframe src='https://www.youtube.com/embed/abc'></iframe>", "https://www.youtube.com/embed/abc"),  # ``` closes no ````
])
def test_a_resource_of_another_host_is_an_error_at_its_line(hub, markup, address):
    found = _cp600(hub, "Un paragraphe.\n\n" + markup + "\n")
    assert len(found) == 1 and found[0].blocks_publication, found
    assert address in found[0].message
    lines = (hub.content / "patient" / "page.md").read_text(encoding="utf-8").split("\n")
    assert lines[found[0].line - 1].strip()[:4] == markup.split("\n")[-1].strip()[:4]  # the line that holds the address


@pytest.mark.parametrize("markup", [
    "[La HAS](https://www.has-sante.fr/) et <a href=\"https://www.ameli.fr/\">ameli</a>",  # links are clicked, not fetched
    "![Une assiette](images/assiette.png) <img src=\"../images/photo.png\" alt=\"\">",
    "![Un point](data:image/gif;base64,R0lGODlhAQABAAAAACw=)",
    "```html\n<img src=\"https://cdn.exemple.org/a.png\">\n```",  # a code sample is shown, not loaded
    "Écrire `![x](https://cdn.exemple.org/a.png)` dans la page.",
    "![La HAS](has.png) et ![Logo][logo]\n\n[has]: https://www.has-sante.fr/\n[logo]: logo.png",  # inline, not by reference
    "<!-- <iframe src='https://www.youtube.com/embed/abc'></iframe> -->",  # a comment loads nothing
    '<link rel="canonical" href="https://patients.example.org/page/">',
    '<span title="src=https://cdn.exemple.org/a.png">x</span> <img data-src="https://cdn.exemple.org/a.png" src="a.png">',
    "Écrire url(https://cdn.exemple.org/a.png) dans une <b>feuille de style</b>.",  # prose, not a style
    '<div class="mermaid-legende">Légende</div>',
])
def test_links_local_files_and_code_samples_are_fine(hub, markup):
    assert _cp600(hub, markup + "\n") == []


def test_a_mermaid_fence_is_a_diagram_only_with_superfences(hub):
    fence = "```mermaid\ngraph TD; A-->B\n```\n"
    assert _cp600(hub, fence) == []  # fenced_code: a code block of class language-mermaid, which Material leaves alone
    config = hub.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "markdown_extensions:\n", "markdown_extensions:\n  - pymdownx.superfences:\n      custom_fences: []\n"), encoding="utf-8")
    [found] = _cp600(hub, fence)
    lines = (hub.content / "patient" / "page.md").read_text(encoding="utf-8").split("\n")
    assert "unpkg.com" in found.message and lines[found.line - 1] == "```mermaid"


def test_a_fence_nested_in_a_list_item_is_code_with_superfences_only(hub):
    sample = "- Exemple :\n\n    ```html\n    <img src=\"https://cdn.exemple.org/a.png\">\n\n    <p>suite</p>\n    ```\n"
    assert len(_cp600(hub, sample)) == 1  # fenced_code alone: the indented fence is text, the image live
    config = hub.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "markdown_extensions:\n", "markdown_extensions:\n  - pymdownx.superfences\n"), encoding="utf-8")
    assert _cp600(hub, sample) == []
    for unclosed in ("```\na\n\n<img src=\"https://cdn.exemple.org/a.png\">\n\n````\n",  # superfences: the same fence only
                     "- item\n\n    ```\nx\n\n<img src=\"https://cdn.exemple.org/a.png\">\n\n    ```\n"):  # a line less indented
        assert len(_cp600(hub, unclosed)) == 1, unclosed


def test_an_emoji_shortcode_is_an_image_from_a_cdn_only_with_pymdownx_emoji(hub):
    body = "Bravo :smile: et :+1: !\n\nUn `:rocket:` dans du code, une icône :material-heart:, l'heure 10:30:00.\n"
    assert _cp600(hub, body) == []  # without the extension, a shortcode is text
    config = hub.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("markdown_extensions:\n", "markdown_extensions:\n  - pymdownx.emoji\n"),
                      encoding="utf-8")
    found = _cp600(hub, body)
    lines = (hub.content / "patient" / "page.md").read_text(encoding="utf-8").split("\n")
    assert len(found) == 2 and {lines[f.line - 1] for f in found} == {"Bravo :smile: et :+1: !"}
    assert all("emoji shortcode" in f.message and "cdn.jsdelivr.net" in f.message for f in found)
    assert 'src="https://' in markdown.markdown(":smile:", extensions=["pymdownx.emoji"])  # as the finding says
