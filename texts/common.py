"""Texts shared by every screen and by the service layer's error messages."""

APP_TITLE = "五星示范 · 双优引领"
APP_SUBTITLE = "机关基层党组织星级评定系统"

# How a year's 双优 quota is counted (scoring.QuotaMode).
QUOTA_MODE_NAMES = {
    "city": "全市统一计算",
    "region": "按地区分别计算",
}
ROLE_NAMES = {
    "branch": "支部书记",
    "reviewer": "机关工委审核员",
    "department": "机关党委",
    "leader": "领导",
    "admin": "系统管理员",
}
ORG_TYPE_NAMES = {
    "department": "部门",
    "party_committee": "机关党委",
    "general_branch": "党总支",
    "branch": "党支部",
}
STATUS_NAMES = {
    "draft": "草稿",
    "first_review": "待初审",
    "submitted": "已提交",
    "returned": "已退回",
    "reviewed": "已审核",
    "published": "已公示",
}
CYCLE_STATUS_NAMES = {
    "open": "进行中",
    "closed": "已截止",
    "published": "公示中",
    "final": "已定档",
}
KIND_NAMES = {"criterion": "评价细则", "bonus": "加分项", "deduction": "扣分项", "veto": "一票否决"}
LEVEL_NAMES = {5: "五星级", 4: "四星级", 3: "三星级", 2: "二星级", 1: "一星级", 0: "未定星"}
# What a result is called (formatting.standing_key): a level, or not started, or vetoed.
STANDING_NAMES = {
    **{str(k): v for k, v in LEVEL_NAMES.items()},
    "vetoed": "已否决",
    "not_started": "未开始",
}

LIT = "已点亮"
UNLIT = "未点亮"
YES = "是"
NO = "否"

# Service-layer errors: each says what happened and what to do.
ERR_PERMISSION = "您没有权限执行此操作。如需访问，请联系系统管理员。"
ERR_NOT_FOUND = "未找到所请求的记录，它可能已被删除。请刷新页面后重试。"
ERR_URL_ORG = "没有这个组织：网址中的组织编号 {org} 不存在，或不在您的查看范围内。"
ERR_STALE = (
    "保存未成功：在您打开本页后，其他人已保存了同一份测评。"
    "为避免覆盖他人的修改，本次未写入任何内容。请重新载入最新内容后再修改。"
)
ERR_INTERNAL = "系统暂时无法完成操作，请稍后重试；如多次出现，请联系系统管理员。"
ERR_NO_OPEN_CYCLE = "当前没有进行中的测评年度，请联系系统管理员。"

CONFIG_REFUSED = "配置错误，程序未启动："
WEAK_SECRET = (
    "SECRET_KEY 不安全：非演示模式下必须是至少 {n} 个字符的随机字符串（当前 {length} 个字符）。"
    "生成方法：{command}，把输出填入 .env 的 SECRET_KEY=（各副本相同），然后重新启动。"
)

# ---------------------------------------------------------------- file zones (ui/drop_zone.py)
PICK_BUTTON = "选择文件"
PICK_BUSY = "正在读取文件……"
PICK_TITLE = "把文件拖到这里，或点击选择文件"
PICKED = "已选择文件：{name}（{size}）"
PICK_REMOVE = "换一个文件"
PICK_UNREADABLE = "文件“{name}”未能读取，请重新选择。"

# The five stars by key (scoring.STAR_KEYS), as every screen and document names them.
STAR_DISPLAY_NAMES = {
    "learning": "学习星",
    "standard": "规范星",
    "service": "服务星",
    "democracy": "民主星",
    "innovation": "创新星",
}

# A long criterion text folded on a phone (ui/phone.py).
FOLD_MORE = "展开全文"
FOLD_LESS = "收起"
LIST_MORE = "另有 {n} 条未列出，请用筛选或搜索缩小范围。"
