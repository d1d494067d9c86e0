"""Priority methods of SPEC section 4, as pure functions over requirement inputs."""

from __future__ import annotations

from typing import Any

P_LEVELS = ("P0", "P1", "P2", "P3")


def p_level(importance: Any, urgency: Any) -> str | None:
    """P0 important+urgent, P1 important+not urgent, P2 not important+urgent, P3 neither.

    `importance` is high|low and `urgency` urgent|normal|deferred; anything else is None.
    """
    if importance not in ("high", "low") or urgency not in ("urgent", "normal", "deferred"):
        return None
    if importance == "high":
        return "P0" if urgency == "urgent" else "P1"
    return "P2" if urgency == "urgent" else "P3"
