"""Chinese text search for the case library (SPEC KB-1: "searchable in Chinese — word
segmentation, not just substring").

A text becomes terms the same way when a case is indexed and when somebody searches:

- Chinese is segmented by jieba in its search mode (a long word also yields the dictionary words
  inside it: 糖化血红蛋白 → 糖化, 血红, 蛋白, 糖化血红蛋白), with a small IVD user dictionary
  (dictionary/ivd_words.txt) so 反应盘, 加样针 or 色谱柱 stay whole;
- ASCII runs are kept whole and lower-cased (model codes YH-30, error codes E021, lot numbers),
  a code with separators also under its joined form (yh-30 → yh30); full-width letters typed by a
  Chinese input method count as ASCII;
- punctuation, whitespace, stop words (dictionary/stopwords.txt) and short pure numbers go.

jieba's dictionary takes about 1.5 s to load, so it is loaded once per process, on first use,
with its cache file under DATA_DIR and its log silenced.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from apps.knowledge import policies

DICTIONARY_DIR = Path(__file__).resolve().parent / "dictionary"
USER_DICTIONARY = DICTIONARY_DIR / "ivd_words.txt"
STOPWORDS = DICTIONARY_DIR / "stopwords.txt"
SYNONYMS = DICTIONARY_DIR / "synonyms.txt"

MAX_TERM_LENGTH = 64  # CaseTerm.term
ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-_./][A-Za-z0-9]+)*")
ASCII_SEPARATORS = re.compile(r"[-_./]")
NUMBER = re.compile(r"[0-9.]+")
# Full-width ASCII (ＹＨ－３０) and the ideographic space, mapped one character to one so that
# positions in the text stay where they were (highlighting).
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_lock = threading.Lock()
_tokenizer = None


def _lines(path: Path) -> Iterator[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


def tokenizer():
    """The process's jieba tokenizer with the IVD dictionary, loaded on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)  # it logs every dictionary load at DEBUG to stderr
                instance = jieba.Tokenizer()
                cache_dir = Path(settings.DATA_DIR) / "cache" / "jieba"
                cache_dir.mkdir(parents=True, exist_ok=True)
                instance.tmp_dir = str(cache_dir)
                instance.initialize()
                for line in _lines(USER_DICTIONARY):
                    word, *frequency = line.split()
                    instance.add_word(word, int(frequency[0]) if frequency else None)
                _tokenizer = instance
    return _tokenizer


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_lines(STOPWORDS))


@lru_cache(maxsize=1)
def synonym_groups() -> dict[str, tuple[str, ...]]:
    """term → the other terms of its group(s)."""
    others: dict[str, dict[str, None]] = {}
    for line in _lines(SYNONYMS):
        group = [word.lower() for word in re.split(r"[\s,，、]+", line) if word]
        for word in group:
            others.setdefault(word, {}).update((w, None) for w in group if w != word)
    return {word: tuple(group) for word, group in others.items()}


def _keep(term: str) -> bool:
    return (
        0 < len(term) <= MAX_TERM_LENGTH
        and any(ch.isalnum() for ch in term)
        and term not in stopwords()
        and not (NUMBER.fullmatch(term) and len(term.replace(".", "")) < policies.NUMBER_MIN_LENGTH)
    )


def _chinese_spans(text: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    chunk = text[start:end]
    if not chunk.strip():
        return
    for word, word_start, word_end in tokenizer().tokenize(chunk, mode="search"):
        term = word.strip().lower()
        if _keep(term):
            yield term, start + word_start, start + word_end


def _ascii_spans(token: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    term = token.lower()
    if not _keep(term):
        return
    yield term, start, end
    joined = ASCII_SEPARATORS.sub("", term)
    if joined != term and _keep(joined):
        yield joined, start, end


def spans(text: str) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) for every term of the text, in order; overlapping where the search
    mode yields a word and the words inside it."""
    text = (text or "").translate(FULL_WIDTH)
    position = 0
    for match in ASCII_TOKEN.finditer(text):
        yield from _chinese_spans(text, position, match.start())
        yield from _ascii_spans(match.group(), match.start(), match.end())
        position = match.end()
    yield from _chinese_spans(text, position, len(text))


def terms(text: str) -> list[str]:
    """The text's terms, repeats included (what the index counts)."""
    return [term for term, _start, _end in spans(text)]


def term_frequencies(text: str) -> Counter:
    return Counter(terms(text))


def query_terms(text: str) -> list[str]:
    """The distinct terms of a query, in the order typed, cut to a sane size."""
    seen: dict[str, None] = {}
    for term in terms((text or "")[: policies.QUERY_MAX_CHARS]):
        seen.setdefault(term, None)
        if len(seen) >= policies.QUERY_MAX_TERMS:
            break
    return list(seen)


def weighted_query(text: str) -> dict[str, float]:
    """term → weight: the words typed count fully, their synonyms (dictionary/synonyms.txt) less."""
    typed = query_terms(text)
    weights = dict.fromkeys(typed, 1.0)
    groups = synonym_groups()
    for term in typed:
        for other in groups.get(term, ()):
            weights.setdefault(other, policies.SYNONYM_WEIGHT)
    return weights


# --- showing where a result matched ----------------------------------------------------------------


def highlight(text: str, wanted: Iterable[str]) -> list[tuple[str, bool]]:
    """The text cut into (part, matched) pieces: the parts that are one of the `wanted` terms
    (overlapping matches merged) come out marked. Templates escape each part."""
    text = text or ""
    wanted = set(wanted)
    ranges: list[list[int]] = []
    if wanted:
        for start, end in sorted((s, e) for term, s, e in spans(text) if term in wanted):
            if ranges and start <= ranges[-1][1]:
                ranges[-1][1] = max(ranges[-1][1], end)
            else:
                ranges.append([start, end])
    pieces, position = [], 0
    for start, end in ranges:
        if start > position:
            pieces.append((text[position:start], False))
        pieces.append((text[start:end], True))
        position = end
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def snippet(text: str, wanted: Iterable[str], width: int = policies.SNIPPET_CHARS) -> list[tuple[str, bool]]:
    """Like highlight(), on at most `width` characters of the text around its first match."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return highlight(text, wanted)
    wanted = set(wanted)
    first = min((s for term, s, _e in spans(text) if term in wanted), default=0)
    start = max(0, min(first - width // 4, len(text) - width))
    window = text[start : start + width]
    result = highlight(window, wanted)
    if start > 0:
        result.insert(0, ("…", False))
    if start + width < len(text):
        result.append(("…", False))
    return result
