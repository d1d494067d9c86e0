"""The scaling benchmark (bench/run, bench/scale.py, bench/chart.py): table, chart, README block.

Timings are bench/'s to measure, not the tests': these check what the runner writes from given
figures, and that one tiny real run goes through end to end.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.bench_modules import BENCH, bench_module

SVG = "{http://www.w3.org/2000/svg}"


def _report(count: int, figures: dict[str, tuple[float, float] | None]) -> dict:
    """bench/run.py's JSON report for one count: key -> (median s, peak RSS MiB) or skipped."""
    measurements = {}
    for key, fig in figures.items():
        label = f"`reqforge {key.split('-')[0]}`, {key}"
        if fig is None:
            measurements[key] = {"label": label, "kind": "reqforge", "skipped": "usage error"}
            continue
        med, rss = fig
        measurements[key] = {
            "label": label,
            "kind": "reqforge",
            "skipped": None,
            "note": None,
            "times_s": [med],
            "median_s": med,
            "min_s": med,
            "max_s": med,
            "peak_rss_mib": rss,
        }
    return {
        "date": "2026-12-08",
        "machine": {
            "nproc": 2,
            "cpu_model": "Fake CPU <3 GHz> & co | x",
            "os": "Linux",
            "python": "CPython 3.11.7",
            "reqforge": "0.9",
        },
        "config": {
            "count": count,
            "seed": 1,
            "runs": 5 if count <= 10_000 else 3,
            "history_commits": 5000,
        },
        "measurements": measurements,
    }


def _data() -> dict:
    """Three counts; check-cold grows 5x (met), build-cold 7.5x (missed), `list` skipped once."""
    return {
        "format": 1,
        "config": {
            "counts": [1000, 10000, 50000],
            "commits": 5000,
            "seed": 1,
            "runs": 5,
            "runs_large": 3,
            "keys": ["check-cold", "build-cold", "list"],
        },
        "runs": {
            "1000": _report(
                1000, {"check-cold": (0.25, 60.0), "build-cold": (1.5, 90.0), "list": (0.2, 50.0)}
            ),
            "10000": _report(
                10000, {"check-cold": (0.8, 120.0), "build-cold": (9.0, 300.0), "list": (0.5, 80.0)}
            ),
            "50000": _report(
                50000, {"check-cold": (4.0, 410.0), "build-cold": (67.5, 1400.0), "list": None}
            ),
        },
    }


def test_the_table_shows_each_median_the_growth_and_names_the_misses() -> None:
    # verifies: REQ-611
    scale = bench_module("scale")
    block = scale.markdown(_data(), chart="bench/scale.svg", json_link="[j](bench/scale.json)")
    lines = block.splitlines()
    header = next(line for line in lines if line.startswith("| command"))
    assert header == (
        "| command | 1,000 (s) | 10,000 (s) | 50,000 (s) | 50,000 / 10,000 | "
        "peak RSS at 50,000 (MiB) |"
    )
    check = next(line for line in lines if "check-cold" in line and line.startswith("|"))
    assert check == "| `reqforge check`, check-cold | 0.250 | 0.800 | 4.00 | 5.00× | 410 |"
    build = next(line for line in lines if "build-cold" in line and line.startswith("|"))
    assert build == (
        "| `reqforge build`, build-cold | 1.50 | 9.00 | 67.5 | **7.50×** over 6× | 1400 |"
    )
    listed = next(line for line in lines if line.startswith("| `reqforge list`"))
    assert listed.endswith("| 0.200 | 0.500 | — | — | — |")
    assert "missed by `build-cold` (7.50×)." in block
    assert "list at 50,000: skipped: usage error" in block
    assert "![Median time of each command" in block and "](bench/scale.svg)" in block
    assert (
        "Reproduce: `bench/run --only check-cold,build-cold,list`. "
        "Raw figures, every run: [j](bench/scale.json)."
    ) in block
    # machine text is escaped: no raw <, > or | reaches the Markdown
    machine = next(line for line in lines if line.startswith("Machine:"))
    assert "Fake CPU &lt;3 GHz&gt; &amp; co \\| x" in machine
    assert "median of 5 runs at 1,000, 5 runs at 10,000, 3 runs at 50,000" in block

    counts, figures = scale.figures_of(_data())
    assert counts == [1000, 10000, 50000]
    assert scale.growth(figures, 10000, 50000) == pytest.approx(
        {"check-cold": 5.0, "build-cold": 7.5}
    )
    assert scale.growth_misses(counts, figures) == ["build-cold: 7.50x > 6x"]
    assert scale.growth_misses([1000, 10000], figures) is None  # no 50,000: nothing to check


def test_the_growth_check_prints_every_ratio_and_fails_on_a_miss(capsys) -> None:
    # verifies: REQ-611
    scale = bench_module("scale")
    counts, figures = scale.figures_of(_data())
    assert scale.report_growth(counts, figures) == 1
    err = capsys.readouterr().err
    assert "check-cold: 5.00x  met" in err
    assert "build-cold: 7.50x  MISSED" in err
    assert "growth bar missed: build-cold: 7.50x > 6x" in err
    met = _data()
    met["runs"]["50000"]["measurements"]["build-cold"]["median_s"] = 50.0
    assert scale.report_growth(*scale.figures_of(met)) == 0
    small = {"runs": {n: _report(int(n), {"check-cold": (0.1, 1.0)}) for n in ("60", "120")}}
    assert scale.report_growth(*scale.figures_of(small)) == 0  # no bar for these counts


def test_markdown_escaping_keeps_code_spans_and_escapes_the_rest() -> None:
    # verifies: REQ-611
    scale = bench_module("scale")
    assert scale.md_label("`reqforge check`, cold (no cache)") == (
        "`reqforge check`, cold (no cache)"
    )
    assert scale.md_label("`a|b`, x|y <z>") == "`a\\|b`, x\\|y &lt;z&gt;"
    assert scale.md_label("odd ` tick *x*") == "odd \\` tick \\*x\\*"
    assert scale.md_code("x`y") == "``x`y``"
    assert scale.md_text("line\nbreak") == "line break"


def test_the_readme_block_is_replaced_and_the_rest_kept_byte_for_byte(tmp_path: Path) -> None:
    # verifies: REQ-611
    scale = bench_module("scale")
    before = "# Title\n\nText with trailing space  \n中文 ✓\n\n<!-- bench-scale:start -->"
    after = "<!-- bench-scale:end -->\n\n<!-- bench-compare:start -->\nother\n"
    readme = tmp_path / "README.md"
    readme.write_bytes((before + "\nold block\nmore\n" + after).encode("utf-8"))
    assert scale.write_readme(readme, "| new | table |\n")
    raw = readme.read_bytes()
    assert raw == (before + "\n| new | table |\n" + after).encode("utf-8")
    assert not scale.write_readme(readme, "| new | table |\n")  # unchanged: not rewritten
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(b"a\r\n<!-- bench-scale:start -->\r\nx\r\n<!-- bench-scale:end -->\r\nb\r\n")
    scale.write_readme(crlf, "one\ntwo\n")
    assert crlf.read_bytes() == (
        b"a\r\n<!-- bench-scale:start -->\r\none\r\ntwo\r\n<!-- bench-scale:end -->\r\nb\r\n"
    )
    start, end = "<!-- bench-scale:start -->", "<!-- bench-scale:end -->"
    for broken in ("no markers", f"{end} {start}", f"{start}{start}{end}"):
        with pytest.raises(scale.ScaleError):
            scale.replace_block(broken, "x\n")


def test_the_chart_is_svg_with_one_line_per_command_and_escaped_text() -> None:
    # verifies: REQ-611
    scale = bench_module("scale")
    chart = bench_module("chart")
    root = ET.fromstring(scale.svg(_data()).encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    assert len(root.findall(f".//{SVG}polyline")) == 3  # check-cold, build-cold, list
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "1k" in texts and "10k" in texts and "50k" in texts
    assert "check, check-cold" in texts and "list, list" in texts
    assert any("requirements" in (t or "") for t in texts)  # the x axis label
    assert any("(s, log scale)" in (t or "") for t in texts)  # the y axis label
    assert any("median time" in (t or "") for t in texts)  # the title
    # the line of `list` stops at 10,000: its 50,000 run was skipped
    lines = {
        g.find(f"{SVG}title").text: g for g in root.iter(f"{SVG}g") if g.get("class") == "series"
    }
    assert len(lines["list, list"].find(f"{SVG}polyline").get("points").split()) == 2
    assert len(lines["build, build-cold"].find(f"{SVG}polyline").get("points").split()) == 3
    # every text is escaped: hostile names come back as written
    hostile = chart.line_chart(
        {"a <b> & \"c\" 'd'": [(10, 1.0), (100, 2.0)], "]]> -->": [(10, 0.5)]},
        title="t <&>",
        x_label="x & y",
        y_label="<y>",
    )
    parsed = ET.fromstring(hostile.encode("utf-8"))
    assert len(parsed.findall(f".//{SVG}polyline")) == 2
    assert {t.text for t in parsed.iter(f"{SVG}text")} >= {"a <b> & \"c\" 'd'", "]]> -->", "t <&>"}
    with pytest.raises(ValueError):
        chart.line_chart({"zero": [(10, 0.0)]}, title="t", x_label="x", y_label="y")


def test_compare_is_handed_over_or_reported_missing(tmp_path, monkeypatch, capsys) -> None:
    # verifies: REQ-611
    scale = bench_module("scale")
    monkeypatch.setattr(scale, "COMPARE", tmp_path / "compare.py")
    assert scale.main(["--compare", "--tools", "doorstop"]) == 2
    assert "compare.py does not exist" in capsys.readouterr().err
    (tmp_path / "compare.py").write_text(
        "SEEN = []\n\ndef main(argv=None):\n    SEEN.append(argv)\n    return 3\n", "utf-8"
    )
    monkeypatch.delitem(sys.modules, "reqforge_bench_compare", raising=False)
    assert scale.main(["--compare", "--tools", "doorstop"]) == 3
    assert sys.modules["reqforge_bench_compare"].SEEN == [["--tools", "doorstop"]]
    monkeypatch.delitem(sys.modules, "reqforge_bench_compare", raising=False)


def test_from_json_writes_readme_and_chart_without_measuring(tmp_path: Path, capsys) -> None:
    # verifies: REQ-611
    scale = bench_module("scale")
    figures = tmp_path / "bench" / "scale.json"
    figures.parent.mkdir()
    figures.write_text(json.dumps(_data()), "utf-8")
    readme = tmp_path / "README.md"
    readme.write_text("top\n<!-- bench-scale:start -->\n<!-- bench-scale:end -->\nend\n", "utf-8")
    chart = tmp_path / "bench" / "scale.svg"
    argv = ["--from-json", str(figures), "--readme", str(readme), "--chart", str(chart)]
    assert scale.main(argv) == 1  # build-cold grows 7.5x
    text = readme.read_text("utf-8")
    assert text.startswith("top\n<!-- bench-scale:start -->\n")
    assert text.endswith("<!-- bench-scale:end -->\nend\n")
    assert "](bench/scale.svg)" in text and "[bench/scale.json](bench/scale.json)" in text
    assert "| `reqforge check`, check-cold | 0.250 |" in text
    ET.fromstring(chart.read_bytes())
    out = capsys.readouterr()
    assert out.out in text  # the same block on stdout
    assert "growth bar missed: build-cold" in out.err


def test_a_tiny_real_scale_run_goes_through(tmp_path: Path) -> None:
    # verifies: REQ-611
    readme = tmp_path / "README.md"
    readme.write_text(
        "a\n<!-- bench-scale:start -->\nPLACEHOLDER\n<!-- bench-scale:end -->\nb\n", "utf-8"
    )
    out = tmp_path / "scale.json"
    command = [
        sys.executable,
        str(BENCH / "run"),
        *("--counts", "60,120", "--commits", "30", "--runs", "1"),
        *("--only", "check-cold,log-cold"),
        *("--corpus-root", str(tmp_path / "corpora"), "--json", str(out)),
        *("--chart", str(tmp_path / "scale.svg"), "--readme", str(readme)),
    ]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(out.read_text("utf-8"))
    assert sorted(data["runs"], key=int) == ["60", "120"]
    for n in ("60", "120"):
        report = data["runs"][n]
        assert report["config"]["history_commits"] == 30
        assert set(report["measurements"]) == {"check-cold", "log-cold"}
        assert all(fig["median_s"] > 0 for fig in report["measurements"].values())
    text = readme.read_text("utf-8")
    assert text.startswith("a\n<!-- bench-scale:start -->\n") and "PLACEHOLDER" not in text
    assert text.endswith("<!-- bench-scale:end -->\nb\n")
    assert "| `reqforge check`, cold (no cache) |" in text
    assert "| `reqforge log`, cold (no cache) |" in text
    assert "60 / 120" not in text and "| command | 60 (s) | 120 (s) | 120 / 60 |" in text
    assert "growth from 60 to 120 requirements" in proc.stderr
    root = ET.fromstring((tmp_path / "scale.svg").read_bytes())
    assert len(root.findall(f".//{SVG}polyline")) == 2


def test_resume_keeps_the_counts_measured_with_the_same_settings(tmp_path, monkeypatch) -> None:
    # verifies: REQ-611
    scale = bench_module("scale")
    measured: list[int] = []

    def fake_measure(count, commits, runs, keys, seed, corpus_root):
        measured.append(count)
        report = _report(count, dict.fromkeys(keys, (count / 1000, 10.0)))
        report["config"].update(runs=runs, history_commits=commits, seed=seed)
        return report

    monkeypatch.setattr(scale, "measure", fake_measure)
    out = tmp_path / "scale.json"
    base = ["--counts", "1000,10000", "--commits", "30", "--only", "check-cold"]
    base += ["--json", str(out), "--chart", str(tmp_path / "c.svg"), "--no-readme"]
    assert scale.main(base) == 0
    assert measured == [1000, 10000]
    assert scale.main([*base, "--resume"]) == 0
    assert measured == [1000, 10000]  # both kept
    assert scale.main([*base, "--resume", "--runs", "2"]) == 0
    assert measured == [1000, 10000, 1000, 10000]  # other settings: measured again
    # a figures file from an interrupted run: the missing count is measured, the other kept
    data = json.loads(out.read_text("utf-8"))
    del data["runs"]["10000"]
    out.write_text(json.dumps(data), "utf-8")
    assert scale.main([*base, "--resume", "--runs", "2"]) == 0
    assert measured[4:] == [10000]
    assert sorted(json.loads(out.read_text("utf-8"))["runs"], key=int) == ["1000", "10000"]
