"""Texts the channel adapters add themselves, such as how to answer a list of options."""

from __future__ import annotations

from pathlib import Path

from relaybot.core.i18n import Translator, normalize_locale, register_catalogs, translator

LOCALES = Path(__file__).resolve().parent / "locales"


def channel_translator(language: str | None, default: str) -> Translator:
    register_catalogs(LOCALES)
    return translator(normalize_locale(language, default))
