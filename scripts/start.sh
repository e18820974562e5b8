#!/usr/bin/env bash
# One command from a fresh checkout to the running demo (embedded SQLite under data/):
# install (skipped when the requirements did not change), prepare the database and load the
# demo city BEFORE the server starts (so no visitor waits for it), then serve.
# Extra arguments go to `streamlit run` (e.g. --server.port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
# The demo is what this command is for; a production server sets DEMO_MODE=0 (docs/deploy.md).
export DEMO_MODE="${DEMO_MODE:-1}"
started=$(date +%s)
echo "【1/3】检查运行环境"
bash scripts/setup.sh
echo "【2/3】准备数据库"
.venv/bin/python -m db prepare
PORT="${STREAMLIT_SERVER_PORT:-8501}"
previous=""
for arg in "$@"; do
  case "$arg" in --server.port=*) PORT="${arg#--server.port=}" ;; esac
  if [ "$previous" = "--server.port" ]; then PORT="$arg"; fi
  previous="$arg"
done
echo "【3/3】启动服务（之前各步用时 $(( $(date +%s) - started )) 秒）"
echo "    几秒后即可在浏览器中打开：http://localhost:${PORT}/  （按 Ctrl+C 停止服务）"
exec .venv/bin/streamlit run app.py "$@"
