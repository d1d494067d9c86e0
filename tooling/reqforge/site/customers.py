"""The customers page: each customer of `customers.yaml` with what it asked for.

The figures are `metrics.grouped(..., "customer")`'s, the ones `reqforge stats --by customer`
prints; only the customer's name, industry and tier are shown, never a field named in
`site.private_fields` (contact details by default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reqforge.metrics import grouped
from reqforge.site.markup import Row
from reqforge.site.pages import is_private, page_name

if TYPE_CHECKING:
    from reqforge.site.pages import SiteModel

SHOWN_FIELDS = ("name", "industry", "tier")


# implements: REQ-506
def customers_context(model: SiteModel) -> dict[str, Any]:
    """Per customer (sorted by key): its public fields, fulfilment rate, and each requirement
    naming it in `source.customers` with status and P-level, linked to its page."""
    catalog = model.catalog
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
                "requirements": [
                    Row(
                        row,
                        p_level=catalog.by_id[row["id"]].scores.p_level or "",
                        page=page_name(row["id"]),
                    )
                    for row in group.get("requirements", [])
                ],
            }
        )
    return {"customers": customers}
