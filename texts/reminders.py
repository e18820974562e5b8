"""Reminders: e-mail, robot and in-app notice wording, the 催报 button and the CLI."""

SIGNATURE = "（本消息由“五星示范、双优引领”评定系统自动发送，请勿回复。）"

DEADLINE_SUBJECT = "【五星评定】{year}年度自评将于{deadline}截止，还有{days}天"
DEADLINE_TODAY_SUBJECT = "【五星评定】{year}年度自评今天（{deadline}）截止"
DEADLINE_BODY = (
    "{org}：\n"
    "贵单位{year}年度“五星示范、双优引领”自评尚未提交，提交截止日期为{deadline}。"
    "请登录系统完成自评、上传佐证材料并提交：\n{link}\n\n"
)
CHASE_SUBJECT = "【五星评定】催报：请尽快提交{year}年度自评"
CHASE_BODY = (
    "{org}：\n"
    "{sender}提醒：贵单位{year}年度“五星示范、双优引领”自评尚未提交{deadline_words}。"
    "请登录系统完成自评并提交：\n{link}\n\n"
)
CHASE_DEADLINE_WORDS = "（截止日期{deadline}）"
QUEUE_SUBJECT = "【五星评定】{n}份测评已等待审核{days}天以上"
QUEUE_BODY = (
    "{name}：\n"
    "您的审核队列中有{n}份{year}年度测评已提交{days}天以上尚未审核，最早的一份提交于{oldest}。"
    "请及时审核：\n{link}\n\n"
)
LEVEL_NAMES = {"first": "初审", "second": "复核"}
LEVEL_SUBJECT = "【五星评定】{level}将于{deadline}截止，还有{days}天，待审{n}份"
LEVEL_BODY = (
    "{name}：\n"
    "{year}年度{level}截止日期为{deadline}，您的审核队列中还有{n}份测评待审。请及时审核：\n{link}\n\n"
)
SUMMARY_SUBJECT = "【五星评定】{year}年度填报进度日报（{today}，距截止还有{days}天）"
SUMMARY_BODY = (
    "{name}：\n"
    "{scope}{year}年度填报进度（截止日期{deadline}）：应报{total}个，已提交{done}个，"
    "尚未提交{left}个；待审核{waiting}份。\n"
    "尚未提交：{names}\n"
    "详情见总览：\n{link}\n\n"
)
SUMMARY_NONE_LEFT = "无"
SUMMARY_MORE = "等{n}个"
NAME_SEPARATOR = "、"
CITY_WORDS = "全市"


CHASE_PICK = "选择要催报的组织"
CHASE_PICK_HELP = "向所选组织立即发送催报提醒：站内通知，以及已配置的邮件和工作群机器人。"
CHASE_ALL = "全选"
CHASE_BUTTON = "发送催报"
CHASE_NONE_PICKED = "请先选择要催报的组织。"
CHASE_DONE = "已向{orgs}个组织发出催报：站内通知{notices}条，邮件{emails}封，群消息{robots}条。"
CHASE_FAILED = "{n}条未能发出，系统将在下次自动提醒时重试（原因已记入日志）。"
CHASE_SKIPPED = "{n}个组织已提交，未催报。"
ERR_NOT_OPEN = "{year}年度不在填报中，不能催报。"

CLI_HELP = "发送到期的提醒（截止前 7、3、1 天等；建议每小时运行一次）"
CLI_TODAY_HELP = "按指定日期计算（YYYY-MM-DD，测试用）"
CLI_DONE = (
    "{year}年度：新提醒{due}条；发出{sent}条，失败{failed}条"
    "（站内通知{notices}、邮件{emails}、群消息{robots}）。"
)
CLI_NOTHING = "没有填报中的年度，无需提醒。"
CHASE_PLACEHOLDER = "选择组织（可多选）"
NOTICE_BANNER = "提醒：{subject}（{when}）"

# ---- 管理 → 工作群机器人 (db/services/robots.py, ui/robots.py)
ROBOT_TAB = "工作群机器人"
ROBOT_INTRO = (
    "各地区机关工委可以设置本地区的钉钉、浙政钉工作群机器人：本地区党组织的截止提醒和催报、"
    "本地区审核员和机关党委的待审提醒都发到这个群。未设置的地区发到全市默认的工作群机器人"
    "（部署时配置）。"
)
ROBOT_CITY_SET = "全市默认工作群机器人：已配置。"
ROBOT_CITY_UNSET = "全市默认工作群机器人：未配置（未设置本地区机器人的地区不发群消息）。"
ROBOT_NONE = "您的账号范围不含任何地区，不能设置工作群机器人。"
ROBOT_COLUMNS = {
    "region": "地区",
    "state": "工作群机器人",
    "updated": "设置时间",
    "by": "设置人",
}
ROBOT_STATE_SET = "已设置（{address}）"
ROBOT_STATE_UNSET = "未设置，发到全市默认机器人"
ROBOT_PICK = "选择地区"
ROBOT_URL = "{region}工作群机器人地址"
ROBOT_URL_HELP = (
    "在钉钉或浙政钉群的“群设置 → 机器人 → 添加机器人 → 自定义机器人”中复制完整的地址，粘贴到这里。"
    "留空并保存即删除本地区的机器人，改发全市默认机器人。"
)
ROBOT_SAVE = "保存"
ROBOT_SAVED = "{region}的工作群机器人已保存，今后本地区的提醒发到这个群。"
ROBOT_REMOVED = "已删除{region}的工作群机器人，今后本地区的提醒发到全市默认机器人。"
ERR_ROBOT_URL = "机器人地址格式不正确：应是以 http:// 或 https:// 开头的完整地址。"
ERR_ROBOT_URL_LONG = "机器人地址不能超过 {n} 个字符。"
ERR_ROBOT_REGION = "没有“{region}”这个地区。"
ERR_ROBOT_STALE = "其他管理员刚刚修改了这个地区的机器人，请刷新后再试。"
