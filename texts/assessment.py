"""Texts of the self-assessment: the five star pages, 我的支部, evidence and their errors."""

# ---------------------------------------------------------------- service errors
ERR_NO_ORG = "您的账号尚未关联党组织，请联系系统管理员。"
ERR_NO_ASSESSMENT = "该年度没有本支部的测评记录。"
ERR_LOCKED_SUBMITTED = (
    "本支部的自评已提交，正在等待审核，暂不能修改。如需修改，请联系机关工委退回。"
)
ERR_LOCKED_REVIEWED = "本支部的自评已审核完成，不能再修改。"
ERR_LOCKED_PUBLISHED = "本年度结果已公示，自评不能再修改。"
ERR_LOCKED_CYCLE = "{year} 年度的测评已不在填报期（{cycle_status}），自评不能再修改。"
ERR_LOCKED_DEADLINE = (
    "{year} 年度自评的截止日期（{deadline}）已过，不能再修改。如有特殊情况，请联系机关工委。"
)
ERR_INVALID_SUMMARY = "有 {n} 处填写不正确，本次没有保存任何内容。请按下列提示修改后再保存："
ERR_UNKNOWN_CRITERION = "“{code}”不是{page}的评价细则，请重新载入页面后再填写。"
ERR_POINTS_NOT_NUMBER = "{code}「{title}」：得分“{value}”不是数字，请填写 0 至 {max} 之间的分数。"
ERR_POINTS_NEGATIVE = "{code}「{title}」：得分不能为负数（填写的是 {value}）。"
ERR_POINTS_ABOVE_MAX = "{code}「{title}」：得分 {value} 超过了本项满分 {max} 分。"
ERR_POINTS_NOT_HALF = "{code}「{title}」：得分 {value} 不是 0.5 的整数倍，请以 0.5 分为单位填写。"
ERR_FIGURE_NOT_NUMBER = "{code}「{title}」：{label}“{value}”不是数字，请填写一个数值。"
ERR_FIGURE_NEGATIVE = "{code}「{title}」：{label}不能为负数（填写的是 {value}）。"
ERR_FIGURE_TOO_LARGE = "{code}「{title}」：{label} {value} 过大，请核对后填写。"
ERR_FIGURE_PRECISION = "{code}「{title}」：{label}最多保留两位小数（填写的是 {value}）。"
ERR_NOTE_TOO_LONG = "{code}「{title}」：自评说明不能超过 {n} 个字（当前 {length} 个字）。"
ERR_INCOMPLETE = "还有 {n} 项未完成，暂不能提交。请先完成下列事项："
ERR_NOT_EDITABLE_NOW = "该自评当前不能修改。"

MISSING_SCORE = "{star} {code}「{title}」尚未评分"
MISSING_EVIDENCE = "{star} {code}「{title}」尚未上传佐证材料"
MISSING_BONUS_EVIDENCE = "加分项 {code}「{title}」已申报 {points} 分，但尚未上传佐证材料"

# ---------------------------------------------------------------- evidence errors
ERR_FILE_EMPTY = "文件“{name}”是空文件，请重新选择。"
ERR_FILE_TYPE = (
    "文件“{name}”的类型不支持。只能上传 PDF、JPG、PNG、Word（.docx）或 Excel（.xlsx）文件。"
)
ERR_FILE_TOO_LARGE = (
    "文件“{name}”大小为 {size}，超过了单个文件 {limit} 的上限，请压缩或拆分后再上传。"
)
ERR_FILE_DISGUISED = (
    "文件“{name}”的内容与扩展名“{ext}”不符（它不是真正的 {kind} 文件），"
    "已拒绝上传。请上传原始文件。"
)
ERR_FILE_COUNT = (
    "细则 {code} 已有 {count} 个佐证材料，达到每项 {limit} 个的上限。请先删除不需要的文件。"
)
ERR_FILE_NAME = "文件名不能为空。"
ERR_EVIDENCE_TARGET = "佐证材料只能上传到评价细则或加分项。"
ERR_EVIDENCE_NOT_FOUND = "未找到该佐证材料，它可能已被删除。请刷新页面。"

KIND_LABELS = {"pdf": "PDF", "jpg": "JPG 图片", "png": "PNG 图片", "docx": "Word", "xlsx": "Excel"}

# ---------------------------------------------------------------- star pages
PAGE_CAPTION = "{org} · {year} 年度自评 · 状态：{status}"
DEADLINE_CAPTION = "填报截止：{deadline}"
TASK_HEADER = "任务 {no}：{title}"
CRITERION_HEADER = "**{code}　{title}**"
MAX_POINTS = "满分 {max} 分"
STANDARD = "评价标准"
DEDUCTION_RULE = "扣分办法"
AWARD_RULE = "加分办法"
CHECK_METHOD = "考核方式"
EVIDENCE_EXPECTED = "佐证材料"
EVIDENCE_REQUIRED = "（必须上传）"
POINTS_LABEL = "自评得分（0–{max}）"
POINTS_HELP = "以 0.5 分为单位；留空表示尚未评分。"
FIGURE_LABEL = "{label}（{unit}）"
FIGURE_HELP = "填写实际数值，系统按细则自动计分。"
AUTO_POINTS = "按细则自动计分：**{points}** / {max} 分"
AUTO_POINTS_EMPTY = "填写数值后自动计分（满分 {max} 分）"
AUTO_RULE_MIN = (
    "不少于 {minimum}{unit}得满分，每少 {step}{unit}（不足按 {step}{unit}计）扣 {per_step} 分"
)
AUTO_RULE_MAX = (
    "不超过 {maximum}{unit}得满分，每多 {step}{unit}（不足按 {step}{unit}计）扣 {per_step} 分"
)
AUTO_RULE_RANGE = "在 {minimum}–{maximum}{unit}之间得满分，每偏离 {step}{unit}扣 {per_step} 分"
NOTE_LABEL = "自评说明"
NOTE_PLACEHOLDER = "简要说明得分依据，如开展次数、台账名称"
REVIEWED_LINE = "审核得分：**{points}** 分"
REVIEWER_COMMENT = "审核意见：{comment}"
RETURN_COMMENT = "机关工委退回了本支部的自评，意见如下（请修改后在“我的支部”重新提交）："
EVIDENCE_HEADER = "佐证材料（{count}/{limit}）"
EVIDENCE_NONE = "尚未上传佐证材料。"
EVIDENCE_UPLOADED = "已上传：{name}"
EVIDENCE_DELETE = "删除"
EVIDENCE_DELETE_CONFIRM = "确认删除“{name}”？"
EVIDENCE_DELETE_YES = "确认删除"
EVIDENCE_DELETED = "已删除：{name}"
EVIDENCE_DOWNLOAD = "下载"
EVIDENCE_META = "{size} · {at}"
SAVE = "保存"
SAVE_HELP = "把本页全部填写一次保存"
SAVED = "已保存。"
RELOAD = "重新载入"
RELOAD_HELP = "放弃本页未保存的填写，载入他人保存的最新内容"
STALE_UNSAVED = "您本次未能保存的填写如下，重新载入后可据此重新填写："
CHANGED_ELSEWHERE = (
    "本页打开后，其他人已保存了这份自评的新内容。"
    "现在保存将被拒绝；请先记下您的修改，再点击“重新载入”。"
)
UNSAVED = "有未保存的修改"
ALL_SAVED = "本页填写已全部保存"
READ_ONLY = "本页为只读。"
NO_CRITERIA = "本星没有评价细则。"
STALE_TABLE_CODE = "细则"
STALE_TABLE_POINTS = "得分"
STALE_TABLE_FIGURE = "填报数值"
STALE_TABLE_NOTE = "自评说明"

# ---------------------------------------------------------------- summary (sidebar)
SUMMARY_TITLE = "{star} 实时得分"
SUMMARY_SCORE = "本星得分"
SUMMARY_SCORE_VALUE = "{score} / {base}"
SUMMARY_LINE = "点亮线（{ratio}%）：{line} 分"
SUMMARY_LIT = "★ 已点亮"
SUMMARY_UNLIT = "☆ 未点亮，还差 {missing} 分"
SUMMARY_SCORED = "已评分 {scored} / {total} 项 · 已传佐证 {evidence} / {needed} 项"
SUMMARY_COMPOSITE = "综合得分（自评）"
SUMMARY_COMPOSITE_VALUE = "{composite} / {line}"
SUMMARY_COMPOSITE_MISSING = "距五星级综合分线还差 {missing} 分"
SUMMARY_COMPOSITE_OK = "综合得分已达五星级线"
SUMMARY_LIVE_NOTE = "按本页当前填写实时计算（其他星按已保存的分数）"

# ---------------------------------------------------------------- 我的支部
OVERVIEW_TITLE = "我的支部"
STARS_HEADER = "五星一览"
STAR_CARD_VALUE = "{score} / {base}"
STAR_LIT = "★ 已点亮"
STAR_UNLIT = "☆ 还差 {missing} 分"
COMPOSITE_VALUE = "{composite}"
COMPOSITE_HELP = (
    "五颗星得分之和 + 加分（最多 {cap} 分）− 扣分；"
    "五星级要求五颗星全部点亮且综合得分不低于 {line} 分。"
)
COMPOSITE_DELTA_OK = "已达 {line} 分线"
COMPOSITE_DELTA_MISSING = "距 {line} 分还差 {missing}"
COMPOSITE_SELF = "自评综合得分"
LEVEL_SELF = "自评等级"
COMPOSITE_REVIEWED = "审核综合得分"
LEVEL_REVIEWED = "审核等级"
NOT_REVIEWED_YET = "尚未审核"
BASIS_SELF = "自评："
BASIS_REVIEWED = "审核："
REVIEW_IN_PROGRESS = (
    "审核尚未完成：审核结果按审核员已给出的核定分、扣分计算，其余细则暂按自评分计。"
)
RANK_CITY = "全市排名"
RANK_REGION = "地区排名（{region}）"
RANK_NOT_HANDED_IN = "提交后参与排名"
RANK_VALUE = "第 {rank} 名"
RANK_NONE = "—"
RANK_HELP = "按审核分排名，尚未审核的按自评分计；每隔几秒随全市填报情况更新。"
BONUS_DEDUCTION = "加分 {bonus} 分（上限 {cap} 分） · 扣分 {deduction} 分"
VETOED = "存在一票否决情形，本年度不予星级评定。"
COMPLETION_HEADER = "完成情况"
COMPLETION_SCORED = "已评分"
COMPLETION_EVIDENCE = "已传佐证"
COMPLETION_VALUE = "{done} / {total} 项"
COMPLETION_TABLE_STAR = "星"
COMPLETION_TABLE_SCORED = "已评分"
COMPLETION_TABLE_EVIDENCE = "已传佐证"
COMPLETION_TABLE_SCORE = "得分 / 基本分"
COMPLETION_TABLE_LIT = "点亮"
GAP_HEADER = "距五星级的差距"
GAP_FIVE_STAR = "按{basis}，本支部已达到五星级标准。"
GAP_UNREACHABLE_VETO = "存在一票否决情形，本年度无法评为五星级。"
GAP_UNREACHABLE = (
    "按当前的扣分情况，即使各项细则和加分项（加分合计上限以内）都得满分也达不到五星级。"
)
GAP_TOTAL = "按{basis}，距五星级最少还需增加 **{points}** 分："
GAP_BASIS_NAMES = {
    "self": "当前自评",
    "reviewed": "审核意见（审核员的核定分、扣分和一票否决均已计入）",
}
GAP_STAR = "**{star}**：{score} / {base} 分，点亮需 {line} 分，还差 **{missing}** 分"
GAP_STAR_OK = "**{star}**：{score} / {base} 分，已点亮"
GAP_COMPOSITE = "**综合得分**：{composite} 分，五星级需 {line} 分，还差 **{missing}** 分"
GAP_ADVICE_HEADER = "建议优先完善以下细则（所需补分最少）："
GAP_ITEM = "{code}「{title}」：当前 {points} / {max} 分{unscored}，补 **{add}** 分"
GAP_ITEM_UNSCORED = "（尚未评分）"
GAP_ITEM_AT_LEAST = (
    "{code}「{title}」：{label}达到 **{figure} {unit}**"
    "（当前 {points} / {max} 分{unscored}，可多得 {add} 分）"
)
GAP_ITEM_AT_MOST = (
    "{code}「{title}」：{label}不超过 **{figure} {unit}**"
    "（当前 {points} / {max} 分{unscored}，可多得 {add} 分）"
)
GAP_ITEM_BONUS = (
    "加分项 {code}「{title}」：已申报 {points} / {max} 分，"
    "可再申报 **{add}** 分（须有佐证、经审核）"
)
GAP_REASON_BONUS = "（提高综合得分，加分合计不超过上限）"
GAP_BONUS_HEADER = "加分项：补 {add} 分"
GAP_REASON_STAR = "（点亮{star}）"
GAP_REASON_COMPOSITE = "（提高综合得分）"
GAP_PER_STAR = "{star}：补 {add} 分"
GAP_NOTE = "建议只按所需补分最少的原则排列，请以实际工作和台账为准如实自评。"
SUBMIT_HEADER = "提交自评"
SUBMIT = "提交"
SUBMIT_HELP = "提交后自评将锁定，等待机关工委审核；退回后可再修改。"
SUBMIT_CONFIRM_TITLE = "确认提交"
SUBMIT_CONFIRM_TEXT = "提交后将不能再修改，直至机关工委审核或退回。确认提交 {year} 年度自评吗？"
SUBMIT_CONFIRM_YES = "确认提交"
SUBMIT_CANCEL = "取消"
SUBMITTED = "已提交，等待机关工委审核。"
SUBMITTED_FIRST = "已提交，等待本部门机关党委初审。"
SUBMIT_READY = "全部细则已评分、佐证材料已上传，可以提交。"
SUBMIT_MISSING = "还有 {n} 项未完成，完成后才能提交："
SUBMIT_MISSING_MORE = "……另有 {n} 项，请到各星页面查看。"
SUBMIT_GO_TO = "前往{star}"
STATUS_LOCKED = "当前不能修改：{reason}"
BONUS_HEADER = "加分项申报"
BONUS_INTRO = "加分项由本支部申报，每项须上传佐证材料，经审核后计入；加分合计最多 {cap} 分。"
BONUS_POINTS_LABEL = "申报分值（0–{max}）"
BONUS_SAVE = "保存加分项"
BONUS_SAVED = "加分项已保存。"
BONUS_TOTAL = "已申报加分合计 {total} 分，计入综合得分 {counted} 分（上限 {cap} 分）。"
HISTORY_HEADER = "历年结果"
HISTORY_YEAR = "年度"
HISTORY_COMPOSITE = "综合得分"
HISTORY_LEVEL = "等级"
HISTORY_NOT_RATED = "不参加评定"
HISTORY_RANK = "全市排名"
HISTORY_REGION_RANK = "地区排名"
HISTORY_STATUS = "状态"
HISTORY_BASIS = "依据"
HISTORY_BASIS_REVIEWED = "审核分"
HISTORY_BASIS_SELF = "自评分"
HISTORY_CURRENT = "{year}（本年）"
HISTORY_CHART_TITLE = "历年综合得分"
HISTORY_CHART_X = "年度"
HISTORY_CHART_Y = "综合得分"
HISTORY_CHART_LINE = "五星级线"
HISTORY_NONE = "暂无往年结果。"
NOT_BRANCH_PAGE = "本页供党支部书记填报本支部自评使用。"

# ---------------------------------------------------------------- star page metrics
GAP_STAR_HOWTO = "本星还差 {missing} 分点亮：建议优先完善的细则"
UNSAVED_PAGES = "以下页面有尚未保存的填写，提交只包含已保存的内容：{pages}"
BAR_LINE = "点亮线 {line} 分"
BAR_COMPOSITE = "综合 {composite} / {line}"

# ---------------------------------------------------------------- drop zones (many files at once)
DROP_TITLE_PAGE = "批量上传佐证材料：把本页各项细则的文件一次拖到这里"
DROP_TITLE_ALL = "批量上传佐证材料：把各星细则的文件一次拖到这里"
DROP_TITLE_ONE = "把文件拖到这里，或点击选择文件"
DROP_HINT = (
    "支持 PDF、JPG、PNG、Word（.docx）、Excel（.xlsx），单个文件不超过 {mb} MB，"
    "每项细则最多 {n} 个。"
)
DROP_HINT_SHORT = "单个文件不超过 {mb} MB，每项最多 {n} 个。"
DROP_HINT_NAMES = (
    "文件名以细则编号开头（如“L2.3-学时登记表.pdf”）时自动对应到该项细则，其余文件请在列表中选择。"
)
DROP_BUTTON = "选择文件"
DROP_PROGRESS = "正在上传第 {i} / {n} 个文件：{name}"
DROP_FAILED = "文件“{name}”上传失败：网络中断或服务器无响应，请稍后重试。"
DROP_BUSY = "正在上传，请稍候……"
ERR_UPLOAD_SESSION = "登录已过期，请刷新页面重新登录后再上传。"
ERR_UPLOAD_REQUEST = "上传请求不完整，请刷新页面后重试。"
ERR_UPLOAD_SERVER = "服务器处理文件“{name}”时出错，文件未保存。请稍后重试或联系系统管理员。"
STAGED_RECEIVED = "已接收：{name}"
STAGED_HEADER = "待保存的佐证材料（{n} 个）"
STAGED_INTRO = "请核对每个文件对应的细则，确认后点“保存佐证材料”；保存前这些文件不计入已传佐证。"
STAGED_TARGET = "对应细则"
STAGED_TARGET_PLACEHOLDER = "请选择细则"
STAGED_AUTO = "按文件名自动对应"
STAGED_REMOVE = "移除"
STAGED_SAVE = "保存佐证材料（{n} 个）"
STAGED_DISCARD_ALL = "全部移除"
STAGED_SAVED = "已保存 {n} 个佐证材料。"
STAGED_DISCARDED = "已移除 {n} 个待保存的文件。"
STAGED_PLAN = "{code} ← {names}"
STAGED_PLAN_TITLE = "保存后："
ERR_STAGED_FULL = "待保存的文件已有 {n} 个，达到上限。请先保存或移除后再上传。"
ERR_STAGED_SUMMARY = "有 {n} 处需要处理，本次没有保存任何文件："
ERR_STAGED_NO_TARGET = "文件“{name}”还没有选择对应的细则。"
ERR_STAGED_BAD_TARGET = "文件“{name}”选择的“{code}”不是本年度可上传佐证的细则或加分项。"
ERR_STAGED_GONE = "有文件已被保存或移除（可能在另一个窗口中），请刷新页面后再核对。"
ERR_STAGED_COUNT = (
    "细则 {code} 已有 {count} 个佐证材料，再加 {adding} 个将超过每项 {limit} 个的上限。"
)
ERR_FIGURE_NOT_INTEGER = (
    "{code}「{title}」：{label}是次数或人数，只能填写整数（填写的是 {value}）。"
)
MISSING_BOTH = "{star} {code}「{title}」尚未评分、尚未上传佐证材料"

# The page named in an unknown-star error of a star page's save.
FIVE_STARS = "五星"
BONUS_HEADER_TOTAL = "（{total} 分）"
UNSCORED_PLACEHOLDER = "未评分"
UNFILLED_PLACEHOLDER = "未填报"
