"""The commit graph of a history walk: a deterministic newest-first order and pull-request numbers.

Both are pure functions of the commit records, so a cached or incremental run orders and
attributes exactly as a cold run does.
"""

# implements: REQ-303

from __future__ import annotations

import heapq
import re
from collections.abc import Mapping

# A commit as the walk records (and the cache stores) it:
#   (parents, committer timestamp, author, email, author date ISO 8601, subject, own PR)
CommitRecord = tuple[tuple[str, ...], int, str, str, str, str, "int | None"]

_PR_MERGE = re.compile(r"^Merge pull request #(\d+)\b")
_PR_GITLAB = re.compile(r"\bSee merge request \S*?!(\d+)\b")
_PR_SQUASH = re.compile(r"\(#(\d+)\)")
_PR_BANG = re.compile(r"(?:^|[\s(\[])!(\d+)\b")


# implements: REQ-303
def pr_number(subject: str) -> int | None:
    """The pull/merge request number named by a commit subject (or whole message), or None.

    Recognises `Merge pull request #12 from a/b` (GitHub merge), `Fix export (#12)` (GitHub
    squash), `See merge request group/proj!12` (GitLab, usually in the body) and a bare `!12`
    in the first line (GitLab subjects).
    """
    first = subject.split("\n", 1)[0]
    match = _PR_MERGE.match(first) or _PR_GITLAB.search(subject)
    if match is None:
        squash = _PR_SQUASH.findall(first)
        if squash:
            return int(squash[-1])  # GitHub appends the squash PR last
        match = _PR_BANG.search(first)
    return int(match.group(1)) if match else None


def reachable(commits: Mapping[str, CommitRecord], head: str) -> set[str]:
    seen: set[str] = set()
    stack = [head]
    while stack:
        sha = stack.pop()
        if sha in seen or sha not in commits:
            continue
        seen.add(sha)
        stack.extend(commits[sha][0])
    return seen


def order(commits: Mapping[str, CommitRecord], head: str) -> list[str]:
    """Commits reachable from `head`, newest first: children before parents, otherwise by
    committer date, then sha (a pure function of the graph: cold and cached runs agree)."""
    seen = reachable(commits, head)
    children: dict[str, int] = dict.fromkeys(seen, 0)
    for sha in seen:
        for parent in commits[sha][0]:
            if parent in children:
                children[parent] += 1
    ready = [(-commits[sha][1], sha) for sha, count in children.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, sha = heapq.heappop(ready)
        order.append(sha)
        for parent in commits[sha][0]:
            if parent in children:
                children[parent] -= 1
                if children[parent] == 0:
                    heapq.heappush(ready, (-commits[parent][1], parent))
    return order


# implements: REQ-303
def attribute_prs(commits: Mapping[str, CommitRecord], head: str) -> dict[str, int | None]:
    """Each commit's PR: the one whose merge (or squash) put it on the first-parent line of
    `head` (the default branch).

    A commit on that line is its own PR (a merge's or a squash's number, None for a direct
    push). A commit brought in through a line merge's side parents takes that merge's number,
    even when its own message names another PR: "Merge pull request #1" made inside a
    contributor's fork is not the PR that reached the default branch. Only when the line merge
    names no PR (a plain `git merge`) does the nearest merge or squash inside the branch count.

    The line is processed oldest first, so everything reachable from an older line commit is
    already claimed when a merge's side parents are explored: each merge claims exactly the
    commits it introduced. Linear in the number of commits.
    """
    line: list[str] = []
    on_line: set[str] = set()
    sha: str | None = head
    while sha is not None and sha in commits and sha not in on_line:
        line.append(sha)
        on_line.add(sha)
        parents = commits[sha][0]
        sha = parents[0] if parents else None
    prs: dict[str, int | None] = {}
    for tip in reversed(line):
        prs[tip] = commits[tip][6]
        stack = [(parent, commits[tip][6]) for parent in reversed(commits[tip][0][1:])]
        while stack:
            sha, label = stack.pop()
            if sha in prs or sha not in commits:
                continue
            # The line merge's number is never replaced by one from inside the branch; without
            # one, a merge inside the branch labels what its side parents bring, and the branch
            # goes on through its first parent with the outer label.
            own = label if label is not None else commits[sha][6]
            prs[sha] = own
            parents = commits[sha][0]
            stack.extend((parent, own) for parent in parents[1:])
            if parents:
                stack.append((parents[0], label))
    return prs
