#!/usr/bin/env bash
# bench/run.sh: quired and CUPS's cupsd measured side by side in one session, results
# written to docs/benchmarks.md. Every daemon runs from a temp directory on a loopback
# port and is stopped on exit; the whole run takes about 3 minutes (--duration 10).
#
#   bench/run.sh [--quired PATH | --no-quired] [--ipp-load PATH] [--out FILE]
#                [--duration SECONDS] [--queued N] [--keep]
#
# Needs: build/bin/ipp_load (cmake --build build --target ipp_load), cups (cupsd),
# cups-client (lpstat, lpadmin, cupsdisable). Run as root (cupsd wants it).
#
# What runs, each closed-loop through ipp_load:
#   Get-Printer-Attributes at 1, 8 and 64 connections     quired, cupsd
#   Print-Job, 1 KiB text/plain, 8 connections             quired, cupsd (all defaults; MaxJobs 0;
#                                                          MaxJobs 0 and DirtyCleanInterval 0)
#   VmRSS idle, and with N jobs queued on a stopped queue  quired, cupsd
#   kill -9 under Print-Job load, restart, count acknowledged job ids missing from
#   lpstat -o (queues stopped, so every job stays queued)  quired, cupsd, cupsd DCI 0
#                                                          (cupsd with MaxJobs 0 for queued jobs)
set -euo pipefail
export LC_ALL=C LANG=C   # lpstat's messages are matched below
unset CUPS_SERVER CUPS_USER

REPO=$(cd "$(dirname "$0")/.." && pwd)
QUIRED=$REPO/build/bin/quired
IPP_LOAD=$REPO/build/bin/ipp_load
CUPSD_SH=$REPO/bench/cupsd.sh
OUT=$REPO/docs/benchmarks.md
DURATION=10
QUEUED=2000
KILL_LOAD_S=8     # Print-Job load in the kill -9 test lasts this long ...
KILL_AFTER_S=4    # ... and the daemon is killed this far into it
WITH_QUIRED=1
KEEP=0

die() { echo "run.sh: $*" >&2; exit 1; }
say() { echo "run.sh: $*" >&2; }

while (($#)); do
  case $1 in
    --quired) QUIRED=$(realpath "${2:?}"); shift 2 ;;
    --no-quired) WITH_QUIRED=0; shift ;;
    --ipp-load) IPP_LOAD=$(realpath "${2:?}"); shift 2 ;;
    --out) OUT=$(realpath -m "${2:?}"); shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --queued) QUEUED=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) die "unknown option $1 (see the top of $0)" ;;
  esac
done
[[ -x $IPP_LOAD ]] || die "$IPP_LOAD missing: cmake --build build --target ipp_load"
command -v cupsd >/dev/null || die "cupsd not installed (apt-get install cups-daemon)"
if ((WITH_QUIRED)) && [[ ! -x $QUIRED ]]; then
  say "$QUIRED not found: measuring cupsd only (pass --quired PATH)"
  WITH_QUIRED=0
fi

WORK=$(mktemp -d /tmp/quire-bench.XXXXXX)
chmod 755 "$WORK"
RESULTS=$WORK/results    # one file per measurement: a JSON line or a number
mkdir -p "$RESULTS"
QUIRED_RUNNING=""        # the quired we started and have not stopped yet (one at a time)
CUPSD_DIRS=()            # every cupsd directory we started (stopped on exit)

cleanup() {
  local dir
  if [[ -n $QUIRED_RUNNING ]]; then kill -TERM "$QUIRED_RUNNING" 2>/dev/null; wait "$QUIRED_RUNNING" 2>/dev/null || true; fi
  for dir in "${CUPSD_DIRS[@]}"; do "$CUPSD_SH" stop "$dir" || true; done
  if ((KEEP)); then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---- helpers -------------------------------------------------------------------------

json_field() { sed -nE "s/.*\"$2\":\"?([^,\"}]*).*/\1/p" <<<"$1"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# CPU ticks of a process and its reaped children (filters, backends): fields 14-17.
# (The command name, field 2, has no spaces for quired or cupsd.)
cpu_ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }

wait_answers() {  # HOST:PORT: until the scheduler answers lpstat
  local i
  for ((i = 0; i < 200; i++)); do
    [[ $(lpstat -h "$1" -r 2>/dev/null) == "scheduler is running" ]] && return 0
    sleep 0.05
  done
  die "nothing answers on $1"
}

wait_dead() {  # PID (not our child: gone, or a zombie nobody has reaped yet)
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -r /proc/$1/stat && $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]] || return 0
    sleep 0.05
  done
  die "process $1 did not die"
}

machine_busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

# ipp_load against PORT/QUEUE; saves its JSON line as RESULTS/TAG, with CPU figures in
# cores over the run added: daemon_cpu (the daemon PID and its children), machine_cpu
# (everything) and other_cpu (machine minus daemon minus ipp_load: background noise).
load() {
  local tag=$1 port=$2 queue=$3 pid=$4; shift 4
  local t0 t1 c0 c1 m0 m1 json
  c0=$(cpu_ticks "$pid"); m0=$(machine_busy_ticks); t0=$(date +%s.%N)
  json=$("$IPP_LOAD" --uri "ipp://127.0.0.1:$port/printers/$queue" "$@")
  c1=$(cpu_ticks "$pid"); m1=$(machine_busy_ticks); t1=$(date +%s.%N)
  json="${json%\}}$(awk -v c="$((c1 - c0))" -v m="$((m1 - m0))" -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" \
    -v l="$(json_field "$json" load_cpu)" 'BEGIN {
      d = c / hz / (b - a); t = m / hz / (b - a); o = t - d - l; if (o < 0) o = 0
      printf ",\"daemon_cpu\":%.2f,\"machine_cpu\":%.2f,\"other_cpu\":%.2f}", d, t, o }')"
  echo "$json" >"$RESULTS/$tag"
  say "$tag: $json"
}

# ---- quired ----------------------------------------------------------------------------
# quired --state-dir DIR --listen 127.0.0.1:0 prints "quired: listening on ADDR" lines,
# then "quired: ready". A fresh DIR gets the "demo" queue.

quired_start() {  # DIR -> QPORT QPID
  local dir=$1 out=$1.stdout i
  mkdir -p "$dir"
  rm -f "$out"  # a previous start's "ready" line must not be mistaken for this one's
  "$QUIRED" --state-dir "$dir" --listen 127.0.0.1:0 </dev/null >"$out" 2>"$dir.stderr" &
  QPID=$!
  QUIRED_RUNNING=$QPID
  for ((i = 0; i < 600; i++)); do
    grep -qx 'quired: ready' "$out" 2>/dev/null && break
    kill -0 "$QPID" 2>/dev/null || die "quired exited: $(tail -5 "$dir.stderr")"
    sleep 0.05
  done
  grep -qx 'quired: ready' "$out" || die "quired not ready after 30 s"
  QPORT=$(sed -n 's/^quired: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out" | head -1)
  [[ -n $QPORT ]] || die "quired printed no 127.0.0.1 port: $(cat "$out")"
  wait_answers "127.0.0.1:$QPORT"
}

quired_stop() {
  kill -TERM "$QPID"
  wait "$QPID" || true
  QUIRED_RUNNING=""
}

quired_kill9() {
  kill -KILL "$QPID"
  wait "$QPID" 2>/dev/null || true
  QUIRED_RUNNING=""
}

# A state directory whose demo queue is stopped, so jobs stay queued: quired creates
# printers.conf on first start; we edit it while quired is down.
quired_prepare_stopped() {  # DIR
  quired_start "$1"
  quired_stop
  sed -i 's/^State Idle$/State Stopped/' "$1/printers.conf"
  grep -qx 'State Stopped' "$1/printers.conf" || die "could not stop the demo queue in $1/printers.conf"
}

# Like cupsd's bench queue: the demo queue (raw: no Driver) prints to /dev/null rather
# than creating a file per job in its output directory.
quired_prepare_devnull() {  # DIR
  quired_start "$1"
  quired_stop
  sed -i 's|^DeviceURI .*$|DeviceURI file:///dev/null|' "$1/printers.conf"
  grep -qx 'DeviceURI file:///dev/null' "$1/printers.conf" || die "could not point the demo queue at /dev/null in $1/printers.conf"
}

# ---- cupsd -----------------------------------------------------------------------------

cupsd_start() {  # DIR [cupsd.sh options] -> CPORT CPID
  local dir=$1; shift
  local line
  line=$("$CUPSD_SH" start "$dir" "$@") || die "cupsd.sh start failed"
  CUPSD_DIRS+=("$dir")
  read -r CPORT CPID <<<"$line"
}

cupsd_kill9() {
  kill -KILL "$CPID"
  wait_dead "$CPID"
}

# A cupsd whose bench queue is disabled and saved that way (stop writes printers.conf;
# MaxJobs 0 so thousands of queued jobs are accepted - CUPS's default limit is 500).
cupsd_prepare_stopped() {  # DIR [cupsd.sh options]
  cupsd_start "$@" --max-jobs 0
  cupsdisable -h "127.0.0.1:$CPORT" bench
  "$CUPSD_SH" stop "$1"
  grep -qx 'State Stopped' "$1/etc/printers.conf" || die "cupsd did not save the disabled queue"
}

# ---- the kill -9 test ------------------------------------------------------------------
# Print-Job load with every acknowledged job-id written to a file; SIGKILL the daemon
# mid-run; restart it on the same state; count acknowledged ids that lpstat -o lacks.

lost_jobs() {  # TAG PORT QUEUE ACKFILE -> RESULTS/TAG: "acked present missing"
  local tag=$1 port=$2 queue=$3 acks=$4 acked present missing
  lpstat -h "127.0.0.1:$port" -o "$queue" >"$WORK/$tag.lpstat" || die "$tag: lpstat -o $queue failed"
  awk '{print $1}' "$WORK/$tag.lpstat" | sed 's/.*-//' | sort -u >"$WORK/$tag.present"
  sort -u "$acks" >"$WORK/$tag.acked"
  acked=$(wc -l <"$WORK/$tag.acked")
  present=$(wc -l <"$WORK/$tag.present")
  missing=$(comm -23 "$WORK/$tag.acked" "$WORK/$tag.present" | wc -l)
  echo "$acked $present $missing" >"$RESULTS/$tag"
  say "$tag: acked $acked, queued after restart $present, acked but missing $missing"
}

kill_test_quired() {
  local dir=$WORK/quired-kill acks=$WORK/quired-kill.acks
  quired_prepare_stopped "$dir"
  quired_start "$dir"
  "$IPP_LOAD" --uri "ipp://127.0.0.1:$QPORT/printers/demo" --op print-job --connections 8 \
    --duration "$KILL_LOAD_S" --timeout 2 --ack-file "$acks" >"$RESULTS/kill-quired.load" &
  local load=$!
  sleep "$KILL_AFTER_S"
  quired_kill9
  wait "$load" || die "ipp_load failed in the kill -9 test"
  quired_start "$dir"
  lost_jobs kill-quired "$QPORT" demo "$acks"
  quired_stop
}

kill_test_cupsd() {  # TAG [cupsd.sh options]
  local tag=$1; shift
  local dir=$WORK/$tag acks=$WORK/$tag.acks
  cupsd_prepare_stopped "$dir" "$@"
  cupsd_start "$dir" "$@" --max-jobs 0
  "$IPP_LOAD" --uri "ipp://127.0.0.1:$CPORT/printers/bench" --op print-job --connections 8 \
    --duration "$KILL_LOAD_S" --timeout 2 --ack-file "$acks" >"$RESULTS/$tag.load" &
  local load=$!
  sleep "$KILL_AFTER_S"
  cupsd_kill9
  wait "$load" || die "ipp_load failed in the kill -9 test"
  cupsd_start "$dir" "$@" --max-jobs 0
  lost_jobs "$tag" "$CPORT" bench "$acks"
  "$CUPSD_SH" stop "$dir"
}

# ---- the session -----------------------------------------------------------------------

LOADAVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
SECONDS=0

if ((WITH_QUIRED)); then
  say "quired: Get-Printer-Attributes, Print-Job"
  quired_prepare_devnull "$WORK/quired-load"
  quired_start "$WORK/quired-load"
  sleep 1
  echo "$(rss_kib "$QPID")" >"$RESULTS/rss-idle-quired"
  for n in 1 8 64; do load "gpa-$n-quired" "$QPORT" demo "$QPID" --connections "$n" --duration "$DURATION"; done
  load pj-quired "$QPORT" demo "$QPID" --op print-job --connections 8 --duration "$DURATION"
  quired_stop

  say "quired: RSS with $QUEUED jobs queued"
  quired_prepare_stopped "$WORK/quired-queued"
  quired_start "$WORK/quired-queued"
  load queue-quired "$QPORT" demo "$QPID" --op print-job --connections 8 --requests "$QUEUED"
  sleep 1
  echo "$(rss_kib "$QPID")" >"$RESULTS/rss-queued-quired"
  quired_stop

  say "quired: kill -9"
  kill_test_quired
fi

say "cupsd: Get-Printer-Attributes, Print-Job"
cupsd_start "$WORK/cupsd-load"
sleep 1
echo "$(rss_kib "$CPID")" >"$RESULTS/rss-idle-cupsd"
for n in 1 8 64; do load "gpa-$n-cupsd" "$CPORT" bench "$CPID" --connections "$n" --duration "$DURATION"; done
load pj-cupsd "$CPORT" bench "$CPID" --op print-job --connections 8 --duration "$DURATION"
"$CUPSD_SH" stop "$WORK/cupsd-load"

cupsd_start "$WORK/cupsd-maxjobs0" --max-jobs 0
load pj-cupsd-maxjobs0 "$CPORT" bench "$CPID" --op print-job --connections 8 --duration "$DURATION"
"$CUPSD_SH" stop "$WORK/cupsd-maxjobs0"

cupsd_start "$WORK/cupsd-dci0" --max-jobs 0 --dirty-clean-interval 0
load pj-cupsd-dci0 "$CPORT" bench "$CPID" --op print-job --connections 8 --duration "$DURATION"
"$CUPSD_SH" stop "$WORK/cupsd-dci0"

say "cupsd: RSS with $QUEUED jobs queued"
cupsd_prepare_stopped "$WORK/cupsd-queued"
cupsd_start "$WORK/cupsd-queued" --max-jobs 0
load queue-cupsd "$CPORT" bench "$CPID" --op print-job --connections 8 --requests "$QUEUED"
sleep 1
echo "$(rss_kib "$CPID")" >"$RESULTS/rss-queued-cupsd"
"$CUPSD_SH" stop "$WORK/cupsd-queued"

say "cupsd: kill -9"
kill_test_cupsd kill-cupsd
kill_test_cupsd kill-cupsd-dci0 --dirty-clean-interval 0

ELAPSED=$SECONDS
LOADAVG_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the report ------------------------------------------------------------------------

result() { [[ -f $RESULTS/$1 ]] && cat "$RESULTS/$1" || true; }
num() {  # TAG FIELD: one figure of a load result, "—" when not measured
  local v; v=$(json_field "$(result "$1")" "$2")
  echo "${v:-—}"
}
lat() { [[ -n $(result "$1") ]] && echo "$(num "$1" p50_ms) / $(num "$1" p99_ms) / $(num "$1" max_ms)" || echo "—"; }
mib() { local k; k=$(result "$1"); [[ -n $k ]] && awk -v k="$k" 'BEGIN {printf "%.1f MiB", k / 1024}' || echo "—"; }
kill_row() {  # LABEL TAG
  local r; r=$(result "$2")
  if [[ -z $r ]]; then echo "| $1 | — | — | — |"; return; fi
  read -r acked present missing <<<"$r"
  echo "| $1 | $acked | $present | **$missing** |"
}

CUPS_VERSION="CUPS $(dpkg-query -W -f='${Version}' cups-daemon 2>/dev/null || echo '?') (Debian package cups-daemon)"
if ((WITH_QUIRED)); then
  QUIRED_VERSION=$("$QUIRED" --version 2>/dev/null | head -1) || QUIRED_VERSION=""
  if [[ -z $QUIRED_VERSION ]]; then
    # No --version yet: name the checkout the binary was built in, if it sits in one.
    src=$(git -C "$(dirname "$QUIRED")" rev-parse --show-toplevel 2>/dev/null) || src=""
    if [[ -n $src ]]; then
      QUIRED_VERSION="quired $(sed -n 's/^project(quire VERSION \([^ ]*\).*/\1/p' "$src/CMakeLists.txt"), commit $(git -C "$src" rev-parse --short HEAD) ($QUIRED)"
    else
      QUIRED_VERSION="quired, built outside a checkout ($QUIRED)"
    fi
  fi
else
  QUIRED_VERSION="not measured in this run"
fi

# CPU figures over every load run: ipp_load's own peak, and what else the machine did.
CPU_NOTE=$(cat "$RESULTS"/gpa-* "$RESULTS"/pj-* "$RESULTS"/queue-* 2>/dev/null | awk '
  { l = $0; sub(/.*"load_cpu":/, "", l); sub(/[,}].*/, "", l)
    o = $0; sub(/.*"other_cpu":/, "", o); sub(/[,}].*/, "", o)
    n++; if (l + 0 > lmax) lmax = l + 0; osum += o; if (o + 0 > omax) omax = o + 0 }
  END { if (n) printf "ipp_load used at most %.2f cores; other processes used %.2f cores on average (at most %.2f) during the load runs", lmax, osum / n, omax
        if (n && osum / n > 0.25) printf " - **a busy machine: these figures are disturbed, run again when it is quiet**" }')

# Hand-written notes below this marker in the existing file survive a new run.
NOTES_MARKER='<!-- Notes: everything below this line is kept by bench/run.sh. -->'
NOTES=""
if [[ -f $OUT ]] && grep -qxF "$NOTES_MARKER" "$OUT"; then
  NOTES=$(awk -v m="$NOTES_MARKER" 'kept; $0 == m {kept = 1}' "$OUT")
fi

mkdir -p "$(dirname "$OUT")"
{
  cat <<EOF
# Benchmarks: quired and CUPS's cupsd

Written by \`bench/run.sh\` (edit the script, not this file's tables). Both daemons run on
the same machine in the same session, from temp directories, on loopback ports, driven by
\`bench/ipp_load\`: closed loop, keep-alive HTTP/1.1, each connection one request at a time.

## Machine and run

| | |
|---|---|
| date | $STARTED |
| cores (\`nproc\`) | $(nproc) |
| CPU | $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1) |
| kernel | $(uname -sr) |
| state directories | \`$(dirname "$WORK")\` on $(findmnt -no FSTYPE -T "$WORK" 2>/dev/null || echo '?') (both daemons) |
| memory | $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |
| load average before / after | $LOADAVG_BEFORE / $LOADAVG_AFTER |
| CPU besides the daemon | $CPU_NOTE |
| quired | $QUIRED_VERSION |
| cupsd | $CUPS_VERSION |
| each load run | $DURATION s |
| whole script | $ELAPSED s |

## Get-Printer-Attributes (all attributes), req/s

Latency columns are p50 / p99 / max in ms. "CPU" is what the daemon (with its children)
used, in cores (2 = both cores busy); ipp_load runs on the same two cores.

| connections | quired req/s | quired latency ms | quired CPU | cupsd req/s | cupsd latency ms | cupsd CPU | errors quired / cupsd |
|---|---|---|---|---|---|---|---|
EOF
  for n in 1 8 64; do
    echo "| $n | $(num "gpa-$n-quired" req_per_s) | $(lat "gpa-$n-quired") | $(num "gpa-$n-quired" daemon_cpu) | $(num "gpa-$n-cupsd" req_per_s) | $(lat "gpa-$n-cupsd") | $(num "gpa-$n-cupsd" daemon_cpu) | $(num "gpa-$n-quired" errors) / $(num "gpa-$n-cupsd" errors) |"
  done
  cat <<EOF

Response size (mean IPP body): quired $(num gpa-1-quired mean_body_bytes) B, cupsd $(num gpa-1-cupsd mean_body_bytes) B.

## Print-Job, 1 KiB text/plain, 8 connections

Queues enabled, raw (no filters), printing to \`file:///dev/null\` (quired: \`demo\` with its
DeviceURI changed; cupsd: \`bench\`); neither starts a process for a job: both write the file themselves. "accepted/s" counts successful responses only. CUPS's
\`MaxJobs\` (default 500) makes cupsd refuse jobs while 500 are unfinished, which this load
reaches; \`DirtyCleanInterval\` (default 30 s) delays writing job and queue state to disk,
and 0 writes it as soon as possible.

| daemon | accepted/s | latency ms p50 / p99 / max | daemon CPU | errors | jobs acknowledged |
|---|---|---|---|---|---|
| quired | $(num pj-quired ok_per_s) | $(lat pj-quired) | $(num pj-quired daemon_cpu) | $(num pj-quired errors) | $(num pj-quired acked) |
| cupsd, all defaults | $(num pj-cupsd ok_per_s) | $(lat pj-cupsd) | $(num pj-cupsd daemon_cpu) | $(num pj-cupsd errors) | $(num pj-cupsd acked) |
| cupsd, MaxJobs 0 | $(num pj-cupsd-maxjobs0 ok_per_s) | $(lat pj-cupsd-maxjobs0) | $(num pj-cupsd-maxjobs0 daemon_cpu) | $(num pj-cupsd-maxjobs0 errors) | $(num pj-cupsd-maxjobs0 acked) |
| cupsd, MaxJobs 0, DirtyCleanInterval 0 | $(num pj-cupsd-dci0 ok_per_s) | $(lat pj-cupsd-dci0) | $(num pj-cupsd-dci0 daemon_cpu) | $(num pj-cupsd-dci0 errors) | $(num pj-cupsd-dci0 acked) |

Refusals: quired $(num pj-quired ipp_error_statuses); cupsd, all defaults: $(num pj-cupsd ipp_error_statuses).

## Memory (VmRSS of the daemon's main process)

"Queued": $QUEUED Print-Jobs (1 KiB) accepted on a stopped queue, so all stay pending
(cupsd with \`MaxJobs 0\`: its default of 500 would refuse the rest).

| | quired | cupsd |
|---|---|---|
| idle, 1 s after start, one queue | $(mib rss-idle-quired) | $(mib rss-idle-cupsd) |
| $QUEUED jobs queued | $(mib rss-queued-quired) | $(mib rss-queued-cupsd) |
| submitting them: accepted/s (errors) | $(num queue-quired ok_per_s) ($(num queue-quired errors)) | $(num queue-cupsd ok_per_s) ($(num queue-cupsd errors)) |

## kill -9 under load: acknowledged jobs lost

Print-Job load (8 connections, 1 KiB) on a stopped queue; ipp_load writes every job-id
the daemon acknowledged (\`successful-ok\`) as it arrives. SIGKILL ${KILL_AFTER_S} s into the
load, restart on the same state, and count acknowledged ids missing from \`lpstat -o\`.
cupsd runs with \`MaxJobs 0\` here. With the default \`DirtyCleanInterval\` of 30 s, cupsd
writes a job's control file up to 30 s after acknowledging it, so a crash loses the jobs
of the last 30 s (the load here is shorter than that).

| daemon | jobs acknowledged | jobs queued after restart | acknowledged but lost |
|---|---|---|---|
$(kill_row quired kill-quired)
$(kill_row "cupsd (MaxJobs 0)" kill-cupsd)
$(kill_row "cupsd (MaxJobs 0), DirtyCleanInterval 0" kill-cupsd-dci0)

## Raw results

<details><summary>ipp_load JSON lines and counts, as measured</summary>

\`\`\`
EOF
  for f in "$RESULTS"/*; do echo "$(basename "$f"): $(cat "$f")"; done
  cat <<'EOF'
```
</details>

## How to run

    cmake -S . -B build -G Ninja && cmake --build build --target ipp_load quired
    bench/run.sh                      # or: bench/run.sh --no-quired, --quired PATH, --duration S

`bench/cupsd.sh start DIR [--dirty-clean-interval N] [--max-jobs N]` starts the same private
cupsd by hand (prints `PORT PID`; queue `bench`); `bench/cupsd.sh stop DIR` stops it.

EOF
  echo "$NOTES_MARKER"
  if [[ -n $NOTES ]]; then echo "$NOTES"; else printf '\n## Notes\n\n(none yet)\n'; fi
} >"$OUT"
say "wrote $OUT in ${ELAPSED}s"
