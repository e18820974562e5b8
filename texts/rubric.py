"""Texts of the rubric file's validation (rubric.py): field names and YAML format errors."""

# The Chinese name of every key a rubric file may hold; errors name the field by it and give
# the key to type in parentheses: 佐证材料（evidence）.
FIELD_NAMES = {
    "title": "名称",
    "version": "版本号",
    "thresholds": "阈值",
    "stars": "星级",
    "bonus": "加分项",
    "deductions": "扣分项",
    "vetoes": "一票否决项",
    "key": "星级标识",
    "name": "星级名称",
    "base": "基本分",
    "tasks": "任务",
    "task_no": "任务序号",
    "criteria": "细则",
    "code": "编号",
    "previous_code": "原编号",
    "standard": "评价标准",
    "deduction_rule": "扣分办法",
    "award_rule": "加分办法",
    "max_points": "分值",
    "evidence": "佐证材料",
    "check_method": "考核方式",
    "evidence_required": "是否需佐证",
    "auto": "自动计分规则",
    "unit": "单位",
    "label": "填报项名称",
    "minimum": "下限",
    "maximum": "上限",
    "step": "步长",
    "per_step": "每步扣分",
    "source": "数据来源",
    "star_ratio": "单星达标比例",
    "five_star_composite": "五星级综合得分线",
    "bonus_cap": "加分上限",
    "excellence_ratio": "“双优”比例",
    "cap": "加分上限",
    "items": "加分项列表",
    "ballot": "民主评议投票",
    "scale": "评价等次",
    "passing": "合格线",
    "minimum_ballots": "最少票数",
    "rate_branch": "评议支部工作",
}
FIELD = "{name}（{key}）"

ERR_MISSING = "{what}缺少{field}"
ERR_UNKNOWN = "{what}中有未知的键“{key}”{hint}（可用的键：{allowed}）"
ERR_UNKNOWN_HINT = "，是否应为{field}？"
ERR_FULLWIDTH_COLON = "“{key}”后面用了全角冒号“：”，YAML 只认半角冒号加空格，请改为“{key}: ”"
ERR_TAB = "这一行用制表符（Tab）缩进，YAML 只能用空格缩进，请把 Tab 换成空格"
ERR_YAML = "YAML 格式错误：{problem}"
ERR_YAML_UNKNOWN = "无法解析"
# PyYAML's problems, in the words a person editing the file understands.
YAML_PROBLEMS = {
    "found character '\\t' that cannot start any token": (
        "出现了制表符（Tab），YAML 只能用空格缩进"
    ),
    "mapping values are not allowed here": (
        "这里不能出现“: ”；若文字本身含半角冒号，请把整段文字用引号括起来"
    ),
    "could not find expected ':'": "缺少半角冒号“: ”（键和值之间要用半角冒号加空格分开）",
    "expected <block end>, but found '<block sequence start>'": "缩进不一致，请检查“- ”的对齐",
    "expected <block end>, but found '<block mapping start>'": "缩进不一致，请检查各键的对齐",
    "expected <block end>, but found '<scalar>'": "缩进不一致，请检查这一行与上一行的对齐",
    "found duplicate anchor": "锚点（&）重复",
    "found undefined alias": "引用（*）了未定义的锚点",
    "found unexpected end of stream": "文件意外结束（引号或括号没有闭合）",
    "while scanning a quoted scalar": "引号没有闭合",
}
ERR_PREVIOUS_CODE_TWICE = (
    "原编号“{code}”被多条细则引用（首次在第 {first} 行），每条原细则只能对应一条新细则"
)

# ---- 先锋指数 (the `vanguard:` block; rubric_vanguard.py)
VANGUARD_FIELD_NAMES = {
    "vanguard": "先锋指数",
    "items": "评价项目",
    "kind": "类别",
    "declare": "个人申报",
    "add_cap": "加分上限",
    "minus_cap": "扣分上限",
    "peer": "党员互评",
    "grades": "等次",
    "grade": "等次名称",
    "min_score": "最低分",
    "passing_grade": "合格等次",
}
VANGUARD_WHAT = "先锋指数（vanguard）"
VANGUARD_ITEM_WHAT = "先锋指数项目 {code}"
VANGUARD_PEER_WHAT = "先锋指数的党员互评（peer）"
VANGUARD_BAND_WHAT = "先锋指数的等次"
VANGUARD_KIND_NAMES = {"base": "基础分", "add": "加分", "minus": "扣分", "zero": "清零"}
ERR_VANGUARD_KIND = "先锋指数项目 {code} 的类别“{kind}”无法识别（可填：{allowed}）"
ERR_VANGUARD_CODE = "先锋指数项目编号“{code}”格式不正确，应为大写字母加数字，如 P1 或 P1.2"
ERR_VANGUARD_CODE_TWICE = "先锋指数项目编号“{code}”重复，或与细则编号相同"
ERR_VANGUARD_NO_BASE = "先锋指数至少要有一项基础分（kind: base）"
ERR_VANGUARD_ZERO_POINTS = "先锋指数项目 {code} 是清零项，不设分值（max_points）"
ERR_VANGUARD_CAP = "{what}应不小于 0，而不是 {value}"
ERR_VANGUARD_BANDS_FEW = "先锋指数的等次（grades）至少要有两个"
ERR_VANGUARD_BAND_ORDER = (
    "先锋指数的等次应从高到低排列，最低分逐个减小：“{grade}”的最低分 {value} 不小于上一等次"
)
ERR_VANGUARD_BAND_LAST = "先锋指数最后一个等次“{grade}”的最低分应为 0，而不是 {value}"
ERR_VANGUARD_BAND_TWICE = "先锋指数的等次“{grade}”重复"
ERR_VANGUARD_BAND_LONG = "先锋指数的等次名称“{grade}”超过 {n} 个字"
ERR_VANGUARD_BAND_HIGH = "先锋指数最高等次“{grade}”的最低分 {value} 超过可得的最高分 {high}"
ERR_VANGUARD_PASSING = "合格等次（passing_grade）“{grade}”不在等次中（可填：{allowed}）"

# ---- an auto-scored criterion whose figure the system computes from the members' data
FIGURE_SOURCE_NAMES = {
    "vanguard_evaluated": "先锋指数评价完成率",
    "vanguard_passing": "先锋指数合格及以上比例",
    "ballot_participation": "民主评议参评率",
}
ERR_FIGURE_SOURCE = "数据来源（source）“{value}”无法识别（可填：{allowed}）"
# The 民主评议 block (ballot:) of a rubric file.
BALLOT_WHAT = "民主评议投票（ballot）"
BALLOT_LABEL = "评价等次名称"
ERR_BALLOT_SCALE_SIZE = "评价等次（scale）应有 {low}～{high} 个，而不是 {n} 个"
ERR_BALLOT_LABEL_LONG = "评价等次“{label}”太长，最多 {n} 个字"
ERR_BALLOT_LABEL_TWICE = "评价等次“{label}”重复"
ERR_BALLOT_PASSING = "合格线（passing）“{label}”不是评价等次之一（{scale}）"
ERR_BALLOT_MINIMUM = "最少票数（minimum_ballots）应为 {low}～{high} 的整数，而不是 {n}"
ERR_BALLOT_NOT_STORED = "本年度的评价细则没有保存民主评议投票（ballot）规则"
