#!/usr/bin/env bash
# bench/scale.sh: queue administration at scale (issue 4's benchmark), quired and CUPS's
# cupsd side by side in one session, results written to docs/benchmarks-scale.md. Every
# daemon runs from a temp directory on a loopback port and is stopped on exit.
#
#   bench/scale.sh [--quired PATH | --no-quired] [--no-cupsd] [--out FILE]
#                  [--queued N] [--printers N] [--cups-printers N] [--history N]
#                  [--restarts N] [--duration SECONDS] [--keep]
#
# Needs: build/bin/{quired,ipp_load,seed_history} (cmake --build build --target quired
# ipp_load seed_history file), cups-daemon, cups-client. Run as root (cupsd wants it).
#
# Small server (one stopped queue holding --queued jobs, 2,000 by default):
#   Get-Jobs p50/p99 (ipp_load --op get-jobs: 1 connection, what lpstat -o asks for),
#   Get-Printer-Attributes p50/p99, lpstat -o and lpstat -p wall time, and restarts with
#   --queued + 300 jobs: time until the scheduler answers and until lpstat -o lists them all.
# Large server: --printers queues (5,000) added one by one with CUPS's lpadmin, then
#   --history completed jobs (100,000) created by bench/seed_history, which clones one
#   job that really printed (quired: through quired's own Spool; cupsd: control files as
#   cupsd writes them), plus the same --queued jobs on the stopped queue. Restarts: time
#   until it answers, until lpstat -p lists every queue, until lpstat -o lists every queued
#   job; then the same latencies as on the small server.
# cupsd gets --cups-printers queues through lpadmin (it is slow, so fewer); the rest of
# its --printers are appended to its printers.conf while it is stopped, cloned from the
# last entry lpadmin wrote, so its restarts load as many queues as quired's.
set -euo pipefail
export LC_ALL=C LANG=C   # lpstat's output is counted below
unset CUPS_SERVER CUPS_USER CUPS_STATEDIR

REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=$REPO/build/bin
QUIRED=$BIN/quired
CUPSD_SH=$REPO/bench/cupsd.sh
OUT=$REPO/docs/benchmarks-scale.md
QUEUED=2000
PRINTERS=5000
CUPS_PRINTERS=500
HISTORY=100000
RESTARTS=3
DURATION=5
WITH_QUIRED=1
WITH_CUPSD=1
KEEP=0

die() { echo "scale.sh: $*" >&2; exit 1; }
say() { echo "scale.sh: $*" >&2; }

while (($#)); do
  case $1 in
    --quired) QUIRED=$(realpath "${2:?}"); shift 2 ;;
    --no-quired) WITH_QUIRED=0; shift ;;
    --no-cupsd) WITH_CUPSD=0; shift ;;
    --out) OUT=$(realpath -m "${2:?}"); shift 2 ;;
    --queued) QUEUED=${2:?}; shift 2 ;;
    --printers) PRINTERS=${2:?}; shift 2 ;;
    --cups-printers) CUPS_PRINTERS=${2:?}; shift 2 ;;
    --history) HISTORY=${2:?}; shift 2 ;;
    --restarts) RESTARTS=${2:?}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) die "unknown option $1 (see the top of $0)" ;;
  esac
done
for tool in ipp_load seed_history; do
  [[ -x $BIN/$tool ]] || die "$BIN/$tool missing: cmake --build build --target $tool"
done
((WITH_QUIRED == 0)) || [[ -x $QUIRED ]] || die "$QUIRED missing (or pass --no-quired)"
((WITH_CUPSD == 0)) || command -v cupsd >/dev/null || die "cupsd not installed (or pass --no-cupsd)"
((CUPS_PRINTERS <= PRINTERS)) || CUPS_PRINTERS=$PRINTERS

WORK=$(mktemp -d /tmp/quire-scale.XXXXXX)
chmod 755 "$WORK"
RESULTS=$WORK/results    # one file per figure
mkdir -p "$RESULTS"
QUIRED_RUNNING=""
CUPSD_DIRS=()

cleanup() {
  local dir
  if [[ -n $QUIRED_RUNNING ]]; then kill -TERM "$QUIRED_RUNNING" 2>/dev/null; wait "$QUIRED_RUNNING" 2>/dev/null || true; fi
  for dir in "${CUPSD_DIRS[@]}"; do "$CUPSD_SH" stop "$dir" || true; done
  if ((KEEP)); then say "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---- measuring -------------------------------------------------------------------------

now_us() { echo "${EPOCHREALTIME/./}"; }
ms_since() { awk -v a="$1" -v b="$(now_us)" 'BEGIN {printf "%.1f", (b - a) / 1000}'; }
median() { sort -g | awk '{v[NR] = $1} END {if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); else print "-"}'; }
json_field() { sed -nE "s/.*\"$2\":\"?([^,\"}]*).*/\1/p" <<<"$1"; }
record() { echo "$2" >"$RESULTS/$1"; say "$1: $2"; }

count_jobs() { lpstat -h "$1" -o 2>/dev/null | wc -l; }
count_printers() { lpstat -h "$1" -p 2>/dev/null | grep -c '^printer ' || true; }

answers() { [[ $(lpstat -h "$1" -r 2>/dev/null) == "scheduler is running" ]]; }
lists_printers() { (($(count_printers "$1") >= $2)); }
lists_jobs() { (($(count_jobs "$1") >= $2)); }

# Runs a check every 10 ms until it succeeds; dies after 10 minutes or when PID is gone.
poll_until() {  # PID WHAT check...
  local pid=$1 what=$2 t0; shift 2
  t0=$(now_us)
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || die "the daemon ($pid) died while $what"
    (($(now_us) - t0 < 600000000)) || die "$what: still waiting after 10 minutes"
    sleep 0.01
  done
}

# After a start at T0: ms until `lpstat -r` answers, until lpstat -p shows PRINTERS
# queues, until lpstat -o shows JOBS jobs ("answer_ms printers_ms jobs_ms").
wait_restart() {  # HOSTPORT T0_US PRINTERS JOBS PID
  local host=$1 t0=$2 pid=$5 answer listed_p
  poll_until "$pid" "starting" answers "$host"
  answer=$(ms_since "$t0")
  poll_until "$pid" "listing $3 queues" lists_printers "$host" "$3"
  listed_p=$(ms_since "$t0")
  poll_until "$pid" "listing $4 jobs" lists_jobs "$host" "$4"
  echo "$answer $listed_p $(ms_since "$t0")"
}

# RESTARTS times: LAUNCH DIR (sets T0 DHOST DPID), wait_restart, STOP DIR; records the
# medians of "answer printers-listed jobs-listed" as TAG.
restarts() {  # TAG DIR PRINTERS JOBS LAUNCH STOP
  local tag=$1 dir=$2 printers=$3 jobs=$4 launch=$5 stop=$6 i
  for ((i = 0; i < RESTARTS; i++)); do
    "$launch" "$dir"
    wait_restart "$DHOST" "$T0" "$printers" "$jobs" "$DPID" >>"$RESULTS/$tag.runs"
    "$stop" "$dir"
  done
  record "$tag" "$(for c in 1 2 3; do awk -v c=$c '{print $c}' "$RESULTS/$tag.runs" | median; done | xargs)"
}

# Median wall time of COUNT runs of a command, in ms.
wall_ms() {  # COUNT command...
  local count=$1 i t0; shift
  for ((i = 0; i < count; i++)); do
    t0=$(now_us)
    "$@" >/dev/null 2>&1 || die "failed: $*"
    ms_since "$t0"; echo
  done | median
}

# Latency figures of DAEMON at SIZE: Get-Jobs and Get-Printer-Attributes through
# ipp_load (1 connection), lpstat -o and lpstat -p wall times (medians of 5).
latencies() {  # TAG HOSTPORT QUEUE
  local tag=$1 host=$2 queue=$3 json
  json=$("$BIN/ipp_load" --uri "ipp://$host/printers/$queue" --op get-jobs --duration "$DURATION")
  record "$tag-getjobs" "$(json_field "$json" p50_ms) $(json_field "$json" p99_ms) $(json_field "$json" requests) $(json_field "$json" errors) $(json_field "$json" mean_body_bytes)"
  json=$("$BIN/ipp_load" --uri "ipp://$host/printers/$queue" --duration "$DURATION")
  record "$tag-gpa" "$(json_field "$json" p50_ms) $(json_field "$json" p99_ms) $(json_field "$json" requests) $(json_field "$json" errors) $(json_field "$json" mean_body_bytes)"
  record "$tag-lpstat-o" "$(wall_ms 5 lpstat -h "$host" -o)"
  record "$tag-lpstat-p" "$(wall_ms 5 lpstat -h "$host" -p)"
}

submit_jobs() {  # HOSTPORT QUEUE COUNT
  local json
  json=$("$BIN/ipp_load" --uri "ipp://$1/printers/$2" --op print-job --connections 8 --requests "$3")
  [[ $(json_field "$json" acked) == "$3" ]] || die "submitting $3 jobs to $1/$2: $json"
}

# CUPS's lpadmin adds COUNT queues FROM..; per-call times (ms) go to FILE.
add_printers() {  # HOSTPORT FIRST COUNT FILE
  local host=$1 first=$2 count=$3 file=$4 i t0
  for ((i = first; i < first + count; i++)); do
    t0=$(now_us)
    lpadmin -h "$host" -p "$(printf 'q%05d' "$i")" -E -v file:///dev/null -m raw 2>>"$file.err" \
      || die "lpadmin -p $(printf 'q%05d' "$i") failed: $(tail -1 "$file.err")"
    ms_since "$t0" >>"$file"; echo >>"$file"
  done
}

# "p50 p99 mean, first 100 mean, last 100 mean" of a file of per-call times.
call_stats() {
  sort -g "$1" | awk '{v[NR] = $1; s += $1} END {
    p50 = v[int(NR * 0.5 + 0.999999)]; p99 = v[int(NR * 0.99 + 0.999999)]
    printf "%.1f %.1f %.1f", p50, p99, s / NR }'
  awk '{v[NR] = $1} END { n = NR < 100 ? NR : 100
    for (i = 1; i <= n; i++) { a += v[i]; b += v[NR - n + i] }
    printf " %.1f %.1f\n", a / n, b / n }' "$1"
}

# Readers while an admin works: Get-Printer-Attributes on QUEUE (1 connection) runs while
# 200 lpadmin -D calls change other queues' info one after another (each a saved change).
readers_during_admin() {  # TAG HOSTPORT QUEUE
  local tag=$1 host=$2 queue=$3 load i json t0
  "$BIN/ipp_load" --uri "ipp://$host/printers/$queue" --duration 600 >"$RESULTS/$tag.json" &
  load=$!
  sleep 1
  t0=$(now_us)
  local last=$((PRINTERS + 1 < 202 ? PRINTERS + 1 : 202))
  for ((i = 2; i < last; i++)); do
    lpadmin -h "$host" -p "$(printf 'q%05d' "$i")" -D "changed $i" 2>>"$RESULTS/$tag.err" || die "lpadmin -D failed"
  done
  local elapsed; elapsed=$(ms_since "$t0")
  kill -INT "$load"
  wait "$load" || true
  json=$(<"$RESULTS/$tag.json")
  record "$tag" "$(json_field "$json" p50_ms) $(json_field "$json" p99_ms) $(json_field "$json" max_ms) $(json_field "$json" requests) $(json_field "$json" errors) $elapsed $((last - 2))"
}

wait_job_done() {  # HOSTPORT: until no job is unfinished
  local i
  for ((i = 0; i < 600; i++)); do
    (($(count_jobs "$1") == 0)) && return 0
    sleep 0.1
  done
  die "a job on $1 did not finish"
}

# ---- quired ----------------------------------------------------------------------------

quired_launch() {  # DIR -> QPID, T0 (no waiting)
  rm -f "$1.stdout"
  T0=$(now_us)
  "$QUIRED" --state-dir "$1" --listen 127.0.0.1:0 --lpd-listen off </dev/null >"$1.stdout" 2>>"$1.stderr" &
  QPID=$!
  QPID_DIR=$1
  QUIRED_RUNNING=$QPID
}

quired_port() {  # DIR -> QHOST, once quired printed its port
  local i port=""
  for ((i = 0; i < 6000; i++)); do
    port=$(sed -n 's/^quired: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$1.stdout" 2>/dev/null | head -1) || true
    [[ -n $port ]] && break
    kill -0 "$QPID" 2>/dev/null || die "quired exited: $(tail -5 "$1.stderr")"
    sleep 0.01
  done
  [[ -n $port ]] || die "quired printed no port"
  QHOST=127.0.0.1:$port
}

quired_stop() {
  kill -TERM "$QPID" || die "quired ($QPID) was not running: $(tail -3 "$QPID_DIR.stderr" 2>/dev/null)"
  wait "$QPID" || true
  QUIRED_RUNNING=""
}

# A fresh state directory with MaxJobs 0 (history is never trimmed, as for cupsd) and
# the demo queue stopped, so queued jobs stay queued.
quired_prepare() {  # DIR
  mkdir -p "$1"
  quired_launch "$1"
  quired_port "$1"
  quired_stop
  sed -i 's/^MaxJobs .*/MaxJobs 0/' "$1/cupsd.conf"
  grep -qx 'MaxJobs 0' "$1/cupsd.conf" || die "could not set MaxJobs 0 in $1/cupsd.conf"
}

quired_relaunch() { quired_launch "$1"; quired_port "$1"; DHOST=$QHOST DPID=$QPID; }

quired_small() {
  local dir=$WORK/quired-small
  say "quired, small server: $QUEUED jobs queued"
  quired_prepare "$dir"
  sed -i 's/^State Idle$/State Stopped/' "$dir/printers.conf"
  quired_launch "$dir"; quired_port "$dir"
  export CUPS_STATEDIR=$dir/run   # lpadmin, cupsdisable: CUPS's Local certificate
  submit_jobs "$QHOST" demo "$QUEUED"
  latencies small-quired "$QHOST" demo
  submit_jobs "$QHOST" demo 300
  quired_stop
  restarts restart-small-quired "$dir" 1 $((QUEUED + 300)) quired_relaunch quired_stop
}

quired_large() {
  local dir=$WORK/quired-large
  say "quired, large server: $PRINTERS queues by lpadmin, $HISTORY jobs of history, $QUEUED queued"
  quired_prepare "$dir"
  quired_launch "$dir"; quired_port "$dir"
  export CUPS_STATEDIR=$dir/run
  local t0; t0=$(now_us)
  add_printers "$QHOST" 1 "$PRINTERS" "$RESULTS/lpadmin-quired.calls"
  record lpadmin-total-quired "$(ms_since "$t0")"
  record lpadmin-quired "$(call_stats "$RESULTS/lpadmin-quired.calls")"
  # The template job: printed (to /dev/null) on the last queue, then cloned.
  lp -h "$QHOST" -d "$(printf 'q%05d' "$PRINTERS")" "$REPO/README.md" >/dev/null
  wait_job_done "$QHOST"
  cupsdisable -h "$QHOST" demo
  submit_jobs "$QHOST" demo "$QUEUED"
  quired_stop
  t0=$(now_us)
  "$BIN/seed_history" quire "$dir" "$HISTORY" >&2
  record seed-quired "$(ms_since "$t0")"
  restarts restart-large-quired "$dir" $((PRINTERS + 1)) "$QUEUED" quired_relaunch quired_stop
  quired_launch "$dir"; quired_port "$dir"
  latencies large-quired "$QHOST" demo
  record rss-large-quired "$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$QPID/status")"
  readers_during_admin admin-readers-quired "$QHOST" q00001
  quired_stop
  unset CUPS_STATEDIR
}

# ---- cupsd -----------------------------------------------------------------------------

cupsd_start() {  # DIR -> CHOST CPID (bench/cupsd.sh: config written, queue "bench")
  local line
  line=$("$CUPSD_SH" start "$1" --max-jobs 0) || die "cupsd.sh start failed"
  CUPSD_DIRS+=("$1")
  read -r port CPID <<<"$line"
  CHOST=127.0.0.1:$port
}

# Starts cupsd again on the configuration cupsd.sh wrote (same port): T0 CPID CHOST.
# bench/cupsd.sh stop DIR stops it.
cupsd_launch() {  # DIR
  T0=$(now_us)
  setsid cupsd -f -c "$1/etc/cupsd.conf" -s "$1/etc/cups-files.conf" </dev/null >>"$1/log/cupsd.out" 2>&1 &
  CPID=$!
  echo "$CPID" >"$1/cupsd.pid"
  CHOST=127.0.0.1:$(<"$1/cupsd.port")
}

cupsd_relaunch() { cupsd_launch "$1"; DHOST=$CHOST DPID=$CPID; }
cupsd_stop() { "$CUPSD_SH" stop "$1"; }

cupsd_small() {
  local dir=$WORK/cupsd-small
  say "cupsd, small server: $QUEUED jobs queued"
  cupsd_start "$dir"
  cupsdisable -h "$CHOST" bench
  submit_jobs "$CHOST" bench "$QUEUED"
  latencies small-cupsd "$CHOST" bench
  submit_jobs "$CHOST" bench 300
  "$CUPSD_SH" stop "$dir"
  restarts restart-small-cupsd "$dir" 1 $((QUEUED + 300)) cupsd_relaunch cupsd_stop
}

# Appends queues FIRST..LAST to a stopped cupsd's printers.conf, each a copy of the last
# <Printer> entry with its name, Info, UUID and PrinterId changed (NextPrinterId follows).
clone_cups_printers() {  # DIR FIRST LAST
  python3 - "$1/etc/printers.conf" "$2" "$3" <<'EOF'
import re, sys, uuid
path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text = open(path).read()
entries = re.findall(r"<(?:Default)?Printer [^>]+>\n.*?</(?:Default)?Printer>\n", text, re.S)
model = entries[-1].replace("<DefaultPrinter", "<Printer").replace("</DefaultPrinter>", "</Printer>")
name = re.match(r"<Printer ([^>]+)>", model).group(1)
next_id = int(re.search(r"^NextPrinterId (\d+)$", text, re.M).group(1))
clones = []
for i in range(first, last + 1):
    entry = model.replace(f"<Printer {name}>", f"<Printer q{i:05d}>").replace(f"Info {name}\n", f"Info q{i:05d}\n")
    entry = re.sub(r"UUID urn:uuid:\S+", f"UUID urn:uuid:{uuid.uuid4()}", entry)
    clones.append(re.sub(r"PrinterId \d+", f"PrinterId {next_id}", entry))
    next_id += 1
text = re.sub(r"^NextPrinterId \d+$", f"NextPrinterId {next_id}", text, flags=re.M)
open(path, "w").write(text + "".join(clones))
EOF
}

cupsd_large() {
  local dir=$WORK/cupsd-large
  say "cupsd, large server: $CUPS_PRINTERS queues by lpadmin (+$((PRINTERS - CUPS_PRINTERS)) cloned), $HISTORY jobs of history"
  cupsd_start "$dir"
  local t0; t0=$(now_us)
  add_printers "$CHOST" 1 "$CUPS_PRINTERS" "$RESULTS/lpadmin-cupsd.calls"
  record lpadmin-total-cupsd "$(ms_since "$t0")"
  record lpadmin-cupsd "$(call_stats "$RESULTS/lpadmin-cupsd.calls")"
  lp -h "$CHOST" -d bench "$REPO/README.md" >/dev/null
  wait_job_done "$CHOST"
  cupsdisable -h "$CHOST" bench
  submit_jobs "$CHOST" bench "$QUEUED"
  "$CUPSD_SH" stop "$dir"
  ((CUPS_PRINTERS < PRINTERS)) && clone_cups_printers "$dir" $((CUPS_PRINTERS + 1)) "$PRINTERS"
  t0=$(now_us)
  "$BIN/seed_history" cups "$dir" "$HISTORY" >&2
  record seed-cupsd "$(ms_since "$t0")"
  # The first start has no job.cache (seed_history removed it) and reads every control
  # file; it writes job.cache, which the measured restarts then use.
  local saved=$RESTARTS
  RESTARTS=1
  restarts restart-large-cupsd-nocache "$dir" $((PRINTERS + 1)) "$QUEUED" cupsd_relaunch cupsd_stop
  RESTARTS=$saved
  restarts restart-large-cupsd "$dir" $((PRINTERS + 1)) "$QUEUED" cupsd_relaunch cupsd_stop
  cupsd_launch "$dir"
  wait_restart "$CHOST" "$T0" $((PRINTERS + 1)) "$QUEUED" "$CPID" >/dev/null
  latencies large-cupsd "$CHOST" bench
  record rss-large-cupsd "$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$CPID/status")"
  readers_during_admin admin-readers-cupsd "$CHOST" q00001
  "$CUPSD_SH" stop "$dir"
}

# ---- the session -----------------------------------------------------------------------

# Before anything is written: the report itself is in the tree and would make it dirty.
QUIRED_VERSION=$( ((WITH_QUIRED)) && (cd "$REPO" && git describe --always --dirty 2>/dev/null) || echo "not measured")
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
SECONDS=0
if ((WITH_QUIRED)); then quired_small; quired_large; fi
if ((WITH_CUPSD)); then cupsd_small; cupsd_large; fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$SECONDS

# ---- the report ------------------------------------------------------------------------

val() { [[ -s $RESULTS/$1 ]] && awk -v f="$2" '{print $f}' "$RESULTS/$1" || echo "-"; }
pair() { echo "$(val "$1" 1) / $(val "$1" 2)"; }
ratio() {  # A B: "A/B" as x.xx, or "-"
  awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'
}

# Hand-written notes below this marker in the existing file survive a new run.
NOTES_MARKER='<!-- Notes: everything below this line is kept by bench/scale.sh. -->'
NOTES=""
if [[ -f $OUT ]] && grep -qxF "$NOTES_MARKER" "$OUT"; then
  NOTES=$(awk -v m="$NOTES_MARKER" 'kept; $0 == m {kept = 1}' "$OUT")
fi

mkdir -p "$(dirname "$OUT")"
{
  cat <<EOF
# Benchmarks at scale: many jobs, many printers (issue 4)

Written by \`bench/scale.sh\` (edit the script, not this file's tables). quired and CUPS's
cupsd run on the same machine in the same session, from temp directories on loopback
ports, both with \`MaxJobs 0\` (no limit: history is never trimmed). Times are wall
clock, medians; latencies are p50 / p99 in ms over ${DURATION} s of requests on one
keep-alive connection (\`bench/ipp_load\`).

| | |
|---|---|
| date | $STARTED |
| machine | $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |
| state directories | \`$(dirname "$WORK")\` on $(findmnt -no FSTYPE -T "$WORK" 2>/dev/null || echo '?') |
| load average before / after | $LOAD_BEFORE / $LOAD_AFTER (shared machine: other builds run beside) |
| quired | $QUIRED_VERSION |
| cupsd | $(dpkg-query -W -f '${Version}' cups-daemon 2>/dev/null || echo '?') |
| sizes | $QUEUED queued jobs; $PRINTERS queues; $HISTORY completed jobs of history |
| whole script | $ELAPSED s |

## Small server: one queue, $QUEUED jobs queued

The queue is stopped, so every job stays pending. Get-Jobs asks for what \`lpstat -o\` asks
for (which-jobs not-completed, on the queue's URI) and gets all $QUEUED jobs each time.
Restart: SIGTERM, start again, $((QUEUED + 300)) jobs queued; time from exec until
\`lpstat -r\` answers and until \`lpstat -o\` lists every job (polled every 10 ms; median of
$RESTARTS).

| | quired | cupsd | quired / cupsd | target |
|---|---|---|---|---|
| Get-Jobs p50 / p99 ms | $(pair small-quired-getjobs) | $(pair small-cupsd-getjobs) | $(ratio "$(val small-quired-getjobs 1)" "$(val small-cupsd-getjobs 1)") (p50) | < 0.25 |
| Get-Printer-Attributes p50 / p99 ms | $(pair small-quired-gpa) | $(pair small-cupsd-gpa) | $(ratio "$(val small-quired-gpa 1)" "$(val small-cupsd-gpa 1)") (p50) | |
| \`lpstat -o\` wall ms | $(val small-quired-lpstat-o 1) | $(val small-cupsd-lpstat-o 1) | $(ratio "$(val small-quired-lpstat-o 1)" "$(val small-cupsd-lpstat-o 1)") | |
| \`lpstat -p\` wall ms | $(val small-quired-lpstat-p 1) | $(val small-cupsd-lpstat-p 1) | | |
| restart: answers, ms | $(val restart-small-quired 1) | $(val restart-small-cupsd 1) | | |
| restart: every job listed, ms | $(val restart-small-quired 3) | $(val restart-small-cupsd 3) | $(ratio "$(val restart-small-quired 3)" "$(val restart-small-cupsd 3)") | < 0.5 |

## Large server: $PRINTERS queues, $HISTORY completed jobs, $QUEUED queued

Queues are added one \`lpadmin -h HOST -p qNNNNN -E -v file:///dev/null -m raw\` at a
time (CUPS's own lpadmin: one process per queue, its start-up and, for quired, the
Local-certificate round trip included). cupsd got $CUPS_PRINTERS queues that way; the
other $((PRINTERS - CUPS_PRINTERS)) were appended to its printers.conf while it was
stopped, copies of the last entry lpadmin wrote, so both restart with $PRINTERS queues.

History: \`bench/seed_history\` clones one job that really printed (a text file, to
/dev/null) $HISTORY times, completed, spread over every queue. quired: committed
through quired's own Spool (SQLite), 1,000 per transaction. cupsd: control files
\`cNNNNN\` written as cupsd writes them, and its job.cache removed; the first start
after that reads every control file and writes job.cache, later starts read job.cache.

| | quired | cupsd | target |
|---|---|---|---|
| lpadmin, ms per queue: p50 / p99 | $(pair lpadmin-quired) | $(pair lpadmin-cupsd) | quired < 20 |
| lpadmin, mean ms: first 100 queues / last 100 | $(val lpadmin-quired 4) / $(val lpadmin-quired 5) | $(val lpadmin-cupsd 4) / $(val lpadmin-cupsd 5) | |
| lpadmin, all queues added, s | $(awk -v t="$(val lpadmin-total-quired 1)" 'BEGIN {if (t != "-") printf "%.1f", t / 1000; else print "-"}') ($PRINTERS) | $(awk -v t="$(val lpadmin-total-cupsd 1)" 'BEGIN {if (t != "-") printf "%.1f", t / 1000; else print "-"}') ($CUPS_PRINTERS) | |
| creating the history, s | $(awk -v t="$(val seed-quired 1)" 'BEGIN {if (t != "-") printf "%.1f", t / 1000; else print "-"}') | $(awk -v t="$(val seed-cupsd 1)" 'BEGIN {if (t != "-") printf "%.1f", t / 1000; else print "-"}') | |
| restart: answers, ms | $(val restart-large-quired 1) | $(val restart-large-cupsd 1) (first start, no job.cache: $(val restart-large-cupsd-nocache 1)) | |
| restart: \`lpstat -p\` lists every queue, ms | $(val restart-large-quired 2) | $(val restart-large-cupsd 2) (no job.cache: $(val restart-large-cupsd-nocache 2)) | quired < 2,000 |
| restart: \`lpstat -o\` lists every queued job, ms | $(val restart-large-quired 3) | $(val restart-large-cupsd 3) (no job.cache: $(val restart-large-cupsd-nocache 3)) | |
| Get-Jobs p50 / p99 ms | $(pair large-quired-getjobs) | $(pair large-cupsd-getjobs) | |
| Get-Printer-Attributes p50 / p99 ms | $(pair large-quired-gpa) | $(pair large-cupsd-gpa) | |
| \`lpstat -o\` wall ms | $(val large-quired-lpstat-o 1) | $(val large-cupsd-lpstat-o 1) | |
| \`lpstat -p\` wall ms ($((PRINTERS + 1)) queues) | $(val large-quired-lpstat-p 1) | $(val large-cupsd-lpstat-p 1) | |
| VmRSS after the latency runs, MiB | $(val rss-large-quired 1) | $(val rss-large-cupsd 1) | |

Readers while an admin works, on the large server: Get-Printer-Attributes on one queue
(1 connection) while 200 \`lpadmin -p qNNNNN -D "..."\` run one after another on other
queues (each a saved change: quired writes printers.conf before it answers; cupsd marks
it dirty and writes within DirtyCleanInterval, 30 s by default).

| | quired | cupsd |
|---|---|---|
| Get-Printer-Attributes p50 / p99 / max ms | $(val admin-readers-quired 1) / $(val admin-readers-quired 2) / $(val admin-readers-quired 3) | $(val admin-readers-cupsd 1) / $(val admin-readers-cupsd 2) / $(val admin-readers-cupsd 3) |
| the lpadmin -D, ms each (mean) | $(ratio "$(val admin-readers-quired 6)" "$(val admin-readers-quired 7)") | $(ratio "$(val admin-readers-cupsd 6)" "$(val admin-readers-cupsd 7)") |

Large against small (target: within 2x):

| | quired large / small | cupsd large / small |
|---|---|---|
| Get-Jobs p50 | $(ratio "$(val large-quired-getjobs 1)" "$(val small-quired-getjobs 1)") | $(ratio "$(val large-cupsd-getjobs 1)" "$(val small-cupsd-getjobs 1)") |
| Get-Printer-Attributes p50 | $(ratio "$(val large-quired-gpa 1)" "$(val small-quired-gpa 1)") | $(ratio "$(val large-cupsd-gpa 1)" "$(val small-cupsd-gpa 1)") |
| \`lpstat -o\` wall | $(ratio "$(val large-quired-lpstat-o 1)" "$(val small-quired-lpstat-o 1)") | $(ratio "$(val large-cupsd-lpstat-o 1)" "$(val small-cupsd-lpstat-o 1)") |

## Raw results

<details><summary>one line per figure, as measured (ipp_load lines: p50 p99 requests errors mean-body-bytes; restarts: answer printers-listed jobs-listed ms, one line per run)</summary>

\`\`\`
EOF
  for f in "$RESULTS"/*; do
    [[ $f == *.calls || $f == *.err || $f == *.json ]] && continue  # per-call data, lpadmin's warnings
    echo "$(basename "$f"): $(tr '\n' ';' <"$f")"
  done
  cat <<'EOF'
```
</details>

## How to run

    cmake --build build --target quired ipp_load seed_history file
    bench/scale.sh                       # about 6 minutes; --no-cupsd, --printers N, --history N ...

EOF
  echo "$NOTES_MARKER"
  if [[ -n $NOTES ]]; then echo "$NOTES"; else printf '\n## Notes\n\n(none yet)\n'; fi
} >"$OUT"
say "wrote $OUT in ${ELAPSED}s"
