#!/usr/bin/env bash
# Every figure of BENCHMARKS.md, RUNS times each (default 3), one JSON line per run
# in $OUT (default target/bench-results.jsonl), on fresh databases. Takes ~15 minutes on 2 cores.
# Needs PostgreSQL at PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres),
# pgbench and sqlite3. Do not run it next to other heavy work: the machine is the limit.
set -euo pipefail
# From the workspace root (target/ is there), wherever it is called from.
cd "$(dirname "$0")/../../.."
RUNS=${RUNS:-3}
OUT=${OUT:-target/bench-results.jsonl}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_BASE=${PG_ADMIN_URL%/*}
cargo build --release --locked -p radar -p radar-bench
BIN=target/release/radar-bench
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pgdb() { psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null; echo "$PG_BASE/$1"; }
record() { tail -n 1 | tee -a "$OUT"; }

for run in $(seq 1 "$RUNS"); do
  echo "== run $run"
  # 1. Same SQL: pgbench / sqlite3 vs the engine, 1 and 8 clients.
  RUNS=1 COMPARE_JSON="$OUT" crates/radar-bench/bench/compare.sh 10000
  # 2. End to end through radar serve, and the fake Bot API's own ceiling.
  "$BIN" e2e -q --null-bot -n 20000 -c 64 | record
  rm -f "$TMP"/e2e.db*; "$BIN" e2e -q -n 20000 -c 64 --database-url "$TMP/e2e.db" | record
  rm -f "$TMP"/e2e1.db*; "$BIN" e2e -q -n 2000 -c 1 --database-url "$TMP/e2e1.db" | record
  "$BIN" e2e -q -n 20000 -c 64 --database-url "$(pgdb radar_measure_e2e)" | record
  # 3. History at 1M events (fill once per backend; later runs time the queries again).
  "$BIN" history -q -m 1000000 --database-url "$TMP/history.db" | record
  if [ "$run" = 1 ]; then pgdb radar_measure_history >/dev/null; fi
  "$BIN" history -q -m 1000000 --database-url "$PG_BASE/radar_measure_history" | record
done
psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS radar_measure_e2e WITH (FORCE)" -c "DROP DATABASE IF EXISTS radar_measure_history WITH (FORCE)" >/dev/null
