#!/usr/bin/env bash
# Radar side by side with the Python peer (../shared/peers/ptb-peer, or $PEER_DIR), under the
# peer's own harness: the same fake Bot API, load and checks for every bot (BENCHMARKS.md §7).
#
# Usage: crates/radar-bench/bench/vs-peer.sh BACKEND LABEL:BOT [LABEL:BOT ...]
#   BACKEND  sqlite | postgres
#   BOT      an absolute path to a radar binary, or `peer`, or `null` (the harness's ceiling)
# Environment: RUNS (1: series, each running every bot once, in the order given), N (3000),
#   CHATS (64), MODE (burst | closed), PEER_DIR, PEER_PYTHON (the venv's python, see the peer's
#   README), PEER_PG_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres),
#   OUT (target/vs-peer.jsonl: one line per run, the label first).
# Example: vs-peer.sh sqlite before:/tmp/old/radar after:$PWD/target/release/radar peer:peer null:null
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
PEER_DIR=${PEER_DIR:-$ROOT/../shared/peers/ptb-peer}
OUT=${OUT:-$ROOT/target/vs-peer.jsonl}
export PEER_PYTHON=${PEER_PYTHON:-$HOME/.venvs/ptb-peer/bin/python}
export PEER_PG_ADMIN_URL=${PEER_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
[ -d "$PEER_DIR" ] || { echo "vs-peer: no peer at $PEER_DIR (set PEER_DIR)" >&2; exit 1; }
[ -x "$PEER_PYTHON" ] || { echo "vs-peer: no python at $PEER_PYTHON (see $PEER_DIR/README.md)" >&2; exit 1; }
backend=$1; shift
mkdir -p "$(dirname "$OUT")"
for run in $(seq 1 "${RUNS:-1}"); do
  for lb in "$@"; do
    label=${lb%%:*}; bot=${lb#*:}
    case $bot in peer|null) cmd=$bot ;; *) cmd=radar ;; esac
    line=$(cd "$PEER_DIR" && BOT_CMD=$cmd RADAR_BIN=$bot "$PEER_PYTHON" load.py bench \
      --backend "$backend" --n "${N:-3000}" --chats "${CHATS:-64}" --mode "${MODE:-burst}" --nodelay \
      | tail -n 1)
    echo "{\"label\":\"$label\",\"series\":$run,\"result\":$line}" >>"$OUT"
    python3 - "$label" "$line" <<'PY'
import json, sys
label, d = sys.argv[1], json.loads(sys.argv[2])
rss = d.get("rss_kb", {}).get("peak_VmHWM")
lat = d.get("latency_ms", {})
print(f"{label:>10}  {d.get('updates_per_s')} updates/s  p50 {lat.get('p50')} ms  p99 {lat.get('p99')} ms"
      f"  peak RSS {rss / 1024:.1f} MiB  CPU {d.get('cpu_s')}" if rss else f"{label}: {d}")
PY
  done
done
