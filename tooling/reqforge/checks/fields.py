"""RF101-RF105: required fields, types and ranges, unknown fields, ID pattern and file name."""

from __future__ import annotations

from collections.abc import Iterator

from reqforge.checks.context import CheckContext, Issue
from reqforge.fields import validate_fields
from reqforge.i18n import Text
from reqforge.model import Requirement
from reqforge.priorities import score_overflows


# implements: REQ-102
# implements: REQ-103
# implements: REQ-002
# implements: REQ-007
def field_issues(req: Requirement, ctx: CheckContext) -> Iterator[Issue]:
    """Every RF101-RF105 issue of one requirement."""
    for code, path, message in validate_fields(req.data, ctx.schema, ctx.required):
        yield Issue(code, path, message, on_value=code == "RF102")
    for path, message in score_overflows(req.data):
        yield Issue("RF102", path, message, on_value=True)
    customers = req.get("source.customers")
    if ctx.customer_keys is not None and isinstance(customers, list):
        for index, key in enumerate(customers):
            if isinstance(key, str) and key not in ctx.customer_keys:
                yield Issue(
                    "RF102",
                    ("source", "customers", index),
                    Text(
                        "source.customers[{index}]: '{key}' is not a customer in "
                        "reqs/customers.yaml",
                        index=index,
                        key=key,
                    ),
                    on_value=True,
                )
    rid = req.head.get("id")
    if not isinstance(rid, str) or not rid:
        return
    if not ctx.id_regex.search(rid):
        yield Issue(
            "RF104",
            ("id",),
            Text(
                "id {id!r} does not match the ID pattern {pattern}",
                id=rid,
                pattern=ctx.id_pattern,
            ),
            on_value=True,
        )
    stem = req.path.rsplit("/", 1)[-1].removesuffix(".md")
    if stem != rid:
        yield Issue(
            "RF105",
            ("id",),
            Text("id {id!r} does not match the file name '{stem}.md'", id=rid, stem=stem),
            on_value=True,
        )
