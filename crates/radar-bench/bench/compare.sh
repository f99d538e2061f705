#!/usr/bin/env bash
# The physical limit, same SQL, same machine, same run:
#   PostgreSQL: pgbench running crates/radar-bench/bench/pgbench/*.sql (the engine's statements per command,
#               in the engine's mix) vs `radar-bench engine`, on the same fresh database;
#   SQLite:     sqlite3 replaying the statements a capture run of the engine recorded
#               (values inlined, one sqlite3 process per worker) vs `radar-bench engine`,
#               each on its own copy of the same seeded file.
# At 1 and 8 concurrent clients, one right after the other. Prints both figures and the ratio.
#
# Usage: crates/radar-bench/bench/compare.sh [COMMANDS]          (default 10000)
# Runs from the workspace root (wherever it is called from); the pgbench variables below
# hold what the engine binds for one command of each kind (`radar-bench sql` on a fresh
# database shows them), so the rows written are the same size as the engine's.
# Environment: CLIENTS ("1 8"), BACKENDS ("postgres sqlite"), RUNS (1),
#              PG_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres)
set -euo pipefail
cd "$(dirname "$0")/../../.."
SCRIPTS=crates/radar-bench/bench/pgbench

N=${1:-10000}
CLIENTS=${CLIENTS:-"1 8"}
BACKENDS=${BACKENDS:-"postgres sqlite"}
RUNS=${RUNS:-1}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_BASE=${PG_ADMIN_URL%/*}
USERS=64 PROJECTS=64 FEATURES=20 RELEASES=3
SHAPE=(--users $USERS --projects $PROJECTS --features $FEATURES --releases $RELEASES)

BIN=target/release/radar-bench
if [ ! -x "$BIN" ] || [ ! -x target/release/radar ]; then
  cargo build --release --locked -p radar -p radar-bench
fi
json_field() { sed -n 's/.*"'"$2"'":\([0-9.]*\).*/\1/p' <<<"$1" | tail -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "compare: $N commands per run, clients: $CLIENTS; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"

pgbench_vars() {
  local now today day ids
  now=$(date -u +'%Y-%m-%d %H:%M:%S.%6N')
  today=$(date -u +'%Y-%m-%d 00:00:00')
  day=$(date -u +'%Y-%m-%d')
  ids="{$(seq -s, 1 100)}"
  local kb='{"inline_keyboard":[[{"callback_data":"st:4:b:8","text":"• backlog"},{"callback_data":"st:4:p:8","text":"🗓 planned"},{"callback_data":"st:4:w:8","text":"🔵 in progress"}],[{"callback_data":"st:4:x:8","text":"⛔ blocked"},{"callback_data":"st:4:d:8","text":"✅ done"},{"callback_data":"st:4:c:8","text":"✖️ cancelled"}]]}'
  PGBENCH_VARS=(
    -D users=$USERS -D features=$FEATURES -D releases=$RELEASES
    -D "now=$now" -D "today=$today" -D changes_limit=2000 -D "ids=$ids" -D "ids_one={1}"
    -D "fname=Bench item" -D backlog=backlog -D create=create -D feature=feature -D update=update
    -D undo=undo -D context=context -D html=HTML -D status=blocked -D "reason=bench reason"
    -D "keyboard=$kb"
    -D "cmd_add=/add Bench item 1" -D "cmd_plan=/plan 2 11" -D "cmd_status=/status 1 blocked: bench reason 1"
    -D "cmd_changes=/changes today" -D "cmd_undo=/undo"
    -D 'details_add={"change":"feature_created","feature":{"id":4,"project_id":1,"number":4,"name":"Bench item 1","description":null,"status":"backlog","status_reason":null,"assigned_teams":null,"assigned_po":null,"release_id":null,"created_at":"2026-11-02T12:00:00","updated_at":"2026-11-02T12:00:00"}}'
    -D 'details_plan={"change":"feature_updated","feature":{"number":2,"name":"Seed feature 2"},"diff":{"release":{"before":null,"after":{"id":2,"version":"11"}}}}'
    -D 'details_status={"change":"feature_updated","feature":{"number":1,"name":"Seed feature 1"},"diff":{"status":{"before":"backlog","after":"blocked"},"status_reason":{"before":null,"after":"bench reason 1"}}}'
    -D 'details_undo={"change":"feature_updated","feature":{"number":1,"name":"Seed feature 1"},"diff":{"status":{"before":"blocked","after":"backlog"},"status_reason":{"before":"bench reason 1","after":null}}}'
    -D 'reply_add=📁 Project: <b>Bench 1</b>

➕ Added #4 Bench item 1 (backlog).'
    -D 'reply_plan=📁 Project: <b>Bench 1</b>

🚀 #2 Seed feature 2 is planned into release <b>11</b>.'
    -D 'reply_status=📁 Project: <b>Bench 1</b>

⛔ #1 Seed feature 1: backlog → <b>blocked</b> (<i>bench reason 1</i>)'
    -D 'reply_undo=📁 Project: <b>Bench 1</b>

↩️ Undone:
• #1 Seed feature 1: status backlog → blocked, reason — → bench reason 1'
    -D "reply_changes=📁 Project: <b>Bench 1</b>

<b>What changed today</b> (40 changes)
$(for i in $(seq 1 40); do printf '\n<b>#%d Seed feature %d</b>\n• %s 12:00 · you · status backlog → blocked, reason — → bench reason %d\n' "$i" "$i" "$day" "$i"; done)"
  )
}

compare_postgres() {
  local c=$1 db url out tps eng
  db="radar_compare_$$_${c}"
  url="$PG_BASE/$db"
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
  "$BIN" seed -q --database-url "$url" "${SHAPE[@]}" >/dev/null
  pgbench_vars
  out=$(pgbench -n -M prepared -c "$c" -j "$c" -t $((N / c)) "${PGBENCH_VARS[@]}" \
    -f $SCRIPTS/add.sql@25 -f $SCRIPTS/status.sql@30 -f $SCRIPTS/plan.sql@20 \
    -f $SCRIPTS/changes.sql@15 -f $SCRIPTS/undo.sql@10 "$url" 2>&1) || { echo "$out" >&2; exit 1; }
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out" | head -n 1)
  eng=$("$BIN" engine -q -n "$N" -c "$c" --database-url "$url" "${SHAPE[@]}" | tail -n 1)
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  report postgres "$c" pgbench "$tps" "$(json_field "$eng" commands_per_s)"
}

compare_sqlite() {
  local c=$1 dir start end tps eng errors
  dir=$(mktemp -d)
  "$BIN" seed -q --database-url "$dir/seed.db" "${SHAPE[@]}" >/dev/null
  sqlite3 "$dir/seed.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  for copy in capture replay engine; do cp "$dir/seed.db" "$dir/$copy.db"; done
  # The capture run records what the engine runs (its speed does not count).
  "$BIN" engine -q -n "$N" -c "$c" --database-url "$dir/capture.db" "${SHAPE[@]}" --capture "$dir/sql" >/dev/null
  start=$(date +%s.%N)
  for f in "$dir"/sql/worker-*.sql; do
    sqlite3 "$dir/replay.db" <"$f" >/dev/null 2>>"$dir/sqlite3.err" &
  done
  wait
  end=$(date +%s.%N)
  tps=$(awk -v n="$N" -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", n / (e - s) }')
  errors=$(grep -c . "$dir/sqlite3.err" || true)
  if [ "$errors" -gt 0 ]; then
    # Replayed in parallel, ids differ from the capture's: some statements meet other rows.
    sed -E 's/^[^:]*:[0-9]+: //; s/line [0-9]+/line N/' "$dir/sqlite3.err" | sort | uniq -c | sort -rn | head -n 3 >&2
  fi
  eng=$("$BIN" engine -q -n "$N" -c "$c" --database-url "$dir/engine.db" "${SHAPE[@]}" | tail -n 1)
  rm -rf "$dir"
  report sqlite "$c" "sqlite3" "$tps" "$(json_field "$eng" commands_per_s)" "$errors"
}

report() {
  local backend=$1 c=$2 tool=$3 base=$4 eng=$5 errors=${6:-}
  printf '%-8s c=%-2s %-8s %8.0f tx/s   radar-bench engine %8.0f commands/s   ratio %s%s\n' \
    "$backend" "$c" "$tool" "$base" "$eng" "$(ratio "$eng" "$base")" \
    "${errors:+   (sqlite3 statement errors: $errors)}"
  echo "{\"bench\":\"compare\",\"backend\":\"$backend\",\"clients\":$c,\"baseline\":\"$tool\",\"baseline_per_s\":$base,\"engine_per_s\":$eng,\"ratio\":$(ratio "$eng" "$base")}" >>"${COMPARE_JSON:-/dev/null}"
}

for run in $(seq 1 "$RUNS"); do
  for backend in $BACKENDS; do
    for c in $CLIENTS; do
      "compare_$backend" "$c"
    done
  done
done
