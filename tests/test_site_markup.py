"""site/markup.py: the fragments made in Python print exactly what the template macros they
replace printed (escaped, hidden characters shown), the once-translated `_` gives what
jinja2.ext.i18n gives, and rows read as attributes; the markdown cache renders a body once."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from reqforge.cache import CacheStore
from reqforge.i18n import translations
from reqforge.site import markdown
from reqforge.site.markup import ChangeRow, FixedText, Fragments, Row, ui_text, visible

HOSTILE = '<script>alert(1)</script> "q" \u202eexe.txt & <img src=x onerror=alert(2)>'

# The macros the fragments replace, as the templates wrote them before.
MACROS = (
    "{% macro rows(changes) %}{% for change in changes %}"
    '<tr><th scope="row">{{ change.field }}</th><td>{{ change.old }}</td>'
    "<td>{{ change.new }}</td></tr>{% endfor %}{% endmacro %}"
    "{% macro link(target, root) %}{% if target.page %}"
    '<a href="{{ root }}{{ target.page }}">{{ target.id }}</a>{% else %}{{ target.id }}'
    "{% endif %}{% if target.title %} {{ target.title }}{% endif %}{% endmacro %}"
    "{% macro commit_line(commit) %}"
    '<time datetime="{{ commit.datetime }}" title="{{ commit.datetime }}">{{ commit.date }}'
    "</time> · {{ commit.author }} · {% if commit.commit_url %}"
    '<a href="{{ commit.commit_url }}" rel="noopener noreferrer"><code>{{ commit.sha }}</code>'
    "</a>{% else %}<code>{{ commit.sha }}</code>{% endif %}{% if commit.pr %} · "
    '{% if commit.pr_url %}<a href="{{ commit.pr_url }}" rel="noopener noreferrer">'
    "#{{ commit.pr }}</a>{% else %}#{{ commit.pr }}{% endif %}{% endif %}{% endmacro %}"
)


@pytest.fixture
def macros() -> jinja2.runtime.TemplateModule:
    env = jinja2.Environment(autoescape=True, finalize=visible)
    return env.from_string(MACROS).module


def commit(**values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "datetime": "2026-01-02T03:04:05+00:00",
        "date": "2026-01-02",
        "author": HOSTILE,
        "sha": "0123456789",
        "commit_url": None,
        "pr": None,
        "pr_url": None,
    }
    return base | values


# verifies: REQ-510
def test_change_rows_print_what_the_template_loop_printed(macros: object) -> None:
    rows = [ChangeRow("title", HOSTILE, "new\u200btitle"), ChangeRow("body", "-1", "+2")]
    fragments = Fragments(ui_text(translations("en")))
    html = fragments.table_rows(rows)
    assert isinstance(html, Markup)
    assert html == macros.rows(rows)  # type: ignore[attr-defined]
    assert "<script>" not in html and "\\u202e" in html and "\\u200b" in html
    assert fragments.table_rows(rows) == html  # made once, then reused
    assert fragments.table_rows([("status", "done")]) == (
        '<tr><th scope="row">status</th><td>done</td></tr>'
    )


# verifies: REQ-510
def test_links_print_what_the_template_macro_printed(macros: object) -> None:
    fragments = Fragments(ui_text(translations("en")))
    known = {"id": "CRM-1", "page": "requirements/CRM-1.html", "title": HOSTILE}
    gone = {"id": "CRM-<b>2</b>", "page": None, "title": ""}
    for target in (known, gone):
        expected = macros.link(target, "../")  # type: ignore[attr-defined]
        assert fragments.requirement_link(target, "../", titled=True) == expected
        assert fragments.requirement_link(Row(target), "../", titled=True) == expected
    assert fragments.requirement_link(known, "") == '<a href="requirements/CRM-1.html">CRM-1</a>'


# verifies: REQ-510
def test_commit_lines_print_what_the_template_macro_printed(macros: object) -> None:
    fragments = Fragments(ui_text(translations("en")))
    for values in (
        commit(),
        commit(pr=12),
        commit(
            commit_url="https://forge.example/o/r/commit/0123",
            pr=12,
            pr_url="https://forge.example/o/r/pull/12?a=1&b=2",
        ),
    ):
        assert fragments.commit_line(values) == macros.commit_line(values)  # type: ignore[attr-defined]


# verifies: REQ-508
def test_ui_text_is_what_the_i18n_extension_gives() -> None:
    catalog = translations("zh-CN")
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    translate = ui_text(catalog)
    for message in ("History", "Search", "{count} requirements", "100%% done"):
        expected = env.from_string("{{ _(m) }}").render(m=message)
        assert translate(message) == expected
        assert isinstance(translate(message), Markup)
    assert translate("Search") is translate("Search")  # translated once
    assert translate("%(n)s <b>", n="<i>") == "<i> <b>".replace("<i>", "&lt;i&gt;")


def test_rows_are_dicts_whose_keys_are_attributes() -> None:
    row = Row({"id": "A-1"}, title="T")
    assert row == {"id": "A-1", "title": "T"} and row.id == "A-1" and row.title == "T"
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    assert env.from_string("{{ row.id }} {{ row.title }}").render(row=row) == "A-1 T"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ row.missing }}").render(row=row)


# verifies: REQ-510
def test_bodies_are_rendered_once_per_text_through_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = CacheStore(tmp_path)
    rendered: list[str] = []

    def counting(text: str) -> str:
        rendered.append(text)
        return markdown.render_markdown(text)

    monkeypatch.setattr(markdown, "_render_chunk", lambda chunk: [counting(t) for t in chunk])
    bodies = {"a.md": "# A\n\n<script>x</script>", "b.md": "same", "c.md": "same"}
    first = markdown.rendered_bodies(bodies, store)
    assert first == {path: markdown.render_markdown(text) for path, text in bodies.items()}
    assert sorted(rendered) == ["# A\n\n<script>x</script>", "same"]  # each text once
    rendered.clear()
    assert markdown.rendered_bodies(bodies, store) == first
    assert rendered == []  # all from the cache
    assert markdown.rendered_bodies({**bodies, "d.md": "new"}, store)["d.md"] == "<p>new</p>\n"
    assert rendered == ["new"]
    # Some bodies (a small rebuild's pages): the cache keeps the others too.
    rendered.clear()
    assert markdown.rendered_bodies({"e.md": "newer"}, store, every=False)["e.md"]
    assert markdown.rendered_bodies(bodies, store) == first and rendered == ["newer"]
    # Every body of a build: the cache keeps those only.
    markdown.rendered_bodies({"e.md": "newest"}, store)
    assert markdown.rendered_bodies(bodies, store) == first
    assert sorted(rendered) == ["# A\n\n<script>x</script>", "newer", "newest", "same"]
    # Another version of the parser or sanitiser makes another HTML: the cache is not trusted.
    rendered.clear()
    monkeypatch.setattr(markdown, "_renderer_key", lambda: "markdown-it-py 99")
    markdown.rendered_bodies(bodies, store)
    assert sorted(rendered) == ["# A\n\n<script>x</script>", "same"]
    # Without a store (caching off) everything is rendered.
    rendered.clear()
    assert markdown.rendered_bodies(bodies, None) == first and len(rendered) == 2


# verifies: REQ-510
def test_history_lists_escape_everything_and_show_tables_only_for_changes() -> None:
    fragments = Fragments(ui_text(translations("zh-CN")))
    events = [
        commit(kind="modified", subject=HOSTILE, changes=[ChangeRow("title", "a", HOSTILE)]),
        commit(kind="renamed", subject="Move", changes=[]),
    ]
    html = fragments.history_list(events)
    assert isinstance(html, Markup) and html.startswith('<ol class="history">')
    assert html.count("<li>") == 2 and html.count('<table class="changes">') == 1
    # the author of both commits, the first subject and the new title, each escaped
    assert "<script>" not in html and html.count("&lt;script&gt;") == 4
    assert fragments.commit_line(events[0]) in html and " · renamed</p>" in html
    assert '<th scope="col">Field</th>' not in html  # the headers are translated
    table = fragments.changes_table(events[0]["changes"])  # type: ignore[arg-type]
    assert table in html and fragments.table_rows(events[0]["changes"]) in table  # type: ignore[arg-type]


# verifies: REQ-508
def test_ui_text_is_folded_into_the_compiled_template() -> None:
    catalog = translations("zh-CN")
    folded = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n", FixedText])
    plain = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    for env in (folded, plain):
        env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
        env.globals["_"] = ui_text(catalog)
    source = (
        '<a title="{{ _("Search") }}">{{ _("History") }}</a> {{ _("100%% done") }}'
        " {{ _('Copied {id}').format(id=x) }} {{ _('{count} requirements', count=2) }}"
        " {{ obj._('History') }}"
    )
    obj = {"_": lambda message: f"<{message}>"}
    assert folded.from_string(source).render(x="<b>", obj=obj) == plain.from_string(source).render(
        x="<b>", obj=obj
    )
    code = folded.compile(source, raw=True)
    assert "搜索" in code and "'History'" not in code.split("obj")[0]  # translated at compile time
    assert "'{count} requirements'" in code  # a message with variables stays a call


PRINTED = (
    "<p title='{{ a }}'>{{ a }} {{ b }} {{ c }} {{ d }} {{ e }}</p>"
    "{% for x in items %}<i>{{ x }}</i>{% endfor %}{% set s %}<b>{{ a }}</b>{% endset %}{{ s }}"
    "{% macro m(v) %}<u>{{ v }}</u>{% endmacro %}{{ m(a) }}{% autoescape false %}{{ a }}"
    "{% endautoescape %}{{ a | upper }}"
)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.one_of(st.none(), st.integers(), st.floats(), st.booleans(), st.text()))
def test_printed_values_are_what_escape_and_visible_printed(value: str, other: object) -> None:
    # verifies: REQ-510
    from reqforge.site.markup import SiteEnvironment, printed

    plain = jinja2.Environment(autoescape=True, finalize=visible)
    fast = SiteEnvironment()
    values = {
        "a": value,
        "b": other,
        "c": Markup(value),
        "d": [value, other],
        "e": HOSTILE,
        "items": [value, HOSTILE, other],
    }
    assert fast.from_string(PRINTED).render(values) == plain.from_string(PRINTED).render(values)
    assert printed(value) == str(escape(visible(value)))
    assert "environment.printed(" in fast.compile(PRINTED, raw=True)


# verifies: REQ-510
def test_a_fields_table_holds_the_escaped_rows() -> None:
    fragments = Fragments(ui_text(translations("en")))
    rows = [("title", HOSTILE), ("status", "done")]
    html = fragments.fields_table(rows)
    assert isinstance(html, Markup)
    assert (
        html == f'<table class="fields">\n<tbody>\n{fragments.table_rows(rows)}\n</tbody>\n</table>'
    )
    assert "<script>" not in html and "\\u202e" in html
