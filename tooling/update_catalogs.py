"""Re-extract reqforge's messages and update and compile the gettext catalogs under locale/.

Run it after adding or changing a message (needs Babel, in the `test` extra):

    .venv/bin/python tooling/update_catalogs.py

It writes `locale/reqforge.pot` from the sources, brings every `locale/*/LC_MESSAGES/
reqforge.po` up to date with it (new messages arrive untranslated: translate them, then run it
again) and compiles each `.po` into the `.mo` that reqforge reads at run time. The same
extraction is the one `tests/test_i18n.py` compares the committed catalogs with.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tooling" / "reqforge"
LOCALE = ROOT / "locale"
DOMAIN = "reqforge"
# `_`, `ngettext` and `N_` are Babel's defaults; `Text` is reqforge.i18n.Text.
KEYWORDS = {**DEFAULT_KEYWORDS, "Text": None, "N_": None}
METHODS = [("**.py", "python")]
# The site's templates: their UI text goes through jinja2's i18n extension (`_("...")`).
TEMPLATES = ROOT / "templates"
TEMPLATE_METHODS = [("**.html", "jinja2")]


def extract_template() -> Catalog:
    """Every message in the package's sources, as a fresh template catalog: the messages
    written in the code and in the site's templates, and the command line's help (click
    reads it from docstrings)."""
    template = Catalog(project=DOMAIN, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        SOURCES, METHODS, keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for filename, lineno, message, comments, _context in extract_from_dir(
        TEMPLATES, TEMPLATE_METHODS, keywords=KEYWORDS
    ):
        template.add(message, None, [(f"templates/{filename}", lineno)], auto_comments=comments)
    sys.path.insert(0, str(SOURCES.parent))
    from reqforge.cli.main import help_messages

    for text in help_messages():
        template.add(text, None, [("tooling/reqforge/cli", 0)])
    return template


def catalog_paths() -> list[Path]:
    """The `.po` file of every language under locale/."""
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def compiled(catalog: Catalog) -> bytes:
    """The `.mo` bytes of a catalog (what `pybabel compile` writes)."""
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def _po_bytes(catalog: Catalog, **options: bool) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, no_location=True, sort_output=True, **options)
    return out.getvalue()


def main() -> int:
    template = extract_template()
    pot = LOCALE / f"{DOMAIN}.pot"
    if pot.is_file():
        with pot.open("rb") as source:
            previous = read_po(source)
        if {m.id for m in previous} == {m.id for m in template}:
            # The same messages: keep the date, so an unchanged catalog stays byte for byte.
            template.creation_date = previous.creation_date
    pot.write_bytes(_po_bytes(template))
    untranslated = 0
    for path in catalog_paths():
        with path.open("rb") as source:
            catalog = read_po(source)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.write_bytes(_po_bytes(catalog))
        path.with_suffix(".mo").write_bytes(compiled(catalog))
        if catalog.locale_identifier != "en":
            missing = [m.id for m in catalog if m.id and not m.string]
            untranslated += len(missing)
            for msgid in missing:
                print(f"{path.parent.parent.name}: untranslated: {msgid!r}", file=sys.stderr)
    return 1 if untranslated else 0


if __name__ == "__main__":
    sys.exit(main())
