"""Texts of 管理, imports, 审计日志 and 修改密码 (service messages and screens)."""

# ============================================================================= service messages
# ---- years
ERR_YEAR_RANGE = "年度应在 2000 到 2100 之间。"
ERR_YEAR_EXISTS = "{year} 年度已经存在。"
ERR_DEADLINE_YEAR = "截止日期应在 {year} 年或次年之内。"
ERR_COPY_SOURCE = "要复制评价细则的年度不存在。"
ERR_YEAR_STATUS_TARGET = "年度只能设为“进行中”或“已截止”；公示和定档请在“公示”页面操作。"
ERR_YEAR_STATUS = "{year} 年度当前为“{status}”，不能再开放或截止。"

# ---- organisations
ERR_ORG_CODE_EMPTY = "编码不能为空"
ERR_ORG_CODE = "编码“{code}”格式不正确（只能用字母、数字、点、横线、下划线，最多 32 位）"
ERR_ORG_CODE_TAKEN = "编码“{code}”已被其他组织使用"
ERR_ORG_NAME_EMPTY = "名称不能为空"
ERR_ORG_NAME_LONG = "名称不能超过 120 个字"
ERR_ORG_TYPE_EMPTY = "类型不能为空"
ERR_ORG_TYPE = "类型“{value}”无法识别（可填：{allowed}）"
ERR_ORG_TYPE_CHANGE = "部门与党组织之间不能互相转换类型；如需调整，请新建组织后停用原组织"
ERR_REGION_EMPTY = "地区不能为空"
ERR_REGION = "地区“{value}”无法识别（可填：{allowed}）"
ERR_DEPT_PARENT = "部门是最上级，不能填写上级编码"
ERR_PARENT_REQUIRED = "机关党委、党总支、党支部必须填写上级编码（所属部门或上级党组织）"
ERR_PARENT_UNKNOWN = "上级编码“{code}”不存在（既不在文件中，也不在系统中）"
ERR_PARENT_BRANCH = "上级“{code}”是党支部，党支部下不能再设组织"
ERR_PARENT_CYCLE = "“{code}”的上级关系形成了循环（上级不能是自己或自己的下级）"
ERR_COUNT = "{what}“{value}”应为 0 到 {max} 之间的整数"
ERR_DEACTIVATE_CHILDREN = "“{code}”下还有启用中的下级组织，请先停用或调整下级组织"
ERR_DEACTIVATE_USERS = "“{code}”还有 {n} 个启用中的账号，请先停用这些账号或改到其他组织"
ERR_ORG_UNKNOWN = "组织编码“{code}”在系统中不存在"
COL_MEMBERS = "党员人数"
COL_STAFF = "在编人数"
ORG_TYPE_ALIASES = {
    "党委": "party_committee",
    "总支": "general_branch",
    "支部": "branch",
    "机关党支部": "branch",
    "党总支部": "general_branch",
    "单位": "department",
}

# ---- users
ERR_USERNAME_EMPTY = "用户名不能为空"
ERR_USERNAME = "用户名“{value}”格式不正确（2～64 位字母、数字或 . _ - @，以字母或数字开头）"
ERR_USERNAME_TAKEN = "用户名“{value}”已存在"
ERR_DISPLAY_NAME_LONG = "姓名不能超过 64 个字"
ERR_EMAIL = "电子邮箱“{value}”格式不正确：应为“用户名@单位邮件域名”的形式，只填一个地址"
ERR_EMAIL_LONG = "电子邮箱不能超过 {n} 个字符"
ERR_ROLE_EMPTY = "角色不能为空"
ERR_ROLE = "角色“{value}”无法识别（可填：{allowed}）"
ERR_BRANCH_NEEDS_ORG = "支部书记账号必须指定所属党组织"
ERR_USER_ORG = "所选组织不是启用中的机关党委、党总支或党支部"
ERR_USER_ORG_CODE = "组织“{code}”不是启用中的机关党委、党总支或党支部"
ERR_OWN_ROLE = "不能取消自己的管理员角色，以免系统无人管理"
ERR_DISABLE_SELF = "不能停用自己的账号"
ERR_LAST_ADMIN = "这是最后一个启用中的管理员账号，不能停用"
ERR_USER_STALE = "保存未成功：在您打开本页后，其他人修改了这个账号。请刷新后重试。"
SCOPE_CITY = "全市"
ERR_QUOTA_MODE = "双优名额的计算方式只能是“全市统一计算”或“按地区分别计算”"
ERR_QUOTA_CONFIRMED = "{year} 年度的双优名单已确认或已公示，名额计算方式不能再修改"
ERR_OUT_OF_SCOPE = "超出本账号的管理范围"
ERR_ORG_OUT_OF_SCOPE = "组织“{code}”超出本账号的管理范围"
ERR_SCOPE_BOTH = "账号范围只能是一个地区或一个部门，不能同时选择"
ERR_SCOPE_REGION = "地区“{value}”不存在"
ERR_SCOPE_DEPARTMENT = "所选部门不是启用中的部门"
ERR_SCOPE_DEPARTMENT_ROLE = "机关党委账号必须在“账号范围：部门”中选择所属部门"
ROLE_ALIASES = {
    "支部": "branch",
    "书记": "branch",
    "审核员": "reviewer",
    "机关工委": "reviewer",
    "部门党委": "department",
    "机关党委（部门党委）": "department",  # the role's name before 2026-12
    "领导小组": "leader",
    "管理员": "admin",
}

# ---- rubric
ERR_RUBRIC_INVALID = "评价细则文件有误：{error}"
ERR_RUBRIC_REMOVE_SCORED = "细则 {code} 已有 {n} 个组织打分、{files} 份佐证材料，不能删除"
ERR_RUBRIC_MOVE_SCORED = "细则 {code} 已有 {n} 个组织打分，不能改变其类型或所属星级"
ERR_RUBRIC_MAX_BELOW = "细则 {code} 的分值不能改为 {max} 分：已有组织得到 {top} 分"
ERR_RUBRIC_PUBLISHED = "{year} 年度的结果已发布公示，评价细则不能再修改"
ERR_RUBRIC_MEANING = (
    "细则 {code} 的名称或评价标准改变了，但已有 {n} 个组织按原细则打分、{files} 份佐证材料"
    "（{names}）。若仍是同一条细则，请在该条加“previous_code: {code}”（原编号）保留分数；"
    "若已是另一条细则，请勾选“确认清除这些细则的已有分数”后再替换"
)
ERR_RUBRIC_PREVIOUS_UNKNOWN = "细则 {code} 的原编号 {previous} 在当前细则中不存在"
AND_MORE = "等"
YES = "是"
NO = "否"
RUBRIC_FIELD_NAMES = {
    "code": "编号",
    "kind": "类型",
    "star": "所属星级",
    "task_no": "任务序号",
    "task_title": "所属任务",
    "title": "名称",
    "standard": "评价标准",
    "deduction_rule": "扣分（加分）办法",
    "max_points": "分值",
    "evidence": "佐证材料",
    "check_method": "考核方式",
    "evidence_required": "是否需佐证",
    "auto_unit": "自动计分单位",
    "auto_label": "自动计分填报项",
    "auto_minimum": "自动计分下限",
    "auto_maximum": "自动计分上限",
    "auto_step": "自动计分步长",
    "auto_per_step": "自动计分每步扣分",
}

# ---- imports
IMPORT_REJECTED = "文件中有 {n} 处问题，未导入任何数据。请按下列提示修改后重新上传："
ROW_ERROR = "第 {line} 行：{reasons}"
ERR_DUPLICATE_ROW = "“{value}”与第 {first} 行重复"
ERR_ENCODING = (
    "无法识别文件编码。请在 Excel 中“另存为”Excel 工作簿（.xlsx）或 CSV（UTF-8）后重新上传。"
)
ERR_XLS = "不支持旧版 Excel 文件（.xls）。请在 Excel 或 WPS 中“另存为”.xlsx 格式后重新上传。"
ERR_XLSX = "无法读取这个 Excel 文件，它可能已损坏或不是 .xlsx 格式。"
ERR_XLSX_EXPANDS = (
    "这个 Excel 文件解压后超过 {mb} MB，可能是异常文件，未导入。"
    "请只保留需要导入的工作表和数据后重新保存，再导入。"
)
ERR_FILE_TYPE = "只能导入 Excel 工作簿（.xlsx）或 CSV 文件（.csv）。"
ERR_FILE_TOO_LARGE = "文件超过 {mb} MB，请拆分后分批导入。"
ERR_TOO_MANY_ROWS = "文件超过 {n} 行，请拆分后分批导入。"
ERR_NO_ROWS = "文件中没有数据行（第一行应为表头，从第二行起为数据）。"
ERR_MISSING_COLUMNS = (
    "文件缺少必填列：{missing}。第一行应为表头，包含：{expected}。可下载模板对照。"
)
ERR_GRADE = "业绩等次“{value}”无法识别（可填：{allowed}）"
ERR_GRADE_YEAR = "年度“{value}”不正确（应为 2000 到 2100 之间的年份，如 2024）"
ERR_GRADE_FROZEN = "{year} 年度结果已定档，业绩等次不能再修改"
ERR_GRADE_NOT_EVALUATED = "“{code}”是部门，不参加评定，无需业绩等次"
ERR_GRADE_NAME_MISMATCH = (
    "组织名称“{name}”与组织编码“{code}”不符（该编码在系统中是“{actual}”），"
    "请核对这一行的编码和名称，以免把等次记到别的组织"
)
GRADE_ALIASES = {
    "优": "优秀",
    "良": "良好",
    "中": "一般",
    "差": "较差",
    "合格": "一般",
    "不合格": "较差",
}

HELP_ORG_CODE = "组织的唯一编码，如 B0010001。已存在的编码会更新该组织，新编码会新建组织。"
HELP_ORG_NAME = "组织全称，如 中共市示例局第一党支部。"
HELP_ORG_TYPE = "部门、机关党委、党总支 或 党支部。"
HELP_REGION = "市直、越城区、柯桥区、上虞区、诸暨市、嵊州市、新昌县 之一。"
HELP_PARENT = "上级组织（部门或上级党组织）的编码；部门不填。可以是文件中其他行的编码。"
HELP_MEMBERS = "党员人数，整数，可不填。"
HELP_STAFF = "在编人数，整数，可不填。"
HELP_USERNAME = "登录用的用户名：字母、数字或 . _ - @，如 zhang.san。"
HELP_DISPLAY_NAME = "显示的姓名或称谓，如 支部书记 张三。"
HELP_ROLE = "支部书记、机关工委审核员、领导 或 系统管理员。"
HELP_USER_ORG = "支部书记必填：所属党组织的编码；其他角色不填。"
HELP_PASSWORD = "至少 8 位，不能是常见密码，不能包含用户名。不填则由系统生成，导入后可下载一次。"
HELP_GRADE_ORG = "党组织编码。"
HELP_GRADE_NAME = "党组织名称，仅供核对，可不填。"
HELP_YEAR = "年度，如 2024。"
HELP_GRADE = "优秀、良好、一般 或 较差。"
TEMPLATE_SHEET = "数据"
TEMPLATE_HELP_SHEET = "填写说明"
TEMPLATE_HELP_COLUMN = "列名"
TEMPLATE_HELP_REQUIRED = "必填"
TEMPLATE_HELP_TEXT = "说明"
TEMPLATE_EXAMPLE = "示例（请在“数据”表中填写，从第 2 行开始）："

# ============================================================================= 管理 screen
ADMIN_TITLE = "管理"
TAB_YEARS = "年度"
TAB_ORGS = "组织"
TAB_USERS = "用户"
TAB_RUBRIC = "评价细则"
TAB_GRADES = "业绩等次"

YEAR_LABEL = "{year} 年度"
PROBLEM_COLUMN = "问题"

# ---- years tab
YEARS_INTRO = (
    "每年开始时新建年度（复制上一年的评价细则），设定截止日期；自评结束后截止年度，"
    "再到“公示”页面发布结果。"
)
YEARS_COLUMNS = {
    "year": "年度",
    "status": "状态",
    "deadline": "截止日期",
    "criteria": "细则条数",
    "assessments": "参评组织",
    "submitted": "已提交",
    "quota": "双优名额",
    "rubric_title": "评价细则",
}
QUOTA_MODE = "双优名额计算方式"
QUOTA_MODE_HELP = (
    "文件规定双优“按五星级机关基层党组织总数的 25% 左右”确定：可按全市五星级总数统一计算，"
    "也可按每个地区（市直和各区、县（市））的五星级数分别计算。确认双优名单前可以修改。"
)
SAVE_QUOTA_MODE = "保存名额计算方式"
QUOTA_MODE_SAVED = "双优名额计算方式已保存"
NEW_YEAR_HEADER = "新建年度"
STILL_OPEN = (
    "提示：{years} 年度仍在进行中。新年度建立后，支部默认进入最新的进行中年度；如上一年度已结束，"
    "请先截止。"
)
YEAR_STATUS_NOW = "当前状态：{status}"
NEW_YEAR = "年度"
COPY_FROM = "复制评价细则自"
NEW_DEADLINE = "自评截止日期"
CREATE_YEAR = "新建年度"
YEAR_CREATED = "{year} 年度已建立，已为所有参评组织建立自评表。"
EDIT_YEAR_HEADER = "修改年度"
PICK_YEAR = "选择年度"
DEADLINE = "截止日期（之后支部不能再修改自评）"
NO_DEADLINE = "不设截止日期"
SAVE_DEADLINE = "保存截止日期"
DEADLINE_SAVED = "截止日期已保存。"
OPEN_YEAR = "开放自评"
CLOSE_YEAR = "截止自评"
YEAR_STATUS_SAVED = "{year} 年度已设为“{status}”。"
YEAR_NOT_EDITABLE = "{year} 年度为“{status}”，请在“公示”页面管理。"

# ---- organisations tab
ORGS_INTRO = (
    "部门下设机关党委、党总支和党支部。可逐个编辑，也可用 Excel 批量导入（编码相同的会更新）。"
)
ORG_COLUMNS = {
    "code": "编码",
    "name": "名称",
    "org_type_name": "类型",
    "region": "地区",
    "parent_name": "上级组织",
    "department": "所属部门",
    "member_count": "党员人数",
    "staff_count": "在编人数",
    "active_name": "状态",
    "users": "账号数",
}
ORG_FILTER = "按名称或编码筛选"
ORG_SHOW_INACTIVE = "显示已停用的组织"
ORG_ACTIVE = "启用"
ORG_INACTIVE = "已停用"
ORG_EDIT_HEADER = "新建或修改组织"
ORG_PICK = "选择要修改的组织（留空为新建）"
ORG_NEW = "（新建组织）"
ORG_CODE = "编码"
ORG_NAME = "名称"
ORG_TYPE = "类型"
ORG_REGION = "地区"
ORG_PARENT = "上级组织"
ORG_NO_PARENT = "（无，部门为最上级）"
ORG_MEMBERS = "党员人数"
ORG_STAFF = "在编人数"
ORG_IS_ACTIVE = "启用（停用后不再参加评定，历史数据保留）"
ORG_SAVE = "保存组织"
ORG_SAVED = "组织“{name}”已保存。"
ORG_EXPORT = "导出全部组织（Excel，可修改后导回）"

# ---- users tab
USERS_INTRO = "为每个党组织的支部书记建立账号；账号停用后立即退出登录。忘记密码时在这里重设。"
USER_COLUMNS = {
    "username": "用户名",
    "display_name": "姓名",
    "role_name": "角色",
    "org_name": "所属组织",
    "scope_name": "账号范围",
    "email": "电子邮箱",
    "state": "状态",
    "password_changed_at": "最近改密时间",
}
USER_FILTER = "按用户名、姓名或组织筛选"
USER_STATE_ACTIVE = "正常"
USER_STATE_DISABLED = "已停用"
USER_STATE_LOCKED = "已锁定"
USER_NEW_HEADER = "新建账号"
USERNAME = "用户名"
DISPLAY_NAME = "姓名"
ROLE = "角色"
USER_ORG = "所属党组织（支部书记必选）"
USER_ORG_NONE = "（不属于某个党组织）"
USER_SCOPE_REGION = "账号范围：地区（审核员、领导、管理员）"
USER_SCOPE_DEPARTMENT = "账号范围：部门（选定后只管该部门）"
USER_SCOPE_NO_DEPARTMENT = "（不限于某个部门）"
USER_EMAIL = "电子邮箱（接收提醒，可留空）"
USER_SCOPE_HELP = (
    "审核员、领导和管理员只能看到和处理本范围内的组织；支部书记账号不用选，只对应所属党组织。"
)
INITIAL_PASSWORD = "初始密码"
GENERATE = "生成随机密码"
GENERATED = "随机密码：{password}（请记下并告知本人，本页刷新后不再显示）"
CREATE_USER = "新建账号"
USER_CREATED = "账号 {username} 已建立。"
USER_EDIT_HEADER = "修改账号"
USER_PICK = "选择账号"
SAVE_USER = "保存修改"
USER_SAVED = "账号已保存。"
RESET_HEADER = "重设密码"
NEW_PASSWORD = "新密码"
RESET_BUTTON = "重设密码"
RESET_DONE = "{username} 的密码已重设，原有登录已全部退出。请把新密码告知本人，并提醒其登录后修改。"
DISABLE = "停用账号"
ENABLE = "重新启用"
DISABLED = "{username} 已停用，其登录已立即失效。"
ENABLED = "{username} 已重新启用。"
UNLOCK = "解除锁定"
LOCKED_LIST = (
    "以下账号因连续登录失败被临时锁定：{names}。如确认是本人操作，"
    "可在右侧“修改账号”中选中后解除锁定。"
)
UNLOCKED = "{username} 已解除锁定。"
LOCKED_UNTIL = "因连续登录失败，账号锁定至 {until}"
# {n}: db.services.auth.MIN_PASSWORD_LENGTH, the rule itself.
PASSWORD_RULES = (
    "密码规则：至少 {n} 个字符；不能是常见密码（如 1234567890、woaini1314）；不能包含用户名。"
)

# ---- rubric tab
RUBRIC_INTRO = (
    "评价细则以 YAML 文本文件保存。先下载当前年度的细则，修改后上传；系统先检查，确认无误后再替换。"
    "已有打分的年度：已打分的细则不能删除、不能改变所属星级，分值不能低于已给出的分数。"
)
RUBRIC_DOWNLOAD = "下载 {year} 年度评价细则"
RUBRIC_UPLOAD = "上传修改后的评价细则（.yaml）"
RUBRIC_CHECK_OK = "检查通过。"
RUBRIC_REFUSED = "不能替换：新细则会使已给出的分数失效。"
RUBRIC_NO_CHANGE = "上传的细则与当前细则相同，无需替换。"
RUBRIC_ADDED = "新增细则：{codes}"
RUBRIC_REMOVED = "删除细则：{codes}"
RUBRIC_CHANGED = "修改细则：{codes}"
RUBRIC_HEADER_CHANGED = "标题、版本、基本分或评定门槛有变化。"
RUBRIC_DROP_CONFIRM = "确认清除这些细则的已有分数和佐证材料（{codes}），按新含义重新打分"
RUBRIC_DROPPED = "替换后将清除以下细则的已有分数和佐证材料：{codes}"
RUBRIC_POINTS = "自动计分规则有变化：替换后 {n} 个组织的已存得分将按新规则重新计算。"
RUBRIC_POINTS_ROW = "{code}：{before} 分 → {after} 分，{n} 个组织"
RUBRIC_POINTS_DETAIL = "逐个组织查看得分变化"
RUBRIC_POINTS_COLUMNS = {
    "code": "细则",
    "org": "组织",
    "figure": "填报数值",
    "before": "原得分",
    "after": "新得分",
}
RUBRIC_DIFF_TITLE = "细则 {code} 的变化"
RUBRIC_DIFF_FROM = "（原编号 {previous}）"
RUBRIC_DIFF_MEANING = "：名称或评价标准改变，已有分数"
RUBRIC_DIFF_COLUMNS = {"field": "项目", "before": "当前", "after": "上传文件"}
RUBRIC_DIFF_ORGS = "已有 {n} 个组织打分、{files} 份佐证材料：{names}"
RUBRIC_APPLY = "确认替换 {year} 年度评价细则"
RUBRIC_APPLIED = "{year} 年度评价细则已替换。"
RUBRIC_NOT_UTF8 = "文件不是 UTF-8 编码的文本，请用记事本等工具另存为 UTF-8 后重新上传。"
RUBRIC_SUMMARY = (
    "{title}（第 {version} 版）：{criteria} 条细则，加分项 {bonus} 条，扣分项 {deduction} 条，"
    "一票否决项 {veto} 条。"
)
RUBRIC_LOCKED = "{year} 年度已发布公示，评价细则不能再修改。"

# ---- grades tab
GRADES_INTRO = (
    "“双优”评选需要各党组织的年度业绩等次（优秀、良好、一般、较差）。可从 Excel 导入；"
    "逐个修改请到“双优”页面。"
)
GRADES_COLUMNS = {"code": "编码", "name": "党组织", "grade": "业绩等次", "updated_at": "更新时间"}
GRADES_MISSING = "{n} 个党组织尚无 {year} 年度业绩等次。"

# ---- imports (screen)
IMPORT_HEADER = "从 Excel / CSV 导入"
IMPORT_UPLOAD = "选择文件（.xlsx 或 .csv）"
IMPORT_BUTTON = "导入"
IMPORT_DONE = "导入完成：新增 {created} 条，更新 {updated} 条，未变化 {unchanged} 条。"
IMPORT_HELP = (
    "整份文件要么全部导入，要么一条也不导入：有任何一行不符合要求，系统会列出所有问题行，"
    "请改好后重新上传。"
)
TEMPLATE_XLSX = "下载 Excel 模板"
TEMPLATE_CSV = "下载 CSV 模板"
GENERATED_PASSWORDS = "以下账号的初始密码由系统生成，只显示这一次，请下载后妥善转交本人："
GENERATED_DOWNLOAD = "下载初始密码清单"
GENERATED_COLUMNS = ("用户名", "初始密码")
GENERATED_DONE = "已下载，清除"
TEMPLATE_NAMES = {
    "organisations": "组织导入模板",
    "users": "账号导入模板",
    "grades": "业绩等次导入模板",
    "members": "党员名册导入模板",
}

# ============================================================================= 审计日志
AUDIT_TITLE = "审计日志"
AUDIT_INTRO = (
    "记录所有登录、失败登录、越权访问、数据修改（修改前 → 修改后）、审核决定、公示和导入。"
    "时间为北京时间。"
)
ERR_AUDIT_DATES = "起始日期不能晚于结束日期。"
AUDIT_FROM = "起始日期"
AUDIT_TO = "结束日期"
AUDIT_ACTIONS = "事件类型"
ALL_ACTIONS = "全部事件"
AUDIT_ACTOR = "操作人（用户名）"
AUDIT_TEXT = "详情包含"
AUDIT_LIMIT = "显示条数"
AUDIT_COUNT = "共 {total} 条，显示最近 {shown} 条。"
AUDIT_EMPTY = "没有符合条件的记录。"
AUDIT_EXPORT_CSV = "导出 CSV"
AUDIT_EXPORT_XLSX = "导出 Excel"
AUDIT_COLUMNS = {
    "at": "时间",
    "actor_name": "操作人",
    "action_name": "事件",
    "sentence": "经过",
}
AUDIT_SHEET = "审计日志"
ACTION_NAMES = {
    "login": "登录",
    "logout": "退出登录",
    "login_failed": "登录失败",
    "login_refused_locked": "账号锁定中登录被拒",
    "login_refused_sso_only": "密码登录被拒（须用统一身份认证）",
    "sso_refused": "统一身份认证登录被拒",
    "sso_registered": "统一身份认证登记账号",
    "registration_approved": "批准登记的账号",
    "registration_rejected": "拒绝登记的账号",
    "access_denied": "越权访问被拒绝",
    "password_changed": "修改密码",
    "password_change_failed": "修改密码失败（当前密码错误）",
    "password_reset": "管理员重设密码",
    "email_changed": "修改提醒邮箱",
    "robot_set": "设置工作群机器人",
    "robot_removed": "删除工作群机器人",
    "user_created": "新建账号",
    "user_changed": "修改账号",
    "user_disabled": "停用账号",
    "user_enabled": "启用账号",
    "user_unlocked": "解除锁定",
    "organisation_created": "新建组织",
    "organisation_changed": "修改组织",
    "year_created": "新建年度",
    "year_status_changed": "开放/截止年度",
    "deadline_changed": "修改截止日期",
    "excellence_quota_changed": "修改双优名额计算方式",
    "region_published": "发布本地区公示",
    "rubric_imported": "替换评价细则",
    "rubric_points_recomputed": "按新细则重算自动计分",
    "import_organisations": "导入组织",
    "import_users": "导入账号",
    "import_grades": "导入业绩等次",
    "import_rejected": "导入被拒绝（文件有误）",
    "review_saved": "保存审核意见",
    "review_returned": "退回测评",
    "review_approved": "审核通过",
    "review_corrected": "公示期更正审核分",
    "publication_published": "发布公示",
    "publication_finalized": "公示定档",
    "objection_recorded": "登记异议",
    "objection_resolved": "处理异议",
    "audit_exported": "导出审计日志",
    "vanguard_round_opened": "开启先锋指数评价",
    "vanguard_round_closed": "结束先锋指数评价",
    "vanguard_sheet_saved": "录入先锋指数",
    "member_added": "新增党员",
    "member_changed": "修改党员名册",
    "import_members": "导入党员名册",
}
TARGET_NAMES = {
    "user": "账号",
    "organisation": "组织",
    "cycle": "年度",
    "assessment": "测评",
    "objection": "异议",
    "organisations": "组织",
    "users": "账号",
    "grades": "业绩等次",
    "vanguard_round": "先锋指数评价轮次",
    "members": "党员名册",
    "party_member": "党员",
    "region_robot": "工作群机器人",
}
SYSTEM_ACTOR = "（系统）"

# ============================================================================= 修改密码
ACCOUNT_TITLE = "我的账号"
PASSWORD_HEADER = "修改密码"
ACCOUNT_INTRO = "为了账号安全，请定期修改密码，不要与他人共用账号。"
ACCOUNT_USER = "当前账号：{username}（{role}）"
CURRENT_PASSWORD = "当前密码"
NEW_PASSWORD_AGAIN = "再次输入新密码"
CHANGE_BUTTON = "修改密码"
MISMATCH = "两次输入的新密码不一致。"
CHANGED = "密码已修改。下次登录请使用新密码。"
EMAIL_HEADER = "提醒邮箱"
EMAIL_INTRO = (
    "截止日期前的提醒、待审提醒和催报除在本系统中显示外，还会发到这个邮箱（系统配置了邮件服务时）。"
    "留空则只在系统中提醒。"
)
EMAIL = "电子邮箱"
EMAIL_SAVE = "保存邮箱"
EMAIL_SAVED = "提醒邮箱已保存：{email}"
EMAIL_CLEARED = "已清除提醒邮箱，今后只在系统中提醒。"

# ---------------------------------------------------------------- rubric in the browser
RUBRIC_UPLOAD_HINT = "YAML 文本文件（.yaml / .yml），UTF-8 编码；上传后先检查，确认无误后再替换。"
RUBRIC_EDIT_HEADER = "在浏览器中修改评价细则"
RUBRIC_EDIT_INTRO = (
    "每颗星一张表，可直接修改、增加或删除细则（选中行后按删除键）。自动计分的细则填写单位、"
    "填报项和上下限；其余细则这几列留空。修改后系统按与文件相同的规则检查，"
    "保存为本年度评价细则的新版本；也可以下载 YAML 文件修改后上传。"
)
RUBRIC_EDIT_NOT_OPEN = "{year} 年度不在填报期，不能在浏览器中修改评价细则。"
RUBRIC_EDIT_SCORED = (
    "{year} 年度已有 {n} 项评分，不能再在浏览器中修改评价细则；"
    "如确需修改，请下载 YAML 文件修改后上传（已打分的细则受保护）。"
)
RUBRIC_EDIT_BASE = "{star}基本分（等于本星细则分值合计）"
RUBRIC_EDIT_OTHER = "加分、扣分、否决"
RUBRIC_EDIT_INVALID = "评价细则有误：{error}"
RUBRIC_EDIT_UNCHANGED = "尚未修改。"
RUBRIC_EDIT_SAVE = "保存为 {year} 年度评价细则第 {version} 版"
RUBRIC_EDIT_KINDS = {"bonus": "加分项", "deduction": "扣分项", "veto": "一票否决"}
RUBRIC_EDIT_COLUMNS = {
    "kind": "类别",
    "code": "编号",
    "task_no": "任务序号",
    "task_title": "任务名称",
    "title": "细则名称",
    "standard": "评价标准",
    "deduction_rule": "扣分/加分办法",
    "max_points": "分值",
    "evidence": "佐证材料",
    "evidence_required": "须传佐证",
    "check_method": "考核方式",
    "auto_unit": "自动计分：单位",
    "auto_label": "自动计分：填报项",
    "auto_minimum": "下限",
    "auto_maximum": "上限",
    "auto_step": "步长",
    "auto_per_step": "每步扣分",
}

# The audit log download (db/services/audit.py export_audit), one header per column.
AUDIT_EXPORT_HEADERS = (
    "时间（北京时间）",
    "时间（UTC）",
    "操作人",
    "事件",
    "事件代码",
    "对象类型",
    "对象编号",
    "说明",
    "原始记录",
)
AUDIT_EXPORT_CSV_NAME = "审计日志.csv"
AUDIT_EXPORT_XLSX_NAME = "审计日志.xlsx"
PASSWORDS_FILE_NAME = "初始密码.csv"
ORGANISATIONS_FILE_NAME = "组织.xlsx"
RUBRIC_FILE_NAME = "评价细则-{year}.yaml"
# Grades import: the year column's names, and what may follow the digits of a year.
YEAR_COLUMN_NAMES = ("年度", "年份")
YEAR_SUFFIXES = ("年度", "年")

# Import layouts (db/services/imports.py COLUMNS): per kind and column key, the header a
# template shows and the other names a column is recognised by.
IMPORT_COLUMN_NAMES: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "organisations": {
        "code": ("编码", ("组织编码", "代码", "code")),
        "name": ("名称", ("组织名称", "党组织名称", "name")),
        "org_type": ("类型", ("组织类型", "type")),
        "region": ("地区", ("区域", "所属地区", "所属区域", "region")),
        "parent_code": ("上级编码", ("上级组织编码", "parent")),
        "member_count": ("党员人数", ("党员数", "members")),
        "staff_count": ("在编人数", ("职工人数", "staff")),
    },
    "users": {
        "username": ("用户名", ("账号", "登录名", "username")),
        "display_name": ("姓名", ("显示名称", "name")),
        "role": ("角色", ("role",)),
        "org_code": ("组织编码", ("所属组织编码", "编码", "org")),
        "password": ("初始密码", ("密码", "password")),
    },
    "grades": {
        "org_code": ("组织编码", ("编码", "代码", "org")),
        "org_name": ("组织名称", ("名称", "党组织", "name")),
        "year": ("年度", ("年份", "year")),
        "grade": ("业绩等次", ("等次", "业绩", "grade")),
    },
    "members": {
        "org_code": ("组织编码", ("编码", "党组织编码", "org")),
        "name": ("姓名", ("党员姓名", "name")),
        "service": ("在职或离退休", ("在职/离退休", "人员类别")),
        "status": ("党员类别", ("正式/预备", "status")),
        "joined_on": ("入党日期", ("入党时间", "joined")),
    },
}
# The parts of a Chinese date (2001年7月1日) an import reads as separators.
DATE_PARTS = ("年", "月", "日")

# Example rows of the import templates ({year}: the current year).
TEMPLATE_EXAMPLES: dict[str, list[list[str]]] = {
    "organisations": [
        ["D00100", "市示例局", "部门", "市直", "", "", "120"],
        ["P00100", "中共市示例局机关委员会", "机关党委", "市直", "D00100", "86", ""],
        ["B0010001", "中共市示例局第一党支部", "党支部", "市直", "P00100", "15", ""],
    ],
    "users": [
        ["zhang.san", "支部书记 张三", "支部书记", "B0010001", ""],
        ["li.si", "审核员 李四", "机关工委审核员", "", ""],
    ],
    "grades": [["B0010001", "中共市示例局第一党支部", "{year}", "优秀"]],
    "members": [
        ["B0010001", "张三", "在职", "正式党员", "2001-07-01"],
        ["B0010001", "李四", "离退休", "正式党员", "1978-10-01"],
    ],
}

# Accounts registered through single sign-on (OIDC_SELF_REGISTRATION), 管理 → 用户.
REGISTRATIONS_WAITING = "有 {n} 个通过统一身份认证登记的账号等待审核。"
REGISTRATIONS_TITLE = "待审核的登记账号"
REGISTRATIONS_INTRO = (
    "这些账号由本人通过统一身份认证首次登录时登记，身份为党支部书记。"
    "核实身份后选择其所在党组织并批准，账号即可登录；拒绝后账号保持停用。"
)
REGISTRATION_USERNAME = "用户名"
REGISTRATION_NAME = "姓名"
REGISTRATION_AT = "登记时间"
REGISTRATION_PICK = "登记的账号"
REGISTRATION_ORG = "所在党组织"
REGISTRATION_ORG_PLACEHOLDER = "请选择所在党组织"
REGISTRATION_APPROVE = "批准"
REGISTRATION_REJECT = "拒绝"
REGISTRATION_NEEDS_ORG = "批准前请选择该账号所在的党组织。"
REGISTRATION_APPROVED = "已批准账号 {username}，该账号现在可以用统一身份认证登录。"
REGISTRATION_REJECTED = "已拒绝账号 {username}，该账号保持停用。"
ERR_REGISTRATION_GONE = "该账号已不在等待审核（可能已由其他管理员处理），请刷新后重试。"
ERR_APPROVE_FIRST = (
    "该账号由统一身份认证登记，正在等待审核："
    "请在本页顶部“待审核的登记账号”中选择其所在党组织并批准。"
)
