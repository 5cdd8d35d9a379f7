"""CP600: a page never makes its readers' browsers fetch from another host; links and code samples are fine."""

from __future__ import annotations

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
])
def test_a_resource_of_another_host_is_an_error_at_its_line(hub, markup, address):
    found = _cp600(hub, "Un paragraphe.\n\n" + markup + "\n")
    assert len(found) == 1 and found[0].blocks_publication, found
    assert address in found[0].message
    lines = (hub.content / "patient" / "page.md").read_text(encoding="utf-8").split("\n")
    assert lines[found[0].line - 1].strip()[:4] == markup.split("\n")[-1][:4]  # the line that holds the address


@pytest.mark.parametrize("markup", [
    "[La HAS](https://www.has-sante.fr/) et <a href=\"https://www.ameli.fr/\">ameli</a>",  # links are clicked, not fetched
    "![Une assiette](images/assiette.png) <img src=\"../images/photo.png\" alt=\"\">",
    "![Un point](data:image/gif;base64,R0lGODlhAQABAAAAACw=)",
    "```html\n<img src=\"https://cdn.exemple.org/a.png\">\n```",  # a code sample is shown, not loaded
    "Écrire `![x](https://cdn.exemple.org/a.png)` dans la page.",
])
def test_links_local_files_and_code_samples_are_fine(hub, markup):
    assert _cp600(hub, markup + "\n") == []
