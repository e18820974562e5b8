#!/usr/bin/env bash
# One command from a fresh checkout to the whole test suite (lint, unit, services, pages, browser).
# PostgreSQL is tested too when TEST_DATABASE_URL is set (e.g. postgresql://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "安装浏览器测试所需的 Chromium（Debian 软件包）…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) \
      >/dev/null || echo "Chromium 安装失败，浏览器测试将被跳过。"
  else
    echo "未找到 Chromium：浏览器测试将被跳过。安装方法：sudo apt-get install chromium fonts-noto-cjk"
  fi
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# mypy is one process on one core: it runs beside the tests (which wait on browsers and servers
# too) instead of before them, and its verdict is printed after theirs; either failing fails.
MYPY_OUT=$(mktemp)
trap 'rm -f "$MYPY_OUT"' EXIT
.venv/bin/python -m mypy >"$MYPY_OUT" 2>&1 &
MYPY_PID=$!
# One pytest worker per core (pytest-xdist): the browser tests stay together on one worker
# (tests/conftest.py groups them), the other tests are shared out; `-n 0` runs one process.
# The ten slowest tests are listed at the end (where the suite spends its time).
status=0
.venv/bin/python -m pytest -n auto --dist loadgroup --durations=10 "$@" || status=$?
mypy_status=0
wait "$MYPY_PID" || mypy_status=$?
echo "mypy: $(tail -n 1 "$MYPY_OUT")"
if [ "$mypy_status" -ne 0 ]; then
  cat "$MYPY_OUT"
  [ "$status" -ne 0 ] || status=$mypy_status
fi
exit "$status"
