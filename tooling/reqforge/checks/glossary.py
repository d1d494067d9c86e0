"""The built-in English-Chinese glossary of RF403's second stage: domain terms mapped to concepts.

A concept is what a reworded or translated requirement keeps when its words change: "customer",
"client" and 客户 are one concept, "delete", "remove" and 删除 another. The second stage of the
duplicate check (checks/similarity.py) counts a glossary word as its concept, so paraphrases that
swap synonyms still share the term, and a requirement in English and its translation in Chinese
share their concepts, which is all they can share besides numbers and acronyms.

The terms come from customer requirement management: CRM, billing and finance, logistics,
e-commerce, support, accounts and security, reporting and the wording of requirements
themselves. Each line is `concept: english words / chinese terms`:

* English words are single lower-case words; they go through the same light stemmer as the text
  (so "export" also covers "exports", "exported", "exporting"). Two-word terms ("sign in") are
  joined in the text first (see `PHRASES`).
* Chinese terms are exactly two characters, the unit the check splits Chinese into (character
  bigrams). A longer term is listed by a bigram that identifies it (仪表 for 仪表盘, 理员 for
  管理员); none may hold a function character (的, 将, 在, ... which the check drops).

It lives in a Python module rather than a data file on purpose: the caches are keyed by a digest
of reqforge's Python sources, so editing a term invalidates every cached score.
"""

from __future__ import annotations

GLOSSARY = """
customer: customer client clientele / 客户 顾客 客人
user: user enduser / 用户
account: account / 账户 账号 帐户 帐号
contact: contact / 联系 联络
lead: lead prospect / 线索 潜客
opportunity: opportunity deal / 商机
pipeline: pipeline funnel / 漏斗 管道
sales: sales sale sell salesperson / 销售
supplier: supplier vendor / 供应 供货
partner: partner distributor reseller / 伙伴 经销 代理
employee: employee staff personnel / 员工 职员
manager: manager / 经理
director: director supervisor head / 总监 主管
administrator: administrator admin / 理员
manage: manage management / 管理
team: team / 团队
department: department desk / 部门
organisation: organisation organization company enterprise / 组织 公司 企业
subsidiary: subsidiary branch / 子公 分公 分支
role: role / 角色
permission: permission privilege / 权限
access: access / 访问
authorise: authorise authorize authorisation authorization grant / 授权
approve: approve approval approver / 审批 批准 核准
reject: reject rejection decline / 拒绝 驳回
review: review / 评审 复核 审查 审阅
audit: audit auditor / 审计
log: log logging trail / 日志
history: history historical / 历史
record: record / 记录
export: export / 导出
import: import / 导入
upload: upload / 上传
download: download / 下载
delete: delete deletion remove removal erase purge / 删除 移除 清除
create: create creation add / 创建 新建 新增 添加
edit: edit modify modification change amend / 编辑 修改 更改 变更
update: update / 更新
view: view display show / 查看 显示 展示
search: search find query lookup / 搜索 查询 查找 检索
filter: filter / 筛选 过滤
sort: sort / 排序
list: list / 列表 清单
report: report reporting / 报表 报告
dashboard: dashboard / 仪表 看板
chart: chart graph / 图表
invoice: invoice invoicing / 发票 开票
bill: bill billing statement / 账单
order: order / 订单 下单
purchase: purchase procurement buy buyer / 采购 购买
payment: payment pay payer / 支付 付款 缴费
refund: refund reimburse / 退款 退费
return: return / 退货
discount: discount / 折扣 优惠
coupon: coupon voucher / 惠券 代金
price: price pricing / 价格 定价 单价
quote: quote quotation / 报价
tax: tax vat / 税额 税率 税务 税费
currency: currency exchange / 币种 货币 汇率 外币
euro: euro eur / 欧元
dollar: dollar usd / 美元
yuan: yuan rmb cny / 民币
convert: convert conversion / 换算 转换
contract: contract agreement / 合同 协议
subscription: subscription subscribe subscriber / 订阅
renew: renew renewal / 续费 续约 续订
plan: plan / 计划 方案
product: product goods merchandise / 产品 商品
catalogue: catalogue catalog / 目录
inventory: inventory stock / 库存
warehouse: warehouse / 仓库 仓储
delivery: delivery deliver / 配送 送货 交付
shipment: shipment ship dispatch / 发货 发运
logistics: logistics / 物流
carrier: carrier courier / 承运 快递
track: track tracking / 跟踪 追踪
address: address / 地址
cart: cart basket / 物车
checkout: checkout / 结账 结算
store: store shop / 门店 店铺 商店
notification: notification notify alert / 通知 告警
reminder: reminder remind / 提醒
email: email mail mailbox / 邮件 邮箱
sms: sms / 短信
message: message / 消息
login: login logon signin / 登录 登陆
logout: logout signout / 注销 登出
register: register registration signup / 注册
password: password passcode / 密码 口令
verify: verify verification / 验证 校验
session: session / 会话
token: token / 令牌
security: security secure / 安全
encrypt: encrypt encryption / 加密
backup: backup / 备份
restore: restore recover recovery / 恢复 还原
archive: archive / 归档 存档
sync: sync synchronise synchronize synchronisation synchronization / 同步
integration: integration integrate / 集成 对接
api: api interface endpoint / 接口
webhook: webhook callback / 回调
mobile: mobile phone smartphone / 移动 手机
app: app / 应用
offline: offline / 离线
language: language locale / 语言
translate: translate translation / 翻译
print: print printer / 打印
scan: scan scanner / 扫描 扫码
barcode: barcode / 条码 条形
qr: qr / 维码
file: file / 文件
attachment: attachment attach / 附件
document: document / 文档 单据
template: template / 模板
field: field / 字段
form: form / 表单
spreadsheet: spreadsheet excel sheet / 表格
csv: csv /
pdf: pdf /
xml: xml /
json: json /
data: data / 数据
database: database / 据库
schedule: schedule scheduling / 排期 排班 日程
calendar: calendar / 日历
date: date / 日期
deadline: deadline due / 截止 到期
overdue: overdue late / 逾期 超期
task: task / 任务
ticket: ticket / 工单
complaint: complaint / 投诉
feedback: feedback / 反馈
survey: survey questionnaire / 问卷
rating: rating / 评分 评价
comment: comment / 评论
note: note remark / 备注
tag: tag label / 标签 标记
category: category / 分类 类别
priority: priority / 优先
status: status / 状态
workflow: workflow / 流程
automatic: automatic automatically automate automation / 自动
manual: manual manually hand / 手工 手动
bulk: bulk batch / 批量
merge: merge combine consolidate / 合并
duplicate: duplicate / 重复
compare: compare comparison / 比较 对比
share: share / 共享 分享
sign: sign signature esignature / 签署 签名 签字
electronic: electronic / 电子
reconcile: reconcile reconciliation / 对账
ledger: ledger / 台账 账簿 总账
finance: finance financial / 财务
accounting: accountant bookkeeping / 会计 记账
budget: budget / 预算
cost: cost expense / 成本 费用
revenue: revenue income / 收入 营收
profit: profit margin / 利润
credit: credit / 信用 额度
receivable: receivable / 应收
payable: payable / 应付
payroll: payroll salary / 工资 薪资
region: region regional area / 区域 地区
country: country / 国家
month: month monthly / 月度 每月
quarter: quarter quarterly / 季度
year: year annual yearly / 年度 每年
day: day daily / 每天 每日
week: week weekly / 每周
hour: hour / 小时
minute: minute / 分钟
amount: amount / 金额
quantity: quantity / 数量
error: error mistake / 错误 出错
failure: failure fail / 失败
retry: retry / 重试
performance: performance / 性能
page: page / 页面
button: button / 按钮
menu: menu / 菜单
screen: screen / 屏幕 界面
click: click tap / 点击
select: select choose / 选择 选中
setting: setting configure configuration config / 设置 配置
default: default / 默认
customise: customise customize custom / 自定
privacy: privacy / 隐私
consent: consent / 同意
compliance: compliance regulation regulatory regulator / 合规 监管 法规
retention: retention retain / 保留
save: save / 保存
version: version / 版本
assign: assign assignment / 分配 指派
owner: owner / 负责
escalate: escalate escalation /
sla: sla /
reply: reply respond response / 回复 答复 响应
chat: chat / 聊天
call: call / 来电 通话
visit: visit / 拜访
meeting: meeting / 会议
marketing: marketing campaign / 营销
segment: segment / 细分 分群
member: member membership loyalty / 会员
points: points / 积分
promotion: promotion promo / 促销
vehicle: vehicle truck / 车辆
driver: driver / 司机
route: route routing / 路线 线路
parcel: parcel package / 包裹
location: location gps / 位置 定位
support: support helpdesk / 客服
knowledge: knowledge / 知识
portal: portal / 门户
trial: trial / 试用
license: license licence / 许可
channel: channel / 渠道
forecast: forecast / 预测
target: target goal quota / 目标
kpi: kpi metric / 指标
analytics: analytics analysis analyse analyze statistics / 分析 统计
trend: trend / 趋势
summary: summary overview / 概要 汇总 摘要
detail: detail / 详情 明细
balance: balance / 余额
bank: bank / 银行
transfer: transfer / 转账
deposit: deposit / 押金 定金
instalment: instalment / 分期
cancel: cancel cancellation / 取消
confirm: confirm confirmation / 确认
submit: submit / 提交
draft: draft / 草稿
publish: publish / 发布
image: image photo picture / 图片 照片
video: video / 视频
identity: identity / 身份
telephone: telephone / 电话
reset: reset / 重置
lock: lock / 锁定
expire: expire expiry expiration / 过期 失效
invite: invite invitation / 邀请
group: group / 分组 群组
request: request / 申请 请求
profile: profile / 资料 档案
engineer: engineer technician / 程师 技术
clerk: clerk / 文员
project: project / 项目
centre: centre center / 中心
stock_alert: replenish replenishment / 补货
return_label: rma / 退换
customer_service: aftersales / 售后
install: install installation / 安装
maintenance: maintenance maintain / 维护 保养
repair: repair fix / 维修 修复
warranty: warranty guarantee / 保修 质保
spare: spare / 备件
"""

PHRASES = (
    (b"sign in", b"signin"),
    (b"log in", b"login"),
    (b"log on", b"logon"),
    (b"sign out", b"signout"),
    (b"log out", b"logout"),
    (b"sign up", b"signup"),
)
"""Two-word terms joined before the text is split into words: (words, joined). Applied to text
reduced to lower-case letters, digits and spaces, between spaces (" log in " -> " login "), and
only to a text that holds "log " or "sign " (similarity.py). Other compounds need no joining:
"e-mail" is "e" (a stop word) and "mail", which is listed."""


def glossary_entries() -> list[tuple[str, list[str], list[str]]]:
    """(concept, English words, Chinese terms) for every line of `GLOSSARY`, in order."""
    entries = []
    for line in GLOSSARY.strip().splitlines():
        concept, _, terms = line.partition(":")
        english, _, chinese = terms.partition("/")
        entries.append((concept.strip(), english.split(), chinese.split()))
    return entries
