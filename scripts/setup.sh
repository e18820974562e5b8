#!/usr/bin/env bash
# Creates .venv and installs the requirements (dev ones with --dev). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || {
    echo "无法创建虚拟环境：请先安装 python3-venv（Debian/Ubuntu: apt-get install python3-venv）" >&2
    exit 1
  }
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install --quiet -r requirements-dev.txt
else
  .venv/bin/python -m pip install --quiet -r requirements.txt
fi
