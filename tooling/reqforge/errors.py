"""The one family of errors that stop a command (exit code 2 in the CLI).

Problems in the user's requirements are `Finding`s, not exceptions.
"""

from __future__ import annotations


# implements: REQ-701
class ReqforgeError(Exception):
    """A problem that stops a command: bad configuration, no repository, bad usage."""

    exit_code = 2


# implements: REQ-003
class ConfigError(ReqforgeError):
    """`reqforge.toml` (or customers.yaml) is invalid: names the file, line, key and expectation."""

    def __init__(self, path: str, key: str, expected: str, line: int | None = None) -> None:
        self.path = path
        self.key = key
        self.expected = expected
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {key}: {expected}")


class RepositoryNotFound(ReqforgeError):
    """No folder holding `reqforge.toml` or `reqs/` was found."""
