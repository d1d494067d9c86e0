"""`reqforge diff [BASE..HEAD | REV]`: what a branch changes and what it impacts (a PR comment)."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import click

from reqforge.cli.selection import emit, format_option
from reqforge.errors import ReqforgeError
from reqforge.git import merge_base, resolve_revision

DEFAULT_BASE = "origin/main"


# implements: REQ-309
def parse_range(root: Path, spec: str | None) -> tuple[str, str | None]:
    """(base revision, head revision or None for the working tree) from the argument.

    `A..B` compares two revisions (an empty side means HEAD, as in git), `A...B` compares B
    with the merge base of A and B (what a pull request shows), a single `REV` compares REV
    with the working tree; without an argument, `origin/main..HEAD` when origin/main exists,
    else HEAD against the working tree.
    """
    if spec is None:
        try:
            resolve_revision(root, DEFAULT_BASE)
        except ReqforgeError:
            return "HEAD", None
        return DEFAULT_BASE, "HEAD"
    if "..." in spec:
        left, _, right = spec.partition("...")
        left, right = left or "HEAD", right or "HEAD"
        base = merge_base(root, resolve_revision(root, left), resolve_revision(root, right))
        if base is None:
            raise ReqforgeError(f"{spec}: {left} and {right} have no common ancestor")
        return base, right
    if ".." in spec:
        left, _, right = spec.partition("..")
        return left or "HEAD", right or "HEAD"
    return spec, None


def working_tree(config: Any) -> dict[str, bytes]:
    """Every requirement file on disk (tracked or not): relative path -> bytes."""
    from reqforge.corpus import discover

    files, _ = discover(config)
    tree: dict[str, bytes] = {}
    for rel, _stat in files:
        try:
            tree[rel] = (config.root / rel).read_bytes()
        except OSError:
            continue  # vanished or unreadable: `check` reports it (RF001)
    return tree


def _revision_tree(config: Any, rev: str) -> dict[str, bytes]:
    from reqforge.history import read_tree

    tree = read_tree(config.root, rev, config.reqs_dir)
    if config.exclude:  # the same files the working tree side (discover) would skip
        tree = {
            path: raw
            for path, raw in tree.items()
            if not any(fnmatch.fnmatch(path, pattern) for pattern in config.exclude)
        }
    return tree


# implements: REQ-304
@click.command("diff")
@click.argument("revisions", metavar="[BASE..HEAD | REV]", required=False)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="How many links away from a changed requirement impact is followed (0: none).",
)
@format_option("markdown", "json")
@click.pass_obj
def diff_command(state: Any, revisions: str | None, depth: int, fmt: str) -> None:
    """Requirements added, removed and modified between two revisions, and the ones that
    link to them (impacted): ready to post as a pull-request comment.

    \b
    BASE..HEAD   two revisions: branches, tags (v1.0..v2.0), shas
    BASE...HEAD  HEAD against its merge base with BASE
    REV          REV against the working tree (diff HEAD: uncommitted work)
    (none)       origin/main..HEAD when origin/main exists, else HEAD
    """
    from reqforge.changeset import WORKING_TREE, changeset_json, compare, render_markdown

    config = state.config()
    root = config.root
    base_rev, head_rev = parse_range(root, revisions)
    base_sha = resolve_revision(root, base_rev)
    head_sha = resolve_revision(root, head_rev) if head_rev is not None else None
    base_tree = _revision_tree(config, base_sha)
    head_tree = _revision_tree(config, head_sha) if head_sha else working_tree(config)
    head_label = head_sha or WORKING_TREE
    state.note(f"note: comparing {base_rev} ({base_sha[:10]}) with {head_rev or WORKING_TREE}")
    changeset = compare(base_tree, head_tree, depth)
    if fmt == "json":
        document = changeset_json(changeset, base_sha, head_label)
        emit(json.dumps(document, ensure_ascii=False, indent=2))
        return
    base_url = config.site.base_url
    emit(render_markdown(changeset, base_sha, head_label, base_url).rstrip("\n"))
