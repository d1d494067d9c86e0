"""`reqforge schema`: the JSON Schema of the front matter, for editors (reqforge/schema.py)."""

from __future__ import annotations

from typing import Any

import click

from reqforge.cli.selection import emit
from reqforge.render import strict_json


# implements: REQ-708
@click.command("schema")
@click.pass_obj
def schema_command(state: Any) -> None:
    """Print the JSON Schema (draft 2020-12) of a requirement's front matter: the built-in
    fields, the configured types, statuses and channels, every priority input with its range
    and the custom [fields.*] with their descriptions. Save it beside your requirements and
    point your editor's YAML support at it (see the README) to get completion, descriptions on
    hover and wrong values marked as you type."""
    from reqforge.schema import front_matter_schema

    emit(strict_json.dumps(front_matter_schema(state.config()), indent=2))
