"""Texts of 审核 and 公示 (service messages and screens)."""

# ----------------------------------------------------------------------------- service messages
ERR_FROZEN = "{year} 年度的评定结果已公示期满并定档，不能再修改。如确需更正，请联系市直机关工委。"
ERR_NOT_REVIEWABLE = (
    "这份测评当前状态为“{status}”，不能审核。只有已提交（或已审核）的测评才能审核。"
)
ERR_NOT_SUBMITTED_FOR = "这份测评当前状态为“{status}”，不能{action}。"
ERR_UNKNOWN_CODE = "细则编号 {code} 不属于本年度的评价细则。"
ERR_POINTS_NOT_NUMBER = "{code}：审核分“{value}”不是数字，请填写 0 到 {max} 之间的分数。"
ERR_POINTS_RANGE = "{code}：审核分 {value} 超出范围，应在 0 到 {max} 分之间。"
ERR_POINTS_STEP = "{code}：审核分 {value} 不是 0.5 的整数倍。"
ERR_VETO_VALUE = "{code}：一票否决项只能选择“适用”或“不适用”。"
ERR_REASON_REQUIRED = (
    "{code}：审核分（{reviewed}）与支部自评分（{self}）不同，请在审核意见中写明理由。"
)
ERR_DEDUCTION_REASON = "{code}：扣分 {reviewed} 分，请在审核意见中写明扣分理由。"
ERR_VETO_REASON = "{code}：一票否决项适用时，请在审核意见中写明依据。"
ERR_COMMENT_TOO_LONG = "{code}：审核意见不能超过 {n} 个字。"
ERR_RETURN_COMMENT = "退回时请填写退回意见，说明需要支部补充或修改的内容。"
ERR_RETURN_TOO_LONG = "退回意见不能超过 {n} 个字。"
ERR_NOT_AT_FIRST_LEVEL = "这份测评当前状态为“{status}”，不在初审环节，不能{action}。"
FIRST_PASS_ACTION = "初审通过"
FIRST_RETURN_ACTION = "初审退回"
ERR_DEADLINE_ORDER = "初审截止日期不能晚于复核截止日期。"
ERR_UNKNOWN_REGION = "“{region}”不是本市的地区。"

# ----------------------------------------------------------------------------- review screen
REVIEW_TITLE = "审核"
REVIEW_INTRO = (
    "按提交先后审核各党组织的自评。逐条核对自评分、说明和佐证材料；"
    "审核分留空表示认可自评分，改动自评分须写明理由。"
)
YEAR = "年度"
ALL = "全部"
FILTER_STATUS = "状态"
FILTER_REGION = "地区"
FILTER_DEPARTMENT = "所属部门"
FILTER_TYPE = "组织类型"
FILTER_SEARCH = "按名称或编码搜索"
FILTER_CHANGED = "只看审核分与自评分不同的"
# shown: the rows the filters leave; the counts are of every assessment of the year.
QUEUE_CAPTION = (
    "显示 {shown} / {total} 份（待审核 {pending} 份，已审核 {done} 份，已退回 {returned} 份）"
)
QUEUE_EMPTY = "没有符合条件的测评。"
QUEUE_PICK = "选择要审核的党组织（宽屏上也可在上表中点选一行）"
QUEUE_PICK_PLACEHOLDER = "请选择要审核的党组织"
SEARCH_MATCHES = "“{search}”匹配到 {n} 个党组织，请在下拉框中选择要审核的一个。"
BATCH_HEADER = "批量审核通过"
BATCH_HELP = (
    "在上表中勾选多行，或在此选择多份“已提交”的测评，一次审核通过；"
    "每一份仍逐一校验状态和版本并单独记入审计日志，审核分采用支部自评分（已保存的审核分保留）。"
)
BATCH_PICK = "选择要审核通过的测评"
BATCH_ALL = "选中筛选结果中全部待审核的（{n} 份）"
BATCH_BUTTON = "审核通过选中的 {n} 份"
BATCH_CONFIRM_TITLE = "确认批量审核通过"
BATCH_CONFIRM_TEXT = "将审核通过以下 **{n} 份**测评："
BATCH_CONFIRM_NOTE = (
    "审核分采用支部自评分（已保存的审核分保留）；每一份单独校验并记入审计日志。通过后不能在此撤销。"
)
BATCH_CONFIRM_YES = "确认通过 {n} 份"
BATCH_CONFIRM_NO = "取消"
BATCH_NONE_PENDING = "当前筛选结果中没有待审核的测评。"
BATCH_DONE = "已审核通过 {n} 份。"
BATCH_SOME_FAILED = "有 {n} 份未能通过："
BATCH_FAILED_ONE = "{name}：{reason}"
BATCH_UNKNOWN = "测评 {id}"
ERR_BATCH_EMPTY = "请至少选择一份测评。"
ERR_BATCH_TOO_MANY = "一次最多批量审核 {n} 份，请分批进行。"
# The columns of both review queues (初审 and 复核; ui/queue.py says which level shows which).
QUEUE_COLUMNS = {
    "code": "编码",
    "name": "党组织",
    "org_type": "组织类型",
    "region": "地区",
    "status_name": "状态",
    "submitted_at": "提交时间",
    "waiting": "已等待（天）",
    "self_composite": "自评综合分",
    "self_level_name": "自评等级",
    "reviewed_composite": "审核综合分",
    "reviewed_level_name": "审核等级",
    "changed": "改动条数",
    "resubmitted_changes": "上次审核后支部修改",
}

DETAIL_HEADER = "{name}（{code}）"
DETAIL_META = "{department} · {region} · {org_type} · 状态：{status} · 提交时间：{submitted}"
NOT_SUBMITTED_YET = "未提交"
RETURN_HISTORY = "上次退回意见：{comment}"
SELF_BASIS = "自评"
REVIEWED_BASIS = "审核后"
COMPOSITE = "综合得分"
LEVEL = "等级"
LIT_MARK = "★ 已点亮"
UNLIT_MARK = "☆ 未点亮"
VETOED = "一票否决"
TAB_ADJUSTMENTS = "加分 · 扣分 · 否决"
TASK_HEADER = "任务 {no}：{title}"
MAX_POINTS = "满分 {max} 分"
SELF_POINTS = "自评 {points} 分"
SELF_NOT_SCORED = "未自评"
FIGURE = "{label}：{figure} {unit}"
NOTE = "自评说明：{note}"
NO_NOTE = "（无自评说明）"
STANDARD = "评价标准与扣分办法"
EVIDENCE_NONE = "无佐证材料"
EVIDENCE_REQUIRED_MISSING = "要求佐证，但未上传"
REVIEWED_POINTS = "审核分"
REVIEWED_PLACEHOLDER = "同自评"
REVIEWER_COMMENT = "审核意见"
REVIEWER_COMMENT_RULE = "审核意见：改动自评分、扣分或否决时必须填写；支部会在对应页面看到。"
REVIEWER_COMMENT_PLACEHOLDER = "改动分数时必填"
VETO_APPLIES = "适用一票否决"
DEDUCTION_POINTS = "扣分"
BONUS_POINTS = "加分"
RETURN_COMMENT = "退回意见（支部在“我的支部”页面看到）"
RETURN_COMMENT_HELP = "写明需要补充或修改什么；各条的具体意见请写在对应细则的审核意见中。"
SAVE_BUTTON = "保存审核意见"
RETURN_BUTTON = "退回修改"
APPROVE_BUTTON = "审核通过"
CORRECT_BUTTON = "保存更正"
SAVED = "审核意见已保存。"
RETURNED = "已退回 {name}，支部将看到退回意见。"
APPROVED = "{name} 已审核通过。"
NEXT_HINT = "已自动转到队列中的下一份。"
RELOAD_BUTTON = "载入最新内容"
READ_ONLY = "这份测评当前状态为“{status}”，只能查看。"
CORRECTION_NOTICE = "本年度正在公示。如异议属实需要更正，可修改审核分并写明理由后点“保存更正”。"
EVIDENCE_HEADER = "佐证材料"

# ----------------------------------------------------------------------------- review levels
LEVEL_FIRST = "初审"
LEVEL_SECOND = "复核"
DEADLINE = "{level}截止：{date}（{state}）"
DEADLINE_NONE = "{level}：未设截止日期"
DEADLINE_LEFT = "还剩 {n} 天"
DEADLINE_TODAY = "今天截止"
DEADLINE_OVERDUE = "已逾期 {n} 天"
LEVEL_WAITING = "待{level} {n} 份，最久已等待 {days} 天"
LEVEL_EMPTY = "待{level} 0 份"
LEVELS_HEADER = "两级审核进度"
STEPS_HEADER = "审核记录"
STEPS_NONE = "还没有审核记录。"
STEP_LEVELS = {"branch": "支部", "first": "初审（机关党委）", "second": "复核（机关工委）"}
STEP_ACTIONS = {
    "submitted": "提交",
    "passed": "初审通过，报送复核",
    "returned": "退回修改",
    "approved": "审核通过",
}
STEP_LINE = "{at} · {level} · {action} · {who}"
STEP_COMMENT = "：“{comment}”"
FIRST_TITLE = "初审"
FIRST_INTRO = (
    "本部门党支部、党总支提交的自评先由机关党委初审：逐项核对自评分、说明和佐证材料，"
    "无误后报送机关工委复核；需要补充或修改的，写明意见退回支部。"
)
FIRST_QUEUE_EMPTY = "目前没有等待初审的测评。"
FIRST_PICK = "选择要初审的党组织"
FIRST_ITEMS = "{star}：自评 {score} / {base} 分"
FIRST_ITEM_COLUMNS = {
    "code": "编号",
    "title": "评价细则",
    "points": "自评分",
    "max": "满分",
    "note": "自评说明",
    "evidence": "佐证（份）",
}
FIRST_COMMENT = "初审意见（通过时报送机关工委，退回时支部在“我的支部”页面看到）"
FIRST_COMMENT_HELP = "退回时必须填写，写明需要补充或修改什么。"
FIRST_PASS_BUTTON = "初审通过，报送复核"
FIRST_RETURN_BUTTON = "退回支部修改"
FIRST_PASSED = "{name} 已初审通过，报送机关工委复核。"
FIRST_RETURNED = "已退回 {name}，支部将看到退回意见。"
FIRST_SUMMARY = "自评综合分 {composite}，{level}"
SETTINGS_HEADER = "审核环节设置"
SETTINGS_FIRST_DEADLINE = "初审截止日期"
SETTINGS_REVIEW_DEADLINE = "复核截止日期"
SETTINGS_SAVE_DEADLINES = "保存截止日期"
SETTINGS_REGIONS_OFF = "本年度不设初审的地区（提交后直接进入复核）"
SETTINGS_NONE_OFF = "各地区均设初审"
SETTINGS_SAVE_REGIONS = "保存初审设置"

# ----------------------------------------------------------------------------- publication
PUB_TITLE = "公示"
PUB_INTRO = (
    "审核全部完成后，由系统管理员发布本年度评定结果（星级和“双优”名单）并公示。"
    "公示期内可登记异议并记录处理结果；公示期满且异议全部处理后，结果定档，不能再修改。"
)
ERR_PUB_STATUS = "{year} 年度当前状态为“{status}”，不能发布公示。"
ERR_PUB_PENDING = "还有 {n} 份已提交的测评尚未审核，请审核完毕后再发布：{names}"
ERR_PUB_UNFINISHED = (
    "有 {n} 个党组织未提交或已退回未重新提交，将不参加本年度星级评定。"
    "如确认发布，请勾选“确认未完成测评的组织不参加评定”：{names}"
)
ERR_PUB_NO_RESULTS = "没有已审核的测评，无法发布。"
ERR_PUB_REGION = "地区“{region}”不存在，无法发布。"
ERR_PUB_EXCELLENCE = (
    "“双优”名单尚未经领导小组确认。请先在“双优”页面确认名单；"
    "如确需先公示星级，请勾选“本次不含双优名单”。"
)
ERR_PUB_DAYS = "公示天数应为 1 到 60 之间的整数。"
ERR_NOT_PUBLISHED = "{year} 年度尚未发布公示。"
ERR_PERIOD_OVER = "{year} 年度的公示期已于 {ends} 结束，不能再登记异议。"
ERR_OBJECTION_CONTENT = "请填写异议内容。"
ERR_OBJECTION_TOO_LONG = "{what}不能超过 {n} 个字。"
ERR_OBJECTION_ORG = "所选党组织不在本年度公示名单中。"
ERR_OUTCOME = "请选择处理结果。"
ERR_OUTCOME_NOTE = "请填写处理说明。"
ERR_OUTCOME_DONE = "这条异议已经处理（{outcome}），不能重复处理。"
ERR_FINALIZE_EARLY = "公示期至 {ends} 结束，期满后才能定档。"
ERR_FINALIZE_OPEN = "还有 {n} 条异议尚未处理，处理完毕后才能定档。"
ERR_ALREADY_FINAL = "{year} 年度已定档。"

OUTCOME_NAMES = {
    "maintained": "经核实，维持原评定",
    "corrected": "异议属实，已更正",
    "dismissed": "不属于异议受理范围",
}
PUB_STATE = {
    "none": "未发布",
    "published": "公示中",
    "expired": "公示期满，待定档",
    "final": "已定档",
}
PUB_STATUS_LINE = "{year} 年度：{state}"
PUB_PERIOD = "公示期：{start} 至 {end}（北京时间）"
PUB_DAYS_LEFT = "距公示期结束还有 {days} 天 {hours} 小时"
PUB_FINALIZED = "已于 {at} 定档"
PUB_PUBLISH_HEADER = "发布公示"
PUB_DAYS = "公示天数"
PUB_INCLUDE_UNFINISHED = "确认未完成测评的组织不参加评定"
PUB_WITHOUT_EXCELLENCE = "本次不含双优名单（双优名单尚未确认）"
PUB_PUBLISH_BUTTON = "发布公示"
PUB_WAIT_PENDING = "还有 {n} 份已提交的测评尚未审核。请在“审核”页面审核完毕后再发布公示。"
PUB_PUBLISHED = "{year} 年度评定结果已发布，公示期至 {end}。"
PUB_REGION_HEADER = "发布本地区公示（{region}）"
PUB_REGION_AGAIN = (
    "本地区已发布公示。如审核结果有更正，可重新发布：本地区名单重新冻结，公示期重新计算，"
    "其他地区的名单不受影响。"
)
PUB_REGION_BUTTON = "发布{region}公示"
PUB_REGION_PUBLISHED = "{region} {year} 年度评定结果已发布公示，公示期至 {end}。"
PUB_REGION_LINE = "{region}：{start} 发布本地区公示，公示期至 {end}"
PUB_REGION_LIST_NOTE = (
    "全市尚未统一发布本年度公示：名单为各地区自行发布时冻结的结果，排名为地区内排名；"
    "其他地区此后的修改和重新发布不会改变本地区的名单。"
)
PUB_READY = "共 {reviewed} 份测评已审核；待审核 {pending} 份；未完成 {unfinished} 份。"
PUB_EXCELLENCE_STATE = "双优名单：{state}"
PUB_EXCELLENCE_CONFIRMED = "已确认（{n} 个）"
PUB_EXCELLENCE_NOT_CONFIRMED = "尚未确认"
PUB_NOT_ADMIN = "公示由系统管理员发布和管理，您可以查看公示名单。"
PUB_LIST_HEADER = "公示名单"
PUB_LIST_EMPTY = "本年度尚未发布公示。"
PUB_LIST_COLUMNS = {
    "no": "序号",
    "rank": "名次",
    "name": "党组织",
    "department": "所属部门",
    "region": "地区",
    "org_type": "类型",
    "composite": "综合得分",
    "level": "评定等级",
    "excellence": "双优",
}
PUB_EXCELLENCE_MARK = "双优"
PUB_PRINT = "下载打印版（网页，可直接打印）"
PUB_XLSX = "下载 Excel"
PUB_PRINT_TITLE = "{year} 年度机关基层党组织“五星示范、双优引领”评定结果公示"
PUB_PRINT_NOTICE = (
    "公示期：{start} 至 {end}。公示期间，如对公示对象有异议，请以书面或电话形式向市直机关工委反映。"
)
PUB_PRINT_SUMMARY = "参加评定 {total} 个，其中五星级 {five} 个，“双优”{excellence} 个。"
PUB_SHEET = "公示名单"

OBJ_HEADER = "异议登记与处理"
OBJ_NEW = "登记异议"
OBJ_ORG = "被异议的党组织"
OBJ_RAISED_BY = "反映人（可匿名）"
OBJ_CONTENT = "异议内容"
OBJ_SUBMIT = "登记"
OBJ_RECORDED = "异议已登记。"
OBJ_NONE = "尚无异议。"
OBJ_COLUMNS = {
    "id": "编号",
    "org_name": "党组织",
    "region": "地区",
    "raised_by": "反映人",
    "content": "异议内容",
    "created_at": "登记时间",
    "outcome_name": "处理结果",
    "outcome_note": "处理说明",
    "resolved_at": "处理时间",
}
OBJ_PENDING = "待处理"
OBJ_RESOLVE = "处理异议"
OBJ_PICK = "选择要处理的异议"
OBJ_OUTCOME = "处理结果"
OBJ_NOTE = "处理说明"
OBJ_RESOLVE_BUTTON = "记录处理结果"
OBJ_RESOLVED = "处理结果已记录。"
OBJ_CORRECT_HINT = "如异议属实，请先在“审核”页面更正审核分，再在这里记录“异议属实，已更正”。"
FINALIZE_HEADER = "定档"
FINALIZE_BUTTON = "确认定档"
FINALIZED = "{year} 年度评定结果已定档。"
FINALIZE_HINT = "公示期满、异议全部处理后，结果自动定档；也可在此确认定档。"
CHANGED_BADGE = "上次审核后已修改"
CHANGED_SINCE_REVIEW = (
    "支部在上次审核后修改了 {n} 项：{codes}。其中分数变动的细则原有核定分已作废，"
    "请重新核定（不填则按支部新填的分数计）。"
)

# After a shortened list of names: "甲、乙、丙等".
AND_MORE = "等"
# The action a refused status change names (reviewing._status_error).
ACTION_RETURN = "退回"
ACTION_APPROVE = "审核通过"
PUB_FILE_NAME = "{year}年度五星双优评定结果公示.{ext}"
