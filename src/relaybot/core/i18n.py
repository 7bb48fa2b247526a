"""Texts in Russian and English through gettext catalogues read with Babel.

Source strings are English and marked with `N_` where they are declared, so they can be
extracted (`pybabel extract`) and are translated only when rendered for a user's locale.
Every package with user-facing texts registers its own `locales/` folder of `<lang>.po` files.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

SUPPORTED_LOCALES = ("ru", "en")
_catalog_dirs: list[Path] = [Path(__file__).resolve().parent.parent / "locales"]


def N_(message: str) -> str:
    """Mark a text for translation without translating it yet."""
    return message


def register_catalogs(directory: Path) -> None:
    """Add a folder of `<lang>.po` files; later folders win on the same message id."""
    if directory not in _catalog_dirs:
        _catalog_dirs.append(directory)
        reset_cache()


def normalize_locale(language: str | None, default: str) -> str:
    """`ru-RU`, `ru_KG` and `RU` all mean `ru`; anything unsupported falls back to `default`."""
    if language:
        short = language.replace("_", "-").split("-")[0].lower()
        if short in SUPPORTED_LOCALES:
            return short
    return default


@lru_cache(maxsize=8)
def _translations(locale: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for directory in _catalog_dirs:
        path = directory / f"{locale}.po"
        if not path.is_file():
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            usable = message.id and message.string and not message.fuzzy
            if usable and isinstance(message.id, str) and isinstance(message.string, str):
                merged[message.id] = message.string
    return merged


class Translator:
    """Translate and format texts for one locale."""

    __slots__ = ("_table", "locale")

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._table = _translations(locale)

    def gettext(self, message: str, /, **values: Any) -> str:
        """The translation of message id `message` (the English text itself when there is
        none), with `values` filled in."""
        text = self._table.get(message, message)
        return text.format(**values) if values else text

    __call__ = gettext


@lru_cache(maxsize=8)
def translator(locale: str) -> Translator:
    """The `Translator` of `locale`, kept for reuse: jobs and notifications speak the
    recipient's language without a `Context`."""
    return Translator(locale)


def reset_cache() -> None:
    _translations.cache_clear()
    translator.cache_clear()
