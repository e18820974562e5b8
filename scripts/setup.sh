#!/usr/bin/env bash
# Creates .venv and installs the requirements (dev ones with --dev). Idempotent and quick when
# nothing changed: a stamp in .venv records the hash of the requirement files (and Python's
# version) it was installed from; the same hash means nothing to install.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ "${1:-}" = "--dev" ]; then
  FILES="requirements.txt requirements-dev.txt"; TOP=requirements-dev.txt; STAMP=.venv/.installed-dev
else
  FILES="requirements.txt"; TOP=requirements.txt; STAMP=.venv/.installed
fi
if [ ! -x .venv/bin/python ]; then
  echo "正在创建虚拟环境 .venv …"
  "$PYTHON" -m venv .venv || {
    echo "无法创建虚拟环境：请先安装 python3-venv（Debian/Ubuntu: apt-get install python3-venv）" >&2
    exit 1
  }
fi
# shellcheck disable=SC2086  # FILES is a list of file names
WANT="$(cat $FILES | sha256sum | cut -c1-64) $(.venv/bin/python -c 'import sys; print(sys.version)' | head -1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "依赖已安装（$TOP 未改变），跳过安装。"
  exit 0
fi
echo "正在安装依赖（$TOP；首次安装约需 1～2 分钟）…"
started=$(date +%s)
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$TOP"
echo "$WANT" > "$STAMP"
echo "依赖安装完成，用时 $(( $(date +%s) - started )) 秒。"
