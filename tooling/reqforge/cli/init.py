"""`reqforge init`: a new requirements repository (reqforge/scaffold.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from reqforge.cli.selection import emit
from reqforge.errors import ReqforgeError
from reqforge.i18n import Text


class _Exists(ReqforgeError):
    """Files `init` would write exist already: it could not do its job (exit 1)."""

    exit_code = 1


# implements: REQ-702
@click.command("init")
@click.argument("directory", default=".", required=False)
@click.option(
    "--ci",
    type=click.Choice(["github", "gitlab", "none"]),
    default="github",
    show_default=True,
    help="The CI files to write.",
)
@click.option(
    "--language",
    type=click.Choice(["en", "zh-CN"]),
    default="en",
    show_default=True,
    help="The language of the examples and messages.",
)
@click.option("--force", is_flag=True, help="Replace files that exist already.")
@click.pass_obj
def init_command(state: Any, directory: str, ci: str, language: str, force: bool) -> None:
    """Make DIRECTORY (by default this folder) a requirements repository: reqforge.toml with
    every setting at its default and explained, reqs/customers.yaml and two example
    requirements that pass `check`, reqforge.schema.json for editors, the CI files (a GitHub
    workflow using the reqforge action, or a GitLab pipeline), a pre-commit configuration and
    a .gitignore for site/ and .reqforge/. Existing files are left as they are (exit 1 naming
    them) unless --force. Prints the files it wrote."""
    from reqforge.config import Config
    from reqforge.editing import write_file
    from reqforge.scaffold import SCHEMA_FILE, scaffold, schema_text

    root = Path(directory)
    name = root.resolve().name
    files = scaffold(name, language, ci)
    # The front matter's JSON Schema under the new configuration, for editors (README:
    # "Writing requirements"): what `reqforge schema` prints there.
    files[SCHEMA_FILE] = schema_text(Config(root=root, name=name, language=language))
    existing = [rel for rel in files if os.path.lexists(root / rel)]
    if existing and not force:
        raise _Exists(
            Text(
                "{paths}: exist already; nothing written (--force replaces them)",
                paths=", ".join(existing),
            )
        )
    links = [rel for rel in files if (root / rel).is_symlink()]
    if links:  # checked before anything is written
        raise ReqforgeError(
            Text("{path}: a symbolic link; nothing written there", path=", ".join(links))
        )
    for rel, text in files.items():
        path = root / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_file(path, text.encode("utf-8"))
        except OSError as exc:
            reason = exc.strerror or exc
            raise ReqforgeError(
                Text("{path}: cannot be written: {reason}", path=rel, reason=reason)
            ) from None
    emit("\n".join(files))
