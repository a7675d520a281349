"""The pages' own words in Persian and English, each once (the domain's reasons are in gis/errors.py's
catalogue), kept as data in strings.toml next to this module: one table per key with its `fa` and `en`.
`words` gives a page the ones of its language."""

from pathlib import Path

from gis.errors import LANGUAGES, pairs, pick, read_catalogue

_CATALOGUE = read_catalogue(Path(__file__).with_name("strings.toml"))

# The error page's heading and advice, by HTTP status and language.
ERROR_PAGE: dict[int, dict[str, tuple[str, str]]] = {
    int(status): {lang: (texts[lang][0], texts[lang][1]) for lang in LANGUAGES}
    for status, texts in _CATALOGUE["error_page"].items()
}

# The error page's frame (the site's name and the way back), by language.
PAGE: dict[str, dict[str, str]] = {
    lang: {key: table[lang] for key, table in _CATALOGUE["page"].items()} for lang in LANGUAGES
}

# Every word the pages show, once: "page.key" → (Persian, English); strings.toml says which page reads which.
WORDS: dict[str, tuple[str, str]] = pairs(_CATALOGUE["words"])


def words(page: str, lang: str) -> dict[str, str]:
    """A page's words by their keys, in the page's language (Persian unless `lang` is en)."""
    prefix = f"{page}."
    return {
        key.removeprefix(prefix): pick(pair, lang) for key, pair in WORDS.items() if key.startswith(prefix)
    }
