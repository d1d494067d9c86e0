"""HTML made in Python for the site's templates: the rule every printed value follows, the
UI text, and the small fragments a site repeats hundreds of thousands of times.

A template pays for every `{{ value }}` (an attribute lookup, the finalize hook, escaping) and
much more for every macro call or `_()` (Jinja2's call machinery: about 4 us each). A site of
10,000 requirement pages holds 300,000 history change rows, 100,000 links and 300,000 UI
strings, which made those calls most of a build. So the fragments here are built once per
distinct value, by exactly the rules of the templates (`visible`, then autoescape), and the
templates print them as `Markup`, which passes the finalize hook and autoescape untouched.
Each environment gets its own fragments (`install`): nothing is kept between builds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import jinja2
from jinja2.compiler import CodeGenerator
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup, escape
from markupsafe._speedups import _escape_inner

from reqforge.invisible import code_point, escape_each_hidden

if TYPE_CHECKING:
    import gettext

    from jinja2.compiler import Frame
    from jinja2.nodes import Expr


# implements: REQ-510
def visible(value: Any) -> Any:
    """Every value a template prints, with hidden characters (bidi overrides, zero-width
    characters) shown as escapes so that no title reads differently than it is; HTML made
    by reqforge (a rendered body, a fragment of this module) passes as it is."""
    # Called for every printed value (millions in a large site): the common plain-ASCII
    # string is let through here, before the general test.
    if type(value) is str and value.isascii() and "\x7f" not in value:
        return value
    if isinstance(value, str) and not isinstance(value, Markup):
        return escape_each_hidden(value, code_point)
    return value


def printed(value: Any) -> str:
    """What `{{ value }}` prints in a site template: `escape(visible(value))` as text, in
    one call (a page prints a hundred values; Markup objects made only to be joined were a
    tenth of rendering it)."""
    if type(value) is str:
        if not value.isascii() or "\x7f" in value:
            value = escape_each_hidden(value, code_point)
        return _escape_inner(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return str(escape(visible(value)))


class _PrintingCodeGenerator(CodeGenerator):
    """Compiles each `{{ value }}` of an autoescaped template to `environment.printed(value)`
    instead of `escape(environment.finalize(value))`: the same text, one call. Constants are
    folded at compile time as before (finalize, then escape)."""

    def _output_child_pre(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
        else:
            self.write("environment.printed(")

    def _output_child_post(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_post(node, frame, finalize)
        else:
            self.write(")")


class SiteEnvironment(jinja2.Environment):
    """The site's Jinja2 environment: autoescaped, every printed value through `printed`
    (`visible`, then escaped)."""

    code_generator_class = _PrintingCodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(autoescape=True, finalize=visible, **options)
        self.printed = printed


def text(value: Any) -> Markup:
    """A value as `{{ value }}` prints it in a template: hidden characters shown, escaped."""
    return escape(visible(value))


class Row(dict[str, Any]):
    """A context row whose keys are also its attributes. Jinja2 reads `{{ row.id }}` by
    trying the attribute first; on a plain dict that try raises and catches an AttributeError
    for every value printed, which doubled the cost of printing one. Here the row is its own
    attribute dictionary, so the first try finds the key at C speed."""

    def __init__(self, *args: Any, **values: Any) -> None:
        super().__init__(*args, **values)
        self.__dict__ = self


class ChangeRow(NamedTuple):
    """One field-level change as the pages show it: the field, the value before and after
    (shown as text; the body as `-3` and `+5` lines)."""

    field: str
    old: str
    new: str


def ui_text(translations: gettext.NullTranslations) -> Callable[..., Markup]:
    """`_` for the templates: what jinja2.ext.i18n's new-style gettext returns (the
    translation as Markup, `%` formatting applied), each message translated once."""
    known: dict[str, Markup] = {}

    def translate(message: str, **variables: Any) -> Markup:
        if variables:
            return Markup(translations.gettext(message)) % variables
        shown = known.get(message)
        if shown is None:
            shown = known[message] = Markup(translations.gettext(message)) % {}
        return shown

    return translate


# implements: REQ-510
# implements: REQ-603
class Fragments:
    """The repeated fragments of one build's pages, each made once per distinct value."""

    def __init__(self, _: Callable[..., Markup]) -> None:
        self._rows: dict[tuple[str, ...], str] = {}
        self._links: dict[tuple[Any, ...], Markup] = {}
        self._commits: dict[tuple[Any, ...], Markup] = {}
        field, before, after = _("Field"), _("Before"), _("After")  # outside an f-string,
        # where the message extractor finds them
        self._changes_head = (
            '<table class="changes">\n<thead><tr>'
            f'<th scope="col">{field}</th><th scope="col">{before}</th>'
            f'<th scope="col">{after}</th></tr></thead>\n<tbody>\n'
        )

    def changes_table(self, changes: Iterable[ChangeRow]) -> Markup:
        """Field-level changes as a table (field, before, after)."""
        return Markup(f"{self._changes_head}{self.table_rows(changes)}\n</tbody>\n</table>\n")

    def fields_table(self, fields: Iterable[tuple[str, str]]) -> Markup:
        """Fields as a table of (name, value) rows, the name heading each row."""
        rows = self.table_rows(fields)
        return Markup(f'<table class="fields">\n<tbody>\n{rows}\n</tbody>\n</table>')

    def history_list(self, events: Iterable[Mapping[str, Any]]) -> Markup:
        """A requirement's history, newest first (`pages.history_rows`): each commit
        (`commit_line`) with its kind of change, its subject and its field-level changes."""
        parts = ['<ol class="history">\n']
        for event in events:
            parts.append(
                f"<li>\n<p>{self.commit_line(event)} · {text(event['kind'])}</p>\n"
                f'<p class="subject">{text(event["subject"])}</p>\n'
            )
            if event["changes"]:
                parts.append(self.changes_table(event["changes"]))
            parts.append("</li>\n")
        parts.append("</ol>\n")
        return Markup("".join(parts))

    def table_rows(self, rows: Iterable[tuple[str, ...]]) -> Markup:
        """`<tr>` rows of a table whose first cell heads the row: a field table (name,
        value) or a change table (`ChangeRow`: field, before, after)."""
        known = self._rows
        parts = []
        for row in rows:
            html = known.get(row)
            if html is None:
                head, *cells = row
                html = known[row] = (
                    f'<tr><th scope="row">{text(head)}</th>'
                    + "".join(f"<td>{text(cell)}</td>" for cell in cells)
                    + "</tr>"
                )
            parts.append(html)
        return Markup("".join(parts))

    def requirement_link(self, req: Any, root: str, titled: bool = False) -> Markup:
        """A requirement's ID linked to its page (plain text when it has none), followed by
        its title when `titled` and it has one. `req` has `id`, `page` and `title` as keys
        (a context row) or attributes (`pages.Target`)."""
        if isinstance(req, Mapping):
            rid, page, title = req["id"], req.get("page"), req.get("title")
        else:
            rid, page, title = req.id, req.page, req.title
        key = (rid, page, title if titled else None, root)
        html = self._links.get(key)
        if html is None:
            html = text(rid)
            if page:
                html = Markup(f'<a href="{text(root)}{text(page)}">{html}</a>')
            if titled and title:
                html += Markup(" ") + text(title)
            self._links[key] = html
        return html

    def commit_line(self, commit: Mapping[str, Any]) -> Markup:
        """A commit's date, author, short sha and PR, the sha and the PR linked to the forge
        when their addresses are known (`pages.commit_context`'s keys)."""
        key = tuple(commit[name] for name in _COMMIT_KEYS)
        html = self._commits.get(key)
        if html is None:
            when, date, author, sha, commit_url, pr, pr_url = map(text, key)
            code = Markup(f"<code>{sha}</code>")
            if key[4]:
                code = Markup(f'<a href="{commit_url}" rel="noopener noreferrer">{code}</a>')
            html = Markup(
                f'<time datetime="{when}" title="{when}">{date}</time> · {author} · {code}'
            )
            if key[5]:
                number = Markup(f"#{pr}")
                if key[6]:
                    number = Markup(f'<a href="{pr_url}" rel="noopener noreferrer">{number}</a>')
                html += Markup(" · ") + number
            self._commits[key] = html
        return html


_COMMIT_KEYS = ("datetime", "date", "author", "sha", "commit_url", "pr", "pr_url")


# implements: REQ-511
class FixedText(Extension):
    """UI text translated once, when a template is compiled: `_("literal")` (no variables,
    not an attribute of something else) becomes `("the translation"|safe)`, which Jinja2
    folds into the compiled template's own text. A page of 10,000 printed 35 of them, each
    a call through Jinja2's machinery, a finalize and an escape: a quarter of its rendering.
    The translation is exactly what `_` returns at run time (`ui_text`); a message that `_`
    cannot translate without variables is left to run time."""

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        translate = self.environment.globals.get("_")
        if not callable(translate):
            translate = None
        tokens = list(stream)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            window = [t.type for t in tokens[i : i + 4]]
            if (
                translate is not None
                and token.test("name:_")
                and window == ["name", "lparen", "string", "rparen"]
                and (i == 0 or tokens[i - 1].type != "dot")
            ):
                try:
                    shown = str(translate(tokens[i + 2].value))
                except (KeyError, TypeError, ValueError):
                    shown = None
                if shown is not None:
                    line = token.lineno
                    yield Token(line, "lparen", "(")
                    yield Token(line, "string", shown)
                    yield Token(line, "pipe", "|")
                    yield Token(line, "name", "safe")
                    yield Token(line, "rparen", ")")
                    i += 4
                    continue
            yield token
            i += 1


def install(env: jinja2.Environment, translations: gettext.NullTranslations) -> None:
    """Give `env`'s templates the fragments of this module and the once-translated `_`
    (call after `install_gettext_translations`): `rows_html(rows)`, `changes_html(rows)`,
    `fields_html(rows)`, `history_html(events)`, `link_html(req, root, titled=False)`,
    `commit_html(commit)`; the macros of `changes.html` print them."""
    translate = ui_text(translations)
    fragments = Fragments(translate)
    env.globals.update(
        _=translate,
        rows_html=fragments.table_rows,
        changes_html=fragments.changes_table,
        fields_html=fragments.fields_table,
        history_html=fragments.history_list,
        link_html=fragments.requirement_link,
        commit_html=fragments.commit_line,
    )
