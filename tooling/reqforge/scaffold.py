"""`reqforge init`: the files of a new requirements repository, as text.

`scaffold` returns every file `init` writes, by path: `reqforge.toml` with every setting at its
default, written out and explained; `reqs/customers.yaml` and two example requirements that pass
`check` (one in English and one in Chinese, or both in Chinese with `zh-CN`); the CI files (a
GitHub workflow that uses the reqforge action, or a GitLab pipeline); the pre-commit
configuration; and a `.gitignore` for the site and the caches. `cli/init.py` writes them, each
atomically and never over an existing file unless asked.
"""

# implements: REQ-702

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from reqforge import config as defaults
from reqforge.config import Config

ACTION = "reqforge/reqforge@v1"  # the published action and pre-commit hooks (action.yml)
HOOKS_REPO = "https://github.com/reqforge/reqforge"
HOOKS_REV = "v1"


def _toml(value: object) -> str:
    """A TOML value: strings as basic strings (JSON's escapes are TOML's), arrays inline."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, Iterable):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(value)


def _key(name: str) -> str:
    return name if name.replace("-", "").replace("_", "").isalnum() else json.dumps(name)


def config_toml(name: str, language: str) -> str:
    """`reqforge.toml` with every setting at its default value, each explained."""
    lines = [
        "# reqforge configuration. Every setting is shown at its default; change what you need.",
        "",
        "[project]",
        f"name = {_toml(name)}",
        "# the folder of the requirement files (one per requirement, named after its ID)",
        'reqs_dir = "reqs"',
        f"id_pattern = {_toml(defaults.DEFAULT_ID_PATTERN)}",
        '# "en" or "zh-CN": the language of messages and of the site',
        f"language = {_toml(language)}",
        "# files under reqs_dir that are not requirements (glob patterns)",
        "exclude = []",
        f"max_file_size = {defaults.DEFAULT_MAX_FILE_SIZE}",
        f"types = {_toml(defaults.DEFAULT_TYPES)}",
        "# how a requirement was collected (source.channel)",
        f"channels = {_toml(defaults.DEFAULT_CHANNELS)}",
        "",
        "# Custom fields, e.g.:",
        "# [fields.risk]",
        '# type = "enum"            # string | int | float | bool | date | enum | list | id-list',
        '# values = ["low", "medium", "high"]',
        '# description = "How much could go wrong."',
        "",
        "[workflow]",
        f"statuses = {_toml(defaults.DEFAULT_STATUSES)}",
        f"terminal = {_toml(defaults.DEFAULT_TERMINAL)}",
        "# accepted or later: a requirement in these statuses needs acceptance criteria (RF402)",
        f"committed = {_toml(defaults.DEFAULT_COMMITTED)}",
        "",
        "# from -> allowed next statuses (checked by `check --base` and `set`)",
        "[workflow.transitions]",
        *(f"{_key(k)} = {_toml(v)}" for k, v in defaults.DEFAULT_TRANSITIONS.items()),
        "",
        "# fields a requirement must have on entering a status",
        "[workflow.requires]",
        *(f"{_key(k)} = {_toml(v)}" for k, v in defaults.DEFAULT_REQUIRES.items()),
        "",
        "# how long a proposed requirement may wait for an answer, by priority.urgency",
        "[workflow.sla]",
        *(f"{_key(k)} = {_toml(v)}" for k, v in defaults.DEFAULT_SLA.items()),
        "",
        "# the default team by type (`new` fills it in)",
        "[workflow.assign]",
        *(f"{_key(k)} = {_toml(v)}" for k, v in defaults.DEFAULT_ASSIGN.items()),
        "",
        "[priority]",
        "# the combined ranking: each method breaks the ties of the one before, then the ID",
        f"rank = {_toml(defaults.DEFAULT_RANK)}",
        "# ICE >= high is high, >= medium is medium, below is low",
        f"ice_levels = {_toml(defaults.DEFAULT_ICE_LEVELS)}",
        "# how much a customer's request weighs, by customers.yaml tier",
        f"tiers = {_toml(defaults.DEFAULT_TIERS)}",
        "",
        "[trace]",
        "# source folders to read requirement markers from, and JUnit XML files of test results",
        "scan = []",
        "results = []",
        f"marker = {_toml(defaults.DEFAULT_MARKER)}",
        "",
        "[site]",
        'title = ""',
        'base_url = "/"',
        '# the forge\'s web address for commit and pull-request links; "" reads the origin remote',
        'repo_url = ""',
        "# fields that never reach the site",
        f"private_fields = {_toml(defaults.SiteConfig().private_fields)}",
        "",
        "[lint]",
        "# check acceptance criteria for the EARS shapes (RF407)",
        "ears = false",
        "# report possible duplicates (RF403)",
        "duplicates = true",
        "# more vague words to report (RF411)",
        "extra_words = []",
        "# word lists of your own, reported as RF401: name = [phrases]",
        "custom = {}",
        "",
        "[links]",
        "# link relations of your own, beside parent, depends-on, conflicts-with, duplicates, relates-to",
        "relations = []",
    ]
    return "\n".join(lines) + "\n"


CUSTOMERS = {
    "en": (
        "# Customers who ask for requirements (source.customers names their keys). Contact fields\n"
        "# never reach the site (site.private_fields).\n"
        "acme:\n  name: Acme Logistics\n  industry: logistics\n  tier: A\n"
        "  contact: ops@acme.example\n"
    ),
    "zh-CN": (
        "# 提出需求的客户（source.customers 写它们的键）。联系方式不会出现在站点上\n"
        "# （site.private_fields）。\n"
        "yunfan:\n  name: 云帆物流\n  industry: logistics\n  tier: A\n"
        "  contact: ops@yunfan.example\n"
    ),
}

_ENGLISH_EXAMPLE = """\
---
id: CRM-001
title: Export the monthly ledger as a CSV file
type: functional
status: accepted
owner: zhang.wei
team: product
source:
  channel: interview
  customers: [{customer}]
  evidence: "We re-key the monthly ledger by hand."
  explicit: true
priority:
  moscow: must
  kano: performance
  importance: high
  urgency: normal
  value: 8
  cost: 3
  ice: {{impact: 4, confidence: 4, ease: 3}}
verification:
  method: test
acceptance:
  - When the user exports a ledger of 10,000 rows, the system shall write a CSV file within 10 seconds.
analysis:
  five-whys:
    - The finance team re-keys the ledger every month.
    - There is no export of the ledger.
tags: [export, finance]
---
## Scenario

At month end the finance team copies the ledger into a spreadsheet by hand.

## Pain point

Two days of work a month, and typing errors in the totals.

## Expected outcome

One click exports the month's ledger as a CSV file.
"""

_CHINESE_EXAMPLE = """\
---
id: CRM-002
title: 按客户批量导出订单明细
type: functional
status: proposed
owner: li.na
team: product
source:
  channel: support-ticket
  customers: [{customer}]
  evidence: "每月对账都要一单一单复制。"
  explicit: true
priority:
  moscow: should
  kano: performance
  importance: low
  urgency: normal
  value: 6
  cost: 4
links:
  relates-to: [CRM-001]
verification:
  method: test
acceptance:
  - 当用户选择一个客户并点击导出时，系统应在 10 秒内生成该客户全部订单的 CSV 文件。
tags: [导出, 订单]
---
## 场景

客服每月为大客户对账时，需要该客户的全部订单明细。

## 痛点

现在只能逐单复制，一个客户要花半天，还容易漏单。

## 期望结果

选择客户后一次导出全部订单明细。
"""


def examples(language: str) -> dict[str, str]:
    """The two example requirements by path: English and Chinese, or both Chinese."""
    chinese = language == "zh-CN"
    customer = "yunfan" if chinese else "acme"
    first = _ENGLISH_EXAMPLE.format(customer=customer)
    if chinese:
        first = (
            first.replace("Export the monthly ledger as a CSV file", "将月度总账导出为 CSV 文件")
            .replace(
                "When the user exports a ledger of 10,000 rows, the system shall write a CSV "
                "file within 10 seconds.",
                "当用户导出 10,000 行的总账时，系统应在 10 秒内生成 CSV 文件。",
            )
            .replace("The finance team re-keys the ledger every month.", "财务每月手工重录总账。")
            .replace("There is no export of the ledger.", "系统没有总账导出功能。")
            .replace("## Scenario\n\nAt month end the finance team copies the ledger into a "
                     "spreadsheet by hand.", "## 场景\n\n月底财务手工把总账复制到表格中。")
            .replace("## Pain point\n\nTwo days of work a month, and typing errors in the totals.",
                     "## 痛点\n\n每月两天工作量，合计数常有录入错误。")
            .replace("## Expected outcome\n\nOne click exports the month's ledger as a CSV file.",
                     "## 期望结果\n\n一键把当月总账导出为 CSV 文件。")
            .replace('"We re-key the monthly ledger by hand."', '"我们每月手工重录总账。"')
            .replace("tags: [export, finance]", "tags: [导出, 财务]")
        )  # fmt: skip
    return {
        "reqs/crm/CRM-001.md": first,
        "reqs/crm/CRM-002.md": _CHINESE_EXAMPLE.format(customer=customer),
    }


def github_workflow() -> str:
    """On pull requests: check with annotations and SARIF, and the impact comment; on main:
    build the site and publish it to GitHub Pages."""
    return f"""\
# reqforge in every pull request: `check` (annotations, SARIF) and what the change impacts as a
# comment; on main the site is built and published to GitHub Pages.
name: requirements
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  check:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
      security-events: write
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: {ACTION}
        with:
          base: origin/${{{{ github.base_ref }}}}
          comment: "true"
  site:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pages: write
      id-token: write
      security-events: write
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: {ACTION}
        with:
          comment: "false"
          build: "true"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def gitlab_ci() -> str:
    """Merge requests: check (a Code Quality report for the merge request) and the impact
    note; the default branch: the site on GitLab Pages."""
    return """\
# reqforge in every merge request: `check` (Code Quality report in the merge request) and what the
# change impacts as a note (needs a REQFORGE_TOKEN variable with the api scope); on the default
# branch the site is built and published to GitLab Pages.
default:
  image: python:3.12-slim
  before_script:
    - apt-get update -qq && apt-get install -y -qq git curl > /dev/null
    - pip install --quiet reqforge

requirements-check:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  variables:
    GIT_DEPTH: "0"
  script:
    - git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - reqforge check --format gitlab --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" > gl-code-quality-report.json || status=$?
    - reqforge diff "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME...HEAD" --format markdown > impact.md
    - >
      if [ -n "$REQFORGE_TOKEN" ]; then
      curl --silent --fail --request POST --header "PRIVATE-TOKEN: $REQFORGE_TOKEN"
      --data-urlencode "body@impact.md"
      "$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes" > /dev/null;
      fi
    - exit "${status:-0}"
  artifacts:
    when: always
    reports:
      codequality: gl-code-quality-report.json

pages:
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  variables:
    GIT_DEPTH: "0"
  script:
    - reqforge check
    - reqforge build -o public
  artifacts:
    paths:
      - public
"""


def pre_commit_config() -> str:
    return f"""\
# reqforge before every commit: `pip install pre-commit && pre-commit install`
repos:
  - repo: {HOOKS_REPO}
    rev: {HOOKS_REV}
    hooks:
      - id: reqforge-fmt
      - id: reqforge-check
"""


GITIGNORE = "# reqforge: the built site and the caches\nsite/\n.reqforge/\n"
SCHEMA_FILE = "reqforge.schema.json"


def schema_text(config: Config) -> str:
    """`reqforge schema`'s document for `config`, as the file `init` writes."""
    from reqforge.render import strict_json
    from reqforge.schema import front_matter_schema

    return strict_json.dumps(front_matter_schema(config), indent=2) + "\n"


def scaffold(name: str, language: str, ci: str) -> dict[str, str]:
    """Every file `init` writes, by path relative to the new repository."""
    files = {
        "reqforge.toml": config_toml(name, language),
        "reqs/customers.yaml": CUSTOMERS["zh-CN" if language == "zh-CN" else "en"],
        **examples(language),
        ".pre-commit-config.yaml": pre_commit_config(),
        ".gitignore": GITIGNORE,
    }
    if ci == "github":
        files[".github/workflows/reqforge.yml"] = github_workflow()
    elif ci == "gitlab":
        files[".gitlab-ci.yml"] = gitlab_ci()
    return files
