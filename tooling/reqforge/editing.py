"""Writing requirement files: atomic writes that never leave half a file, `new` and `set`.

A file is written to a temporary file in the same folder, flushed to disk (`fsync`) and only
then given its name, so a reader, a crash or a kill at any moment sees the old file or the new
one, never part of one. A new file is linked to its name rather than renamed onto it: a file
that appeared under that name meanwhile is never replaced.

`new` gives a requirement the next free number of its prefix: above every ID of that prefix in
the requirements folder and, inside git, on the default branch (a number taken on another branch
that is merged already, or by a teammate's merged pull request, is never handed out again).

`set` changes one field through yaml_splice.py (only that field's text changes), after checking
the new value against the field's rules and the workflow.
"""

# implements: REQ-703
# implements: REQ-705

from __future__ import annotations

import errno
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reqforge.config import Config
from reqforge.errors import ReqforgeError
from reqforge.i18n import Text, catalog_name
from reqforge.yaml_splice import Plain, yaml_string

_ID_NUMBER = re.compile(r"^(.*?)(\d+)$")


def _written(path: Path, content: bytes, mode: int) -> Path:
    """A temporary file beside `path` holding `content` with `mode`, flushed to disk."""
    temporary = path.parent / f".{path.name}.{os.getpid()}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


# implements: REQ-703
def write_new_file(path: Path, content: bytes) -> None:
    """Create `path` with `content`, atomically: the whole file or none under that name.
    Raises FileExistsError when `path` exists (nothing is written then), OSError otherwise."""
    temporary = _written(path, content, 0o644)
    try:
        os.link(temporary, path)  # fails, rather than replace, when the name is taken
    finally:
        os.unlink(temporary)
    _sync_folder(path.parent)


def write_replacing(path: Path, content: bytes) -> None:
    """Replace `path` with `content`, atomically (temporary file, fsync, rename) and keeping
    the file's permissions: a reader or a crash sees the old file or the new one."""
    temporary = _written(path, content, os.stat(path).st_mode & 0o7777)
    try:
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk, so the new name survives a crash (where it can)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _refuse_outside(root: Path, folder: Path, rel: str) -> None:
    """Raise ReqforgeError when `folder` (or the part of it that exists) leads outside the
    repository through a symbolic link: nothing is ever written there."""
    inside = os.path.realpath(root)
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    real = os.path.realpath(existing)
    if real != inside and not real.startswith(inside + os.sep):
        raise ReqforgeError(
            Text("{path}: its folder leads outside the repository; nothing written", path=rel)
        )


def default_branch_ids(config: Config) -> set[str]:
    """The IDs (file names) of the requirements on the default branch (origin's HEAD, else
    main or master, as far as this clone knows them); none outside git."""
    from reqforge.git import GitError, open_repository

    try:
        repo = open_repository(config.root)
        folder = (config.root / config.reqs_dir).resolve().relative_to(repo.top).as_posix()
    except (GitError, ValueError, OSError):
        return set()
    for rev in ("refs/remotes/origin/HEAD", "origin/main", "origin/master", "main", "master"):
        try:
            files = repo.tree_files(repo.resolve(rev), folder)
        except GitError:
            continue
        return {rel.rsplit("/", 1)[-1].removesuffix(".md") for rel in files}
    return set()


@dataclass(frozen=True)
class NewRequirement:
    """What `new` made: the ID and the file (relative to the repository and absolute)."""

    id: str
    rel: str
    path: Path


def split_id(rid: str) -> tuple[str, str] | None:
    """`CRM-0042` -> (`CRM-`, `0042`): the prefix and the number an ID ends with."""
    match = _ID_NUMBER.match(rid)
    return (match.group(1), match.group(2)) if match and match.group(1) else None


def next_id(prefix: str, taken: set[str], pattern: re.Pattern[str]) -> str:
    """The ID after the highest number of `prefix` in `taken`, as wide as the widest of them
    (`CRM-0042` -> `CRM-0043`; 3 digits when there is none yet). Raises ReqforgeError when
    the result does not match the ID pattern."""
    numbers = [
        parts[1] for rid in taken if (parts := split_id(rid)) is not None and parts[0] == prefix
    ]
    width = max((len(n) for n in numbers), default=3)
    rid = f"{prefix}{max((int(n) for n in numbers), default=0) + 1:0{width}d}"
    if not pattern.match(rid):
        raise ReqforgeError(
            Text(
                "the next ID of prefix {prefix!r} would be {id!r}, which does not match the ID "
                "pattern {pattern!r} (project.id_pattern): give --prefix or --id",
                prefix=prefix,
                id=rid,
                pattern=pattern.pattern,
            )
        )
    return rid


def area_prefix(rels: list[str], area: str, reqs_dir: str) -> str | None:
    """The prefix most IDs (file names) in `area` share; the first in order on a tie."""
    folder = f"{reqs_dir}/{area}/" if area else f"{reqs_dir}/"
    counts = Counter(
        parts[0]
        for rel in rels
        if rel.startswith(folder) and (area or "/" not in rel[len(folder) :])
        if (parts := split_id(rel.rsplit("/", 1)[-1].removesuffix(".md"))) is not None
    )
    return min(counts, key=lambda p: (-counts[p], p)) if counts else None


def requirement_template(config: Config, rid: str, title: str, kind: str) -> str:
    """A new requirement's file: the fields `check` requires, the team `[workflow.assign]`
    gives its type, the source channel to fill in, and the sections of a good requirement
    (scenario, pain point, expected outcome) with acceptance criteria to write, in the
    project's language."""
    chinese = catalog_name(config.language) == "zh_CN"
    team = config.workflow.assign.get(kind)
    channels = " | ".join(config.channels)
    lines = [
        "---",
        f"id: {rid}",
        f"title: {yaml_string(title)}",
        f"type: {kind}",
        f"status: {config.workflow.statuses[0]}",
        "owner:",
        f"team: {team}" if team else "team:",
        "source:",
        f"  # channel: how it was collected: {channels}",
        "  customers: []",
        "acceptance: []",
        "---",
    ]
    sections = (
        ("场景", "谁在什么情况下需要它？"),
        ("痛点", "现在没有它会怎样？代价是什么（时间、差错、金额）？"),
        ("期望结果", "做完之后，用户能做到什么？"),
    )
    if not chinese:
        sections = (
            ("Scenario", "Who needs this, and in which situation?"),
            ("Pain point", "What happens today without it, and what does it cost?"),
            ("Expected outcome", "What can the user do once it is done?"),
        )
    body = "".join(f"\n## {heading}\n\n<!-- {hint} -->\n" for heading, hint in sections)
    note = (
        "验收标准写在 acceptance 列表中，每条一句可测试的话。"
        if chinese
        else "Write the acceptance criteria in the acceptance list, one testable sentence each."
    )
    return "\n".join(lines) + "\n" + body + f"\n<!-- {note} -->\n"


# implements: REQ-703
def create_requirement(
    config: Config,
    title: str,
    *,
    kind: str | None = None,
    area: str = "",
    rid: str | None = None,
    prefix: str | None = None,
    rels: list[str],
    elsewhere: Iterable[str] = (),
) -> NewRequirement:
    """Write a new requirement file and say what it is. `rels`: every requirement file of the
    repository (its name is its ID); `elsewhere`: IDs taken where the folder does not show
    them (the default branch). Raises ReqforgeError for a title, type, area, ID or prefix that
    cannot be used, or an ID that is taken."""
    if not title.strip():
        raise ReqforgeError(Text("--title: expected a non-empty title"))
    if any("\ud800" <= char <= "\udfff" for char in title):
        raise ReqforgeError(Text("--title: not valid text (bytes that are not UTF-8)"))
    kind = kind or config.types[0]
    if kind not in config.types:
        raise ReqforgeError(
            Text(
                "--type {kind!r}: expected one of {types}",
                kind=kind,
                types=", ".join(config.types),
            )
        )
    area = area.strip("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in area.split("/") if area):
        raise ReqforgeError(
            Text("--area {area!r}: expected a folder name such as billing/eu", area=area)
        )
    taken = {rel.rsplit("/", 1)[-1].removesuffix(".md") for rel in rels} | set(elsewhere)
    pattern = re.compile(config.id_pattern)
    chosen = rid is None  # the next free number is chosen here, not given
    if rid is None:
        prefix = prefix or area_prefix(rels, area, config.reqs_dir)
        if prefix is None:
            folder = "/".join(part for part in (config.reqs_dir, area) if part) + "/"
            raise ReqforgeError(
                Text(
                    "no ID in {folder} to take a prefix from: give --prefix (such as CRM-) or --id",
                    folder=folder,
                )
            )
        rid = next_id(prefix, taken, pattern)
    elif not pattern.match(rid):
        raise ReqforgeError(
            Text(
                "--id {id!r} does not match the ID pattern {pattern!r} (project.id_pattern)",
                id=rid,
                pattern=config.id_pattern,
            )
        )
    elif rid in taken:
        raise ReqforgeError(Text("--id {id}: that ID is taken already", id=rid))
    while True:
        rel = "/".join(part for part in (config.reqs_dir, area, f"{rid}.md") if part)
        path = config.root / rel
        _refuse_outside(config.root, path.parent, rel)
        text = requirement_template(config, rid, title, kind)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_new_file(path, text.encode("utf-8"))
            return NewRequirement(rid, rel, path)
        except FileExistsError:
            if not chosen or prefix is None:
                message = Text("{path}: the file exists already; nothing written", path=rel)
                raise ReqforgeError(message) from None
            # Another `new` took the number a moment ago: the next one.
            taken.add(rid)
            rid = next_id(prefix, taken, pattern)
        except OSError as exc:
            reason = exc.strerror or exc
            message = Text("{path}: cannot be written: {reason}", path=rel, reason=reason)
            raise ReqforgeError(message) from None


def write_file(path: Path, content: bytes) -> None:
    """`path` holding `content`, atomically: made new, or replacing the regular file there
    (its permissions kept). Raises OSError for a symbolic link there: never written through."""
    if path.is_symlink():
        raise OSError(errno.ELOOP, "a symbolic link; not written through")
    if path.exists():
        write_replacing(path, content)
    else:
        write_new_file(path, content)


@dataclass(frozen=True)
class FieldEdit:
    """One `set`: the field (dotted), and a value to set, items to add or remove, or unset."""

    field: str
    value: str | None = None
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    unset: bool = False


# implements: REQ-705
def set_field(config: Config, rel: str, edit: FieldEdit) -> bool:
    """Change one field of the requirement file `rel`, keeping every other byte of it, after
    checking the new value against the field's rules and the workflow (a status transition it
    does not allow, or a field the new status requires, is refused). Returns whether the file
    changed. Raises ReqforgeError (exit 2) for what cannot be done or a value the field does
    not take, `Refused` (exit 1) for a change the workflow does not allow."""
    from reqforge.fields import field_schema, required_fields, validate_fields
    from reqforge.loader import decode, parse_front_matter, split_front_matter
    from reqforge.yaml_splice import SpliceError, change_list, set_value, split_file, unset_value

    path = config.root / rel
    _refuse_outside(config.root, path.parent, rel)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ReqforgeError(Text("{path}: not UTF-8; not changed", path=rel)) from None
    field = tuple(edit.field.split("."))
    if not all(field):
        raise ReqforgeError(
            Text("{field!r}: expected a field such as status or priority.value", field=edit.field)
        )

    def data_of(source: str) -> dict[str, Any]:
        decoded = decode(source.encode("utf-8"))
        split = split_front_matter(decoded) if isinstance(decoded, str) else decoded
        data = parse_front_matter(split[0]) if isinstance(split, tuple) else split
        if not isinstance(data, dict):
            raise ReqforgeError(
                Text("{path}: {problem}", path=rel, problem=getattr(data, "message", data))
            )
        return data

    before = data_of(text)
    schema = field_schema(config)
    try:
        parts = split_file(text)
        if edit.unset:
            if field[0] in required_fields(config) and len(field) == 1:
                raise ReqforgeError(
                    Text("{field} is required: it cannot be unset", field=edit.field)
                )
            unset_value(parts, field)
        elif edit.add or edit.remove:
            change_list(parts, field, list(edit.add), list(edit.remove))
        else:
            set_value(parts, field, typed_value(schema, field, edit.value or ""))
    except SpliceError as exc:
        raise ReqforgeError(Text("{path}: {problem}", path=rel, problem=str(exc))) from None
    new_text = parts.text
    if new_text == text:
        return False
    after = data_of(new_text)
    problems = [
        message
        for code, where, message in validate_fields(after, schema, required_fields(config))
        if code != "RF103" and tuple(map(str, where))[: len(field)] == field[: len(where)]
    ]
    if problems:  # a value the field does not take: a usage error, as for any bad argument
        raise ReqforgeError(Text("{path}: {problem}", path=rel, problem=problems[0]))
    _check_workflow(config, rel, before, after, edit.field)
    write_replacing(path, new_text.encode("utf-8"))
    return True


class Refused(ReqforgeError):
    """A change the workflow refuses: the command could not do its job (exit 1)."""

    exit_code = 1


def typed_value(schema: Any, field: tuple[str, ...], value: str) -> Any:
    """The command line's text as the value the field takes: a number for a number field,
    true or false for a yes/no field, the text itself for a text, date or enum field; for a
    field the schema does not know, what YAML reads the text as."""
    from reqforge.loader import parse_front_matter

    spec = schema
    for key in field:
        spec = spec.children.get(key) if spec is not None and spec.kind == "mapping" else None
    kind = spec.kind if spec is not None else None
    if kind == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Plain(value)  # a date as YAML writes one, not quoted
    if kind in ("string", "enum", "date", "ids"):
        return value
    if kind in ("int", "number", "bool", None):
        parsed = parse_front_matter(f"v: {value}")
        if isinstance(parsed, dict) and not isinstance(parsed.get("v"), (dict, list)):
            return parsed.get("v")
    return value


def _check_workflow(
    config: Config, rel: str, before: dict[str, Any], after: dict[str, Any], field: str
) -> None:
    """Refuse a status change the workflow does not allow, and an edit that leaves a field
    the status requires missing (the status changed, or the field edited is one it requires;
    what was missing before an unrelated edit stays `check`'s to report)."""
    from reqforge.checks.workflow import present, transition_refusal
    from reqforge.model import lookup

    old, new = before.get("status"), after.get("status")
    workflow = config.workflow
    if old != new and isinstance(old, str) and isinstance(new, str):
        options = transition_refusal(workflow, old, new)
        if options is not None:
            raise Refused(
                Text(
                    "{path}: status '{old}' -> '{new}' is not allowed; from '{old}' the "
                    "workflow allows: {options}",
                    path=rel,
                    old=old,
                    new=new,
                    options=options,
                )
            )
    if isinstance(new, str):
        for name in workflow.requires.get(new, ()):
            related = old != new or name == field or name.startswith(field + ".")
            if related and not present(lookup(after, name)):
                raise Refused(
                    Text(
                        "{path}: status '{status}' requires '{field}': set it first",
                        path=rel,
                        status=new,
                        field=name,
                    )
                )
