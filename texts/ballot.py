"""Texts of 民主评议 by anonymous ballot: the phone page, the branch's page, the sheet, the CLI."""

# ============================================================================= service messages
ERR_CODE_UNKNOWN = "投票码无效，请核对投票纸上的投票码。"
ERR_CODE_EXPIRED = "本轮民主评议已经结束，投票码已失效。"
ERR_CODE_USED = "这张投票码已经投过票，每张投票码只能投一次。"
ERR_RATING_MISSING = "请对名单上的每一名党员作出评价后再提交。"
ERR_BRANCH_MISSING = "请对支部工作作出评价后再提交。"
ERR_RATING_INVALID = "评价内容无效，请重新打开投票链接。"
ERR_ROSTER_CHANGED = "支部参加评议的党员名单已经变化，请重新打开投票链接后再投票。"
ERR_NO_MEMBERS = "本轮没有参加评议的党员，请先在党员名册中录入党员。"
ERR_ROUND_CLOSED = "本轮先锋指数评价已经结束，不能再发放投票码。"
ERR_ROUND_NOT_FOUND = "该先锋指数评价轮次不存在。"
ERR_ALL_VOTED = "参加评议的党员都已投票，无需再发放投票码。"
ERR_ORG_NOT_FOUND = "没有编号为“{code}”的组织。"
ROUND_LABEL = "{year} 年{half}"
HALF_NAMES = {1: "上半年", 2: "下半年"}

# ============================================================================= the phone page
PAGE_TITLE = "民主评议党员"
CODE_LABEL = "投票码"
CODE_HINT = "请输入投票纸上的投票码（不区分大小写，可省略短横线）。"
OPEN_BUTTON = "开始评议"
FORM_HEADING = "{org}"
FORM_ROUND = "{round}民主评议党员"
FORM_INTRO = (
    "请对名单上的每一名党员（含本人）逐一评价，全部选完后提交。"
    "投票不记名：系统只保存评价结果，不保存投票码、投票人和投票时间。"
)
BRANCH_LEGEND = "支部工作"
SUBMIT = "提交"
DONE_TITLE = "已提交"
DONE_TEXT = "谢谢！您的评价已匿名保存，这张投票码已作废，可以关闭本页。"
REFUSED_TITLE = "无法投票"
REQUEST_REFUSED = "请求无效，请重新打开投票链接。"
SERVER_ERROR = "系统暂时无法保存，请稍后用同一投票码重新打开投票链接。"

# ============================================================================= the branch's page
TITLE = "民主评议投票"
INTRO = (
    "为本轮参加“先锋指数”评价的每名党员生成一张一次性投票码。打印后沿虚线剪开，"
    "由党员随机抽取，用手机扫码投票；投票不记名，谁用哪一张、何时投票，系统都不记录。"
)
NO_ROUNDS = "还没有开启的先锋指数评价轮次。"
NO_ORG = "本账号没有对应的组织。"
ROUND_SELECT = "评价轮次"
ROUND_OPEN = "（进行中）"
ROUND_CLOSED = "（已结束）"
PARTICIPATION = "已投票 {used} 张 / 已发放 {issued} 张"
NOT_ISSUED = "本轮尚未生成投票码。"
ISSUE_BUTTON = "生成投票码"
REISSUE_BUTTON = "重新生成未使用的投票码"
REISSUE_CONFIRM = (
    "重新生成后，已打印但**尚未使用的 {unused} 张投票码立即作废**，新投票码须重新打印、发放；"
    "已投的票不受影响。"
)
REISSUE_YES = "确认作废并重新生成"
ISSUE_HELP = (
    "投票码只在生成后显示这一次（系统只保存其摘要，任何人都无法再读出）。"
    "投票纸遗失时可重新生成：未使用的旧投票码随即作废，已投的票不受影响。"
)
ISSUED = "已生成 {n} 张投票码。请立即打印或下载：退出登录或关闭浏览器后无法再次显示。"
SHEET_DOWNLOAD = "下载投票码打印页"
SHEET_FILE = "民主评议投票码-{org}-{round}.html"
CODES_HEADING = "投票码"
RESULTS_HEADING = "评议结果"
RESULTS_WAIT = "结果在本轮结束后显示；为防止由少数票推断投票人，收到的评价少于 {n} 张时不显示。"
RESULTS_MEMBER = "党员"
RESULTS_BALLOTS = "评价张数"
RESULTS_AVERAGE = "平均等次分（满分 {top}）"
RESULTS_PASSING = "“{label}”及以上占比"
RESULTS_HIDDEN = "不足 {n} 张，不显示"
RESULTS_WAIT_SHORT = "本轮结束后显示"
RESULTS_BRANCH = "（支部工作）"

# ============================================================================= the printed sheet
SHEET_TITLE = "{org} · {round}民主评议投票码"
SHEET_INTRO = (
    "沿虚线剪开，由党员随机抽取一张；用手机扫描二维码或在浏览器中打开二维码下方的链接投票。"
    "每张投票码只能使用一次，本轮评价结束后失效。投票不记名。"
)
SHEET_SLIP = "第 {n} 张"
SHEET_CODE = "投票码：{code}"

# ============================================================================= command line
CLI_HELP = "为一个组织生成本轮民主评议投票码并打印投票链接"
CLI_ORG_HELP = "组织编号"
CLI_ROUND_HELP = "先锋指数评价轮次编号"
CLI_BASE_HELP = "投票链接的网址前缀，如 http://10.0.0.5:8501（默认取 PUBLIC_URL）"
CLI_ISSUED = "{org} · {round}：已生成 {n} 张投票码（已投票 {used} 张；此前未使用的投票码已作废）。"
