"""A cache that cannot lie (SPEC 6a, issue 10): copied from another clone, committed to git, forged,
sealed with the wrong inner types, symlinked or special, or outrun by `cp -p`: every command gives
the cold-run answer and writes nothing outside `.reqforge/`. And a change to reqforge's own code
invalidates every cache."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.conftest import requirement_text as req
from tests.gitrepo import GitRepo, git_env

import reqforge
from reqforge.cache import (
    KEY_FILE,
    CacheStore,
    cache_path,
    code_digest,
    dict_of,
    fixed,
    list_of,
    maybe,
    tuple_of,
)
from reqforge.cli.main import cli

Repo = Callable[..., Path]
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
PACKAGE = Path(reqforge.__file__).resolve().parent

FILES = {
    "reqs/a/CRM-1.md": req("CRM-1"),
    "reqs/b/CRM-1.md": req("CRM-1", title="Print invoices for branch offices"),  # RF106
    "reqs/b/CRM-2.md": req("CRM-2", links="{parent: [NOPE-1]}"),  # RF201
}


def check_json(root: Path, *extra: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(cli, ["--repo", str(root), "check", "--format", "json", *extra])
    return result.exit_code, json.loads(result.stdout)


def cold(root: Path) -> tuple[int, dict[str, object]]:
    return check_json(root, "--no-cache")


def age(root: Path, seconds: int = 3600) -> None:
    past = time.time() - seconds
    for path in root.rglob("*.md"):
        os.utime(path, (past, past))


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# --- shapes ---------------------------------------------------------------------------------


def test_shapes_compare_exact_types() -> None:
    # verifies: REQ-108
    entry = dict_of(str, fixed(int, bytes, maybe(str), tuple_of(fixed(str, int)), list_of(object)))
    good = {"a": (1, b"x", None, (("k", 2),), [1, "two"])}
    assert entry.check(good)
    assert not entry.check({"a": (True, b"x", None, (), [])})  # a bool is not an int
    assert not entry.check({"a": (1, b"x", None, [("k", 2)], [])})  # a list is not a tuple
    assert not entry.check({"a": (1, b"x", 3, (), [])})
    assert not entry.check({"a": (1, b"x", None, (("k", "2"),), [])})
    assert not entry.check({1: (1, b"x", None, (), [])})
    assert not entry.check([])


def test_shapes_from_type_hints_declare_a_record_once() -> None:
    # verifies: REQ-108
    from typing import Any

    from reqforge.cache import record_shape, shape_of
    from reqforge.priorities import Scores

    assert shape_of(float).check(2) and shape_of(float).check(2.5)  # PEP 484: int is a float
    assert not shape_of(int).check(2.5) and not shape_of(int).check(True)
    assert shape_of(tuple[tuple[str, int], ...] | None).check((("must", 2),))
    assert not shape_of(tuple[str, int]).check(("a", 1, 2))
    assert shape_of(dict[str, list[Any]]).check({"a": [1, None]})
    with pytest.raises(TypeError):
        shape_of(set[int])
    shape = record_shape(Scores)
    row = (
        "must",
        "basic",
        48,
        "medium",
        320.0,
        "quick-win",
        "P0",
        None,
        2,
        5,
        None,
        None,
        None,
        None,
    )
    assert shape.check(row)
    assert not shape.check(row[:-1]) and not shape.check(("must", *row[1:2], "48", *row[3:]))


def test_scores_are_reused_from_the_cache(make_repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Priorities read the file's front matter, the settings and the customers: each is kept
    by its file's front-matter digest, so an edited body computes none, an edited front
    matter its own, a changed customers file all; always a cold run's."""
    # verifies: REQ-602
    from reqforge import corpus as corpus_module
    from reqforge.corpus import cached_scores, load_corpus

    computed: list[str] = []
    real = corpus_module.scores_of

    def counting(req: Any, *args: Any) -> Any:
        computed.append(req.path)
        return real(req, *args)

    monkeypatch.setattr(corpus_module, "scores_of", counting)
    root = make_repo(FILES)
    config = reqforge.config.load_config(root)
    every = len(load_corpus(config).repository.requirements)

    def cold() -> dict[str, Any]:
        scores = cached_scores(load_corpus(config, use_cache=False))
        computed.clear()
        return scores

    first = cached_scores(load_corpus(config))
    assert len(computed) == every and first == cold()
    assert cached_scores(load_corpus(config)) == first and computed == []
    path = root / "reqs/a/CRM-1.md"
    path.write_text(path.read_text() + "\nA longer body.\n")
    assert cached_scores(load_corpus(config)) == first and computed == []
    path.write_text(path.read_text().replace("moscow: must", "moscow: could", 1))
    scores = cached_scores(load_corpus(config))
    assert computed == ["reqs/a/CRM-1.md"]
    assert scores == cold() and scores != first
    assert cached_scores(load_corpus(config)) == scores and computed == []
    (root / "reqs/customers.yaml").write_text("acme: {name: Acme, tier: A}\n", encoding="utf-8")
    scores = cached_scores(load_corpus(config))
    assert len(computed) == every
    assert scores == cold()


# --- copies and forgeries -------------------------------------------------------------------


def test_a_cache_copied_from_another_clone_is_not_trusted(make_repo: Repo, tmp_path: Path) -> None:
    # verifies: REQ-108
    root = make_repo(FILES)
    expected = cold(root)
    assert expected[0] == 1
    # Another clone with the same files computes the same content key and seals a "clean"
    # answer with its own key; its whole .reqforge/ (key file included) is copied over.
    theirs = tmp_path / "theirs"
    shutil.copytree(root, theirs)
    check_json(theirs)
    key = reqforge.corpus.load_corpus(reqforge.config.load_config(theirs)).content_key
    CacheStore(theirs).write("cross-file", key, [])
    shutil.rmtree(root / ".reqforge", ignore_errors=True)
    shutil.copytree(theirs / ".reqforge", root / ".reqforge")
    assert check_json(root) == expected
    assert check_json(root) == expected  # and the rebuilt cache is right too


def test_a_seal_recomputed_without_this_clones_key_is_not_trusted(make_repo: Repo) -> None:
    # verifies: REQ-108
    root = make_repo(FILES)
    expected = cold(root)
    check_json(root)
    path = cache_path(root, "cross-file")
    blob = path.read_bytes()
    header = len(b"reqforge-cache\n") + 32
    import marshal

    payload = marshal.dumps([])
    for seal in (
        hashlib.blake2b(payload, digest_size=16).digest(),  # the old, unkeyed seal
        hashlib.blake2b(payload, digest_size=16, key=b"guess").digest(),
    ):
        path.write_bytes(blob[:header] + seal + payload)
        assert check_json(root) == expected


def test_a_sealed_cache_with_wrong_inner_types_is_rebuilt(make_repo: Repo) -> None:
    # verifies: REQ-108
    root = make_repo(FILES)
    expected = cold(root)
    check_json(root)
    store = CacheStore(root)
    corpus = reqforge.corpus.load_corpus(reqforge.config.load_config(root))
    # Valid seals (this clone's key), wrong insides: every later run must still be right.
    store.write("cross-file", corpus.content_key, [("RF999", 5, None)])
    assert check_json(root) == expected
    fingerprint = corpus.config.fingerprint() + reqforge.cache.content_digest(b"").hex()
    store.write("parse", fingerprint, {"reqs/a/CRM-1.md": (1, 2, 3, "four", 5, b"", None)})
    assert check_json(root) == expected
    store.write("scores", corpus.content_key, {"reqs/a/CRM-1.md": ("must",)})
    result = CliRunner().invoke(cli, ["--repo", str(root), "prioritize", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["items"]
    assert check_json(root) == expected  # and each file was rewritten with a good value


@needs_git
def test_a_committed_history_cache_cannot_forge_log_in_a_fresh_clone(tmp_path: Path) -> None:
    # verifies: REQ-308
    home = tmp_path / "home"
    home.mkdir()
    origin = GitRepo(tmp_path / "origin", home)
    origin.write("reqs/A-1.md", req("A-1"))
    origin.commit("Add A-1")
    origin.write("reqs/A-1.md", req("A-1").replace("proposed", "accepted"))
    origin.commit("Accept A-1 (#7)")
    CliRunner().invoke(cli, ["--repo", str(origin.root), "log", "--format", "json"])
    # An attacker rewrites the history cache (author, PR) with this clone's key and forces the
    # whole .reqforge/ into the repository.
    store = CacheStore(origin.root)
    from reqforge.history.walk import _CACHE_SHAPE, _cache_key

    cached = store.read("history", _cache_key("reqs"), _CACHE_SHAPE)
    assert cached is not None
    forged = {
        sha: (p, t, "Mallory", "m@evil", d, s, 666)
        for sha, (p, t, _, _, d, s, _) in cached[1].items()
    }
    store.write("history", _cache_key("reqs"), (cached[0], forged, cached[2]))
    here = CliRunner().invoke(cli, ["--repo", str(origin.root), "log", "--format", "json"])
    assert {e["author"] for e in json.loads(here.stdout)["entries"]} == {"Mallory"}  # it bites
    origin.git("add", "-f", ".reqforge")
    origin.commit("Add caches")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", str(origin.root), str(clone)],
        check=True,
        env=git_env(home, "2026-10-01T00:00:00+08:00"),
    )
    assert (
        cache_path(clone, "history").is_file() and (clone / ".reqforge/cache" / KEY_FILE).is_file()
    )
    result = CliRunner().invoke(cli, ["--repo", str(clone), "log", "--format", "json"])
    entries = json.loads(result.stdout)["entries"]
    assert entries and {e["author"] for e in entries} == {"Zhang Wei"}
    assert {e["pr"] for e in entries} <= {7, None}


# --- unsafe files ---------------------------------------------------------------------------


@pytest.mark.parametrize("special", ["dev-zero", "fifo", "outside-symlink"])
def test_special_cache_files_are_refused(make_repo: Repo, tmp_path: Path, special: str) -> None:
    # verifies: REQ-108
    root = make_repo(FILES)
    expected = cold(root)
    check_json(root)
    for name in ("parse", "cross-file"):
        path = cache_path(root, name)
        path.unlink()
        if special == "dev-zero":
            path.symlink_to("/dev/zero")
        elif special == "fifo":
            os.mkfifo(path)
        else:
            outside = tmp_path / f"outside-{name}.bin"
            outside.write_bytes(b"x")
            path.symlink_to(outside)
    assert check_json(root) == expected  # no hang, no gigabytes, no crash
    if special == "outside-symlink":
        assert (tmp_path / "outside-parse.bin").read_bytes() == b"x"  # never written through


def test_a_symlinked_gitignore_or_folder_means_no_cache_and_no_write_outside(
    make_repo: Repo, tmp_path: Path
) -> None:
    # verifies: REQ-108
    root = make_repo(FILES)
    expected = cold(root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".reqforge").mkdir()
    (root / ".reqforge" / ".gitignore").symlink_to(outside / "created-by-reqforge")  # dangling
    assert check_json(root) == expected
    assert check_json(root) == expected
    assert listing(outside) == set()
    assert listing(root / ".reqforge") == {".gitignore"}
    shutil.rmtree(root / ".reqforge")
    (root / ".reqforge").symlink_to(outside, target_is_directory=True)
    assert check_json(root) == expected
    assert listing(outside) == set()


def test_a_file_replaced_by_cp_p_with_the_same_size_and_date_is_read_again(
    make_repo: Repo, tmp_path: Path
) -> None:
    # verifies: REQ-108
    good = req("CRM-3")
    broken = good.replace("status: proposed", "status: propozed")
    assert len(broken) == len(good)
    root = make_repo({"reqs/CRM-3.md": good})
    age(root)
    assert check_json(root)[0] == 0
    stash = tmp_path / "CRM-3.md"
    stash.write_text(broken, encoding="utf-8")
    target = root / "reqs" / "CRM-3.md"
    info = target.stat()
    os.utime(stash, ns=(info.st_atime_ns, info.st_mtime_ns))
    subprocess.run(["cp", "-p", str(stash), str(target)], check=True)
    after = target.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        info.st_size,
        info.st_mtime_ns,
        info.st_ino,
    )
    code, report = check_json(root)
    assert code == 1 and report == cold(root)[1]


# --- reqforge's own code --------------------------------------------------------------------


def test_code_digest_covers_every_source_file() -> None:
    # verifies: REQ-108
    assert code_digest() == code_digest()  # computed once per process
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 20


def test_a_change_to_reqforges_code_invalidates_every_cache(
    make_repo: Repo, tmp_path: Path
) -> None:
    # verifies: REQ-108
    root = make_repo(FILES)
    age(root)
    # An editable install of a copy of the package: run, change a source file, run again.
    install = tmp_path / "site"
    shutil.copytree(PACKAGE, install / "reqforge", ignore=shutil.ignore_patterns("__pycache__"))
    probe = (
        "import sys\n"
        "from reqforge.config import load_config\n"
        "from reqforge.corpus import load_corpus\n"
        f"print(load_corpus(load_config(__import__('pathlib').Path({str(root)!r}))).stats)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(install)}

    def stats() -> str:
        return subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
        ).stdout.strip()

    files = len([p for p in (root / "reqs").rglob("*.md")])
    assert stats() == f"{{'files': {files}, 'parsed': {files}, 'cached': 0}}"
    assert stats() == f"{{'files': {files}, 'parsed': 0, 'cached': {files}}}"
    checks = install / "reqforge" / "checks" / "fields.py"
    checks.write_text(checks.read_text(encoding="utf-8") + "\n# a new check\n", encoding="utf-8")
    assert stats() == f"{{'files': {files}, 'parsed': {files}, 'cached': 0}}"


def test_the_catalogue_parts_drawn_from_other_requirements_are_reused(
    make_repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Children, depended-on-by, blocking and disagreements depend on IDs, links, scores and
    settings only: kept by a digest of those, so a status edit keeps them (and is told that a
    front matter changed), a changed link does not; always equal to a catalogue made from
    nothing."""
    # verifies: REQ-602
    from reqforge.catalog import Catalog
    from reqforge.corpus import cached_catalog, load_corpus

    derived: list[int] = []
    real = Catalog._derive

    def counting(*args: Any) -> Any:
        derived.append(1)
        return real(*args)

    monkeypatch.setattr(Catalog, "_derive", staticmethod(counting))
    root = make_repo(FILES)
    config = reqforge.config.load_config(root)

    def fresh() -> list[Any]:
        entries = Catalog(load_corpus(config, use_cache=False).repository, config).entries
        derived.clear()
        return entries

    first, fronts_unchanged = cached_catalog(load_corpus(config))
    assert not fronts_unchanged and derived == [1]
    again, fronts_unchanged = cached_catalog(load_corpus(config))
    assert fronts_unchanged and derived == [1]
    assert again.entries == first.entries == fresh()
    path = root / "reqs/b/CRM-2.md"
    path.write_text(path.read_text().replace("status: proposed", "status: accepted"))
    edited, fronts_unchanged = cached_catalog(load_corpus(config))
    assert not fronts_unchanged and derived == []  # a front matter changed, no link or score
    assert edited.entries == fresh()
    assert cached_catalog(load_corpus(config))[1]
    path.write_text(path.read_text().replace("{parent: [NOPE-1]}", "{parent: [CRM-1]}"))
    moved, fronts_unchanged = cached_catalog(load_corpus(config))
    assert not fronts_unchanged and derived == [1]
    assert moved.entries == fresh()
    assert moved.by_id["CRM-1"].children == ("CRM-2",)


def test_similar_pairs_are_kept_until_a_title_or_body_changes(
    make_repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RF403's similar pairs depend on each file's path and signature (title and body) only:
    a status edit finds them in the `similar-pairs` cache, an edited body finds them anew;
    either way the findings are a cold run's."""
    # verifies: REQ-602
    # verifies: REQ-107
    from reqforge.checks import quality
    from reqforge.corpus import load_corpus

    text = "Export every invoice of the month as one CSV file for the auditors to review"
    root = make_repo(
        {
            "reqs/a/CRM-1.md": req("CRM-1", title=text),
            "reqs/a/CRM-2.md": req("CRM-2", title=text + "s"),
            "reqs/a/CRM-3.md": req("CRM-3", title="Print the dunning letters"),
        }
    )
    config = reqforge.config.load_config(root)
    found: list[int] = []
    real = quality.similar_pairs

    def counting(*args: object) -> list[tuple[int, int, float]]:
        found.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(quality, "similar_pairs", counting)

    def duplicates() -> list[str]:
        return [f.path for f in quality.duplicate_findings(load_corpus(config))]

    def cold() -> list[str]:
        return [f.path for f in quality.duplicate_findings(load_corpus(config, use_cache=False))]

    assert duplicates() == ["reqs/a/CRM-2.md"] and len(found) == 1
    path = root / "reqs/a/CRM-1.md"
    path.write_text(path.read_text().replace("status: proposed", "status: accepted"))
    assert duplicates() == cold() and len(found) == 2  # the cold run's own search
    path.write_text(path.read_text().replace(text, "Archive the audit log"))
    assert duplicates() == [] == cold() and len(found) == 4
