"""`diff`'s parses remembered by content (reqforge.parsed_blobs): the same comparison, fewer
parses, a cache no bigger than what one run reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import requirement_text as req

from reqforge import parsed_blobs
from reqforge.cache import CacheStore
from reqforge.changeset import compare
from reqforge.loader import ParsedFile, parse_file


def _trees() -> tuple[dict[str, bytes], dict[str, bytes]]:
    base = {f"reqs/CRM-{n}.md": req(f"CRM-{n}").encode() for n in range(1, 6)}
    head = dict(base)
    head["reqs/CRM-2.md"] = req("CRM-2", title="Export invoices").encode()
    head["reqs/CRM-9.md"] = req("CRM-9").encode()
    head["reqs/broken.md"] = b"no front matter\n"
    del head["reqs/CRM-5.md"]
    return base, head


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    calls: list[bytes] = []

    def counting(raw: bytes) -> object:
        calls.append(raw)
        return parse_file(raw)

    monkeypatch.setattr(parsed_blobs, "parse_file", counting)
    return calls


def test_remembered_parses_give_the_same_comparison(tmp_path: Path, counted: list[bytes]) -> None:
    # verifies: REQ-304
    base, head = _trees()
    expected = compare(base, head)
    first = parsed_blobs.ParsedBlobs(CacheStore(tmp_path))
    assert compare(base, head, parse=first.parse) == expected
    first.save()
    parsed_first = len(counted)
    assert parsed_first == 8  # 5 base versions, 2 new ones, the broken file
    second = parsed_blobs.ParsedBlobs(CacheStore(tmp_path))
    assert compare(base, head, parse=second.parse) == expected
    # only the file that does not parse is read again (its message is in the user's language)
    assert counted[parsed_first:] == [b"no front matter\n"]


def test_the_cache_keeps_only_what_a_run_used(tmp_path: Path) -> None:
    base, head = _trees()
    first = parsed_blobs.ParsedBlobs(CacheStore(tmp_path))
    compare(base, head, parse=first.parse)
    first.save()
    later = {"reqs/CRM-7.md": req("CRM-7").encode()}
    second = parsed_blobs.ParsedBlobs(CacheStore(tmp_path))
    compare(later, later, parse=second.parse)
    second.save()
    third = parsed_blobs.ParsedBlobs(CacheStore(tmp_path))
    assert len(third._known) == 1  # the earlier run's seven versions are gone


def test_a_remembered_file_is_a_fresh_copy(tmp_path: Path) -> None:
    raw = req("CRM-1").encode()
    blobs = parsed_blobs.ParsedBlobs(CacheStore(tmp_path))
    one = blobs.parse(raw)
    blobs.save()
    again = parsed_blobs.ParsedBlobs(CacheStore(tmp_path))
    two, three = again.parse(raw), again.parse(raw)
    assert isinstance(one, ParsedFile) and isinstance(two, ParsedFile)
    assert isinstance(three, ParsedFile)
    assert two == one and two.data is not three.data  # no shared mutable data


def test_without_a_cache_nothing_is_kept(tmp_path: Path, counted: list[bytes]) -> None:
    base, head = _trees()
    off = parsed_blobs.ParsedBlobs(CacheStore(tmp_path, enabled=False))
    compare(base, head, parse=off.parse)
    off.save()
    assert not (tmp_path / ".reqforge").exists() or not any(
        (tmp_path / ".reqforge").rglob("*parsed*")
    )
