"""What the command line (scripts/start.sh, python -m db) tells the administrator."""

PREPARE_HELP = "启动前准备数据库：升级结构；演示模式下向空库载入演示数据"
START_DATABASE = "正在准备数据库（{url}）…"
START_SEEDING = "正在载入演示数据（约 150 个机关基层党组织，2018 年至今）："
START_SEED_YEAR = "{year} 年"
START_SEEDED = "演示数据已载入，用时 {seconds:.1f} 秒。"
START_DEMO_PRESENT = "数据库已是最新版本，演示数据已在库中。"
START_READY = "数据库已是最新版本。"

RESTORE_MISSING = "找不到备份文件 {file}"
RESTORE_NOT_SQLITE = "{file} 不是 SQLite 数据库文件，未做任何改动。"
RESTORE_DAMAGED = "{file} 已损坏（完整性检查未通过），未做任何改动。"
RESTORE_NOT_OURS = (
    "{file} 不是本系统的数据库备份（没有本系统能识别的数据库结构版本），未做任何改动。"
)
RESTORE_CONFIRM = (
    "将用备份 {file} 覆盖当前数据库 {target}，当前数据库中的数据将全部丢失。"
    "请先停止应用。确认恢复请输入 yes："
)
RESTORE_CANCELLED = "已取消恢复，未做任何改动。"
RESTORE_YES_HELP = "不再询问确认（用于脚本）"
