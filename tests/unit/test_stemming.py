"""Keyword forms: Snowball stems through PyStemmer (C), exactly those of snowballstemmer's pure-Python Snowball."""

import re

import pytest
import snowballstemmer
from snowballstemmer.english_stemmer import EnglishStemmer
from snowballstemmer.french_stemmer import FrenchStemmer

from tests.conftest import REPO


def hub_vocabulary() -> list[str]:
    """Every word of the demo articles, lexicons and registries, in lower case."""
    words: set[str] = set()
    for path in [*(REPO / "content").rglob("*.md"), *(REPO / "site_config").rglob("*.yml")]:
        words.update(word.lower() for word in re.findall(r"[^\W_]+", path.read_text(encoding="utf-8")))
    return sorted(words)


def test_the_c_stemmer_is_the_one_used():
    assert type(snowballstemmer.stemmer("french")).__module__ == "Stemmer"


@pytest.mark.parametrize(("language", "reference"), [("french", FrenchStemmer), ("english", EnglishStemmer)])
def test_the_c_stemmer_gives_the_pure_python_stems(language, reference):
    words = hub_vocabulary()
    assert len(words) > 1000
    python = reference()
    assert snowballstemmer.stemmer(language).stemWords(words) == [python.stemWord(word) for word in words]
