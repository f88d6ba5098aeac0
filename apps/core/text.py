"""Chinese text helpers: pinyin keys that let the hotline find 广州市第一人民医院 by typing 'gzsdy'."""

from pypinyin import Style, lazy_pinyin


def pinyin_keys(text: str) -> tuple[str, str]:
    """(full pinyin, initials), lower-case, without spaces; non-Chinese characters kept as they are."""
    if not text:
        return "", ""
    full = lazy_pinyin(text, errors="default")
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    clean = lambda parts: "".join(p for p in parts if not p.isspace()).lower()  # noqa: E731
    return clean(full)[:255], clean(initials)[:128]
