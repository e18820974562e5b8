"""What the command line (scripts/start.sh, python -m db) tells the administrator."""

PREPARE_HELP = "启动前准备数据库：升级结构；演示模式下向空库载入演示数据"
START_DATABASE = "正在准备数据库（{url}）…"
START_SEEDING = "正在载入演示数据（约 150 个机关基层党组织，2018 年至今）："
START_SEED_YEAR = "{year} 年"
START_SEEDED = "演示数据已载入，用时 {seconds:.1f} 秒。"
START_DEMO_PRESENT = "数据库已是最新版本，演示数据已在库中。"
START_READY = "数据库已是最新版本。"
