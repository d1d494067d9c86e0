"""`reqforge export --to csv|json`: one row per requirement with dotted field columns, the body
and computed priorities, UTF-8 with a BOM and formula-safe cells; the json export is the model
the site publishes (reqforge/interchange/)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from tests.conftest import requirement_text as req

from reqforge.cli.main import cli

Repo = Callable[..., Path]


def export(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--repo", str(root), "export", *args])
    return result.exit_code, result.stdout, result.stderr


def table(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")  # a spreadsheet shows Chinese correctly
    first, rest = text[1:].split("\n", 1)
    if first.startswith("#reqforge-export commit="):  # inside git: the base of `import --merge`
        return list(csv.DictReader(io.StringIO(rest)))
    return list(csv.DictReader(io.StringIO(text[1:])))


def repo(make_repo: Repo) -> Path:
    return make_repo(
        {
            "reqs/a/CRM-1.md": req("CRM-1", title='=HYPERLINK("x")', links="{parent: [CRM-2]}"),
            "reqs/a/CRM-2.md": req(
                "CRM-2", title="批量导出", body="| a | b |\n|---|---|\n| 1 | 2 |\n", tags="[x, y]"
            ),
        }
    )


def test_csv_has_dotted_columns_the_body_and_computed_priorities(make_repo: Repo) -> None:
    # verifies: REQ-707
    code, out, _ = export(repo(make_repo), "--to", "csv")
    assert code == 0
    rows = table(out + "\n")
    headers = list(rows[0])
    assert headers[:4] == ["id", "title", "type", "status"]
    assert "priority.moscow" in headers and "links.parent" in headers
    assert headers.index("body") < headers.index("computed.rank")
    assert headers[headers.index("body") + 1] == "path"  # an import puts it back in its folder
    assert all(h.startswith("computed.") for h in headers[headers.index("body") + 2 :])
    one, two = rows
    assert one["title"] == '\'=HYPERLINK("x")'  # a formula is never run (SPEC 6a)
    assert one["links.parent"] == "CRM-2" and one["priority.moscow"] == "must"
    assert two["title"] == "批量导出" and two["tags"] == "x; y"
    assert "| 1 | 2 |" in two["body"]
    assert one["computed.p_level"] and one["computed.rank"] in ("1", "2")


def test_csv_filter_raw_and_output_file(make_repo: Repo, tmp_path: Path) -> None:
    # verifies: REQ-707
    root = repo(make_repo)
    code, out, _ = export(root, "--to", "csv", "--filter", "id = CRM-2")
    assert code == 0 and [r["id"] for r in table(out + "\n")] == ["CRM-2"]
    code, out, _ = export(root, "--to", "csv", "--raw-csv", "--filter", "id = CRM-1")
    assert table(out + "\n")[0]["title"] == '=HYPERLINK("x")'
    target = tmp_path / "out.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "reqforge", "export", "--to", "csv", "-o", str(target)],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stdout == f"{target}\n", proc.stderr
    assert [r["id"] for r in table(target.read_text("utf-8"))] == ["CRM-1", "CRM-2"]


def test_json_is_the_sites_requirements_json(make_repo: Repo, tmp_path: Path) -> None:
    # verifies: REQ-707
    root = repo(make_repo)
    code, out, _ = export(root, "--to", "json")
    assert code == 0
    built = CliRunner().invoke(cli, ["--repo", str(root), "build", "-o", str(tmp_path / "site")])
    assert built.exit_code == 0
    site = json.loads((tmp_path / "site/requirements.json").read_text("utf-8"))
    exported = json.loads(out)
    bodies = {item["id"]: item.pop("body") for item in exported["requirements"]}
    assert exported == site  # the site's document, plus each requirement's Markdown body
    assert "| a | b |\n|---|---|\n" in bodies["CRM-2"]
    assert export(root, "--to", "json", "--filter", "id = CRM-1")[0] == 2


def test_xlsx_is_the_same_table_as_a_workbook(make_repo: Repo, tmp_path: Path) -> None:
    """Header row, frozen panes, filters, widths; text cells stay text (no formula); the
    hidden `reqforge` sheet records the commit it was made from."""
    # verifies: REQ-707
    from openpyxl import load_workbook
    from tests.gitrepo import GitRepo

    root = repo(make_repo)
    git = GitRepo(root, tmp_path / "home")
    git.commit("first")
    head = git.git("rev-parse", "HEAD").strip()
    target = tmp_path / "out.xlsx"
    code, out, err = export(root, "--to", "xlsx", "-o", str(target))
    assert (code, out) == (0, f"{target}\n"), err
    book = load_workbook(target)
    sheet = book["requirements"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    csv_rows = table(export(root, "--to", "csv", "--raw-csv")[1] + "\n")
    assert rows[0] == list(csv_rows[0])
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_id["CRM-1"]["title"] == '=HYPERLINK("x")'
    assert sheet["B2"].data_type == "s"  # the title is text, never a formula
    assert by_id["CRM-2"]["title"] == "批量导出" and by_id["CRM-2"]["tags"] == "x; y"
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.column_dimensions["A"].width >= len("CRM-1")
    stamp = book["reqforge"]
    assert stamp.sheet_state == "hidden"
    assert [[c.value for c in row] for row in stamp.iter_rows()] == [
        ["format", 1],
        ["commit", head],
    ]
    assert export(root, "--to", "xlsx")[0] == 2  # a workbook needs a file


def test_export_replaces_its_file_and_never_writes_through_a_link(
    make_repo: Repo, tmp_path: Path
) -> None:
    # verifies: REQ-707
    root = repo(make_repo)
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    target.chmod(0o600)
    assert export(root, "--to", "csv", "-o", str(target))[0] == 0
    assert (
        target.read_text("utf-8").startswith("\ufeffid,") and target.stat().st_mode & 0o777 == 0o600
    )
    outside = tmp_path / "theirs.csv"
    outside.write_text("theirs\n")
    link = tmp_path / "link.csv"
    link.symlink_to(outside)
    code, _, err = export(root, "--to", "csv", "-o", str(link))
    assert code == 2 and "a symbolic link" in err and outside.read_text() == "theirs\n"
