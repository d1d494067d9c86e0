"""Messages in the user's language: the gettext catalogs under `locale/`, read with the stdlib.

English is the source language: every message is written in English in the code and looked up
in the catalog of `project.language` ("en" or "zh-CN"). The catalogs (`reqforge.pot`, and a
`.po` with its compiled `.mo` per language) are shared with the site; Babel extracts and
compiles them at development time only (`tooling/update_catalogs.py`), so running reqforge
imports nothing but `gettext`.

Code that knows the configuration translates at once (`translator(config.language)`). Code
below it (the loader, field validation, the filter parser, configuration errors) builds a
`Text`: English as a `str`, but carrying its template and named values, so whoever knows the
language later turns it into that language with `localize`.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

DOMAIN = "reqforge"
DEFAULT_LANGUAGE = "en"
# The language where reqforge.toml does not set `project.language`, and of what is said without
# a readable configuration (outside a repository, about a broken reqforge.toml).
LANGUAGE_VARIABLE = "REQFORGE_LANG"

# A language as the configuration spells it -> the catalog folder under locale/.
CATALOGS = {"en": "en", "zh-CN": "zh_CN"}


def locale_dir() -> Path:
    """The catalogs: inside the package in a wheel, the repository's `locale/` in a checkout."""
    package = Path(__file__).resolve().parent
    shipped = package / "locale"
    return shipped if shipped.is_dir() else package.parent.parent / "locale"


def catalog_name(language: str) -> str:
    """The catalog folder for a language ("zh-CN" -> "zh_CN"); English for one we lack."""
    for name, folder in CATALOGS.items():
        if name.lower() == language.strip().replace("_", "-").lower():
            return folder
    return CATALOGS[DEFAULT_LANGUAGE]


# implements: REQ-508
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of `language`, read once per process; English (identity) when absent."""
    return _catalog(catalog_name(language))


@cache  # one translations object per catalog, for the life of the process
def _catalog(folder: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, str(locale_dir()), languages=[folder], fallback=True)


def translator(language: str) -> Callable[[str], str]:
    """`gettext` for `language`: bind it to `_` where the messages are written."""
    return translations(language).gettext


def plural_translator(language: str) -> Callable[[str, str, int], str]:
    """`ngettext` for `language` (singular, plural, count)."""
    return translations(language).ngettext


def environment_language(default: str = DEFAULT_LANGUAGE) -> str:
    """The language REQFORGE_LANG asks for, if it names one we have, else `default`."""
    wanted = os.environ.get(LANGUAGE_VARIABLE, "").strip()
    if not wanted:
        return default
    folder = catalog_name(wanted)
    return next(name for name, f in CATALOGS.items() if f == folder)


def N_(message: str) -> str:
    """Marks a message for the catalogs where it is written, to be translated where it is used
    (a table of messages built before any language is known)."""
    return message


class Text(str):
    """A message not yet in the user's language: its English text, plus the template and the
    named values to build it again in another language with `localize`.

    `Text("{id!r} is not a known requirement", id=rid)` reads as English wherever a `str`
    is expected, so code that does not care about languages needs no change.
    """

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Text:
        text = super().__new__(cls, template.format(**values) if values else template)
        text.template = template
        text.values = values
        return text

    def __reduce__(self) -> Any:  # a copy or pickle keeps the template and values
        return (_rebuild, (self.template, self.values))

    def localize(self, language: str) -> str:
        """This message in `language`, its values (Texts too) in that language as well."""
        template = translations(language).gettext(self.template)
        if not self.values:
            return template
        values = {key: localize(value, language) for key, value in self.values.items()}
        return template.format(**values)


def _rebuild(template: str, values: dict[str, Any]) -> Text:
    return Text(template, **values)


def localize(text: Any, language: str) -> Any:
    """A `Text` in `language`; anything else unchanged (plain strings are data, not messages)."""
    return text.localize(language) if isinstance(text, Text) else text
