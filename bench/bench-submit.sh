#!/usr/bin/env bash
# Latency of one job submission (small file, one connection, curl), split by
# what the server is doing meanwhile:
#   idle: each submission waits until the previous job has finished
#   busy: submissions back to back, so the job queue runs pipelines (in the
#         same process) while the next ones are uploaded
# Before and after, build/bench/va-fsync-cost measures what making a file
# durable (rename, fsync of the file and its directory: what a submission
# must do before it answers) costs on the same disk at that moment.
# Usage: bench/bench-submit.sh [BUILD_DIR] [N]
# Prints a Markdown table (milliseconds, curl's time_total).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
n=${2:-30}
exe=$build/src/cli/videoannotator

work=$(mktemp -d /tmp/va-bench-submit-XXXXXX)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

export GSETTINGS_SCHEMA_DIR=$build/data GSETTINGS_BACKEND=memory
export GST_PLUGIN_PATH=$build/plugins/annotate GST_REGISTRY=$work/gst-registry.bin
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
root_flag=
[ "$(id -u)" -eq 0 ] && root_flag=--allow-root
"$exe" server --data-dir "$work/data" --port "$port" --rate-limit=0 --auto-generate-api-key=false \
  $root_flag >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
key=$("$exe" token create --data-dir "$work/data" --json --user-id bench --username bench \
  --email bench@lab.example --scopes read,write --expires-in-days 1 |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
gst-launch-1.0 -q videotestsrc num-buffers=10 ! video/x-raw,width=160,height=120,framerate=10/1 \
  ! x264enc speed-preset=ultrafast ! h264parse ! mp4mux ! filesink location="$work/small.mp4"

submit() {
  curl -fs -o "$work/job.json" -w '%{time_total}\n' -H "Authorization: Bearer $key" \
    -F video=@"$work/small.mp4" -F selected_pipelines=motion_analysis \
    "http://127.0.0.1:$port/api/v1/jobs" >>"$work/$1.txt"
}
wait_done() {
  local id status
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/job.json")
  for _ in $(seq 300); do
    status=$(curl -fs -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/v1/jobs/$id" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    case $status in completed | failed | cancelled) return ;; esac
    sleep 0.05
  done
}

fsync_cost() {
  mkdir "$work/fsync-$1"
  "$build/bench/va-fsync-cost" "$work/fsync-$1" 200 "$(stat -c %s "$work/small.mp4")"
  rm -rf "$work/fsync-$1"
}
fsync_before=$(fsync_cost before)

submit warmup # GStreamer is initialised by the first upload
wait_done
for _ in $(seq "$n"); do
  submit idle
  wait_done
done
for _ in $(seq "$n"); do submit busy; done
fsync_after=$(fsync_cost after)

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rename + fsync of file and directory before the submissions: $fsync_before"
echo "the same after the submissions: $fsync_after"
echo
python3 - "$work" <<'PY'
import statistics, sys
print("| server meanwhile | submissions | median ms | p90 ms | p99 ms | max ms |")
print("|---|---|---|---|---|---|")
for name, label in (("idle", "no job running"), ("busy", "jobs running (submitted back to back)")):
    t = sorted(float(x) * 1000 for x in open(f"{sys.argv[1]}/{name}.txt"))
    p90 = t[min(len(t) - 1, int(round(0.9 * (len(t) - 1))))]
    p99 = t[min(len(t) - 1, int(round(0.99 * (len(t) - 1))))]
    print(f"| {label} | {len(t)} | {statistics.median(t):.1f} | {p90:.1f} | {p99:.1f} | {t[-1]:.1f} |")
PY
