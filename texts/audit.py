"""The audit log as Chinese sentences: one template per recorded action (db/services/audit_text.py).

Placeholders: {who} the acting user, {org} the organisation (with its year where known), other
names as the template says. A template part that has no data is left out by the renderer.
"""

SYSTEM = "系统"
EMPTY = "空"
YEAR_OF = "{org}（{year} 年度）"
SEP = "；"
MORE = "等 {n} 处"
SESSIONS_ENDED = "（{n} 个登录会话已退出）"

SENTENCES = {
    "login": "{who} 登录系统",
    "logout": "{who} 退出登录",
    "login_failed": "{who} 登录失败：密码错误（连续第 {failures} 次）",
    "login_refused_locked": "{who} 在账号锁定期间尝试登录，被拒绝",
    "login_refused_sso_only": ("{who} 尝试用密码登录，被拒绝：除管理员外须用统一身份认证登录"),
    "sso_refused": "{who} 通过统一身份认证登录，被拒绝：{reason}",
    "sso_registered": "{who} 通过统一身份认证登记了账号 {username}，等待管理员审核",
    "registration_approved": "{who} 批准了统一身份认证登记的账号 {username}，所在党组织：{org}",
    "registration_rejected": "{who} 拒绝了统一身份认证登记的账号 {username}（账号停用）",
    "access_denied": "{who} 尝试“{attempted}”，因无权限被拒绝",
    "password_changed": "{who} 修改了自己的密码",
    "password_change_failed": "{who} 修改密码失败：当前密码输入错误",
    "email_changed": "{who} 将自己的提醒邮箱由 {before} 改为 {after}",
    "robot_set": "{who} 设置了{region}的工作群机器人，今后本地区的提醒发到这个群",
    "robot_removed": "{who} 删除了{region}的工作群机器人，今后本地区的提醒发到全市默认机器人",
    "password_reset": "{who} 重设了账号 {username} 的密码",
    "user_created": "{who} 新建账号 {username}（{detail}）",
    "user_changed": "{who} 修改了账号 {username}：{detail}",
    "user_disabled": "{who} 停用了账号 {username}",
    "user_enabled": "{who} 启用了账号 {username}",
    "user_unlocked": "{who} 解除了账号 {username} 的登录锁定",
    "organisation_created": "{who} 新建组织 {name}（{code}）",
    "organisation_changed": "{who} 修改了组织 {name}：{detail}",
    "year_created": "{who} 新建 {year} 年度，截止日期 {deadline}，生成 {assessments} 份测评",
    "year_status_changed": "{who} 将 {year} 年度由“{before}”改为“{after}”",
    "reminders_chased": "{who} 向 {n} 个未提交的组织发出 {year} 年度催报",
    "deadline_changed": "{who} 将 {year} 年度的截止日期由 {before} 改为 {after}",
    "excellence_quota_changed": "{who} 将 {year} 年度双优名额的计算方式由{before}改为{after}",
    "region_published": (
        "{who} 发布了{region} {year} 年度评定结果公示，公示 {days} 天：{published} 个组织参加评定，"
        "{not_rated} 个未完成测评的组织不参加评定"
    ),
    "rubric_points_recomputed": "{who} 更换评价细则后，{org} 的得分按新规则重新计算：{detail}",
    "rubric_imported": (
        "{who} 替换了 {year} 年度的评价细则：新增 {added} 项，删除 {removed} 项，修改 {changed} 项"
    ),
    "import_organisations": "{who} 从文件“{filename}”导入组织：{summary}",
    "import_users": "{who} 从文件“{filename}”导入账号：{summary}",
    "import_grades": "{who} 从文件“{filename}”导入业绩等次：{summary}",
    "import_rejected": (
        "{who} 导入{kind}文件“{filename}”被拒绝：有 {problems} 处错误，未写入任何内容"
    ),
    "assessment_create": "{who} 开始 {org} 的自评",
    "save_star_page": "{who} 保存了 {org} 的{page}自评：{detail}",
    "save_bonus_items": "{who} 保存了 {org} 的加分项申报：{detail}",
    "submit_assessment": "{who} 提交了 {org} 的自评：综合得分 {composite}，{level}",
    "upload_evidence": "{who} 为 {org} 的 {code} 上传佐证材料“{filename}”（{size}）",
    "delete_evidence": "{who} 删除了 {org} 的佐证材料“{filename}”",
    "download_evidence": "{who} 下载了 {org} 的佐证材料“{filename}”",
    "review_saved": "{who} 保存了 {org} 的审核意见：{detail}",
    "review_corrected": "{who} 在公示期间更正了 {org} 的审核分：{detail}",
    "review_returned": "{who} 将 {org} 的自评退回修改，退回意见：“{comment}”",
    "review_approved": "{who} 审核通过了 {org} 的自评：{detail}",
    "first_review_passed": "{who} 初审通过了 {org} 的自评，报送机关工委复核；初审意见：“{comment}”",
    "first_review_returned": "{who} 初审退回了 {org} 的自评，退回意见：“{comment}”",
    "review_deadlines_set": (
        "{who} 将 {year} 年度的初审截止日期由 {first_before} 改为 {first_after}，"
        "复核截止日期由 {review_before} 改为 {review_after}"
    ),
    "first_level_switched": "{who} {state}了{region} {year} 年度的初审",
    "set_grade": "{who} 录入业绩等次：{detail}",
    "confirm_excellence": (
        "{who} 确认了 {year} 年度双优最终名单：入选 {n} 个组织"
        "（系统推荐 {recommended} 个，名额 {quota} 个）{detail}"
    ),
    "publication_published": (
        "{who} 发布了 {year} 年度评定结果公示，公示 {days} 天：{published} 个组织参加评定，"
        "{not_rated} 个未完成测评的组织不参加评定"
    ),
    "publication_finalized": "{who} 将 {year} 年度评定结果定档",
    "objection_recorded": "{who} 登记了对 {org} 的异议（提出人：{raised_by}）：{content}",
    "objection_resolved": "{who} 处理了对 {org} 的异议：{outcome}。{note}",
    "audit_exported": "{who} 导出了审计日志（{rows} 条，{format} 格式）",
    "export_workbook": "{who} 导出了 {year} 年度 Excel 汇总表（{orgs} 个组织）",
    "vanguard_round_opened": "{who} 开启了 {year} 年{half}的先锋指数评价",
    "vanguard_round_closed": "{who} 结束了 {year} 年{half}的先锋指数评价",
    "vanguard_sheet_saved": "{who} 录入了 {org} 党员 {name} 的{half}先锋指数：{detail}",
    "member_added": "{who} 在 {org} 的党员名册中新增党员 {name}",
    "member_changed": "{who} 修改了 {org} 党员 {name} 的名册信息：{detail}",
    "import_members": "{who} 从文件“{filename}”导入党员名册（{organisations} 个组织）：{summary}",
    "ballot_codes_issued": (
        "{who} 为 {org} 生成了{round}民主评议投票码 {count} 张（此前已投票 {used} 张，"
        "作废未使用的旧投票码 {replaced} 张）"
    ),
}
FALLBACK = "{who} {action}：{detail}"

SSO_UNKNOWN = "统一身份认证用户“{username}”登录被拒绝：本系统没有这个账号"
SSO_REASONS = {"disabled": "账号已停用", "awaiting_approval": "账号尚待管理员审核"}
LOGIN_UNKNOWN = "有人以用户名“{username}”登录失败：用户名不存在或账号已停用"
LOCKED_UNTIL = "，账号锁定至 {at}"
FINALIZED_AUTOMATIC = "{year} 年度公示期满且异议已处理完毕，系统自动定档"
NO_CHANGES = "内容未变"
CONFIRMED_SELF = "{n} 项采用支部自评分"
EXCELLENCE_CHANGES = "，调整 {n} 处：{names}"
EXCELLENCE_PROGRESS = (
    "。确认时：已审核 {reviewed} 个，待审核 {unreviewed} 个，未提交 {not_handed_in} 个"
)
IMPORT_SUMMARY = "新增 {created} 个，更新 {updated} 个，未变 {unchanged} 个"
IMPORT_KINDS = {
    "organisations": "组织",
    "users": "账号",
    "grades": "业绩等次",
    "members": "党员名册",
}

# One change inside a save: "L2.3 自评分由 2 改为 2.5".
POINTS_CHANGED = "{code} {what}由 {before} 改为 {after}"
NOTE_CHANGED = "{code} {what}已修改"
SELF_POINTS = "自评分"
REVIEWED_POINTS = "审核分"
FIGURE = "填报数"
NOTE = "说明"
COMMENT = "审核意见"
GRADE_CHANGED = "{org} 由 {before} 改为 {after}"
FIELD_CHANGED = "{field}由 {before} 改为 {after}"

USER_FIELDS = {
    "username": "用户名",
    "display_name": "姓名",
    "role": "角色",
    "org_id": "所属组织",
    "email": "电子邮箱",
    "active": "状态",
}
ORG_FIELDS = {
    "code": "编码",
    "name": "名称",
    "org_type": "类型",
    "region": "地区",
    "parent_id": "上级",
    "member_count": "党员人数",
    "staff_count": "在编人数",
    "active": "状态",
}
ACTIVE = {True: "启用", False: "停用"}
MEMBER_FIELDS = {
    "name": "姓名",
    "service": "在职或离退休",
    "status": "党员类别",
    "joined_on": "入党日期",
    "active": "是否在册",
}
IN_ROSTER = {True: "在册", False: "不在册"}
DECLARED = "个人申报"
ASSESSED = "支部考评"
LEVEL_SWITCH = {True: "开启", False: "关闭"}

# What a refused user attempted (the `action` given to require_role / refuse).
ATTEMPTS = {
    "view_city": "查看全市排名与统计",
    "view_org": "查看其他组织",
    "review": "审核",
    "first_review": "初审",
    "manage_levels": "设置初审",
    "my_assessment": "打开本支部自评",
    "view_assessment": "查看测评",
    "save_star_page": "保存自评",
    "save_bonus_items": "保存加分项",
    "submit_assessment": "提交自评",
    "list_evidence": "查看佐证材料",
    "upload_evidence": "上传佐证材料",
    "delete_evidence": "删除佐证材料",
    "download_evidence": "下载佐证材料",
    "confirm_excellence": "确认双优名单",
    "set_grade": "录入业绩等次",
    "import_grades": "导入业绩等次",
    "import_organisations": "导入组织",
    "import_users": "导入账号",
    "view_publication": "查看公示",
    "publish": "发布公示",
    "finalize_publication": "定档",
    "record_objection": "登记异议",
    "resolve_objection": "处理异议",
    "view_audit": "查看审计日志",
    "export_audit": "导出审计日志",
    "admin_grades": "管理业绩等次",
    "admin_organisations": "管理组织",
    "admin_users": "管理账号",
    "admin_years": "管理年度",
    "create_user": "新建账号",
    "create_year": "新建年度",
    "export_rubric": "导出评价细则",
    "import_rubric": "替换评价细则",
    "reset_password": "重设密码",
    "save_organisation": "保存组织",
    "set_deadline": "修改截止日期",
    "set_user_active": "停用或启用账号",
    "set_year_status": "开放或截止年度",
    "unlock_user": "解除账号锁定",
    "update_user": "修改账号",
    "view_members": "查看党员名册或先锋指数",
    "manage_rounds": "开启或结束先锋指数评价",
    "manage_members": "维护党员名册",
    "import_members": "导入党员名册",
    "enter_vanguard": "录入先锋指数",
    "issue_ballots": "生成民主评议投票码",
    "manage_robots": "设置工作群机器人",
    "change_own_email": "修改提醒邮箱",
    "send_reminders": "催报",
}
ATTEMPT_UNKNOWN = "受限操作"
