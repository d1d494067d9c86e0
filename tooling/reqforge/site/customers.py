"""The customers page: each customer of `customers.yaml` with what it asked for.

The figures are `metrics.grouped(..., "customer")`'s, the ones `reqforge stats --by customer`
prints; only the customer's name, industry and tier are shown, never a field named in
`site.private_fields` (contact details by default).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from reqforge.metrics import grouped
from reqforge.site.kept_rows import KeptRows
from reqforge.site.markup import Row
from reqforge.site.pages import is_private, page_name

if TYPE_CHECKING:
    from reqforge.site.pages import SiteModel

SHOWN_FIELDS = ("name", "industry", "tier")


# implements: REQ-506
def customers_context(
    model: SiteModel,
    print_row: Callable[[Mapping[str, Any]], str],
    kept: KeptRows[str] | None = None,
) -> dict[str, Any]:
    """Per customer (sorted by key): its public fields, fulfilment rate, and each requirement
    naming it in `source.customers` with status and P-level, linked to its page: each row as
    `print_row` prints it, or as `kept` kept it (by everything it shows)."""
    catalog = model.catalog

    def row_of(row: Mapping[str, Any]) -> Markup:
        p_level = catalog.by_id[row["id"]].scores.p_level or ""
        make = partial(print_row, Row(row, p_level=p_level, page=page_name(row["id"])))
        if kept is None:
            return Markup(make())
        return Markup(kept.get(repr((row["id"], row["title"], row["status"], p_level)), make))

    private = catalog.config.site.private_fields
    groups = grouped(catalog, "customer", model.today)
    customers = []
    for key, customer in sorted(catalog.repository.customers.items()):
        group = groups.get(key, {})
        rate = group.get("fulfilment_rate")

        def public(name: str, value: str | None, key: str = key) -> str:
            return "" if value is None or is_private(f"customers.{key}.{name}", private) else value

        customers.append(
            {
                "key": key,
                "name": public("name", customer.name) or key,
                "industry": public("industry", customer.industry),
                "tier": public("tier", customer.tier),
                "fulfilment": None if rate is None else f"{rate * 100:.1f} %",
                "requirements": [row_of(row) for row in group.get("requirements", [])],
            }
        )
    return {"customers": customers}
