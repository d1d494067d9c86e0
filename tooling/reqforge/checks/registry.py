"""The one registry of finding codes.

`check --explain CODE`, SARIF rule metadata and the README's table of codes are all generated
from this table, so the code and its documentation cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from reqforge.i18n import N_, localize, translator
from reqforge.model import ERROR, WARNING, Finding


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: str
    summary: str
    why: str
    bad: str
    good: str
    needs_history: bool = False
    incose: str = ""  # the rule of the INCOSE Guide to Writing Requirements it implements


# implements: REQ-100
_RULES = [
    Rule(
        "RF001",
        ERROR,
        N_("file unreadable or not UTF-8"),
        N_(
            "reqforge reads every requirement as UTF-8 text. A file in another encoding (GBK, "
            "latin-1), a binary file or a symlink leading out of the repository cannot be read "
            "safely, so it is reported instead of guessed at."
        ),
        "title: Caf\\xe9 export   (saved as latin-1)",
        "title: Café export      (saved as UTF-8)",
    ),
    Rule(
        "RF002",
        ERROR,
        N_("no front matter, or it is not closed"),
        N_(
            "A requirement file starts with a line '---', then YAML front matter, then a closing "
            "'---' line before the Markdown body. Without it there are no fields to check."
        ),
        "# Bulk export\\nUsers can export...",
        "---\\nid: CRM-0042\\ntitle: Bulk export\\n...\\n---\\n# Bulk export",
    ),
    Rule(
        "RF003",
        ERROR,
        N_("YAML syntax error"),
        N_(
            "The front matter must be a valid YAML mapping without duplicate keys or tags; the "
            "finding names the line where the parser stopped."
        ),
        "title: [Bulk export\\nstatus: accepted",
        "title: Bulk export\\nstatus: accepted",
    ),
    Rule(
        "RF004",
        ERROR,
        N_("file or YAML too large or too deep"),
        N_(
            "A file over the size limit, YAML nested too deeply or an alias that expands without "
            "bound (a 'billion laughs' bomb) is refused before it can exhaust memory or time."
        ),
        "a: &a [x, x, x]\\nb: &b [*a, *a, *a]\\nc: [*b, *b, *b]   (and so on)",
        "Plain values; requirement front matter never needs anchors or deep nesting.",
    ),
    Rule(
        "RF101",
        ERROR,
        N_("required field missing"),
        N_(
            "Every requirement needs `id`, `title`, `type` and `status` (and any custom field "
            "declared `required = true`); tools and people rely on them."
        ),
        "id: CRM-0042\\ntitle: Bulk export",
        "id: CRM-0042\\ntitle: Bulk export\\ntype: functional\\nstatus: proposed",
    ),
    Rule(
        "RF102",
        ERROR,
        N_("wrong type, value outside enum or range"),
        N_(
            "Each field has a type and, for many, a set of allowed values or a range (ICE inputs "
            "1-5, value and cost 1-10, RICE confidence 0-1, ...). A wrong value would silently "
            "distort priorities, so it is an error naming what is allowed."
        ),
        "priority:\\n  ice: {impact: 9, confidence: 4, ease: 3}",
        "priority:\\n  ice: {impact: 5, confidence: 4, ease: 3}",
    ),
    Rule(
        "RF103",
        WARNING,
        N_("unknown field"),
        N_(
            "A field reqforge does not know is kept, but it is often a typo (`prority`). Declare "
            "real extra fields under [fields.NAME] in reqforge.toml. An error with --strict."
        ),
        "prority:\\n  moscow: must",
        "priority:\\n  moscow: must",
    ),
    Rule(
        "RF104",
        ERROR,
        N_("ID does not match the pattern"),
        N_(
            "IDs follow project.id_pattern (default `^[A-Z][A-Z0-9]{1,9}-[0-9]{1,6}$`) so they "
            "are unambiguous in links, commits and URLs; a path-like ID could escape a folder."
        ),
        "id: crm_42",
        "id: CRM-0042",
    ),
    Rule(
        "RF105",
        ERROR,
        N_("ID does not match the file name"),
        N_(
            "The file name stem must equal the ID, so a requirement can be found from its ID and "
            "permalinks stay stable."
        ),
        "reqs/billing/CRM-0041.md with id: CRM-0042",
        "reqs/billing/CRM-0042.md with id: CRM-0042",
    ),
    Rule(
        "RF106",
        ERROR,
        N_("duplicate ID"),
        N_(
            "Two files with the same ID make every link to it ambiguous. Both paths are named; "
            "give one of them the next free ID (`reqforge new` picks one)."
        ),
        "reqs/a/CRM-0042.md and reqs/b/CRM-0042.md",
        "reqs/a/CRM-0042.md and reqs/b/CRM-0043.md",
    ),
    Rule(
        "RF107",
        WARNING,
        N_("unknown link relation"),
        N_(
            "A link relation reqforge does not know (`depends_on`, `parnet`) is usually a typo, "
            "and its link would be lost to every graph feature: cycles, impact, blocking, the "
            "trace matrix. The finding names the nearest known relation. Declare extra relations "
            "under [links] relations in reqforge.toml. An error with --strict."
        ),
        "links:\\n  depends_on: [CRM-0001]",
        "links:\\n  depends-on: [CRM-0001]",
    ),
    Rule(
        "RF108",
        WARNING,
        N_("control, bidi or invisible character in a field"),
        N_(
            "A field holds a character a reader cannot see: a control character (an ANSI escape "
            "sequence, a bell, NUL), a bidi override or isolate (U+202E turns text around), or a "
            "zero-width space or joiner. reqforge shows them escaped, but other tools print them "
            "raw, and a title that reads one way while it says another misleads reviewers. Line "
            "breaks and tabs in a block of text are fine."
        ),
        "title: Export <ESC>[2J report   (an ANSI escape sequence that clears the screen)",
        "title: Export report",
    ),
    Rule(
        "RF201",
        ERROR,
        N_("link to an unknown ID"),
        N_("A link must name an existing requirement; a dangling link breaks traceability."),
        "links:\\n  parent: [CRM-9999]",
        "links:\\n  parent: [CRM-0001]",
    ),
    Rule(
        "RF202",
        ERROR,
        N_("cycle in parent or depends-on"),
        N_(
            "A requirement cannot be its own ancestor or depend on itself through others; the "
            "cycle is listed so it can be broken."
        ),
        "CRM-1 depends-on CRM-2, CRM-2 depends-on CRM-1",
        "CRM-1 depends-on CRM-2 only",
    ),
    Rule(
        "RF203",
        ERROR,
        N_("link to itself"),
        N_(
            "A requirement linking to itself carries no information and is usually a "
            "copy-paste slip."
        ),
        "id: CRM-0042\\nlinks:\\n  depends-on: [CRM-0042]",
        "id: CRM-0042\\nlinks:\\n  depends-on: [CRM-0010]",
    ),
    Rule(
        "RF204",
        WARNING,
        N_("link to a rejected or duplicate requirement"),
        N_(
            "Work that depends on a rejected or duplicated requirement should point at what "
            "replaced it."
        ),
        "links:\\n  depends-on: [CRM-0007]   (CRM-0007 is rejected)",
        "links:\\n  depends-on: [CRM-0008]   (the accepted replacement)",
    ),
    Rule(
        "RF205",
        ERROR,
        N_("code or test marker names an unknown requirement"),
        N_(
            "A marker such as `# req: CRM-9999` in the source tree must name an existing "
            "requirement, or the traceability matrix silently loses that code or test."
        ),
        "src/export.py:12  # implements: CRM-9999",
        "src/export.py:12  # implements: CRM-0042",
    ),
    Rule(
        "RF301",
        ERROR,
        N_("status transition not allowed"),
        N_(
            "With --base, each status change since the base revision must follow "
            "[workflow.transitions]; skipping review (proposed -> done) is refused."
        ),
        "status: proposed  ->  status: done",
        "status: proposed  ->  status: accepted",
        needs_history=True,
    ),
    Rule(
        "RF302",
        ERROR,
        N_("field required by the status is missing"),
        N_(
            "Entering some statuses requires information ([workflow.requires]): a reason to "
            "reject or defer, acceptance criteria and an owner to accept, the original to mark "
            "a duplicate."
        ),
        "status: rejected",
        "status: rejected\\nreason: Covered by the bulk API (CRM-0050).",
    ),
    Rule(
        "RF303",
        ERROR,
        N_("new ID already taken on the base revision"),
        N_(
            "Two branches that each add the next free ID collide when both merge; with --base "
            "the later one is told before merging."
        ),
        "a branch adds CRM-0043, which main already has",
        "the branch renumbers its requirement to CRM-0044",
        needs_history=True,
    ),
    Rule(
        "RF401",
        WARNING,
        N_("wording from a custom word list"),
        N_(
            "A phrase from a category your project added under [lint.custom]. RF401 also names "
            "the whole wording family: `--ignore RF401`, `--select RF401` and `lint-ignore: "
            "[RF401]` cover RF410-RF415 as well, as before they were split by rule."
        ),
        '[lint.words] jargon = ["synergy"]; title: Synergy with the ledger',
        "title: The ledger export shares the customer IDs of the CRM",
    ),
    Rule(
        "RF402",
        WARNING,
        N_("accepted requirement without acceptance criteria"),
        N_(
            "Once accepted, a requirement needs testable acceptance criteria, or nobody can say "
            "when it is done."
        ),
        "status: accepted\\n(no acceptance:)",
        "status: accepted\\nacceptance:\\n  - Exports 100,000 rows in under 10 seconds.",
    ),
    Rule(
        "RF403",
        WARNING,
        N_("possible duplicate of another requirement"),
        N_(
            "Two requirements that ask for the same thing, in other words or in the other "
            "language (English/Chinese), are often one need recorded twice; merge them or link "
            "one with `links.duplicates`. The message gives their similarity (0-1)."
        ),
        "CRM-0042 'Export customer data to CSV' and CRM-0077 '支持导出客户数据为CSV文件'",
        "CRM-0077 with status: duplicate and links: {duplicates: [CRM-0042]}",
    ),
    Rule(
        "RF404",
        WARNING,
        N_("P0/P1 without five-whys analysis"),
        N_(
            "Important requirements deserve a root-cause chain (analysis.five-whys) so the team "
            "solves the real problem, not the first symptom."
        ),
        "priority: {importance: high, urgency: urgent}",
        "priority: {importance: high, urgency: urgent}\\nanalysis:\\n  five-whys: [...]",
    ),
    Rule(
        "RF405",
        WARNING,
        N_("overdue"),
        N_("The due date has passed and the status is not terminal: re-plan it or close it."),
        "due: 2020-01-31\\nstatus: in-progress",
        "due: 2027-01-31\\nstatus: in-progress",
    ),
    Rule(
        "RF406",
        WARNING,
        N_("suspect link"),
        N_(
            "The linked requirement changed after this one was last changed, so this one may "
            "need review (from git history)."
        ),
        "CRM-0042 links to CRM-0001, which was edited after CRM-0042",
        "CRM-0042 reviewed after the change (edited, or `reviewed: <commit>`)",
        needs_history=True,
    ),
    Rule(
        "RF407",
        WARNING,
        N_("acceptance criterion not in an EARS shape"),
        N_(
            "Opt-in ([lint] ears = true). The EARS templates ('The <system> shall <response>', "
            "'When <trigger>, the <system> shall <response>', 'While <state>, ...', 'If "
            "<trigger>, then the <system> shall ...', 'Where <feature>, ...' and their "
            "combinations; '当……时，系统应……', '在……期间，……应……', '如果……，则……应……') make "
            "criteria testable and uniform. An 'If' condition without 'then' (如果 without 则) is "
            "reported too: EARS' unwanted-behaviour template requires it. `reqforge show` names "
            "each criterion's kind, `reqforge stats` counts them."
        ),
        "acceptance:\\n  - Export works for big files.",
        "acceptance:\\n  - When the user exports 100,000 rows, the system shall finish in 10 s.",
    ),
    Rule(
        "RF408",
        WARNING,
        N_("required coverage missing"),
        N_(
            "With [trace.require] configured, an accepted-or-later requirement of that type "
            "(or one in [trace] require_statuses, where set) needs every listed kind: a marker "
            "in code (implemented) and in a test (verified)."
        ),
        '[trace.require] functional = ["implemented", "verified"]; no test marks CRM-0042',
        "tests/test_export.py: def test_bulk_export():  # verifies: CRM-0042",
    ),
    Rule(
        "RF409",
        ERROR,
        N_("test results file refused"),
        N_(
            "A JUnit XML file under [trace] results that is malformed, too large, or uses DTDs or "
            "entities (an XML bomb or an external-entity read) is refused, not parsed."
        ),
        'reports/junit.xml with <!ENTITY x SYSTEM "file:///etc/passwd">',
        "reports/junit.xml as written by pytest --junitxml",
    ),
    Rule(
        "RF410",
        WARNING,
        N_("superfluous infinitive"),
        N_(
            "'shall be able to', 'be capable of', '应能够', '具备……的能力' say no more than the "
            "verb: write 'shall <verb>'; the capability wording invites 'it could, in "
            "principle' as an answer."
        ),
        "title: The system shall be able to export invoices.",
        "title: The system shall export invoices.",
        incose="R10",
    ),
    Rule(
        "RF411",
        WARNING,
        N_("vague term"),
        N_(
            "Words nobody can test ('user-friendly', 'fast', 'some', 'adequate', 'better', "
            "'as fast as possible'; '友好', '快速', '若干', '较好', '最优'): say what, how "
            "much or by when. A comparative or superlative needs its reference ('faster than "
            "the 2025 release')."
        ),
        "title: The export shall be fast and user-friendly.",
        "title: The export shall write 100,000 rows to CSV in under 10 seconds.",
        incose="R7",
    ),
    Rule(
        "RF412",
        WARNING,
        N_("escape clause"),
        N_(
            "'if possible', 'where appropriate', 'as far as practical' ('尽量', '原则上', "
            "'必要时') let the requirement be skipped: state the condition, or remove the clause."
        ),
        "title: The report shall, where possible, include the invoice lines.",
        "title: The report shall include the invoice lines when the invoice has at most 500.",
        incose="R8",
    ),
    Rule(
        "RF413",
        WARNING,
        N_("open-ended clause"),
        N_(
            "'etc.', 'including but not limited to', 'and so on' ('等等', '包括但不限于', a "
            "list closed by '等') leave open what else is meant: list every item, or write one "
            "requirement per item."
        ),
        "title: Export to CSV, Excel, etc.",
        "title: Export to CSV and XLSX.",
        incose="R9",
    ),
    Rule(
        "RF414",
        WARNING,
        N_("unachievable absolute"),
        N_(
            "'always', 'never', '100%', 'zero downtime' ('总是', '永不', '万无一失') promise "
            "what no test can confirm: state the achievable, measurable value."
        ),
        "title: The service shall always be available.",
        "title: The service shall be available 99.9% of each calendar month.",
        incose="R26",
    ),
    Rule(
        "RF415",
        WARNING,
        N_("indefinite temporal term"),
        N_(
            "'eventually', 'promptly', 'in a timely manner', 'periodically' ('及时', '尽快', "
            "'定期') give no time a test can check: give the time limit or the triggering event."
        ),
        "title: The system shall notify the owner promptly.",
        "title: The system shall notify the owner within 5 minutes of the status change.",
        incose="R35",
    ),
    Rule(
        "RF417",
        WARNING,
        N_("combinator"),
        N_(
            "'and/or' ('和/或') hides two requirements, or a choice nobody has made, in one: "
            "write one requirement for each case, or say which one is meant."
        ),
        "title: Notify the owner and/or the team.",
        "title: Notify the owner and the team.",
        incose="R19",
    ),
    Rule(
        "RF416",
        WARNING,
        N_("pronoun as the subject"),
        N_(
            "'It shall', 'They must', 'This should' ('它应', '这个应') leave the reader to guess "
            "what the requirement is about, and a requirement is read on its own: name it."
        ),
        "acceptance:\\n  - It shall then send the report to the owner.",
        "acceptance:\\n  - The scheduler shall then send the report to the owner.",
        incose="R24",
    ),
    Rule(
        "RF418",
        WARNING,
        N_("negative requirement"),
        N_(
            "'shall not', 'must not' ('不得', '不应') state what is not to happen, which no test "
            "can exhaust: say what the system shall do instead (or keep it, and silence RF418, "
            "for a true prohibition)."
        ),
        "title: The system shall not send e-mail to customers who opted out.",
        "title: The system shall send promotional e-mail only to customers who opted in.",
        incose="R16",
    ),
    Rule(
        "RF419",
        WARNING,
        N_("passive voice without its agent"),
        N_(
            "'The report shall be generated' ('报告应被生成') does not say who or what generates "
            "it, so nobody is bound to: name the system, component or person."
        ),
        "title: The monthly report shall be generated.",
        "title: The billing service shall generate the monthly report.",
        incose="R2",
    ),
    Rule(
        "RF420",
        WARNING,
        N_("a quantity without its unit"),
        N_(
            "'within 10' or '超时时间应设置为30' leaves the unit to the reader: seconds or "
            "minutes, KB or MB. Counts of things ('10 channels') are not reported."
        ),
        "acceptance: [The search shall respond within 10.]",
        "acceptance: [The search shall respond within 10 seconds.]",
        incose="R6",
    ),
]

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}


def severity_of(code: str) -> str:
    """The severity this registry gives `code` (KeyError for an unregistered code)."""
    return RULES[code].severity


def new_finding(
    code: str,
    path: str,
    line: int,
    column: int,
    message: str,
    rid: str | None = None,
    *,
    language: str = "en",
) -> Finding:
    """A finding graded by this registry: its severity always comes from the code's rule, so
    no check can report a code with a severity its `--explain` text does not give. A `Text`
    message is translated into `language` here (a finding holds plain text: caches store it)."""
    text = str(localize(message, language))
    return Finding(code, RULES[code].severity, path, line, column, text, rid)


# implements: REQ-109
def explain(code: str, language: str = "en") -> str:
    """The `--explain` text for one code in `language` (KeyError for an unknown code)."""
    _ = translator(language)
    rule = RULES[code.upper()]
    lines = [
        f"{rule.code} ({rule.severity}): {_(rule.summary)}",
        "",
        _(rule.why),
        *(
            ["", _("INCOSE Guide to Writing Requirements, rule {rule}.").format(rule=rule.incose)]
            if rule.incose
            else []
        ),
        "",
        _("Bad:"),
        *("    " + line for line in rule.bad.replace("\\n", "\n").splitlines()),
        "",
        _("Good:"),
        *("    " + line for line in rule.good.replace("\\n", "\n").splitlines()),
    ]
    if rule.needs_history:
        lines += ["", _("Needs git history (available with the history feature and --base).")]
    silence = _("Silence it for one requirement with `lint-ignore: [{code}]`.")
    lines += ["", silence.format(code=rule.code)]
    return "\n".join(lines)


# implements: REQ-109
def code_list(language: str = "en") -> str:
    """`check --explain` without a code: every code, its severity and summary, one a line (the
    summaries in `language`)."""
    _ = translator(language)
    lines = [f"{r.code}  {r.severity:<7}  {_(r.summary)}" for r in _RULES]
    return "\n".join([*lines, "", _("reqforge check --explain CODE for why and examples.")])


def markdown_table() -> str:
    """The README's table of codes."""
    rows = ["| code | severity | finding |", "|---|---|---|"]
    rows += [f"| {r.code} | {r.severity} | {r.summary} |" for r in _RULES]
    return "\n".join(rows)
