"""Texts of the roster (党员名册) and the 先锋指数 rounds (service messages and screens)."""

# ============================================================================= service messages
ERR_ROUND_HALF = "半年度只能是上半年（1）或下半年（2）。"
ERR_ROUND_YEAR = "{year} 年度不存在，请先在“年度”中新建该年度。"
ERR_ROUND_EXISTS = "{year} 年{half}的先锋指数评价已经开启过。"
ERR_ROUND_NOT_FOUND = "该先锋指数评价轮次不存在。"

HALF_NAMES = {1: "上半年", 2: "下半年"}
