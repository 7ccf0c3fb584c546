#!/usr/bin/env bash
# Create bench/.venv-peer with pymc-marketing, the peer for bench/bench_segment.py.
# Bench-only: it pulls pymc, pytensor, numba, scipy, matplotlib, ... (~1 GB); nothing in
# the followup package depends on it.
#
#   bash bench/setup_peer.sh            # uses python3 (>= 3.11) and the pinned version
#   PYTHON=python3.12 PEER_SPEC='pymc-marketing>=0.19' bash bench/setup_peer.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${PEER_VENV:-$here/.venv-peer}"
python="${PYTHON:-python3}"
# Pinned to the version the published numbers were measured with; override with PEER_SPEC.
spec="${PEER_SPEC:-pymc-marketing==0.19.2}"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
echo "installing $spec into $venv"
"$venv/bin/python" -m pip install --quiet "$spec"

"$venv/bin/python" - <<'EOF'
import pandas
import pymc_marketing
from pymc_marketing.clv import rfm_segments  # noqa: F401

print(f"ok: pymc-marketing {pymc_marketing.__version__}, pandas {pandas.__version__}")
EOF
echo "peer python: $venv/bin/python"
