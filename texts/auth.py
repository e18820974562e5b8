"""Login, logout and password texts."""

LOGIN_TITLE = "登录"
USERNAME = "用户名"
PASSWORD = "密码"
LOGIN_BUTTON = "登录"
LOGOUT_BUTTON = "退出登录"
# One answer for a wrong password, an unknown name and a locked account: the answer must not
# tell an outsider which accounts exist or are locked.
LOGIN_FAILED = (
    "用户名或密码不正确，或账号因连续登录失败已被临时锁定（{minutes} 分钟后自动解锁）。"
    "请核对后再试，或联系系统管理员。"
)
SESSION_EXPIRED = "登录已超时或已退出，请重新登录。"
DEMO_NOTICE = "这是演示系统，数据均为模拟生成。演示账号（密码均为 {password}）："
# Each demo account: its role and the part of the city it answers for, in Chinese.
DEMO_ACCOUNTS = {
    "admin": ("系统管理员", "全市"),
    "reviewer": ("机关工委审核员（即全市审核员 city_reviewer）", "全市"),
    "leader": ("领导（查看排名与总览）", "全市"),
    "keqiao_admin": ("地区管理员（本地区账号、组织、业绩等次、公示）", "柯桥区机关工委"),
    "keqiao_reviewer": ("地区审核员", "柯桥区机关工委"),
    "keqiao_leader": ("地区领导", "柯桥区机关工委"),
    "branch01": ("党支部书记（支部一）", "本支部"),
    "branch02": ("党支部书记（支部二）", "本支部"),
    "dept01": ("机关党委（部门党委，初审支部一所在部门）", "本部门"),
}
DEMO_ROLE = "身份"
DEMO_SCOPE = "范围"
LOGIN_TO_CONTINUE = "请先登录，登录后将打开您要访问的页面。"
NO_ACCESS_TITLE = "无法打开“{page}”"
NO_ACCESS_TEXT = "您的账号没有权限访问此页面。如确需访问，请联系系统管理员。"
NO_ACCESS_HOME = "返回{page}"
NOT_FOUND_TITLE = "没有这个页面"
NOT_FOUND_TEXT = "本系统没有“/{path}”这个页面，请检查地址，或从左侧菜单进入。"
NOT_FOUND_LOGIN = "本系统没有“/{path}”这个页面。登录后将进入您的首页。"
SIGNED_IN_AS = "当前用户：{name}（{role}）"
SIGNED_IN_AS_ROLE_ONLY = "当前用户：{role}"
SIGNED_IN_AS_NAME_ONLY = "当前用户：{name}"

PW_TOO_SHORT = "密码至少需要 {n} 个字符。"
PW_COMMON = "该密码过于常见，容易被猜中，请换一个。"
PW_SAME_AS_USERNAME = "密码不能与用户名相同或包含用户名。"
PW_WRONG_CURRENT = "当前密码不正确。"
PW_ONE_CHARACTER = "密码不能全部由同一个字符组成。"
PW_SEQUENCE = (
    "密码不能只由键盘顺序、数字或字母顺序或简单重复组成"
    "（如 qwer1234、abc123456、1qaz2wsx、121212）。"
)
LOGIN_THROTTLED = "登录尝试过于频繁，请稍等一分钟后再试。"
EVIDENCE_REFUSED = "无权下载该佐证材料：请先登录，并确认该材料属于您有权查看的组织。"
EVIDENCE_NOT_FOUND = "该佐证材料不存在或已被删除。"

# An unknown login name in the audit log, masked (people type passwords into that box).
MASKED_USERNAME = "{start}***（{n} 个字符）"
ERR_UNKNOWN_ROLE = "未知角色：{role}"
ERR_USERNAME_EXISTS = "用户名 {username} 已存在。"
PREPARING_DATABASE = "正在准备数据库…"

# Single sign-on (统一身份认证, OpenID Connect).
SSO_BUTTON = "统一身份认证登录"
SSO_OR = "或使用本单位统一身份认证账号登录："
SSO_UNKNOWN = (
    "统一身份认证已确认您的身份，但本系统中没有与之对应的账号，无法登录。"
    "请联系系统管理员为您开通账号（开通后即可用统一身份认证登录）。"
)
SSO_DISABLED = "您在本系统中的账号已被停用，无法登录。如有疑问，请联系系统管理员。"
SSO_PENDING = "您的账号已登记，正在等待管理员审核；审核通过后即可用统一身份认证登录。"
SSO_REGISTERED = (
    "已为您登记本系统账号（党支部书记），正在等待管理员审核；"
    "审核通过并确定所在党组织后即可用统一身份认证登录。"
)
SSO_FAILED = (
    "统一身份认证登录未完成：认证服务没有返回有效的身份信息，或登录已取消、已超时。"
    "请再点一次“统一身份认证登录”；多次失败请联系系统管理员。"
)
PASSWORD_ADMINS_ONLY = (
    "本系统已启用统一身份认证：用户名和密码登录仅限系统管理员，"
    "其他用户请点击下方“统一身份认证登录”。"
)
# Refused configurations (settings.py), said at start-up.
OIDC_INCOMPLETE = (
    "统一身份认证须同时设置 OIDC_ISSUER、OIDC_CLIENT_ID 和 OIDC_CLIENT_SECRET（或三项都不设置）。"
)
OIDC_BAD_ISSUER = (
    "OIDC_ISSUER 须是以 http:// 或 https:// 开头的认证服务地址"
    "（如 https://认证服务器/realms/域名）。"
)
OIDC_NO_REDIRECT = (
    "启用统一身份认证时须设置 OIDC_REDIRECT_URI（本系统地址加 /oauth2callback，"
    "如 https://内网域名/oauth2callback），或设置 PUBLIC_URL 由系统推算。"
)
OIDC_NEEDED_FOR_ADMINS_ONLY = (
    "PASSWORD_LOGIN_ADMINS_ONLY=1 须同时启用统一身份认证（OIDC_ISSUER 等），"
    "否则除管理员外无人能登录。"
)
