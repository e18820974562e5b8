#!/usr/bin/env bash
# One command from a fresh checkout to the running demo (embedded SQLite under data/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run app.py "$@"
