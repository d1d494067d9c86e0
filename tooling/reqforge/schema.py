"""The JSON Schema (draft 2020-12) of a requirement's front matter, for editors.

Made from the field specs `check` validates with (`fields.field_schema`): the built-in fields,
the configured types, statuses and channels, every priority input with its range, the ID
pattern, and the custom `[fields.NAME]` with their descriptions. An editor that
reads it (yaml-language-server, the VS Code YAML extension) shows each field's description on
hover, offers the allowed values and flags a value outside its enum or range as the author
types. Unknown fields stay allowed, as in `check` (a warning there, RF103), so the schema never
marks a field a team added before it declared it. Descriptions are in the project's language.
"""

# implements: REQ-708

from __future__ import annotations

from typing import Any

from reqforge.config import Config
from reqforge.fields import Spec, field_schema, required_fields
from reqforge.i18n import N_, Text, localize
from reqforge.priorities import METHODS

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# What each built-in field means, by dotted path (shown on hover).
DESCRIPTIONS = {
    "id": N_("The requirement's ID: it matches the configured pattern and the file's name."),
    "title": N_("A short statement of what is required."),
    "type": N_("The kind of requirement."),
    "status": N_("Where the requirement is in the workflow."),
    "owner": N_("Who answers for the requirement."),
    "team": N_("The team that delivers it ([workflow.assign] gives a default by type)."),
    "due": N_("The date it is due, YYYY-MM-DD."),
    "source": N_("Where the requirement came from."),
    "source.channel": N_("How it was collected."),
    "source.customers": N_("The customers who asked for it: keys of reqs/customers.yaml."),
    "source.evidence": N_("A raw quote, a ticket link or other evidence."),
    "source.explicit": N_("Stated by the customer (true) or inferred from behaviour (false)."),
    "source.proposer": N_("Who proposed it."),
    "priority": N_(
        "The inputs of the priority methods: MoSCoW, Kano, P-level, value and cost, ICE, "
        "RICE, FMEA, WSJF."
    ),
    "links": N_("Links to other requirements: relation -> a list of IDs."),
    "verification": N_("How meeting the requirement is verified."),
    "verification.method": N_("The verification method."),
    "verification.notes": N_("Notes on the verification."),
    "acceptance": N_("Acceptance criteria, one testable sentence each."),
    "analysis": N_("The analysis behind the requirement."),
    "analysis.five-whys": N_("The root-cause chain, one answer per why (expected for P0/P1)."),
    "analysis.root-cause": N_("The root cause the chain ends at."),
    "reason": N_("Why it was rejected or deferred (required on entering those statuses)."),
    "feedback": N_("The customer's verdict at acceptance."),
    "feedback.satisfaction": N_("The customer's satisfaction, from 1 to 5."),
    "feedback.comment": N_("The customer's comment."),
    "tags": N_("Free tags."),
    "lint-ignore": N_("Check codes silenced for this requirement, such as RF401."),
    "reviewed": N_("The commit at which its links were last reviewed (suspect links)."),
    "origin": N_(
        "Where an imported requirement came from: the tool, its ID there, and what it held "
        "that no field here means."
    ),
}


# implements: REQ-708
def front_matter_schema(config: Config) -> dict[str, Any]:
    """The JSON Schema of a requirement's front matter under `config`, as a plain document
    (JSON-serialisable, the same for the same configuration)."""
    language = config.language
    methods = {item.key: method.label for method in METHODS for item in method.inputs}
    custom = {d.name: d.description for d in config.fields.values() if d.description}
    id_pattern = config.id_pattern
    required = required_fields(config)

    def described(path: tuple[str, ...], node: dict[str, Any]) -> dict[str, Any]:
        dotted = ".".join(path)
        text = custom.get(dotted)
        if text is None and dotted in DESCRIPTIONS:
            text = localize(Text(DESCRIPTIONS[dotted]), language)
        if text is None and path[:1] == ("priority",) and path[1:] in methods:
            text = localize(Text("An input of {method}.", method=methods[path[1:]]), language)
        return {"description": text, **node} if text else node

    def convert(spec: Spec, path: tuple[str, ...]) -> dict[str, Any]:
        node = _node(spec, id_pattern, lambda child, name: convert(child, (*path, name)))
        if path == ("id",):
            node = {"type": "string", "pattern": id_pattern}
        # An empty optional field counts as absent (as `check` reads it); nested, only where
        # its spec says so.
        if spec.nullable or (len(path) == 1 and path[0] not in required):
            node = {"anyOf": [node, {"type": "null"}]}
        return described(path, node) if path else node

    top = convert(field_schema(config), ())
    title = localize(Text("Front matter of a reqforge requirement"), language)
    return {
        "$schema": DRAFT,
        "title": title,
        **top,
        "required": list(required),
    }


def _node(spec: Spec, id_pattern: str, child: Any) -> dict[str, Any]:
    """One Spec as a schema node; `child(spec, name)` converts a named child."""
    kind = spec.kind
    if kind == "mapping":
        properties = {name: child(sub, name) for name, sub in spec.children.items()}
        return {"type": "object", "properties": properties}
    if kind == "map":
        if spec.item is None:  # any keys, any values (`origin`)
            return {"type": "object"}
        return {"type": "object", "additionalProperties": child(spec.item, "*")}
    if kind == "string":
        return {"type": "string", "minLength": 1, "pattern": r"\S"}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "date":
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    if kind == "enum":
        return {"enum": list(spec.values or ())}
    if kind in ("int", "number"):
        node: dict[str, Any] = {"type": "integer" if kind == "int" else "number"}
        if spec.low is not None:
            node["minimum"] = _plain(spec.low)
        if spec.high is not None:
            node["maximum"] = _plain(spec.high)
        if spec.above is not None:
            node["exclusiveMinimum"] = _plain(spec.above)
        return node
    if kind == "vote":
        number = _node(Spec("number", low=spec.low, high=spec.high), id_pattern, child)
        return {"anyOf": [number, {"enum": list(spec.values or ())}]}
    if kind == "strings":
        return {"type": "array", "items": {"type": "string"}}
    if kind == "codes":
        return {"type": "array", "items": {"type": "string", "pattern": r"^RF\d{3}$"}}
    if kind == "ids":  # a link to an ID of another shape is RF201 (unknown), not a field error
        one = {"type": "string"}
        return {"anyOf": [one, {"type": "array", "items": one}]}
    if kind == "list":
        node = {"type": "array"}
        if spec.item is not None:
            node["items"] = child(spec.item, "*")
        if spec.low is not None:
            node["minItems"] = int(spec.low)
        if spec.high is not None:
            node["maxItems"] = int(spec.high)
        return node
    return {}


def _plain(number: float) -> int | float:
    """A bound as JSON shows it best: 5, not 5.0."""
    return int(number) if float(number).is_integer() else number
