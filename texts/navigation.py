"""The menu: each page's title (by its url path), the sidebar's sections, the login page."""

PAGE_TITLES = {
    "overview": "我的支部",
    "learning": "学习星",
    "standard": "规范星",
    "service": "服务星",
    "democracy": "民主星",
    "innovation": "创新星",
    "members": "党员名册",
    "vanguard": "先锋指数",
    "ballots": "民主评议",
    "dashboard": "总览",
    "department": "部门进度",
    "rankings": "实时排名",
    "trends": "历年趋势",
    "excellence": "双优",
    "report": "导出与打印",
    "screen": "大屏",
    "review": "审核",
    "publication": "公示",
    "admin": "管理",
    "audit": "审计日志",
    "account": "我的账号",
    "first-review": "初审",
}
SECTION_SELF = "自评"
SECTION_MEMBERS = "党员"
SECTION_CITY = "全市"
SECTION_REVIEW = "审核与公示"
SECTION_SYSTEM = "系统"
SECTION_ACCOUNT = "账号"
LOGIN = "登录"
