"""`site/requirements.json` and its JSON Schema: the content on a small traced git repository,
private fields left out at any depth, hostile text kept faithful as strict JSON, determinism,
and the schema accepting the document and rejecting a broken one."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from tests.conftest import requirement_text as req
from tests.gitrepo import GitRepo
from tests.test_site_build import HOSTILE_TITLE, invoke, with_status
from tests.test_site_history_pages import CUSTOMERS
from tests.test_site_matrix import traced_repo

from reqforge.cli.main import cli


def load(folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The built document and its schema, read as strict JSON (NaN or Infinity refused)."""

    def refuse(value: str) -> None:
        raise AssertionError(f"not strict JSON: {value}")

    def read(name: str) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(
            (folder / name).read_text(encoding="utf-8"), parse_constant=refuse
        )
        return result

    return read("requirements.json"), read("requirements.schema.json")


def committed_traced_repo(make_repo: Callable[..., Path], tmp_path: Path) -> tuple[Path, GitRepo]:
    """The matrix tests' traced repository with a customer, in git: CRM-1 created, then
    accepted in a second commit (PR #5) with private evidence."""
    root = traced_repo(make_repo)
    (root / "reqs/customers.yaml").write_text(CUSTOMERS, encoding="utf-8")
    repo = GitRepo(root, tmp_path / "home")
    repo.commit("Start")
    source = "{customers: [acme], evidence: SECRET-EVIDENCE-TEXT}"
    text = req("CRM-1", source=source).replace(
        "  urgency: normal\n",
        "  urgency: normal\n  value: 5\n  ice: {impact: 3, confidence: 4, ease: 4}\n",
    )
    repo.write("reqs/billing/CRM-1.md", with_status(text, "accepted"))
    repo.commit("Accept CRM-1 (#5)")
    return root, repo


def test_the_document_holds_fields_priorities_trace_and_history(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-512
    root, repo = committed_traced_repo(make_repo, tmp_path)
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    document, schema = load(out)
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["format"] == "reqforge.requirements" and document["version"] == 1
    head = repo.git("rev-parse", "HEAD").strip()
    assert document["generated_from"] == {"commit": head}
    by_id = {r["id"]: r for r in document["requirements"]}
    assert list(by_id) == ["CRM-1", "CRM-2", "CRM-3", "CRM-4", "NFR-1"]
    one = by_id["CRM-1"]
    assert one["status"] == "accepted" and one["path"] == "reqs/billing/CRM-1.md"
    assert one["fields"]["title"] == "Export ledger CRM-1 as CSV"
    assert one["fields"]["source"] == {"customers": ["acme"]}  # evidence is private
    # the priorities are the items of `prioritize --format json`, key for key
    backlog = json.loads(invoke(root, "prioritize", "--format", "json").stdout)
    items = {item["id"]: item for item in backlog["items"]}
    ranked = {k: v for k, v in items["CRM-1"].items() if k not in ("id", "title", "status")}
    assert one["priorities"] == ranked
    # the trace is the item of `trace --format json`
    traced = json.loads(invoke(root, "trace", "--format", "json").stdout)["items"]
    assert one["trace"] == next(item for item in traced if item["id"] == "CRM-1")
    assert one["trace"]["implemented"] == [{"path": "src/export.py", "line": 2}]
    # last change and the history summary
    first = repo.git("rev-list", "--max-parents=0", "HEAD").strip()
    assert one["last_change"]["commit"] == head
    assert one["last_change"]["date"].startswith("20") and one["last_change"]["author"]
    assert one["history"] == {"changes": 2, "first_commit": first, "last_commit": head}
    assert by_id["CRM-3"]["history"] == {"changes": 1, "first_commit": first, "last_commit": first}
    assert document["customers"] == {
        "acme": {"name": "Acme Logistics", "industry": "logistics", "tier": "A"},
        "zenith": {"name": "Zenith Bank", "industry": "banking", "tier": "C"},
    }


def test_without_git_or_trace_those_parts_are_null(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-512
    root = make_repo({"reqs/CRM-1.md": req("CRM-1"), "reqs/CRM-2.md": req("CRM-2")})
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    document, schema = load(out)
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["generated_from"] == {"commit": None}
    for requirement in document["requirements"]:
        assert requirement["trace"] is None
        assert requirement["last_change"] is None and requirement["history"] is None
        assert requirement["priorities"]["rank"] in (1, 2)


def test_private_fields_are_absent_at_any_depth_and_in_customers(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-512
    # verifies: REQ-513
    root, _repo = committed_traced_repo(make_repo, tmp_path)
    config = (root / "reqforge.toml").read_text(encoding="utf-8")
    private = '[site]\nprivate_fields = ["owner", "priority.ice", "customers.*.tier"]\n'
    (root / "reqforge.toml").write_text(config + private, encoding="utf-8")
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    document, schema = load(out)
    jsonschema.Draft202012Validator(schema).validate(document)
    text = (out / "requirements.json").read_text(encoding="utf-8")
    assert "zhang.wei" not in text  # the owner of every requirement in the fixture
    one = next(r for r in document["requirements"] if r["id"] == "CRM-1")
    assert "owner" not in one["fields"]
    assert one["fields"]["priority"]["value"] == 5  # the rest of `priority` stays
    assert "ice" not in one["fields"]["priority"]
    # the configured list replaces the default: evidence is public now, tier and contact...
    assert one["fields"]["source"]["evidence"] == "SECRET-EVIDENCE-TEXT"
    assert document["customers"]["acme"]["contact"]["email"] == "buyer@acme.example"
    assert "tier" not in document["customers"]["acme"]


def test_the_default_private_fields_leave_contact_and_evidence_out(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-513
    root, _repo = committed_traced_repo(make_repo, tmp_path)
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    text = (out / "requirements.json").read_text(encoding="utf-8")
    for secret in ("SECRET-EVIDENCE-TEXT", "buyer@acme.example", "+86 10 5555 0100", "contact"):
        assert secret not in text


def test_hostile_text_stays_faithful_strict_json(
    make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-510
    # verifies: REQ-512
    def quoted(value: str) -> str:  # a YAML single-quoted scalar
        return "'" + value.replace("'", "''") + "'"

    text = req("CRM-9", title="placeholder").replace(
        "title: placeholder", "title: " + quoted(HOSTILE_TITLE)
    )
    text = text.replace("owner: zhang.wei", "owner: zhang.wei\nnotes: .nan\nsize: .inf")
    root = make_repo({"reqs/CRM-9.md": text})
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code in (0, 1)
    document, schema = load(out)  # NaN and Infinity would be refused here
    jsonschema.Draft202012Validator(schema).validate(document)
    fields = document["requirements"][0]["fields"]
    assert fields["title"] == HOSTILE_TITLE  # byte for byte, bidi override and all
    assert fields["notes"] is None and fields["size"] is None  # SPEC 6a: not JSON numbers
    raw = (out / "requirements.json").read_text(encoding="utf-8")
    assert "\u202e" not in raw and "\\u202e" in raw  # written as an escape, never obeyed


def test_two_builds_write_the_same_bytes(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    # verifies: REQ-509
    # verifies: REQ-512
    root, _repo = committed_traced_repo(make_repo, tmp_path)
    one, two = tmp_path / "one", tmp_path / "two"
    assert invoke(root, "build", "-o", str(one)).exit_code == 0
    assert invoke(root, "build", "-o", str(two)).exit_code == 0
    for name in ("requirements.json", "requirements.schema.json"):
        assert (one / name).read_bytes() == (two / name).read_bytes()
    later = tmp_path / "later"  # no clock is read: another day writes the same document
    env = {"REQFORGE_TODAY": "2031-05-05", "NO_COLOR": "1"}
    result = CliRunner().invoke(cli, ["--repo", str(root), "build", "-o", str(later)], env=env)
    assert result.exit_code == 0, result.output
    assert (later / "requirements.json").read_bytes() == (one / "requirements.json").read_bytes()


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.update(version=2),
        lambda d: d["generated_from"].update(commit="not a sha"),
        lambda d: d["requirements"][0].pop("priorities"),
        lambda d: d["requirements"][0]["priorities"].update(rank="first"),
        lambda d: d["requirements"][0]["trace"]["verified"][0].update(result="green"),
        lambda d: d["requirements"][0]["history"].update(changes=-1),
    ],
)
def test_the_schema_rejects_a_broken_document(
    breakage: Callable[[dict[str, Any]], Any], make_repo: Callable[..., Path], tmp_path: Path
) -> None:
    # verifies: REQ-512
    root, _repo = committed_traced_repo(make_repo, tmp_path)
    out = tmp_path / "out"
    assert invoke(root, "build", "-o", str(out)).exit_code == 0
    document, schema = load(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    broken = copy.deepcopy(document)
    breakage(broken)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)


def test_a_rebuild_encodes_only_the_lines_of_requirements_that_changed(
    make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requirements.json keeps each requirement's line in a cache by its inputs (its page's
    key, its rank and what it blocks): a status edit encodes the edited requirement's line
    again (and those whose rank moved), and the document equals a fresh build's."""
    # verifies: REQ-515
    # verifies: REQ-605
    from reqforge import parallel
    from reqforge.site import requirements_json

    root, _ = committed_traced_repo(make_repo, tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert CliRunner().invoke(cli, ["--repo", str(root), "build", "-o", str(out)]).exit_code in (
        0,
        1,
    )
    encoded: list[str] = []
    real = requirements_json._requirement

    def counting(model: Any, entry: Any, *args: Any) -> dict[str, Any]:
        encoded.append(entry.req.id)
        return real(model, entry, *args)

    monkeypatch.setattr(requirements_json, "_requirement", counting)
    monkeypatch.setattr(parallel, "cpu_count", lambda: 1)  # counted here, not in a worker
    path = root / "reqs/billing/CRM-2.md"
    path.write_text(path.read_text(encoding="utf-8").replace("proposed", "rejected", 1), "utf-8")
    CliRunner().invoke(cli, ["--repo", str(root), "build", "-o", str(out)])
    assert "CRM-2" in encoded and len(encoded) < len(load(out)[0]["requirements"])
    monkeypatch.undo()
    CliRunner().invoke(cli, ["--repo", str(root), "build", "-o", str(fresh), "--clean"])
    assert (out / "requirements.json").read_bytes() == (fresh / "requirements.json").read_bytes()
