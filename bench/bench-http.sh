#!/usr/bin/env bash
# HTTP benchmark of `videoannotator server` on loopback, beside nginx
# serving a static file of the same size as the job document (the ceiling
# of what an HTTP server can do on this machine). Measures, in one run:
#   - authenticated GET /api/v1/jobs/{id}: req/s and p99 (wrk), with the
#     default serving threads (http-threads=0: one per processor) and, on a
#     second server, with the main loop alone (http-threads=1)
#   - GET /health: req/s and p99 (wrk)
#   - nginx static file: req/s and p99 (wrk)
#   - the smallest libsoup server (build/bench/va-http-floor) answering a
#     body of the same size: what libsoup and GLib cost without the service,
#     on one main loop and with one SoupServer per processor
#   - job submission of a small file: p99 (wrk + Lua multipart body)
#   - idle RSS of the server, and RSS growth during a 2 GiB upload
# Each wrk target runs RUNS times, the targets taking turns (so that load
# from elsewhere hits them alike); the tables give the medians. Besides the
# serving process's CPU per request, wrk's own is recorded: on one machine
# the load generator takes its share of the same cores.
# Usage: bench/bench-http.sh [BUILD_DIR] [SECONDS] [RUNS] [CONNECTIONS]
# Prints Markdown tables for docs/benchmarks.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
secs=${2:-10}
runs=${3:-3}
conns=${4:-64}
exe=$build/src/cli/videoannotator
floor_exe=$build/bench/va-http-floor
threads=2
cores=$(nproc)

work=$(mktemp -d /tmp/va-bench-http-XXXXXX)
server_pid=
server1_pid=
nginx_pid=
floor_pid=
floorn_pid=
# Every process is stopped even if one of them exits with an error (and
# none is left holding the benchmark lock's file descriptor).
stop() {
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  set +e
  stop "$server_pid"
  stop "$server1_pid"
  stop "$floorn_pid"
  stop "$nginx_pid"
  stop "$floor_pid"
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# CPU time (clock ticks) of a process and its children threads
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
nginx_ticks() {
  local t=0 p
  for p in $(pgrep -P "$nginx_pid") "$nginx_pid"; do t=$((t + $(cpu_ticks "$p"))); done
  echo $t
}
hz=$(getconf CLK_TCK)
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

export GSETTINGS_SCHEMA_DIR=$build/data GSETTINGS_BACKEND=memory
export GST_PLUGIN_PATH=$build/plugins/annotate GST_REGISTRY=$work/gst-registry.bin

data=$work/data
port=$(free_port)
root_flag=
[ "$(id -u)" -eq 0 ] && root_flag=--allow-root
"$exe" server --data-dir "$data" --port "$port" --rate-limit=0 --auto-generate-api-key=false \
  $root_flag >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
sleep 1
idle_rss=$(rss_kib "$server_pid")

key=$("$exe" token create --data-dir "$data" --json --user-id bench --username bench \
  --email bench@lab.example --scopes read,write --expires-in-days 1 |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

gst-launch-1.0 -q videotestsrc num-buffers=10 ! video/x-raw,width=160,height=120,framerate=10/1 \
  ! x264enc speed-preset=ultrafast ! h264parse ! mp4mux ! filesink location="$work/small.mp4"
job=$(curl -fs -H "Authorization: Bearer $key" -F video=@"$work/small.mp4" \
  -F selected_pipelines=motion_analysis "http://127.0.0.1:$port/api/v1/jobs" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -fs -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/v1/jobs/$job" >"$work/job.json"

# 2 GiB upload, after a first small one (GStreamer, used to check uploads,
# is initialised once per process): RSS sampled while the body streams
truncate -s 2G "$work/big.bin"
rss_before=$(rss_kib "$server_pid")
curl -s -o "$work/big.out" -w '%{http_code}' -H "Authorization: Bearer $key" \
  -F video=@"$work/big.bin" "http://127.0.0.1:$port/api/v1/jobs" >"$work/big.status" &
curl_pid=$!
rss_max=$rss_before
while kill -0 "$curl_pid" 2>/dev/null; do
  r=$(rss_kib "$server_pid")
  [ "$r" -gt "$rss_max" ] && rss_max=$r
  sleep 0.1
done
wait "$curl_pid" || true
rss_after=$(rss_kib "$server_pid")
rm -f "$work/big.bin"

# nginx: a static file of the job document's size, foreground, loopback only
nport=$(free_port)
mkdir -p "$work/www" "$work/nginx"
cp "$work/job.json" "$work/www/job.json"
chmod 755 "$work" "$work/www"
chmod 644 "$work/www/job.json"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes $threads;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    default_type application/json;
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
fport=$(free_port)
"$floor_exe" "$fport" "$(stat -c %s "$work/job.json")" &
floor_pid=$!
fnport=$(free_port)
"$floor_exe" "$fnport" "$(stat -c %s "$work/job.json")" "$cores" &
floorn_pid=$!

# the same service on the main loop alone, its own data and job
data1=$work/data1
port1=$(free_port)
"$exe" server --data-dir "$data1" --port "$port1" --rate-limit=0 --auto-generate-api-key=false \
  --http-threads=1 $root_flag >"$work/server1.log" 2>&1 &
server1_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port1/health" >/dev/null && break
  sleep 0.1
done
key1=$("$exe" token create --data-dir "$data1" --json --user-id bench --username bench \
  --email bench@lab.example --scopes read,write --expires-in-days 1 |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
job1=$(curl -fs -H "Authorization: Bearer $key1" -F video=@"$work/small.mp4" \
  -F selected_pipelines=motion_analysis "http://127.0.0.1:$port1/api/v1/jobs" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
# both jobs run to their end before the measures
sleep 3

# wrk prints "Requests/sec: N", "N requests in" and, with --latency,
# "99%  X". The server's CPU time per request is recorded too: unlike req/s
# it does not depend on what else the machine is doing.
# run_wrk KEY TICKS_FN WRK_ARGS...: appends
# "KEY rps p99_ms cpu_us non2xx wrk_cpu_us"
run_wrk() {
  local key=$1 ticks_fn=$2
  shift 2
  local out before after wrk_cpu
  before=$($ticks_fn)
  # bash's time keyword: wrk's user and system CPU seconds
  out=$( { TIMEFORMAT='WRKCPU %U %S'; time wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$@"; } 2>&1)
  after=$($ticks_fn)
  local rps p99 n non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  wrk_cpu=$(awk -v n="$n" '/^WRKCPU/ {printf "%d", ($2 + $3) * 1e6 / (n > 0 ? n : 1)}' <<<"$out")
  echo "$key $rps $p99 $(((after - before) * 1000000 / hz / (n > 0 ? n : 1))) ${non2xx:-0} $wrk_cpu" \
    >>"$work/results.txt"
}
server_ticks() { cpu_ticks "$server_pid"; }
server1_ticks() { cpu_ticks "$server1_pid"; }
floor_ticks() { cpu_ticks "$floor_pid"; }
floorn_ticks() { cpu_ticks "$floorn_pid"; }

# submission: a small multipart body built once, posted by a Lua script
python3 - "$work" <<'PY'
import sys, os
work = sys.argv[1]
video = open(os.path.join(work, "small.mp4"), "rb").read()
b = "vabenchboundary"
body = (f"--{b}\r\nContent-Disposition: form-data; name=\"selected_pipelines\"\r\n\r\n"
        f"motion_analysis\r\n--{b}\r\nContent-Disposition: form-data; name=\"video\"; "
        f"filename=\"s.mp4\"\r\nContent-Type: video/mp4\r\n\r\n").encode() + video + \
       f"\r\n--{b}--\r\n".encode()
open(os.path.join(work, "body.bin"), "wb").write(body)
PY
cat >"$work/submit.lua" <<LUA
local f = io.open("$work/body.bin", "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "multipart/form-data; boundary=vabenchboundary"
wrk.headers["Authorization"] = "Bearer $key"
LUA

echo "date: $(date -u +%Y-%m-%dT%H:%MZ); commit: $(git -C "$top" rev-parse --short HEAD 2>/dev/null); machine: $(nproc) cores, $(awk '/model name/ {$1=$2=$3=""; print; exit}' /proc/cpuinfo | sed 's/^ *//'); wrk -t$threads -c$conns -d${secs}s, $runs runs per target"
echo
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/results.txt"
for _ in $(seq "$runs"); do
  run_wrk jobget server_ticks -H "Authorization: Bearer $key" \
    "http://127.0.0.1:$port/api/v1/jobs/$job"
  run_wrk jobget1 server1_ticks -H "Authorization: Bearer $key1" \
    "http://127.0.0.1:$port1/api/v1/jobs/$job1"
  run_wrk health server_ticks "http://127.0.0.1:$port/health"
  run_wrk nginx nginx_ticks "http://127.0.0.1:$nport/job.json"
  run_wrk floor floor_ticks "http://127.0.0.1:$fport/"
  run_wrk floorn floorn_ticks "http://127.0.0.1:$fnport/"
  conns=4 run_wrk submit server_ticks -s "$work/submit.lua" "http://127.0.0.1:$port/api/v1/jobs"
done
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
size=$(stat -c %s "$work/www/job.json")
python3 - "$work/results.txt" "$size" "$cores" "$conns" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    key, rps, p99, cpu, non2xx, wrk_cpu = line.split()
    rows.setdefault(key, []).append((float(rps), p99, int(cpu), int(non2xx), int(wrk_cpu)))
def ms(text):  # wrk prints 850.00us, 1.20ms, 1.10s
    for unit, f in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * f
    return float(text)
cores, conns = sys.argv[3], sys.argv[4]
names = {
    "jobget": f"GET /api/v1/jobs/{{id}} (Bearer key), http-threads=0 ({cores} loops)",
    "jobget1": "GET /api/v1/jobs/{id} (Bearer key), http-threads=1",
    "health": f"GET /health, http-threads=0 ({cores} loops)",
    "nginx": f"nginx static file, {sys.argv[2]} bytes, 2 workers",
    "floor": f"smallest libsoup server, {sys.argv[2]} bytes, 1 loop",
    "floorn": f"smallest libsoup server, {sys.argv[2]} bytes, {cores} loops",
    "submit": "POST /api/v1/jobs (small file, 4 connections)",
}
nginx = statistics.median(r[0] for r in rows["nginx"])
print(f"wrk -t2 -c{conns} (submission: -c4)")
print()
print("| target | req/s (median) | req/s / nginx | p99 (median) | server CPU µs/request (median) | wrk CPU µs/request (median) | non-2xx (all runs) | req/s of each run |")
print("|---|---|---|---|---|---|---|---|")
for key in ("jobget", "jobget1", "health", "nginx", "floor", "floorn", "submit"):
    r = rows[key]
    rps = statistics.median(x[0] for x in r)
    p99 = statistics.median(ms(x[1]) for x in r)
    cpu = statistics.median(x[2] for x in r)
    wrk_cpu = statistics.median(x[4] for x in r)
    print(f"| {names[key]} | {rps:.0f} | {rps / nginx:.3f} | {p99:.2f} ms | {cpu} | {wrk_cpu} | "
          f"{sum(x[3] for x in r)} | {', '.join(f'{x[0]:.0f}' for x in r)} |")
PY
echo
echo "| memory | KiB |"
echo "|---|---|"
echo "| idle RSS after start | $idle_rss |"
echo "| RSS before the 2 GiB upload | $rss_before |"
echo "| largest RSS sampled during the upload (every 0.1 s) | $rss_max |"
echo "| growth during the upload (answer: HTTP $(cat "$work/big.status")) | $((rss_max - rss_before)) |"
echo "| RSS after the upload | $rss_after |"
