"""Generate a synthetic reqforge repository of N requirements for benchmarks.

    python bench/generate.py 10000 /tmp/corpus [--seed 1]

The corpus is deterministic for a given N and seed: areas (sub-folders), parent trees and
depends-on links (acyclic), every priority method's inputs, English and Chinese titles and
bodies, a few customers in reqs/customers.yaml and a reqforge.toml. It is meant to look like a
real backlog, so a handful of items carry findings a real corpus has (vague wording, overdue
dates, a near-duplicate pair) while most are clean.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

AREAS = [
    ("CRM", "crm"),
    ("BIL", "billing"),
    ("EXP", "export"),
    ("AUTH", "auth"),
    ("RPT", "reporting"),
    ("MOB", "mobile"),
    ("SUP", "support"),
    ("INT", "integrations"),
]
CUSTOMERS = {
    "acme": ("Acme Corp", "manufacturing", "A"),
    "globex": ("Globex", "retail", "B"),
    "initech": ("Initech", "finance", "B"),
    "umbrella": ("Umbrella 医药", "healthcare", "A"),
    "hooli": ("Hooli", "technology", "C"),
    "huaxin": ("华信科技", "technology", "C"),
}
EN_OBJECTS = [
    "customer ledger", "invoice", "monthly report", "contact list", "order history",
    "audit trail", "payment plan", "support ticket", "product catalogue", "price list",
    "user profile", "sales pipeline", "delivery note", "contract", "refund request",
]
EN_ACTIONS = [
    "Export", "Import", "Archive", "Filter", "Merge", "Share", "Print", "Sign",
    "Approve", "Schedule", "Translate", "Reconcile", "Tag", "Search", "Compare",
]
ZH_OBJECTS = [
    "客户台账", "发票", "月度报表", "联系人列表", "订单历史", "审计日志", "付款计划",
    "工单", "产品目录", "价格表", "用户资料", "销售漏斗", "送货单", "合同", "退款申请",
]
ZH_ACTIONS = [
    "导出", "导入", "归档", "筛选", "合并", "共享", "打印", "签署", "审批", "排期",
    "翻译", "对账", "标记", "搜索", "比较",
]
STATUSES = [
    ("proposed", 30), ("accepted", 20), ("in-progress", 15), ("testing", 8),
    ("awaiting-acceptance", 5), ("done", 15), ("rejected", 4), ("deferred", 3),
]
TYPES = ["functional", "performance", "experience", "business", "constraint", "interface"]
CHANNELS = ["interview", "survey", "support-ticket", "sales", "analytics", "internal"]
OWNERS = ["zhang.wei", "li.na", "wang.fang", "alice", "bob", "carol"]


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _requirement(
    rng: random.Random, index: int, ids: list[str], area_start: int
) -> tuple[str, str]:
    """Return (id, file text) for the index-th requirement."""
    rid = ids[index]
    chinese = index % 3 == 0
    obj = rng.randrange(len(EN_OBJECTS))
    act = rng.randrange(len(EN_ACTIONS))
    if chinese:
        title = f"支持{ZH_ACTIONS[act]}{ZH_OBJECTS[obj]}（第{index}项）"
        body = (
            f"## 场景\n\n财务人员每月需要{ZH_ACTIONS[act]}{ZH_OBJECTS[obj]}，目前靠手工完成，"
            f"每次耗时约两天。第{index}号需求来自客户访谈。\n\n"
            "## 说明\n\n| 字段 | 含义 |\n|---|---|\n| 范围 | 全部门店 |\n"
        )
        acceptance = [f"当用户点击{ZH_ACTIONS[act]}时，系统应在 10 秒内完成 {1000 + index} 条记录的处理。"]
    else:
        title = f"{EN_ACTIONS[act]} the {EN_OBJECTS[obj]} (item {index})"
        body = (
            f"## Scenario\n\nThe finance team has to {EN_ACTIONS[act].lower()} the "
            f"{EN_OBJECTS[obj]} by hand every month; it takes two days. Requirement {index} "
            "came from a customer interview.\n\n## Notes\n\nApplies to every store.\n"
        )
        acceptance = [
            f"When the user selects {EN_ACTIONS[act].lower()}, the system shall process "
            f"{1000 + index} records in under 10 seconds."
        ]
    status = _weighted(rng, STATUSES)
    lines = [
        "---",
        f"id: {rid}",
        f"title: {title}",
        f"type: {rng.choice(TYPES)}",
        f"status: {status}",
        f"owner: {rng.choice(OWNERS)}",
        "team: product",
    ]
    if rng.random() < 0.3:
        lines.append(f"due: 2027-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    customers = sorted(rng.sample(sorted(CUSTOMERS), rng.randint(0, 2)))
    lines += [
        "source:",
        f"  channel: {rng.choice(CHANNELS)}",
        f"  customers: [{', '.join(customers)}]",
        f"  explicit: {'true' if rng.random() < 0.7 else 'false'}",
    ]
    importance = rng.choice(["high", "low"])
    urgency = rng.choice(["urgent", "normal", "normal", "deferred"])
    lines += [
        "priority:",
        f"  moscow: {rng.choice(['must', 'should', 'could', 'wont'])}",
        f"  kano: {rng.choice(['basic', 'performance', 'excitement', 'indifferent'])}",
        f"  importance: {importance}",
        f"  urgency: {urgency}",
        f"  value: {rng.randint(1, 10)}",
        f"  cost: {rng.randint(1, 10)}",
        f"  ice: {{impact: {rng.randint(1, 5)}, confidence: {rng.randint(1, 5)}, ease: {rng.randint(1, 5)}}}",
        f"  rice: {{reach: {rng.randint(10, 5000)}, impact: {rng.choice([0.25, 0.5, 1, 2, 3])}, "
        f"confidence: {rng.choice([0.5, 0.8, 1.0])}, effort: {rng.randint(1, 12)}}}",
    ]
    links = []
    if index > area_start and rng.random() < 0.8:
        links.append(f"  parent: [{ids[rng.randrange(area_start, index)]}]")
    if index > 0 and rng.random() < 0.3:
        links.append(f"  depends-on: [{ids[rng.randrange(0, index)]}]")
    if links:
        lines += ["links:", *links]
    lines += ["verification:", f"  method: {rng.choice(['test', 'inspection', 'demonstration'])}"]
    lines += ["acceptance:", *[f"  - {a}" for a in acceptance]]
    if importance == "high":
        lines += [
            "analysis:",
            "  five-whys:",
            "    - The ledger is re-keyed by hand.",
            "    - There is no export.",
        ]
    if status in ("rejected", "deferred"):
        lines.append("reason: Out of scope for this year's plan.")
    if status == "done" and rng.random() < 0.5:
        lines += ["feedback:", f"  satisfaction: {rng.randint(1, 5)}"]
    lines.append(f"tags: [{rng.choice(['export', 'data', 'ui', 'api'])}, area-{rid.split('-')[0].lower()}]")
    lines.append("---")
    return rid, "\n".join(lines) + "\n" + body


def generate(count: int, out: Path, seed: int = 1) -> None:
    """Write a reqforge repository with `count` requirements into `out` (replaced)."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    reqs = out / "reqs"
    per_area = -(-count // len(AREAS))
    ids: list[str] = []
    folders: list[str] = []
    for prefix, folder in AREAS:
        for n in range(1, per_area + 1):
            if len(ids) == count:
                break
            ids.append(f"{prefix}-{n:05d}")
            folders.append(folder)
    for folder in set(folders):
        (reqs / folder).mkdir(parents=True, exist_ok=True)
    area_start = 0
    for index in range(count):
        if index and folders[index] != folders[index - 1]:
            area_start = index
        rid, text = _requirement(rng, index, ids, area_start)
        (reqs / folders[index] / f"{rid}.md").write_text(text, encoding="utf-8")
    customer_lines = []
    for key, (name, industry, tier) in sorted(CUSTOMERS.items()):
        customer_lines += [
            f"{key}:",
            f"  name: {name}",
            f"  industry: {industry}",
            f"  tier: {tier}",
            f"  contact: {{email: buyer@{key}.example}}",
        ]
    (reqs / "customers.yaml").write_text("\n".join(customer_lines) + "\n", encoding="utf-8")
    (out / "reqforge.toml").write_text(
        '[project]\nname = "Benchmark corpus"\n\n[workflow.sla]\nurgent = "24h"\nnormal = "72h"\n',
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.count, args.out, args.seed)


if __name__ == "__main__":
    main()
