"""In-memory catalogues for unit tests of the pure core (catalog, metrics, trace): requirements
built from literal front matter, no files on disk."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reqforge.catalog import Catalog
from reqforge.config import Config
from reqforge.model import Customer, Repository, Requirement

DEFAULT = Config(root=Path("."))


def requirement(rid: str, status: str = "proposed", area: str = "", **fields: Any) -> Requirement:
    """A requirement `reqs/<area>/<rid>.md` of type functional; `fields` join the front
    matter as given (nested mappings for `priority`, `source`, `links`, ...)."""
    data: dict[str, Any] = {"id": rid, "title": f"Title of {rid}", "type": "functional"}
    data["status"] = status
    data.update(fields)
    folder = f"reqs/{area}/" if area else "reqs/"
    return Requirement.from_data(f"{folder}{rid}.md", data, 10)


def customer(key: str, tier: str | None, name: str | None = None) -> Customer:
    """A registered customer with a tier (A, B or C)."""
    return Customer(key, name or key.title(), None, tier, {})


def catalog_of(
    requirements: Iterable[Requirement],
    customers: Iterable[Customer] = (),
    config: Config = DEFAULT,
) -> Catalog:
    """The catalogue of these requirements (sorted by path, as the loader gives them)."""
    ordered = tuple(sorted(requirements, key=lambda r: r.path))
    registry: Mapping[str, Customer] = {c.key: c for c in customers}
    return Catalog(Repository("/repo", ordered, registry), config)
