"""Lexicons (medicine names, promotional claims) and the matcher that finds them in text.

Text and lexicon entries go through the same folding before matching: Unicode compatibility
forms, look-alike letters from other alphabets mapped to their Latin skeleton ("Glucоrex" with a
Cyrillic о is "glucorex"), invisible characters dropped, lower case, accents removed. Phrases then
match token by token, each token reduced to its Snowball stem (claims) or without a plural `s`
(medicine names), so word forms do not hide a match.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import regex
import snowballstemmer

from carepress.model.registries import ConfigurationError, Product
from carepress.model.yamlmap import YamlProblem, parse_yaml

LEXICON_DIR = "lexicons"
DRUGS_FILE = "drugs.yml"
CLAIM_FILES = {"fr": "claims.fr.yml", "en": "claims.en.yml"}
STEMMERS = {"fr": "french", "en": "english"}

# Letters from Cyrillic and Greek that render like Latin ones (after Unicode's confusables.txt).
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ү": "y", "һ": "h",
    "ӏ": "l", "ɡ": "g", "ı": "i",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X",
    "І": "I", "Ј": "J", "Ѕ": "S", "Ԍ": "G",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
    "Τ": "T", "Υ": "Y", "Χ": "X",
})
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e")
_WORD = re.compile(r"[^\W_]+")  # letters and digits (str.isalnum), as \p{L}\p{N}; `re` is faster than `regex` here
_ASCII_BYTES = bytes(range(128))
# Between texts matched together: a line break is no letter (no word spans it) and `\b` reads it as the start or end
# of a text. What may match a text alone and not where it is followed by the next one: anchors, lookarounds, and
# what does not give back what it took (possessive quantifiers, atomic groups, backtracking verbs).
JOINER = "\n"
_LOOKS_BEYOND_MATCH = re.compile(r"\^|\$|\\[AZzG]|\(\?<?[=!]|[*+?}]\+|\(\?>|\(\*")
# Bytes of UTF-8 text with every ASCII character that is not a letter or digit turned into a space.
_ASCII_PUNCTUATION_TO_SPACE = bytes(byte if byte >= 0x80 or chr(byte).isalnum() else 0x20 for byte in range(256))


def _fold_char(char: str) -> str:
    if char in _INVISIBLE:
        return ""
    if char.isascii():
        return char.lower()
    compatible = unicodedata.normalize("NFKC", char).translate(_CONFUSABLES)
    decomposed = unicodedata.normalize("NFD", compatible)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


class _FoldTable(dict):
    """str.translate table filled on first sight of each character."""

    def __init__(self):
        super().__init__()
        self.resizing: set[str] = set()  # characters that fold to zero or several characters

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        if len(folded) != 1:
            self.resizing.add(chr(code))
        return folded


_TABLE = _FoldTable()


def _beyond_ascii(text: str) -> set[str]:
    """The distinct characters of `text` beyond ASCII: deleting the ASCII bytes of its UTF-8 form leaves whole characters
    (a multi-byte sequence has no ASCII byte): 12 µs an article, against 31 µs for a regex's findall."""
    return set(text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass"))


def fold(text: str) -> tuple[str, list[int] | None]:
    """The matching form of `text`, and the original offset of each of its characters (None: the same)."""
    if text.isascii():
        return text.lower(), None
    special = {char: _TABLE[ord(char)] for char in _beyond_ascii(text)}
    if all(folded == char or (len(folded) == 1 and folded.isascii()) for char, folded in special.items()):
        # A text has few distinct accented letters: one C-level replace each beats a per-character table.
        for char, folded in special.items():
            if folded != char:
                text = text.replace(char, folded)
        return text.lower(), None
    folded = text.translate(_TABLE)
    offsets: list[int] = []
    for index, char in enumerate(text):
        offsets.extend([index] * len(_TABLE[ord(char)]))
    return folded, offsets


def fold_text(text: str) -> str:
    return fold(text)[0]


@dataclass(frozen=True)
class Match:
    start: int  # offsets in the original text
    end: int
    entry: str  # what matched: the medicine or the claim entry id
    label: str  # a short description for the message


class _KeyMemo(dict):
    """word -> its matching key (stem or singular), computed once per word: texts share most of their words."""

    LIMIT = 200_000  # distinct words kept; a hostile text of random words cannot grow it without bound

    def __init__(self, key: callable) -> None:
        super().__init__()
        self.key = key

    def __missing__(self, word: str) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        found = self[word] = self.key(word)
        return found


@dataclass
class PhraseMatcher:
    """Token sequences looked up by their first token: linear in the text's length."""

    key: callable
    phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keys = _KeyMemo(self.key)
        self.tokens: set[str] = set()  # every key of every phrase
        # The words met so far, and of them those whose key is a phrase's: a text's words are sorted out by set
        # operations (in C), not one key lookup each (an article's 400 distinct words, for each of three lexicons).
        self.words_seen: set[str] = set()
        self.words_in_phrases: set[str] = set()

    def add(self, phrase: str, entry: str, label: str) -> None:
        tokens = tuple(self.key(t) for t in _WORD.findall(fold_text(phrase)))
        if tokens:
            self.phrases.setdefault(tokens[0], []).append((tokens, entry, label))
            self.tokens.update(tokens)
            self.words_seen.clear()  # a word met before may be in this phrase
            self.words_in_phrases.clear()

    def _present(self, vocabulary: frozenset[str]) -> set[str]:
        """The keys of `vocabulary`'s words that are keys of a phrase."""
        unseen = vocabulary.difference(self.words_seen)
        if unseen:
            if len(self.words_seen) >= _KeyMemo.LIMIT:  # bounded, as the keys' memo is: this text is sorted anew
                self.words_seen.clear()
                self.words_in_phrases.clear()
                unseen = vocabulary
            key, tokens = self.keys.__getitem__, self.tokens
            self.words_in_phrases.update(word for word in unseen if key(word) in tokens)
            self.words_seen.update(unseen)
        return set(map(self.keys.__getitem__, vocabulary & self.words_in_phrases))

    def _possible(self, vocabulary: frozenset[str]) -> dict[str, list[tuple[tuple[str, ...], str, str]]]:
        """The phrases whose every token is among `vocabulary`'s keys, by first token: only those can match."""
        phrases = self.phrases
        present = self._present(vocabulary)
        # `keys() &` goes through the text's words; `set.intersection(dict)` went through the whole lexicon.
        return {first: candidates for first in phrases.keys() & present
                if (candidates := [candidate for candidate in phrases[first] if present.issuperset(candidate[0])])}

    def may_match(self, vocabulary: frozenset[str]) -> bool:
        return bool(self._possible(vocabulary))

    def find(self, folded: str, vocabulary: frozenset[str]) -> list[tuple[int, int, str, str]]:
        """(start, end, entry, label) in `folded`, whose distinct words (`_WORD.findall`) are `vocabulary`."""
        key = self.keys.__getitem__
        possible = self._possible(vocabulary)  # most texts have none, and are not scanned
        if not possible:
            return []
        starting = {word for word in vocabulary if key(word) in possible}
        found = list(_WORD.finditer(folded))  # the words in order: only for texts that may match
        words = [match.group() for match in found]
        return [(found[position].start(), found[position + len(phrase) - 1].end(), entry, label)
                for position, word in enumerate(words) if word in starting
                for phrase, entry, label in possible[key(word)]
                if tuple(map(key, words[position:position + len(phrase)])) == phrase]


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 4 and word[-1] == "s" else word


@dataclass
class Lexicons:
    medicines: PhraseMatcher
    brands: list[tuple[str, str]]  # folded brand, medicine: searched inside link targets too
    claims: list[tuple[PhraseMatcher, list[tuple[regex.Pattern, str, str]]]]
    memo: dict = field(default_factory=dict)  # per-page results several rules share (see advertising.py)

    def __post_init__(self) -> None:
        # Several rules, on both sites, look at the same texts: match each text once.
        self.find_medicines = functools.lru_cache(maxsize=4096)(self.find_medicines)
        self.find_claims = functools.lru_cache(maxsize=4096)(self.find_claims)
        self.medicines_in = functools.lru_cache(maxsize=1024)(self.medicines_in)
        self.claims_in = functools.lru_cache(maxsize=1024)(self.claims_in)
        # A pattern that may match a text alone and not where the texts are joined (`_LOOKS_BEYOND_MATCH`): with one,
        # the claims of several texts are always looked for one text at a time.
        self.patterns_read_joined = not any(_LOOKS_BEYOND_MATCH.search(pattern.pattern)
                                            for _, patterns in self.claims for pattern, _, _ in patterns)

    # A page's short texts (title, description, keywords...): about 15 µs each to fold, split and match, where
    # most pages name no medicine and make no claim. They are matched joined first, and one by one only when
    # the joined text may match: a phrase matches token by token, and no token spans two lines.
    def medicines_in(self, texts: tuple[str, ...]) -> list[list[Match]]:
        """`find_medicines` of each of `texts`."""
        if not self.medicines.may_match(_prepared(JOINER.join(texts))[2]):
            return [[] for _ in texts]
        return [self.find_medicines(text) for text in texts]

    def claims_in(self, texts: tuple[str, ...]) -> list[list[Match]]:
        """`find_claims` of each of `texts`."""
        if self.patterns_read_joined:
            folded, _, vocabulary = _prepared(JOINER.join(texts))
            if not any(matcher.may_match(vocabulary) or any(pattern.search(folded) for pattern, _, _ in patterns)
                       for matcher, patterns in self.claims):
                return [[] for _ in texts]
        return [self.find_claims(text) for text in texts]

    def find_medicines(self, text: str) -> list[Match]:
        folded, offsets, vocabulary = _prepared(text)
        return [_to_original(start, end, entry, label, offsets)
                for start, end, entry, label in self.medicines.find(folded, vocabulary)]

    def find_brand_in_url(self, url: str) -> str | None:
        folded = fold_text(url)
        return next((medicine for brand, medicine in self.brands if brand in folded), None)

    def find_claims(self, text: str) -> list[Match]:
        folded, offsets, vocabulary = _prepared(text)
        matches = []
        for matcher, patterns in self.claims:
            for start, end, entry, label in matcher.find(folded, vocabulary):
                matches.append(_to_original(start, end, entry, label, offsets))
            for pattern, entry, label in patterns:
                for found in pattern.finditer(folded):
                    matches.append(_to_original(found.start(), found.end(), entry, label, offsets))
        return sorted(set(matches), key=lambda m: (m.start, m.entry))


@functools.lru_cache(maxsize=64)
def _prepared(text: str) -> tuple[str, list[int] | None, frozenset[str]]:
    """A text folded, and its distinct words, once for both lexicons."""
    folded, offsets = fold(text)
    return folded, offsets, _vocabulary(folded)


def _vocabulary(folded: str) -> frozenset[str]:
    """The distinct words of `folded`, as `_WORD.findall` splits it."""
    if len(folded) < SHORT_TEXT:
        return frozenset(_WORD.findall(folded))
    return _vocabulary_of_long_text(folded)


SHORT_TEXT = 1000  # characters: below, the regex is the faster (a title, 44 on average: 2.0 µs against 3.6)


def _vocabulary_of_long_text(folded: str) -> frozenset[str]:
    """`_vocabulary`, in less than half the regex's time on an article: the characters beyond ASCII that are no
    letter or digit (’, «, —, °: a text has few distinct ones) become spaces, one C-level replace each, then the ASCII
    punctuation, in one `bytes.translate` of the UTF-8 form (a multi-byte character has no ASCII byte: none is cut).
    What is left splits on blanks into the words `_WORD` finds."""
    for char in _beyond_ascii(folded):
        if not char.isalnum():
            folded = folded.replace(char, " ")
    return frozenset(folded.encode("utf-8", "surrogatepass").translate(_ASCII_PUNCTUATION_TO_SPACE)
                     .decode("utf-8", "surrogatepass").split())


def _to_original(start: int, end: int, entry: str, label: str, offsets: list[int] | None) -> Match:
    if offsets is None:
        return Match(start, end, entry, label)
    return Match(offsets[start], offsets[end - 1] + 1, entry, label)


def _stemmer(language: str):
    stemmer = snowballstemmer.stemmer(STEMMERS[language])
    return functools.lru_cache(maxsize=65536)(stemmer.stemWord)


def _read(file: Path, key: str) -> tuple[list, dict]:
    if not file.exists():
        raise ConfigurationError(f"{file}: lexicon file not found; create it with a top-level `{key}:` list")
    try:
        data, lines = parse_yaml(file.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, YamlProblem) as problem:
        where = f":{problem.line}" if getattr(problem, "line", None) else ""
        raise ConfigurationError(f"{file}{where}: invalid lexicon: {getattr(problem, 'message', problem)}") from None
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ConfigurationError(f"{file}: expected a top-level `{key}:` list")
    return entries, lines


def _load_medicines(file: Path, products: dict[str, Product]) -> tuple[PhraseMatcher, list[tuple[str, str]]]:
    entries, lines = _read(file, "medicines")
    matcher = PhraseMatcher(_singular)
    brands: list[tuple[str, str]] = []
    for index, names in enumerate(entries):
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
            raise ConfigurationError(f"{file}:{lines.get(('medicines', index), 1)}: medicines entry {index + 1}: "
                                     "write a list of names, e.g. [metformine, metformin, Glucophage]")
        for name in names:
            matcher.add(name, names[0], names[0])
    for product in products.values():
        for name in product.names:
            matcher.add(name, product.brands[0], f"{product.brands[0]} (registry product `{product.id}`)")
        brands += [(fold_text(brand), product.brands[0]) for brand in product.brands if len(brand) >= 5]
    return matcher, brands


def _load_claims(file: Path, language: str) -> tuple[PhraseMatcher, list[tuple[regex.Pattern, str, str]]]:
    entries, lines = _read(file, "claims")
    matcher = PhraseMatcher(_stemmer(language))
    patterns = []
    for index, entry in enumerate(entries):
        line = lines.get(("claims", index), 1)
        name = entry.get("id") if isinstance(entry, dict) else None
        where = f"{file}:{line}: claims entry `{name or index + 1}`"
        if not isinstance(entry, dict) or not isinstance(name, str):
            raise ConfigurationError(f"{where}: each entry needs an `id`, a `message` and `phrases` or `pattern`")
        label = str(entry.get("message") or name)
        phrases = entry.get("phrases", [])
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p.strip() for p in phrases):
            raise ConfigurationError(f"{where}: `phrases` must be a list of non-empty texts")
        for phrase in phrases:
            matcher.add(phrase, name, label)
        if "pattern" in entry:
            try:
                patterns.append((regex.compile(_fold_pattern(str(entry["pattern"]))), name, label))
            except regex.error as error:
                raise ConfigurationError(f"{where}: invalid pattern: {error}") from None
        elif not phrases:
            raise ConfigurationError(f"{where}: give `phrases` or a `pattern`")
    return matcher, patterns


_ESCAPE = re.compile(r"\\(?:[pPN]\{[^}]*\}|.)", re.DOTALL)


def _fold_pattern(pattern: str) -> str:
    r"""A lexicon pattern in the matching form of the texts it reads (`fold`), its escapes as written: folded, `\W`
    would become `\w` and `\A` the bell character."""
    kept = [(found.start(), found.end()) for found in _ESCAPE.finditer(pattern)]
    pieces, at = [], 0
    for start, end in kept:
        pieces += [fold_text(pattern[at:start]), pattern[start:end]]
        at = end
    return "".join(pieces) + fold_text(pattern[at:])


_CACHE: dict[tuple, Lexicons] = {}


def load_lexicons(registry_dir: Path, products: dict[str, Product]) -> Lexicons:
    """The hub's lexicons plus its registry's product names (cached while the files are unchanged)."""
    folder = registry_dir / LEXICON_DIR
    files = [folder / DRUGS_FILE, *(folder / name for name in CLAIM_FILES.values())]
    stamp = tuple(f.stat().st_mtime_ns if f.exists() else 0 for f in files)
    key = (str(folder), stamp, tuple((p.id, tuple(p.names)) for p in products.values()))
    if key not in _CACHE:
        medicines, brands = _load_medicines(folder / DRUGS_FILE, products)
        claims = [_load_claims(folder / name, language) for language, name in CLAIM_FILES.items()]
        if len(_CACHE) >= 8:  # files changed (serve) or many hubs (tests): start afresh
            _CACHE.clear()
        _CACHE[key] = Lexicons(medicines, brands, claims)
    return _CACHE[key]
