"""Writing a command's output to stdout, every byte of it or an error (SPEC 6a).

A write to a full disk or past a file-size limit (`ulimit -f`) can be *short*: the system call
writes part of the bytes and reports how many. Python's buffered stdout returns that count and
moves on, so an unchecked write leaves a truncated JSON or CSV file behind a success exit. Every
command therefore writes its output here: the bytes go out in a loop that checks each count, and
a failure becomes `OutputError` (exit 1, a message on stderr). A closed pipe (`reqforge list |
head`) is not a failure of the command: `BrokenPipeError` passes through to `main()`, which ends
quietly as Unix tools do.
"""

from __future__ import annotations

import errno
import sys

import click

from reqforge.errors import ReqforgeError
from reqforge.i18n import Text


class OutputError(ReqforgeError):
    """The output could not be written in full (full disk, file-size limit, I/O error)."""

    exit_code = 1


def write_all(data: bytes) -> None:
    """Write `data` to stdout completely, or raise OutputError (BrokenPipeError for a closed
    pipe). Text already buffered in `sys.stdout` goes first, so the order is kept."""
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    try:
        if stream is None:  # a text-only stdout (embedding); it raises on failure itself
            sys.stdout.write(data.decode("utf-8", "replace"))
            sys.stdout.flush()
            return
        view = memoryview(data)
        while view:
            written = stream.write(view)
            if not written:  # None (would block) or 0: no progress is a failure, not a loop
                raise OSError(errno.EIO, "the output accepted no more bytes")
            view = view[written:]
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OutputError(
            Text(
                "the output could not be written in full ({reason}); what was written is truncated",
                reason=reason,
            )
        ) from None


# implements: REQ-701
# implements: REQ-010
def emit(output: str, *, binary: bool, color: bool) -> None:
    """Print a report. Machine formats are UTF-8 bytes whatever the locale (JUnit and SARIF say
    so); text goes through the terminal's encoding, escaping what it cannot show, and loses its
    ANSI styles unless `color`."""
    if not output:
        return
    text = output.rstrip("\n") + "\n"
    if binary:
        write_all(text.encode("utf-8"))
        return
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    write_all((text if color else click.unstyle(text)).encode(encoding, "backslashreplace"))
