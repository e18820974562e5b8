"""Texts of the roster (党员名册) and the 先锋指数 rounds (service messages and screens)."""

# ============================================================================= service messages
ERR_ROUND_HALF = "半年度只能是上半年（1）或下半年（2）。"
ERR_ROUND_YEAR = "{year} 年度不存在，请先在“年度”中新建该年度。"
ERR_ROUND_EXISTS = "{year} 年{half}的先锋指数评价已经开启过。"
ERR_ROUND_NOT_FOUND = "该先锋指数评价轮次不存在。"
ERR_ROUND_NO_RULES = "{year} 年度的评价细则中没有先锋指数（vanguard）部分，无法开启评价。"
ERR_ROUND_CLOSED = "{round}已结束，不能再修改。"
ERR_ROUND_ALREADY_CLOSED = "{round}已经结束。"

ERR_MEMBER_NOT_FOUND = "该党员不存在。"
ERR_NAME_EMPTY = "姓名不能为空"
ERR_NAME_LONG = "姓名不能超过 {n} 个字"
ERR_SERVICE = "在职或离退休“{value}”无法识别（可填：{allowed}）"
ERR_STATUS = "党员类别“{value}”无法识别（可填：{allowed}）"
ERR_JOINED_EMPTY = "入党日期不能为空"
ERR_JOINED = "入党日期“{value}”无法识别（请写成 2001-07-01 这样的日期）"
ERR_JOINED_RANGE = "入党日期 {value} 应在 1921-07-01 与今天之间"
ERR_ACTIVE = "是否在册“{value}”无法识别（可填：是、否）"
ERR_MEMBER_ORG = "该党员不属于本组织。"

HALF_NAMES = {1: "上半年", 2: "下半年"}
ROUND_LABEL = "{year} 年{half}先锋指数评价"
ROUND_STATUS_NAMES = {"open": "进行中", "closed": "已结束"}
SERVICE_NAMES = {"in_service": "在职", "retired": "离退休"}
STATUS_NAMES = {"full": "正式党员", "probationary": "预备党员"}
# What an import or a form may write for each value, besides the names above.
SERVICE_ALIASES = {"在职党员": "in_service", "离休": "retired", "退休": "retired"}
STATUS_ALIASES = {"正式": "full", "预备": "probationary"}
YES = ("是", "在册", "启用", "1", "true", "yes")
NO = ("否", "不在册", "停用", "转出", "0", "false", "no")

ERR_NOT_TAKING_PART = "{name}不参加{round}（离退休党员只参加下半年的评价，或已不在册）。"
ERR_ITEM_UNKNOWN = "先锋指数中没有编号为 {code} 的项目。"
ERR_NO_DECLARE = "{code} {title} 不接受个人申报。"
ERR_VALUE_NUMBER = "{code} {title}：“{value}”不是数字。"
ERR_VALUE_RANGE = "{code} {title}：{value} 应在 0 到 {max} 之间。"
ERR_VALUE_HALF = "{code} {title}：{value} 应为 0.5 的整数倍。"
ERR_ZERO_FLAG = "{code} {title}：清零项只能选择“是”或“否”。"

# ---- roster import (党员名册导入)
HELP_ORG = "党员所在党组织的编码（机关党委、党总支或党支部）。"
HELP_NAME = "党员姓名，最多 50 个字。名册只保存姓名等五项，不填身份证号、手机号等个人信息。"
HELP_SERVICE = "填“在职”或“离退休”。"
HELP_STATUS = "填“正式党员”或“预备党员”（也可写“正式”“预备”）。"
HELP_JOINED = "入党日期，如 2001-07-01。"
ERR_IMPORT_ORG = "组织编码“{code}”不存在或不在你的管理范围内"
ERR_IMPORT_DEPARTMENT = "“{code}”是部门，党员应登记在机关党委、党总支或党支部"
IMPORT_RULE = (
    "文件中出现的每个组织，以文件为准整体更新名册：文件中的党员新增或更新"
    "（按姓名和入党日期对应），该组织名册中不在文件里的党员转为不在册（历次评价记录保留）；"
    "文件中未出现的组织不受影响。任何一行有误，整个文件都不导入。"
)

# ---- demo rosters (db/seed_members.py): generated names, never real people
DEMO_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "魏苏吕丁任沈姚卢"
)
DEMO_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩凯婷雪琳晨欣悦鑫俊峰健"
)
DEMO_RETIRED_BRANCH = "离退休"  # a branch of this name has retired members only

# ============================================================================= screens
ROSTER_TITLE = "党员名册"
ROSTER_INTRO = (
    "名册只记录姓名、在职或离退休、党员类别、入党日期和是否在册五项，"
    "不记录身份证号、手机号、住址等个人信息。党员人数按在册党员自动统计。"
)
ORG_SELECT = "党组织"
NO_ORGS = "没有可以查看的党组织。"
SHOW_INACTIVE = "显示不在册党员"
ROSTER_EMPTY = "名册中还没有党员。"
ROSTER_COUNT = "在册党员 {active} 人（在职 {working} 人，离退休 {retired} 人）"
COLUMNS = {
    "name": "姓名",
    "service": "在职或离退休",
    "status": "党员类别",
    "joined_on": "入党日期",
    "active": "是否在册",
}
IN_ROSTER = {True: "在册", False: "不在册"}
EDIT_HEADER = "新增或修改党员"
EDIT_WHO = "选择党员"
NEW_MEMBER = "（新增党员）"
FIELD_NAME = "姓名"
FIELD_SERVICE = "在职或离退休"
FIELD_STATUS = "党员类别"
FIELD_JOINED = "入党日期"
FIELD_ACTIVE = "在册（取消勾选即转为不在册，历次评价记录保留）"
SAVE_MEMBER = "保存"
MEMBER_SAVED = "已保存 {name}。"
IMPORT_HEADER = "用 Excel 维护名册"
ROSTER_DOWNLOAD = "下载本组织名册（Excel）"
ROSTER_DOWNLOAD_HELP = (
    "下载后可在 Excel 中增删改，再用下方“从 Excel / CSV 导入”上传，名册以文件为准更新。"
)
ROSTER_FILE_NAME = "{name}党员名册.xlsx"

VANGUARD_TITLE = "先锋指数"
VANGUARD_INTRO = (
    "在职党员每年上半年、下半年各评价一次，离退休党员每年下半年评价一次。"
    "指数由基础分、党员互评、加分、扣分组成，清零项一经认定指数为 0；"
    "结果只对本支部、所在部门和有权限的审核人员可见，不对外公开。"
)
ROUND_SELECT = "评价轮次"
NO_ROUNDS = "还没有开启先锋指数评价。"
ROUND_STATE = "{label}（{status}）"
OPEN_HEADER = "开启或结束评价（管理员）"
OPEN_YEAR = "年度"
OPEN_HALF = "半年度"
OPEN_BUTTON = "开启评价"
OPENED = "已开启 {label}。"
CLOSE_BUTTON = "结束本轮评价"
CLOSED = "已结束 {label}，互评结果随之可见。"
SUMMARY = "应评 {taking_part} 人，已完成考评 {evaluated} 人，{passing_grade}及以上 {passing} 人"
RESULT_COLUMNS = {
    "name": "姓名",
    "service": "在职或离退休",
    "base": "基础分",
    "peer": "党员互评",
    "add": "加分",
    "minus": "扣分",
    "total": "先锋指数",
    "grade": "等次",
    "state": "状态",
}
STATE_DONE = "已考评"
STATE_ZEROED = "已清零"
STATE_OPEN = "未完成考评"
PEER_ESTIMATED = "{points}（按基础分折算）"
ENTRY_HEADER = "录入个人申报和支部考评"
ENTRY_WHO = "党员"
ENTRY_DECLARED = "个人申报"
ENTRY_ASSESSED = "支部考评"
ENTRY_NO_DECLARE = "本项不设个人申报，由支部考评。"
ENTRY_ITEM = {
    "base": "基础分，满分 {max}",
    "add": "加分项，最多加 {max} 分",
    "minus": "扣分项，最多扣 {max} 分",
}
ENTRY_ZERO = "{title}（清零项）"
ENTRY_KIND = {"base": "基础分", "add": "加分项", "minus": "扣分项", "zero": "清零项"}
SAVE_SHEET = "保存考评"
SHEET_SAVED = "已保存 {name} 的先锋指数。"
ROUND_READ_ONLY = "本轮评价已结束，只能查看。"

# ---- star pages: a criterion's figure computed from the members' data
FIGURE_FROM = "数据来源：{source}，按{rounds}计算：{parts} = {value}%。"
FIGURE_PARTS = {
    "vanguard_evaluated": "已考评 {numerator} 人次 ÷ 应评 {denominator} 人次",
    "vanguard_passing": "合格及以上 {numerator} 人次 ÷ 已考评 {denominator} 人次",
    "ballot_participation": "已使用投票码 {numerator} 张 ÷ 已发放 {denominator} 张",
}
FIGURE_BRANCH_NOTE = (
    "该数值由系统根据党员名册、先锋指数评价和民主评议投票得出，支部无需填写，保存时自动采用。"
)
FIGURE_REVIEW_NOTE = "该数值由系统计算，支部不能修改；支部保存时的数值见上。"
FIGURE_LINKS = {
    "vanguard_index": "查看先锋指数评价",
    "ballots": "查看民主评议",
}
