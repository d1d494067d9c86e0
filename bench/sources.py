"""Add a synthetic source tree with requirement markers to a generated corpus, for `trace`.

    python bench/sources.py 20000 /tmp/corpus [--seed 1]

DIR must be a corpus written by bench/generate.py (or bench/history.py). This writes N files under
DIR/src and DIR/tests (both replaced) and adds a `[trace]` table with `scan = ["src", "tests"]`
to DIR/reqforge.toml (once: running again leaves the file as it is). The tree depends only on N,
the seed and the requirement IDs found under DIR/reqs:

* languages: about 30% Python, 25% TypeScript, 15% Go, 15% Java, 8% C, 7% Markdown; 20 to 60
  files per folder, `src/<area>/<module>/...` and `tests/<area>/<module>/...`;
* about 25% are test files under tests/, named as their tools expect (`test_*.py`, `*_test.go`,
  `*.test.ts`, `*Test.java`, `test_*.c`), with test functions, classes, `t.Run` sub-tests and
  `describe`/`it` blocks around their markers, so markers can be tied to their enclosing test;
* about 1 file in 5 has 1 to 3 markers (`# implements: CRM-00042`, `// verifies: AUTH-00007`,
  `/* req: BIL-00003 */`, `<!-- requirement: EXP-00010 -->`), naming IDs that exist in DIR/reqs;
* every file has plenty of text that is not a marker but contains the marker's keywords
  ("request", "required", "requirement is", "implements Serializable", "verifies that"), so a
  byte pre-filter on the keywords does not skip most files;
* sizes are skewed like a real tree: most files 20 to 150 lines, 1 in 50 a long one (600 to 2,000
  lines); about 2.5 KB on average.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SCAN = ("src", "tests")
TRACE_TABLE = '\n[trace]\nscan = ["src", "tests"]\n'
_TRACE_HEADER = re.compile(r"^\s*\[\s*trace\s*\]\s*(?:#.*)?$", re.MULTILINE)

LANGUAGES: list[tuple[str, int]] = [
    ("py", 30),
    ("ts", 25),
    ("go", 15),
    ("java", 15),
    ("c", 8),
    ("md", 7),
]
TEST_SHARE = 0.25
MARKED_SHARE = 0.2
AREAS = ["crm", "billing", "export", "auth", "reporting", "mobile", "support", "integrations"]
MODULES = [
    "api",
    "core",
    "models",
    "handlers",
    "storage",
    "views",
    "jobs",
    "utils",
    "client",
    "schema",
    "events",
    "cache",
]
NOUNS = [
    "invoice",
    "ledger",
    "contact",
    "order",
    "payment",
    "ticket",
    "report",
    "session",
    "token",
    "refund",
    "export",
    "profile",
    "catalogue",
    "pipeline",
    "contract",
    "audit",
]
VERBS = ["load", "save", "parse", "render", "validate", "merge", "filter", "sync", "sign", "send"]

# Prose with the marker keywords in it (request, required, requirement, implements, verifies)
# that is not a marker: the default pattern wants a keyword directly followed by ':' or '='.
PROSE = [
    "The request is retried once when the upstream service times out.",
    "A token is required before the {noun} can be opened.",
    "The requirement is that every {noun} keeps its original timestamp.",
    "This implements the retry policy described in the design notes.",
    "The caller verifies that the {noun} belongs to the current tenant.",
    "Requests without a tenant header are rejected with 400.",
    "Fields marked required must be present in the request body.",
    "See the requirements document for the {noun} lifecycle.",
    "Keep the request small: the gateway limits bodies to 1 MiB.",
    "Nothing here is required for read-only access to the {noun}.",
    "请求超时后重试一次；{noun} 必须保留原始时间戳。",
    "TODO: check whether the {noun} request needs a second signature.",
]
MARK_KEYWORDS_SRC = ["implements", "req", "requirement", "implements"]
MARK_KEYWORDS_TEST = ["verifies", "verifies", "req", "requirement"]


@dataclass
class SourceStats:
    """What `add_sources` wrote."""

    files: int
    tests: int
    marked_files: int
    markers: int
    bytes: int


# --------------------------------------------------------------------------- per language


def _ident(rng: random.Random) -> tuple[str, str]:
    """A (verb, noun) pair for a function name."""
    return rng.choice(VERBS), rng.choice(NOUNS)


def _camel(*words: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words)


class Writer:
    """Builds one file's lines; markers are placed where `marks` says (by block index)."""

    def __init__(self, rng: random.Random, ids: list[str], lang: str, test: bool) -> None:
        self.rng = rng
        self.ids = ids
        self.lang = lang
        self.test = test
        self.lines: list[str] = []
        self.markers = 0
        self.pending = 0  # markers still to place

    def prose(self, prefix: str) -> None:
        """One or two comment lines of prose that are not markers."""
        for _ in range(self.rng.randint(1, 2)):
            noun = self.rng.choice(NOUNS)
            self.lines.append(prefix + self.rng.choice(PROSE).format(noun=noun))

    def maybe_marker(self, indent: str, chance: float = 0.5) -> None:
        """Place one pending marker here (with probability `chance`), in the file's syntax."""
        if not self.pending or self.rng.random() > chance:
            return
        keywords = MARK_KEYWORDS_TEST if self.test else MARK_KEYWORDS_SRC
        keyword = self.rng.choice(keywords)
        rid = self.rng.choice(self.ids)
        sep = ":" if self.rng.random() < 0.9 else "="
        text = f"{keyword}{sep} {rid}"
        if self.lang == "py":
            line = f"{indent}# {text}"
        elif self.lang == "md":
            line = f"<!-- {text} -->" if self.rng.random() < 0.5 else f"See also: {text}."
        elif self.lang == "c" and self.rng.random() < 0.5:
            line = f"{indent}/* {text} */"
        else:
            line = f"{indent}// {text}"
        self.lines.append(line)
        self.pending -= 1
        self.markers += 1

    def flush(self, indent: str) -> None:
        """Place every marker still pending (at the end of the last block)."""
        while self.pending:
            self.maybe_marker(indent, chance=1.0)


def _python(w: Writer, blocks: int, stem: str) -> None:
    rng, out = w.rng, w.lines
    out += ['"""' + rng.choice(PROSE).format(noun=stem) + '"""', ""]
    out += ["from __future__ import annotations", "", "import json", "import logging", ""]
    out += ["import requests", "", "log = logging.getLogger(__name__)", ""]
    in_class = w.test and rng.random() < 0.4
    if in_class:
        out += ["", f"class Test{_camel(stem)}:", f'    """Tests of the {stem} module."""', ""]
    pad = "    " if in_class else ""
    for b in range(blocks):
        verb, noun = _ident(rng)
        name = f"test_{verb}_{noun}_{b}" if w.test else f"{verb}_{noun}_{b}"
        self_arg = "self, " if in_class else ""
        w.maybe_marker(pad, 0.25)
        if w.test and rng.random() < 0.2:
            out.append(f'{pad}@pytest.mark.parametrize("value", [1, 2, 3])')
        out.append(f"{pad}def {name}({self_arg}request: dict, required: bool = True) -> dict:")
        out.append(f'{pad}    """{rng.choice(PROSE).format(noun=noun)}"""')
        w.maybe_marker(pad + "    ", 0.4)
        for _ in range(rng.randint(3, 10)):
            if rng.random() < 0.3:
                w.prose(pad + "    # ")
            out.append(f'{pad}    request.setdefault("{noun}_{rng.randint(1, 99)}", required)')
        out.append(f'{pad}    log.debug("{verb} %s", json.dumps(request)[:80])')
        if w.test:
            out.append(f'{pad}    assert request["{noun}_id"] is not None')
        if b == blocks - 1:
            w.flush(pad + "    ")
        out.append(f"{pad}    return request")
        out += ["", ""] if not in_class else [""]


def _typescript(w: Writer, blocks: int, stem: str) -> None:
    rng, out = w.rng, w.lines
    out += [f'import {{ Request }} from "../{stem}";', 'import * as api from "./api";', ""]
    if w.test:
        out.append(f'describe("{stem} {rng.choice(NOUNS)}", () => {{')
        w.maybe_marker("  ", 0.2)
        for b in range(blocks):
            verb, noun = _ident(rng)
            out.append(f'  it("{verb}s the {noun} request {b}", async () => {{')
            w.maybe_marker("    ", 0.4)
            for _ in range(rng.randint(3, 9)):
                if rng.random() < 0.3:
                    w.prose("    // ")
                out.append(f'    expect(await api.{verb}("{noun}")).toBeDefined();')
            if b == blocks - 1:
                w.flush("    ")
            out += ["  });", ""]
        out.append("});")
        return
    for b in range(blocks):
        verb, noun = _ident(rng)
        w.prose("// ")
        w.maybe_marker("", 0.3)
        out.append(
            f"export async function {verb}{_camel(noun)}{b}(request: Request): Promise<void> {{"
        )
        w.maybe_marker("  ", 0.3)
        for _ in range(rng.randint(3, 10)):
            if rng.random() < 0.25:
                w.prose("  // ")
            out.append(f'  const required = request.headers["x-{noun}"] ?? "{verb}";')
        out += ["  await api.send(request);", "}", ""]
    w.flush("")


def _go(w: Writer, blocks: int, stem: str) -> None:
    rng, out = w.rng, w.lines
    out += [f"package {stem}", "", "import (", '\t"net/http"']
    out += ['\t"testing"', ")", ""] if w.test else [")", ""]
    for b in range(blocks):
        verb, noun = _ident(rng)
        w.prose("// ")
        w.maybe_marker("", 0.3)
        if w.test:
            out.append(f"func Test{_camel(verb, noun)}{b}(t *testing.T) {{")
            w.maybe_marker("\t", 0.3)
            if rng.random() < 0.5:
                out.append(f'\tt.Run("{noun} request is required", func(t *testing.T) {{')
                w.maybe_marker("\t\t", 0.5)
                out += ['\t\treq, _ := http.NewRequest(http.MethodGet, "/", nil)', "\t\t_ = req"]
                out.append("\t})")
        else:
            out.append(f"func {_camel(verb, noun)}{b}(req *http.Request) error {{")
            w.maybe_marker("\t", 0.3)
        for _ in range(rng.randint(3, 9)):
            if rng.random() < 0.25:
                w.prose("\t// ")
            out.append(f'\tif req := "{noun}"; req == "" {{\n\t\treturn\n\t}}')
        if b == blocks - 1:
            w.flush("\t")
        out += ["\treturn" if w.test else "\treturn nil", "}", ""]


def _java(w: Writer, blocks: int, stem: str) -> None:
    rng, out = w.rng, w.lines
    cls = _camel(stem) + ("Test" if w.test else "Service")
    out += [f"package com.example.{stem};", "", "import java.io.Serializable;"]
    out += ["import org.junit.jupiter.api.Test;", ""] if w.test else [""]
    w.prose("// ")
    out.append(f"public class {cls} implements Serializable {{")
    for b in range(blocks):
        verb, noun = _ident(rng)
        out.append("")
        w.maybe_marker("    ", 0.3)
        if w.test:
            out.append("    @Test")
            out.append(f"    void {verb}{_camel(noun)}{b}() {{")
        else:
            out.append(f"    public Object {verb}{_camel(noun)}{b}(Request request) {{")
        w.maybe_marker("        ", 0.3)
        for _ in range(rng.randint(3, 9)):
            if rng.random() < 0.25:
                w.prose("        // ")
            out.append(f'        boolean required = request.has("{noun}");')
        if b == blocks - 1:
            w.flush("        ")
        out.append("        return null;" if not w.test else "        assert true;")
        out.append("    }")
    out.append("}")


def _c(w: Writer, blocks: int, stem: str) -> None:
    rng, out = w.rng, w.lines
    out += ["#include <stdio.h>", f'#include "{stem}.h"', ""]
    for b in range(blocks):
        verb, noun = _ident(rng)
        if rng.random() < 0.5:
            out.append("/*")
            w.prose(" * ")
            out.append(" */")
        else:
            w.prose("// ")
        w.maybe_marker("", 0.3)
        prefix = "test_" if w.test else ""
        out.append(f"int {prefix}{verb}_{noun}_{b}(struct request *req) {{")
        w.maybe_marker("    ", 0.4)
        for _ in range(rng.randint(3, 9)):
            if rng.random() < 0.25:
                w.prose("    // ")
            out.append(f'    if (!req->required) {{ fprintf(stderr, "{noun}\\n"); return 1; }}')
        if b == blocks - 1:
            w.flush("    ")
        out += ["    return 0;", "}", ""]


def _markdown(w: Writer, blocks: int, stem: str) -> None:
    rng, out = w.rng, w.lines
    out += [f"# The {stem} module", ""]
    for b in range(blocks):
        out += [f"## {_camel(*_ident(rng))} {b}", ""]
        w.prose("")
        w.maybe_marker("", 0.5)
        out += ["", "```python", 'requests.get(url, params={"required": True})', "```", ""]
    w.flush("")


EMITTERS: dict[str, Callable[[Writer, int, str], None]] = {
    "py": _python,
    "ts": _typescript,
    "go": _go,
    "java": _java,
    "c": _c,
    "md": _markdown,
}


def _file_name(lang: str, stem: str, test: bool, n: int) -> str:
    """The file name a tool expects for a (test) file of this language."""
    base = f"{stem}_{n}"
    if not test:
        return f"{_camel(stem)}{n}Service.java" if lang == "java" else f"{base}.{lang}"
    return {
        "py": f"test_{base}.py",
        "go": f"{base}_test.go",
        "ts": f"{base}.test.ts",
        "java": f"{_camel(stem)}{n}Test.java",
        "c": f"test_{base}.c",
        "md": f"{base}_notes.md",
    }[lang]


# --------------------------------------------------------------------------- the tree


def requirement_ids(corpus: Path) -> list[str]:
    """The IDs of the corpus's requirements (file stems under reqs/), sorted."""
    ids = sorted(p.stem for p in corpus.glob("reqs/**/*.md"))
    if not ids:
        raise ValueError(f"no reqs/**/*.md under {corpus}: not a generated corpus")
    return ids


def add_trace_table(corpus: Path) -> bool:
    """Append `[trace]` with `scan = ["src", "tests"]` to reqforge.toml unless it has [trace].

    Returns True if the file was changed. Raises ValueError if a [trace] table is there but
    does not scan src and tests.
    """
    path = corpus / "reqforge.toml"
    text = path.read_text(encoding="utf-8")
    match = _TRACE_HEADER.search(text)
    if match:
        table = text[match.end() :].split("\n[", 1)[0]
        if not re.search(r'^\s*scan\s*=\s*\[\s*"src"\s*,\s*"tests"\s*,?\s*\]', table, re.M):
            raise ValueError(f'{path} has a [trace] table without scan = ["src", "tests"]')
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + TRACE_TABLE, encoding="utf-8")
    return True


def add_sources(count: int, corpus: Path, seed: int = 1) -> SourceStats:
    """Write `count` source files under corpus/src and corpus/tests (replaced); add [trace]."""
    ids = requirement_ids(corpus)
    rng = random.Random(f"reqforge-bench-sources-{seed}")
    for top in SCAN:
        shutil.rmtree(corpus / top, ignore_errors=True)
    langs = [lang for lang, _ in LANGUAGES]
    weights = [w for _, w in LANGUAGES]
    stats = SourceStats(0, 0, 0, 0, 0)
    folder: Path | None = None
    left_in_folder = 0
    made: set[Path] = set()
    for n in range(count):
        test = rng.random() < TEST_SHARE
        lang = rng.choices(langs, weights)[0]
        if left_in_folder == 0 or folder is None:
            area, module = rng.choice(AREAS), rng.choice(MODULES)
            folder = Path(area) / f"{module}{n // 40}"
            left_in_folder = rng.randint(20, 60)
        left_in_folder -= 1
        top = corpus / ("tests" if test else "src") / folder
        if top not in made:
            top.mkdir(parents=True, exist_ok=True)
            made.add(top)
        stem = rng.choice(NOUNS)
        w = Writer(rng, ids, lang, test)
        if rng.random() < MARKED_SHARE:
            w.pending = rng.choice((1, 1, 2, 3))
        blocks = rng.randint(40, 130) if rng.random() < 0.02 else rng.randint(2, 9)
        EMITTERS[lang](w, blocks, stem)
        data = ("\n".join(w.lines) + "\n").encode("utf-8")
        (top / _file_name(lang, stem, test, n)).write_bytes(data)
        stats.files += 1
        stats.tests += test
        stats.marked_files += w.markers > 0
        stats.markers += w.markers
        stats.bytes += len(data)
    add_trace_table(corpus)
    return stats


def main(argv: list[str] | None = None) -> int:
    """Command line: COUNT DIR [--seed N]."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="source files to write")
    parser.add_argument("corpus", type=Path, help="a corpus written by bench/generate.py")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("count must be 0 or more")
    try:
        stats = add_sources(args.count, args.corpus, args.seed)
    except (OSError, ValueError) as exc:
        print(f"bench/sources.py: error: {exc}")
        return 1
    print(
        f"{stats.files} files ({stats.tests} tests), {stats.marked_files} with markers, "
        f"{stats.markers} markers, {stats.bytes / 1e6:.1f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
