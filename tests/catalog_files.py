"""Catalogues read from literal requirement files in a tmp_path repository (through the loader)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from reqforge.catalog import Catalog
from reqforge.config import load_config
from reqforge.corpus import load_corpus


def requirement(rid: str, body: str = "", **fields: Any) -> str:
    """A requirement file: `rid`, a title, type functional, status proposed unless given,
    then `fields` as front matter, then `body`."""
    front = {"id": rid, "title": f"Requirement {rid}", "type": "functional", **fields}
    front.setdefault("status", "proposed")
    text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    return f"---\n{text}---\n{body}"


def catalog_of(make_repo: Callable[..., Path], *texts: str) -> Catalog:
    """The catalogue of a repository holding `texts` as reqs/<id>.md (no cache)."""
    files = {f"reqs/{yaml.safe_load(t.split('---')[1])['id']}.md": t for t in texts}
    config = load_config(make_repo(files))
    return Catalog(load_corpus(config, use_cache=False).repository, config)
