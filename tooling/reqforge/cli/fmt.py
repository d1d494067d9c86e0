"""`reqforge fmt`: front matter in canonical key order and style (reqforge/formatting.py)."""

from __future__ import annotations

from typing import Any

import click

from reqforge.cli.selection import emit
from reqforge.errors import ReqforgeError
from reqforge.i18n import Text


# implements: REQ-704
@click.command("fmt")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Change nothing: list the files fmt would change and exit 1 if there are any.",
)
@click.argument("paths", nargs=-1)
@click.pass_obj
def fmt_command(state: Any, check_only: bool, paths: tuple[str, ...]) -> None:
    """Put the front matter of every requirement file (or those under PATHS) in canonical key
    order (id, title, type, status, owner, team, due, source, priority, links, ..., then the
    custom and unknown fields) and style (no trailing blanks, one line ending), keeping every
    value, comment and unknown field as written and the body byte for byte. Each file is
    rewritten atomically, and only when its formatted front matter holds the same data; a file
    that cannot be formatted safely is left alone and named (exit 1). Prints the files it
    changed (with --check: would change)."""
    from reqforge.corpus import discover
    from reqforge.editing import write_replacing
    from reqforge.formatting import canonical_orders, format_text

    config = state.config()
    files, _ = discover(config)
    rels = [rel for rel, _ in files]
    if paths:
        root = config.root.resolve()
        wanted = []
        for given in paths:
            try:
                relative = (config.root / given).resolve().relative_to(root).as_posix()
            except (ValueError, OSError):
                raise ReqforgeError(Text("{path}: not inside the repository", path=given)) from None
            wanted.append(relative.rstrip("/"))
        rels = [
            rel
            for rel in rels
            if any(rel == w or rel.startswith(w + "/") or w == "." for w in wanted)
        ]
    orders = canonical_orders(config)
    changed: list[str] = []
    problems = 0
    for rel in rels:
        path = config.root / rel
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            state.note(Text("{path}: cannot be read as UTF-8; left as it is", path=rel))
            problems += 1
            continue
        result = format_text(text, orders)
        if result.problem is not None:
            state.note(Text("{path}: {problem}", path=rel, problem=result.problem))
            problems += 1
        if not result.changed:
            continue
        changed.append(rel)
        if not check_only:
            write_replacing(path, result.text.encode("utf-8"))
    if changed:
        emit("\n".join(changed))
    if check_only:
        state.note(
            Text("{count} of {total} files would be formatted", count=len(changed), total=len(rels))
        )
    else:
        state.note(Text("{count} of {total} files formatted", count=len(changed), total=len(rels)))
    if problems or (check_only and changed):
        raise SystemExit(1)
