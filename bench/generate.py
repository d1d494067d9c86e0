"""Generate a synthetic reqforge repository of N requirements for benchmarks.

    python bench/generate.py 10000 /tmp/corpus [--seed 1]

The corpus is deterministic for a given N and seed: areas (sub-folders), parent trees and
depends-on links (acyclic), every priority method's inputs, English and Chinese titles and
bodies, a few customers in reqs/customers.yaml and a reqforge.toml. It is meant to look like a
real backlog, so a handful of items carry findings a real corpus has (vague wording, overdue
dates, a near-duplicate pair) while most are clean.
"""

# implements: REQ-609

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
    "customer ledger",
    "invoice",
    "monthly report",
    "contact list",
    "order history",
    "audit trail",
    "payment plan",
    "support ticket",
    "product catalogue",
    "price list",
    "user profile",
    "sales pipeline",
    "delivery note",
    "contract",
    "refund request",
]
EN_ACTIONS = [
    "Export",
    "Import",
    "Archive",
    "Filter",
    "Merge",
    "Share",
    "Print",
    "Sign",
    "Approve",
    "Schedule",
    "Translate",
    "Reconcile",
    "Tag",
    "Search",
    "Compare",
]
ZH_OBJECTS = [
    "客户台账",
    "发票",
    "月度报表",
    "联系人列表",
    "订单历史",
    "审计日志",
    "付款计划",
    "工单",
    "产品目录",
    "价格表",
    "用户资料",
    "销售漏斗",
    "送货单",
    "合同",
    "退款申请",
]
ZH_ACTIONS = [
    "导出",
    "导入",
    "归档",
    "筛选",
    "合并",
    "共享",
    "打印",
    "签署",
    "审批",
    "排期",
    "翻译",
    "对账",
    "标记",
    "搜索",
    "比较",
]
STATUSES = [
    ("proposed", 30),
    ("accepted", 20),
    ("in-progress", 15),
    ("testing", 8),
    ("awaiting-acceptance", 5),
    ("done", 15),
    ("rejected", 4),
    ("deferred", 3),
]
TYPES = ["functional", "performance", "experience", "business", "constraint", "interface"]
CHANNELS = ["interview", "survey", "support-ticket", "sales", "analytics", "internal"]
OWNERS = ["zhang.wei", "li.na", "wang.fang", "alice", "bob", "carol"]


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


EN_QUALIFIERS = [
    "by region",
    "per store",
    "for the last quarter",
    "with audit notes",
    "in bulk",
    "from the mobile app",
    "for key accounts",
    "with approval history",
    "as PDF",
    "by sales channel",
    "for overdue items",
    "with currency conversion",
    "per cost centre",
    "for new customers",
    "across subsidiaries",
    "with e-signatures",
    "by product line",
]
EN_ROLES = [
    "finance clerks",
    "store managers",
    "the sales team",
    "auditors",
    "support agents",
    "regional directors",
    "the procurement desk",
    "key-account managers",
    "field engineers",
]
EN_SENTENCES = [
    "{role} spend {n} hours a month on this by hand.",
    "The {obj} is re-keyed from spreadsheets, which causes {n} errors per quarter.",
    "{role} asked for it in the {month} review.",
    "Without it, {role} cannot close the books before day {n}.",
    "A competitor offers this and two {role} mentioned it in interviews.",
    "The current workaround needs {n} clicks and a macro nobody maintains.",
    "Regulators in {region} require the records for {n} years.",
    "The volume is about {n} records per day at peak.",
    "Support receives {n} tickets a month about the {obj}.",
    "It must work offline for {role} in {region}.",
]
ZH_QUALIFIERS = [
    "按区域",
    "按门店",
    "按季度",
    "附审计备注",
    "批量",
    "在移动端",
    "面向大客户",
    "含审批记录",
    "导出为PDF",
    "按销售渠道",
    "针对逾期项目",
    "含汇率换算",
    "按成本中心",
    "面向新客户",
    "跨子公司",
    "支持电子签名",
    "按产品线",
]
ZH_ROLES = [
    "财务人员",
    "门店经理",
    "销售团队",
    "审计人员",
    "客服专员",
    "区域总监",
    "采购部门",
    "大客户经理",
]
ZH_SENTENCES = [
    "{role}每月手工处理{obj}需要{n}小时。",
    "{obj}目前从电子表格重新录入，每季度出错{n}次。",
    "{role}在{month}月的评审会上提出了这个需求。",
    "没有此功能，{role}无法在第{n}天前完成结账。",
    "竞争对手已提供此功能，两位{role}在访谈中提到。",
    "现有的变通办法需要点击{n}次，并依赖无人维护的宏。",
    "{region}的监管要求保存记录{n}年。",
    "高峰期每天约有{n}条记录。",
    "客服每月收到关于{obj}的工单{n}张。",
]
REGIONS = ["EU", "APAC", "North America", "华东", "华南", "LATAM"]
MONTHS = ["January", "March", "May", "July", "September", "November"]


def _sentences(rng: random.Random, pool: list[str], obj: str, roles: list[str], k: int) -> str:
    picked = rng.sample(pool, k)
    return "".join(
        p.format(
            role=rng.choice(roles),
            obj=obj,
            n=rng.randint(2, 400),
            month=rng.choice(MONTHS),
            region=rng.choice(REGIONS),
        )
        + ("" if pool is ZH_SENTENCES else " ")
        for p in picked
    ).strip()


def _requirement(
    rng: random.Random,
    index: int,
    ids: list[str],
    area_start: int,
    dead: set[int],
    extra: random.Random,
) -> tuple[str, str]:
    """Return (id, file text) for the index-th requirement.

    `extra` draws the optional priority blocks (fmea, wsjf, votes) from a stream of its own, so
    adding them left every other line of the corpus as it was.
    """
    rid = ids[index]
    chinese = index % 3 == 0
    obj = rng.randrange(len(EN_OBJECTS))
    act = rng.randrange(len(EN_ACTIONS))
    if chinese:
        qualifier, role = rng.choice(ZH_QUALIFIERS), rng.choice(ZH_ROLES)
        title = f"支持{ZH_ACTIONS[act]}{ZH_OBJECTS[obj]}（{qualifier}，供{role}使用）"
        body = (
            f"## 场景\n\n{_sentences(rng, ZH_SENTENCES, ZH_OBJECTS[obj], ZH_ROLES, 3)}\n\n"
            f"## 说明\n\n| 字段 | 含义 |\n|---|---|\n| 范围 | {rng.choice(REGIONS)} |\n"
        )
        acceptance = [
            f"当用户点击{ZH_ACTIONS[act]}时，系统应在 {rng.randint(2, 30)} 秒内完成 "
            f"{rng.randint(100, 100000)} 条记录的处理。"
        ]
    else:
        title = (
            f"{EN_ACTIONS[act]} the {EN_OBJECTS[obj]} {rng.choice(EN_QUALIFIERS)} "
            f"for {rng.choice(EN_ROLES)}"
        )
        body = (
            f"## Scenario\n\n{_sentences(rng, EN_SENTENCES, EN_OBJECTS[obj], EN_ROLES, 3)}\n\n"
            f"## Notes\n\nApplies in {rng.choice(REGIONS)}.\n"
        )
        acceptance = [
            f"When the user selects {EN_ACTIONS[act].lower()}, the system shall process "
            f"{rng.randint(100, 100000)} records in under {rng.randint(2, 30)} seconds."
        ]
    if index % 2000 == 7:  # a few vague titles, as in any real backlog
        title += " (user-friendly)" if not chinese else "（尽量简化）"
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
        year = 2026 if index % 1000 == 3 else 2027  # a few overdue items
        lines.append(f"due: {year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
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
        f"  ice: {{impact: {rng.randint(1, 5)}, confidence: {rng.randint(1, 5)}, "
        f"ease: {rng.randint(1, 5)}}}",
        f"  rice: {{reach: {rng.randint(10, 5000)}, impact: {rng.choice([0.25, 0.5, 1, 2, 3])}, "
        f"confidence: {rng.choice([0.5, 0.8, 1.0])}, effort: {rng.randint(1, 12)}}}",
    ]
    if extra.random() < 0.2:  # risk-driven items carry an FMEA assessment
        severity, occurrence, detection = (extra.randint(1, 10) for _ in range(3))
        lines.append(
            f"  fmea: {{severity: {severity}, occurrence: {occurrence}, detection: {detection}}}"
        )
    if extra.random() < 0.25:  # teams planning by SAFe fill in WSJF
        value, criticality, risk = (extra.randint(1, 10) for _ in range(3))
        lines.append(
            f"  wsjf: {{value: {value}, urgency: {criticality}, risk: {risk}, "
            f"size: {extra.choice([1, 2, 3, 5, 8, 13])}}}"
        )
    if extra.random() < 0.1:  # a stakeholder vote: customers (tier-weighted) and staff
        voters = sorted(extra.sample([*sorted(CUSTOMERS)[:4], "alice", "bob"], 2))
        votes = ", ".join(
            f"{v}: {extra.choice(['must', 'should', 'wont'])}"
            if v in ("alice", "bob") and extra.random() < 0.3
            else f"{v}: {extra.randint(0, 10)}"
            for v in voters
        )
        lines.append(f"  votes: {{{votes}}}")
    links = []
    if index > area_start and rng.random() < 0.8:
        target = rng.randrange(area_start, index)
        if target not in dead:
            links.append(f"  parent: [{ids[target]}]")
    if index > 0 and rng.random() < 0.3:
        target = rng.randrange(0, index)
        if target not in dead:
            links.append(f"  depends-on: [{ids[target]}]")
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
    if status == "rejected":
        dead.add(index)
    if status in ("rejected", "deferred"):
        lines.append("reason: Out of scope for this year's plan.")
    if status == "done" and rng.random() < 0.5:
        lines += ["feedback:", f"  satisfaction: {rng.randint(1, 5)}"]
    lines.append(
        f"tags: [{rng.choice(['export', 'data', 'ui', 'api'])}, area-{rid.split('-')[0].lower()}]"
    )
    lines.append("---")
    return rid, "\n".join(lines) + "\n" + body


# implements: REQ-609
def generate(count: int, out: Path, seed: int = 1) -> None:
    """Write a reqforge repository with `count` requirements into `out` (replaced)."""
    rng = random.Random(seed)
    extra = random.Random(f"priority-blocks-{seed}")
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
    dead: set[int] = set()
    for index in range(count):
        if index and folders[index] != folders[index - 1]:
            area_start = index
        rid, text = _requirement(rng, index, ids, area_start, dead, extra)
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
