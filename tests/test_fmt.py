"""`reqforge fmt`: canonical key order and style, every value, comment and unknown field kept,
the body byte for byte, idempotent, `--check` for CI, and a file it cannot format safely left
alone (reqforge/formatting.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import requirement_text as req

from reqforge.cli.main import cli
from reqforge.config import Config, load_config
from reqforge.formatting import canonical_orders, format_text
from reqforge.loader import decode, parse_front_matter, split_front_matter

Repo = Callable[..., Path]

MESSY = (
    "\ufeff---\r\n"
    "# how we got here\r\n"
    "title: 'Export: ledger'   \r\n"
    "x-jira: CRM-12   # the ticket\r\n"
    "tags:\r\n"
    "- export\r\n"
    "- 数据\r\n"
    "id: CRM-1\r\n"
    "priority:\r\n"
    "  ice: {impact: 2, confidence: 3}\r\n"
    "  # agreed with sales\r\n"
    "  moscow: must\r\n"
    "status: proposed\r\n"
    "notes: |\r\n"
    "  two trailing blanks  \r\n"
    "  stay\r\n"
    "type: functional\r\n"
    "---\r\n"
    "## Scenario   \r\n"
    "\r\n"
    "Body.\r\n"
)
NEAT = (
    "\ufeff---\r\n"
    "id: CRM-1\r\n"
    "# how we got here\r\n"
    "title: 'Export: ledger'\r\n"
    "type: functional\r\n"
    "status: proposed\r\n"
    "priority:\r\n"
    "  # agreed with sales\r\n"
    "  moscow: must\r\n"
    "  ice: {impact: 2, confidence: 3}\r\n"
    "tags:\r\n"
    "- export\r\n"
    "- 数据\r\n"
    "x-jira: CRM-12   # the ticket\r\n"
    "notes: |\r\n"
    "  two trailing blanks  \r\n"
    "  stay\r\n"
    "---\r\n"
    "## Scenario   \r\n"
    "\r\n"
    "Body.\r\n"
)


def fmt(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--repo", str(root), "fmt", *args])
    return result.exit_code, result.stdout, result.stderr


def data_of(text: str) -> Any:
    decoded = decode(text.encode("utf-8"))
    assert isinstance(decoded, str)
    split = split_front_matter(decoded)
    assert isinstance(split, tuple)
    return parse_front_matter(split[0]), split[2]


def test_fmt_orders_the_fields_and_keeps_every_value_comment_and_the_body(
    make_repo: Repo,
) -> None:
    # verifies: REQ-704
    # verifies: REQ-005
    root = make_repo({"reqs/a/CRM-2.md": req("CRM-2")})
    path = root / "reqs/a/CRM-1.md"
    path.write_bytes(MESSY.encode("utf-8"))
    path.chmod(0o640)
    assert fmt(root, "--check") == (1, "reqs/a/CRM-1.md\n", "1 of 2 files would be formatted\n")
    assert path.read_bytes() == MESSY.encode("utf-8")  # --check changes nothing
    code, out, err = fmt(root)
    assert (code, out) == (0, "reqs/a/CRM-1.md\n"), err
    assert path.read_bytes() == NEAT.encode("utf-8")
    assert data_of(NEAT) == data_of(MESSY)
    assert path.stat().st_mode & 0o777 == 0o640
    assert fmt(root, "--check") == (0, "", "0 of 2 files would be formatted\n")
    assert fmt(root) == (0, "", "0 of 2 files formatted\n")  # idempotent


def test_fmt_then_check_finds_nothing_new(make_repo: Repo) -> None:
    # verifies: REQ-704
    root = make_repo({"reqs/a/CRM-2.md": req("CRM-2")})
    (root / "reqs/a/CRM-1.md").write_bytes(MESSY.encode("utf-8"))

    def findings() -> list[tuple[str, str, str]]:
        result = CliRunner().invoke(cli, ["--repo", str(root), "check", "--format", "json"])
        import json

        document = json.loads(result.stdout)
        return sorted((f["code"], f["path"], f["message"]) for f in document["findings"])

    before = findings()
    assert fmt(root)[0] == 0
    assert findings() == before


def test_a_file_that_cannot_be_formatted_safely_is_left_alone(make_repo: Repo) -> None:
    # verifies: REQ-704
    # An alias used before its anchor once the fields are in order: reordering would break it.
    text = (
        "---\nx-note: &shared kept\nid: CRM-1\ntitle: *shared\ntype: functional\n"
        "status: proposed\n---\n"
    )
    root = make_repo({})
    path = root / "reqs/a/CRM-1.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    code, out, err = fmt(root)
    assert code == 1 and out == ""
    assert "reqs/a/CRM-1.md: formatting would change what the front matter says" in err
    assert path.read_text(encoding="utf-8") == text


def test_fmt_paths_and_subprocess(make_repo: Repo) -> None:
    # verifies: REQ-704
    root = make_repo({"reqs/b/CRM-2.md": req("CRM-2")})
    for folder in ("a", "b"):
        (root / f"reqs/{folder}/CRM-1{folder}.md").parent.mkdir(parents=True, exist_ok=True)
    (root / "reqs/a/CRM-10.md").write_bytes(MESSY.replace("CRM-1", "CRM-10").encode("utf-8"))
    (root / "reqs/b/CRM-11.md").write_bytes(MESSY.replace("CRM-1", "CRM-11").encode("utf-8"))
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "fmt", "reqs/a"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (proc.returncode, proc.stdout) == (0, "reqs/a/CRM-10.md\n"), proc.stderr
    assert fmt(root, "--check")[1] == "reqs/b/CRM-11.md\n"
    assert fmt(root, "../outside")[0] == 2


_ORDERS = canonical_orders(Config(root=Path(".")))
_BLOCKS = {
    "id": "id: CRM-1\n",
    "title": '# a comment on the title\ntitle: "T: x"\n',
    "type": "type: functional\n",
    "status": "status: proposed\n",
    "owner": "owner:\n",
    "source": "source:\n  customers: [acme]\n  channel: sales  # said so\n",
    "priority": "priority:\n  rice: {reach: 10, effort: 2}\n  moscow: must\n  kano: basic\n",
    "links": "links:\n  parent:\n  - CRM-2\n",
    "acceptance": "acceptance:\n  - When x, the system shall y.\n",
    "x-a": "x-a: [1, 2]\n",
    "x-b": "x-b: |\n  text  \n  more\n",
    "tags": "tags: [a, b]\n",
}


@settings(max_examples=200)
@given(
    order=st.permutations(sorted(_BLOCKS)),
    crlf=st.booleans(),
    bom=st.booleans(),
    trailing=st.booleans(),
)
def test_any_order_formats_to_the_same_data_and_is_idempotent(
    order: list[str], crlf: bool, bom: bool, trailing: bool
) -> None:
    """Whatever order the fields come in: the formatted file holds the same data and body,
    formatting it again changes nothing, and the known fields come in canonical order."""
    # verifies: REQ-704
    front = "".join(_BLOCKS[name] for name in order)
    if trailing:
        front = front.replace("status: proposed\n", "status: proposed   \n")
    text = ("\ufeff" if bom else "") + "---\n" + front + "---\nBody  \n"
    if crlf:
        text = text.replace("\n", "\r\n")
    once = format_text(text, _ORDERS)
    assert once.problem is None
    assert data_of(once.text) == data_of(text)
    assert format_text(once.text, _ORDERS).changed is False
    formatted_front = once.text.split("---", 2)[1]
    keys = [line.split(":")[0] for line in formatted_front.split("\n") if line[:1].isalpha()]
    known = [k for k in keys if k in _ORDERS[()]]
    assert known == sorted(known, key=_ORDERS[()].index)
    assert keys[-2:] == [k for k in order if k.startswith("x-")]
    assert ("\r\n" in once.text) == crlf and once.text.startswith("\ufeff") == bom


def test_the_canonical_order_follows_spec_and_the_custom_fields(make_repo: Repo) -> None:
    # verifies: REQ-704
    root = make_repo({}, config='[fields.risk]\ntype = "string"\n')
    orders = canonical_orders(load_config(root))
    assert orders[()][:8] == ("id", "title", "type", "status", "owner", "team", "due", "source")
    assert orders[()][-1] == "risk"
    assert orders[("priority",)][:6] == ("moscow", "kano", "importance", "urgency", "value", "cost")
    assert orders[("priority", "ice")] == ("impact", "confidence", "ease")


@pytest.mark.parametrize("text", ["no front matter\n", "---\nid: CRM-1\n"])
def test_fmt_names_a_file_without_front_matter_and_leaves_it(make_repo: Repo, text: str) -> None:
    # verifies: REQ-704
    root = make_repo({})
    path = root / "reqs/a/CRM-1.md"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    code, _, err = fmt(root)
    assert code == 1 and "reqs/a/CRM-1.md: " in err and path.read_text("utf-8") == text
