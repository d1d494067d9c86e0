"""The one family of errors that stop a command (exit code 2 in the CLI).

Problems in the user's requirements are `Finding`s, not exceptions.
"""

from __future__ import annotations

from reqforge.i18n import localize


# implements: REQ-701
class ReqforgeError(Exception):
    """A problem that stops a command: bad configuration, no repository, bad usage."""

    exit_code = 2

    def localize(self, language: str) -> str:
        """The message in `language` (raised with a `Text`, it is translated; else as is)."""
        return str(localize(self.args[0], language)) if self.args else ""


# implements: REQ-003
class ConfigError(ReqforgeError):
    """`reqforge.toml` (or customers.yaml) is invalid: names the file, line, key and expectation."""

    def __init__(self, path: str, key: str, expected: str, line: int | None = None) -> None:
        self.path = path
        self.key = key
        self.expected = expected
        self.line = line
        super().__init__(self._text(expected))

    def _text(self, expected: str) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.key}: {expected}"

    def localize(self, language: str) -> str:
        return self._text(localize(self.expected, language))


class RepositoryNotFound(ReqforgeError):
    """No folder holding `reqforge.toml` or `reqs/` was found."""
