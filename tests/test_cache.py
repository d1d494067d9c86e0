"""The parse cache (.reqforge/cache/parse.bin) and the cross-file cache (cross-file.bin): a
cached run must print exactly what a cold run prints, whatever happened to the files or to the
cache in between."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import requirement_text as req

import reqforge.checks.run
import reqforge.corpus
import reqforge.parallel
from reqforge.cache import RACY_NS, CacheStore, cache_path
from reqforge.checks.run import CheckOptions, run_check
from reqforge.cli.main import cli
from reqforge.config import load_config
from reqforge.corpus import Corpus, load_corpus
from reqforge.render.findings import render

Repo = Callable[..., Path]

TODAY = dt.date(2026, 11, 25)
HOUR = 3600
FORMATS = ("text", "json", "github", "sarif", "junit")
not_root = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes despite permissions"
)

CHECK = (sys.executable, "-m", "reqforge", "--repo")
LEDGER_BODY = "Finance re-keys the monthly customer ledger by hand; export it to CSV."


def mixed_files() -> dict[str, str | bytes]:
    """Clean files and files with findings of many codes, per-file and cross-file."""
    return {
        "reqs/customers.yaml": "acme:\n  name: Acme\n  tier: A\n",
        # clean, but RF407 with [lint] ears = true
        "reqs/a/CRM-1.md": req(
            "CRM-1", title="Archive signed contracts for auditors", body="Legal keeps them."
        ).replace("When the user exports 100 rows, the system shall write", "Writes"),
        "reqs/a/CRM-2.md": req(
            "CRM-2",
            title="Send payment reminders",
            body="Reminders go out on day 30.",
            source="{channel: interview, customers: [acme]}",
        ),
        # RF411 + RF405, and RF106 with reqs/b/CRM-3.md
        "reqs/a/CRM-3.md": req("CRM-3", title="A user-friendly export", due="2026-01-31"),
        "reqs/b/CRM-3.md": req("CRM-3", title="Print invoices for branch offices"),
        # RF201 + RF202 (a parent cycle of two)
        "reqs/b/CRM-4.md": req(
            "CRM-4", title="Sync", body="Sync nightly.", links="{parent: [CRM-5, NOPE-9]}"
        ),
        "reqs/b/CRM-5.md": req("CRM-5", title="Merge", body="Merge.", links="{parent: [CRM-4]}"),
        # RF403: near duplicates
        "reqs/c/CRM-6.md": req("CRM-6", title="Export customer ledger to CSV", body=LEDGER_BODY),
        "reqs/c/CRM-7.md": req(
            "CRM-7", title="Export the customer ledger to CSV", body=LEDGER_BODY
        ),
        # RF102 + RF103 (+ RF102 for an unknown customer)
        "reqs/c/CRM-8.md": req(
            "CRM-8",
            title="Lock accounts",
            body="Lock after 5 failures.",
            prority="high",
            source="{channel: interview, customers: [globex]}",
        ).replace("type: functional", "type: magic"),
        "reqs/d/CRM-9.md": "# no front matter\n",  # RF002
        "reqs/d/CRM-10.md": req("CRM-10", title="Café").encode("latin-1"),  # RF001
        "reqs/d/CRM-11.md": "---\nid: CRM-11\ntitle: [oops\n---\n",  # RF003
        "reqs/d/CRM-12.md": req("CRM-12").replace("id: CRM-12", "id: crm_12"),  # RF104/RF105
    }


def age(root: Path, seconds: int = HOUR) -> None:
    """Move every file's mtime into the past, so cache entries are not 'racy'."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and ".reqforge" not in path.parts:
            os.utime(path, (past, past))


def load(root: Path, use_cache: bool = True) -> Corpus:
    return load_corpus(load_config(root), use_cache=use_cache)


def outputs(
    root: Path, use_cache: bool = True, today: dt.date = TODAY
) -> tuple[dict[str, str], Corpus]:
    """Every format's report for one run, and the corpus it came from."""
    corpus = load(root, use_cache)
    result = run_check(corpus, CheckOptions(today=today, use_cache=use_cache))
    rendered = {fmt: render(fmt, result, root=root, paths=corpus.paths) for fmt in FORMATS}
    return rendered, corpus


def cold(root: Path, today: dt.date = TODAY) -> dict[str, str]:
    before = snapshot(root / ".reqforge")
    rendered, _ = outputs(root, use_cache=False, today=today)
    assert snapshot(root / ".reqforge") == before, "a run without cache wrote to .reqforge"
    return rendered


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def codes(rendered: dict[str, str]) -> set[str]:
    return {f["code"] for f in json.loads(rendered["json"])["findings"]}


@pytest.fixture
def mixed(make_repo: Repo) -> Path:
    root = make_repo(mixed_files())
    age(root)
    return root


def test_cached_run_prints_exactly_the_cold_output(mixed: Path) -> None:
    # verifies: REQ-108
    expected = cold(mixed)
    assert {
        "RF001", "RF002", "RF003", "RF102", "RF103", "RF104", "RF105", "RF106",
        "RF201", "RF202", "RF411", "RF403", "RF405",
    } <= codes(expected)  # fmt: skip
    first, corpus = outputs(mixed)
    assert corpus.stats == {"files": 13, "parsed": 13, "cached": 0}
    assert cache_path(mixed, "parse").is_file() and cache_path(mixed, "cross-file").is_file()
    second, corpus = outputs(mixed)
    assert corpus.stats == {"files": 13, "parsed": 0, "cached": 13}
    for fmt in FORMATS:
        assert first[fmt] == expected[fmt], fmt
        assert second[fmt] == expected[fmt], fmt


def test_old_unchanged_files_are_not_read_again(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-108
    outputs(mixed)
    reads: list[str] = []
    real_read = reqforge.corpus._read

    def counting_read(root: str, rel: str, limit: int = -1) -> bytes:
        reads.append(rel)
        return real_read(root, rel, limit)

    monkeypatch.setattr(reqforge.corpus, "_read", counting_read)
    rendered, corpus = outputs(mixed)
    assert reads == []
    assert corpus.stats["cached"] == corpus.stats["files"]
    assert rendered == cold(mixed)


def rewrite_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Edit a file without changing its size, inode or mtime (nanoseconds)."""
    assert len(old) == len(new)
    before = path.stat()
    data = path.read_bytes()
    assert old in data
    with path.open("r+b") as handle:
        handle.write(data.replace(old, new, 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )


def test_racy_rewrite_with_same_size_and_mtime_is_noticed(make_repo: Repo) -> None:
    """A file changed within RACY_NS of the run that cached it is verified by its content."""
    # verifies: REQ-108
    root = make_repo({"reqs/CRM-1.md": req("CRM-1"), "reqs/CRM-2.md": req("CRM-2", title="Xy")})
    path = root / "reqs" / "CRM-1.md"
    assert time.time_ns() - path.stat().st_mtime_ns < RACY_NS
    first, _ = outputs(root)
    assert codes(first) == set()
    rewrite_in_place(path, b"importance: low", b"importance: hig")
    second, corpus = outputs(root)
    assert codes(second) == {"RF102"}
    assert corpus.stats["parsed"] == 1  # CRM-1 was re-read; CRM-2 verified by digest only
    assert second == cold(root)
    third, corpus = outputs(root)
    assert third == second


def test_corrupt_cache_is_discarded_and_rewritten(
    mixed: Path, corruption: Callable[[Path], None]
) -> None:
    # verifies: REQ-108
    expected = cold(mixed)
    outputs(mixed)
    for name in ("parse", "cross-file"):
        corruption(cache_path(mixed, name))
    rendered, corpus = outputs(mixed)
    assert rendered == expected
    assert corpus.stats["cached"] == 0
    again, corpus = outputs(mixed)
    assert corpus.stats["cached"] == corpus.stats["files"], "the cache was not rewritten"
    assert again == expected


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x40
    path.write_bytes(bytes(data))


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(path.stat().st_size))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _header_then_garbage(path: Path) -> None:
    header = path.read_bytes().split(b"\n", 2)
    path.write_bytes(header[0] + b"\n" + header[1] + b"\n" + b"\x00garbage" * 40)


def _header_only(path: Path) -> None:
    header = path.read_bytes().split(b"\n", 2)
    path.write_bytes(header[0] + b"\n" + header[1] + b"\n")


def _append(path: Path) -> None:
    with path.open("ab") as handle:
        handle.write(b"\x00")


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


CORRUPTIONS = {
    "truncated": _truncate,
    "flipped-byte": _flip_middle_byte,
    "random-bytes": _random_bytes,
    "empty": _empty,
    "header-then-garbage": _header_then_garbage,
    "header-only": _header_only,
    "appended-byte": _append,
}


@pytest.fixture(params=CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def corruption(request: pytest.FixtureRequest) -> Callable[[Path], None]:
    return request.param


def test_cache_file_replaced_by_a_folder_does_not_crash(mixed: Path) -> None:
    # verifies: REQ-108
    expected = cold(mixed)
    outputs(mixed)
    for name in ("parse", "cross-file"):
        _directory(cache_path(mixed, name))
    assert outputs(mixed)[0] == expected
    assert outputs(mixed)[0] == expected


def test_sealed_cache_of_another_shape_is_discarded(mixed: Path) -> None:
    # verifies: REQ-108
    expected = cold(mixed)
    config = load_config(mixed)
    outputs(mixed)
    raw = (mixed / "reqs" / "customers.yaml").read_bytes()
    fingerprint = config.fingerprint() + reqforge.corpus.content_digest(raw).hex()
    store = CacheStore(mixed)
    cache = reqforge.corpus.ParseCache(store, "parse", fingerprint, reqforge.corpus._RESULT_SHAPE)
    cache.load()
    assert cache.loaded
    # The same entries, but each result in a layout an older or newer build might have used.
    entries = {rel: (*entry[:6], (*entry[6], "extra")) for rel, entry in cache.entries.items()}
    store.write("parse", fingerprint, entries)
    assert outputs(mixed)[0] == expected


def test_configuration_change_invalidates(mixed: Path) -> None:
    # verifies: REQ-108
    # verifies: REQ-110
    outputs(mixed)
    (mixed / "reqforge.toml").write_text("[lint]\nears = true\n", encoding="utf-8")
    rendered, corpus = outputs(mixed)
    assert corpus.stats["cached"] == 0
    assert "RF407" in codes(rendered)
    assert rendered == cold(mixed)
    (mixed / "reqforge.toml").unlink()
    rendered, corpus = outputs(mixed)
    assert "RF407" not in codes(rendered)
    assert rendered == cold(mixed)


def test_customers_change_invalidates(mixed: Path) -> None:
    # verifies: REQ-108
    before, _ = outputs(mixed)
    assert "globex" in before["json"]
    customers = mixed / "reqs" / "customers.yaml"
    customers.write_text(
        "acme:\n  name: Acme\n  tier: A\nglobex:\n  name: Globex\n  tier: B\n", encoding="utf-8"
    )
    age(mixed)
    after, corpus = outputs(mixed)
    assert corpus.stats["cached"] == 0
    assert "globex" not in after["json"]
    assert after == cold(mixed)


def test_added_deleted_renamed_and_swapped_files(mixed: Path) -> None:
    # verifies: REQ-108
    outputs(mixed)
    reqs = mixed / "reqs"
    (reqs / "a" / "CRM-2.md").unlink()  # deleted (the only user of customer acme)
    (reqs / "e").mkdir()
    (reqs / "e" / "CRM-20.md").write_text(req("CRM-20", links="{parent: [CRM-2]}"))  # added
    (reqs / "c" / "CRM-8.md").rename(reqs / "e" / "CRM-8.md")  # moved: same inode and mtime
    (reqs / "d" / "CRM-11.md").rename(reqs / "d" / "CRM-13.md")  # renamed: now also RF105
    swap = reqs / "tmp.md"  # swapped: each path now has the other's inode
    (reqs / "a" / "CRM-1.md").rename(swap)
    (reqs / "b" / "CRM-5.md").rename(reqs / "a" / "CRM-1.md")
    swap.rename(reqs / "b" / "CRM-5.md")
    rendered, corpus = outputs(mixed)
    expected = cold(mixed)
    assert rendered == expected
    assert corpus.stats["parsed"] >= 5
    paths = {f["path"] for f in json.loads(expected["json"])["findings"]}
    assert "reqs/e/CRM-8.md" in paths and "reqs/c/CRM-8.md" not in paths
    assert outputs(mixed)[0] == expected


def test_no_cache_writes_nothing(mixed: Path) -> None:
    result = CliRunner().invoke(cli, ["--repo", str(mixed), "check", "--no-cache"])
    assert result.exit_code == 1, result.output
    assert not (mixed / ".reqforge").exists()


def test_no_cache_ignores_and_keeps_an_existing_cache(mixed: Path) -> None:
    outputs(mixed)
    before = snapshot(mixed / ".reqforge")
    (mixed / "reqs" / "a" / "CRM-1.md").write_text(req("CRM-1", title="A fast export"))
    result = CliRunner().invoke(
        cli, ["--repo", str(mixed), "check", "--no-cache", "--format", "json"]
    )
    assert "RF411" in {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert snapshot(mixed / ".reqforge") == before


@pytest.mark.parametrize("blocker", [".reqforge", ".reqforge/cache"])
def test_cache_folder_that_is_a_file_does_not_crash(mixed: Path, blocker: str) -> None:
    """A cache that cannot be written (here: a file where a folder should be, which stops root
    too) leaves the run as it is."""
    # verifies: REQ-108
    expected = cold(mixed)
    target = mixed / blocker
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"not a folder")
    for _ in range(2):
        rendered, corpus = outputs(mixed)
        assert rendered == expected
        assert corpus.stats["cached"] == 0
    assert target.read_bytes() == b"not a folder"
    assert not list(mixed.glob(".reqforge/**/.tmp-*"))


def test_unwritable_cache_does_not_crash(mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a read-only .reqforge/cache looks like to the writer (works as root too)."""
    # verifies: REQ-108
    import tempfile

    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(13, "Permission denied")

    expected = cold(mixed)
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    assert outputs(mixed)[0] == expected
    assert outputs(mixed)[0] == expected
    assert not list((mixed / ".reqforge" / "cache").glob("*.bin"))


@not_root
def test_read_only_cache_folder_does_not_crash(mixed: Path) -> None:
    expected = cold(mixed)
    outputs(mixed)
    folder = mixed / ".reqforge" / "cache"
    (mixed / "reqs" / "a" / "CRM-1.md").write_text(req("CRM-1", title="A fast export"))
    expected = cold(mixed)
    folder.chmod(0o555)
    try:
        assert outputs(mixed)[0] == expected
    finally:
        folder.chmod(0o755)


@not_root
def test_read_only_repository_does_not_crash(mixed: Path) -> None:
    expected = cold(mixed)
    mixed.chmod(0o555)
    try:
        assert outputs(mixed)[0] == expected
        assert not (mixed / ".reqforge").exists()
    finally:
        mixed.chmod(0o755)


def count_cross_file(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = reqforge.checks.run.cross_file_findings

    def counting(corpus: Corpus, bodies: bool | None = None) -> list:
        calls.append(1)
        return real(corpus, bodies)

    monkeypatch.setattr(reqforge.checks.run, "cross_file_findings", counting)
    return calls


def test_cross_file_cache_reused_then_recomputed(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-108
    calls = count_cross_file(monkeypatch)
    first, _ = outputs(mixed)
    assert len(calls) == 2  # the families that read bodies, and those that do not
    assert outputs(mixed)[0] == first
    assert len(calls) == 2, "nothing changed, yet cross-file findings were recomputed"
    (mixed / "reqs" / "e").mkdir()
    (mixed / "reqs" / "e" / "CRM-1.md").write_text(req("CRM-1", title="Print shipping labels"))
    rendered, _ = outputs(mixed)
    assert len(calls) == 4
    dupes = [f for f in json.loads(rendered["json"])["findings"] if f["code"] == "RF106"]
    assert {f["path"] for f in dupes} >= {"reqs/a/CRM-1.md", "reqs/e/CRM-1.md"}
    assert rendered == cold(mixed)  # a cold run computes them too
    calls.clear()
    # One file's content changes in place (links removed): the cycle disappears.
    path = mixed / "reqs" / "b" / "CRM-5.md"
    path.write_text(req("CRM-5", title="Merge", body="Merge."))
    rendered, _ = outputs(mixed)
    assert len(calls) == 2
    assert "RF202" not in codes(rendered)
    assert rendered == cold(mixed)


def test_an_edited_body_keeps_the_findings_of_front_matter(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Links (RF106, RF201-RF204) read front matter only: a body edit recomputes the families
    that read bodies (RF403) and reuses the others, with the same result as a cold run."""
    # verifies: REQ-108
    calls = count_cross_file(monkeypatch)
    outputs(mixed)
    calls.clear()
    path = mixed / "reqs" / "b" / "CRM-5.md"
    text = path.read_text()
    path.write_text(text + "\nOne more sentence of the body.\n")
    rendered, _ = outputs(mixed)
    assert len(calls) == 1
    assert rendered == cold(mixed)
    calls.clear()
    # The same body with a front matter edited in a way that moves the findings' lines.
    path.write_text(text.replace("---\n", "---\n# a comment line\n", 1))
    rendered, _ = outputs(mixed)
    assert len(calls) == 2
    assert rendered == cold(mixed)


def test_overdue_is_judged_on_the_day_of_each_run(mixed: Path) -> None:
    """RF405 depends on the date, not on the files: the cross-file cache must not freeze it."""
    # verifies: REQ-108
    # verifies: REQ-106
    early, _ = outputs(mixed, today=dt.date(2026, 1, 1))
    late, _ = outputs(mixed, today=TODAY)
    assert "RF405" not in codes(early) and "RF405" in codes(late)
    assert late == cold(mixed, today=TODAY)


def test_forged_cross_file_cache_from_the_repository_is_not_trusted(
    make_repo: Repo, tmp_path: Path
) -> None:
    # verifies: REQ-108
    files = {
        "reqs/a/CRM-1.md": req("CRM-1"),
        "reqs/b/CRM-1.md": req("CRM-1", title="Print invoices for branch offices"),
    }
    root = make_repo(files)
    # What an attacker can do: build the same files in their own checkout, compute the key
    # there, and commit the sealed "no findings" cache with the pull request.
    theirs = tmp_path / "attacker"
    for rel, text in files.items():
        (theirs / rel).parent.mkdir(parents=True, exist_ok=True)
        (theirs / rel).write_text(text, encoding="utf-8")
    key = load(theirs, use_cache=False).content_key
    CacheStore(theirs).write("cross-file", key, [])
    forged = cache_path(root, "cross-file")
    forged.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cache_path(theirs, "cross-file"), forged)
    rendered, _ = outputs(root)
    assert "RF106" in codes(rendered)


# --- the parallel file stage --------------------------------------------------------------


def many_files(count: int) -> dict[str, str | bytes]:
    files = mixed_files()
    topics = ["ledger", "invoice", "contract", "reminder", "label", "account", "report"]
    for n in range(100, 100 + count):
        topic = topics[n % len(topics)]
        title = f"Handle {topic} batch {n}" + (" quickly" if n % 5 == 0 else "")
        links = f"{{parent: [CRM-{n - 1}]}}" if n % 4 else f"{{depends-on: [NOPE-{n}]}}"
        files[f"reqs/m{n % 3}/CRM-{n}.md"] = req(f"CRM-{n}", title=title, links=links)
    return files


def test_parallel_stage_matches_sequential(
    make_repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(many_files(40))
    monkeypatch.setattr(reqforge.parallel, "MIN_ITEMS_PER_WORKER", 5)
    monkeypatch.setattr(reqforge.parallel, "cpu_count", lambda: 1)
    sequential = cold(root)
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(reqforge.parallel.os, "fork", counting_fork)
    monkeypatch.setattr(reqforge.parallel, "cpu_count", lambda: 2)
    assert cold(root) == sequential
    assert len(forks) == 1
    monkeypatch.setattr(reqforge.parallel, "cpu_count", lambda: 4)
    assert cold(root) == sequential
    assert len(forks) == 4
    # The parallel run's results, cached, print the same again.
    assert outputs(root)[0] == sequential
    assert outputs(root)[0] == sequential


def test_scores_computed_in_parallel_match_a_serial_run(
    make_repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # verifies: REQ-200
    files = many_files(40)
    for n in range(100, 140, 3):  # every score kind, votes with MoSCoW words among them
        files[f"reqs/m{n % 3}/CRM-{n}.md"] = req(f"CRM-{n}").replace(
            "priority:\n",
            "priority:\n  fmea: {severity: 7, occurrence: 4, detection: 5}\n"
            "  wsjf: {value: 8, urgency: 5, risk: 3, size: 4}\n"
            "  votes: {acme: 9, bob: must, carol: wont}\n",
        )
    root = make_repo(files)
    args = ["--repo", str(root), "prioritize", "--all", "--format", "json"]

    def ranked() -> str:
        shutil.rmtree(root / ".reqforge", ignore_errors=True)  # scores computed, not cached
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        return result.stdout

    monkeypatch.setattr(reqforge.parallel, "MIN_ITEMS_PER_WORKER", 5)
    monkeypatch.setattr(reqforge.parallel, "cpu_count", lambda: 1)
    serial = ranked()
    assert '"rpn": 140' in serial and '"vote_counts": {"must": 1,' in serial
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(reqforge.parallel.os, "fork", counting_fork)
    monkeypatch.setattr(reqforge.parallel, "cpu_count", lambda: 2)
    assert ranked() == serial
    assert len(forks) == 2  # the file stage and the scores each forked a worker
    again = CliRunner().invoke(cli, args)  # and the cached scores print the same
    assert again.stdout == serial


@pytest.mark.parametrize("workers", [2, 3, 8])
def test_parallel_map_keeps_input_order(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    # verifies: REQ-601
    monkeypatch.setattr(reqforge.parallel, "MIN_ITEMS_PER_WORKER", 5)
    monkeypatch.setattr(reqforge.parallel, "cpu_count", lambda: workers)
    items = [f"file-{n}" for n in range(101)]  # not a multiple of any worker count

    def work(chunk: list[str]) -> list[tuple[str, int, int]]:
        return [(item, os.getpid(), len(chunk)) for item in chunk]

    results = reqforge.parallel.parallel_map(work, items)
    assert [item for item, _, _ in results] == items
    # Every worker got its share: interleaved chunks differ in length by one at most.
    sizes = {pid: size for _, pid, size in results}
    assert len(sizes) == workers and max(sizes.values()) - min(sizes.values()) <= 1


def test_failed_worker_is_redone_in_the_parent(
    make_repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(many_files(20))
    monkeypatch.setattr(reqforge.parallel, "MIN_ITEMS_PER_WORKER", 5)
    monkeypatch.setattr(reqforge.parallel, "cpu_count", lambda: 1)
    sequential = cold(root)
    parent = os.getpid()
    real_stage = reqforge.corpus._stage_one

    def failing_in_children(*args: object) -> object:
        if os.getpid() != parent:
            raise RuntimeError("worker crashed")
        return real_stage(*args)

    monkeypatch.setattr(reqforge.corpus, "_stage_one", failing_in_children)
    monkeypatch.setattr(reqforge.parallel, "cpu_count", lambda: 2)
    assert cold(root) == sequential


# --- across processes ---------------------------------------------------------------------


def test_cache_is_stable_across_processes_and_hash_seeds(mixed: Path) -> None:
    # verifies: REQ-108
    def run(seed: str, *args: str) -> str:
        proc = subprocess.run(
            [*CHECK, str(mixed), "check", "--format", "json", "--today", str(TODAY), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        return proc.stdout

    expected = run("0", "--no-cache")
    assert not (mixed / ".reqforge").exists()
    assert run("1") == expected
    shutil.copy2(mixed / "reqs" / "c" / "CRM-7.md", mixed / "reqs" / "c" / "CRM-70.md")
    expected = run("0", "--no-cache")
    assert "CRM-70" in expected
    assert run("2") == expected  # mixes signatures cached by seed 1 with new ones of seed 2
    assert run("3") == expected


def test_the_bodies_a_run_parsed_are_kept_and_equal_what_a_read_gives(mixed: Path) -> None:
    # verifies: REQ-603
    from reqforge.loader import Bodies

    config = load_config(mixed)
    cold = load_corpus(config)
    paths = [req.path for req in cold.repository.requirements]
    assert set(cold.bodies) == set(paths)  # every file that parsed, none that did not
    assert dict(Bodies(config, paths, cold.bodies)) == dict(Bodies(config, paths))
    warm = load_corpus(config)  # every file from the parse cache: nothing parsed, none kept
    assert warm.bodies == {} and warm.stats["parsed"] == 0


def test_findings_are_located_again_only_in_files_whose_front_matter_changed(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edited front matter makes the families that read front matter run again over every
    file; their findings in the other files are placed from the `locations` cache (placing one
    means composing the file's YAML), and the report equals a cold run's."""
    # verifies: REQ-108
    outputs(mixed)
    located: list[str] = []
    real = reqforge.corpus.locate_issue

    def counting(front: str, issue: object) -> tuple[int, int]:
        located.append(front)
        return real(front, issue)  # type: ignore[arg-type]

    monkeypatch.setattr(reqforge.corpus, "locate_issue", counting)
    path = mixed / "reqs" / "b" / "CRM-4.md"  # RF201 and RF202 there, others elsewhere
    path.write_text(path.read_text().replace("---\n", "---\n# moved one line down\n", 1))
    rendered, _ = outputs(mixed)
    assert located and all("# moved one line down" in front for front in located)
    monkeypatch.undo()
    assert rendered == cold(mixed)
