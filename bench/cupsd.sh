#!/usr/bin/env bash
# A private CUPS cupsd for benchmarks: everything (config, state, spool, logs) lives in
# one directory, it listens on one loopback port only, and it has a raw queue "bench".
#
#   bench/cupsd.sh start DIR [--dirty-clean-interval N] [--max-jobs N]   prints "PORT PID"
#   bench/cupsd.sh stop DIR
#
# start creates the queue only if DIR does not have it yet, so a restart in the same DIR
# (after stop, or after kill -9) finds the queue and its jobs as cupsd saved them.
#
# It never reads or writes /etc/cups, never binds port 631 and never uses the system's
# Unix socket, so it can run beside a system CUPS (or none). Run as root: cupsd drops to
# the "lp" user for its children, as it does on a normal install.
set -euo pipefail
export LC_ALL=C LANG=C   # lpstat's messages are matched below

die() { echo "cupsd.sh: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR [--dirty-clean-interval N] [--max-jobs N] | stop DIR"; }

# A loopback TCP port nobody listens on (never 631). There is a window before cupsd
# binds it, so start() checks afterwards that cupsd really owns it.
free_port() {
  local port i
  for ((i = 0; i < 100; i++)); do
    port=$((20000 + RANDOM % 40000))
    [[ -z $(ss -ltnH "sport = :$port") ]] && { echo "$port"; return 0; }
  done
  die "no free port found"
}

# Alive and not a zombie (cupsd is not our child once start returns; whoever adopted it
# reaps it).
is_alive() {
  [[ -r /proc/$1/stat && $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

# The pid of the cupsd we started in DIR, if it is still that cupsd.
running_pid() {
  local dir=$1 pid
  [[ -f $dir/cupsd.pid ]] || return 1
  pid=$(<"$dir/cupsd.pid")
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-c $dir/etc/cupsd.conf" || return 1
  echo "$pid"
}

write_config() {
  local dir=$1 port=$2 dirty=$3 max_jobs=$4
  mkdir -p "$dir"/{etc,state,cache,spool,spool/tmp,log}
  chmod 755 "$dir"
  # cups-files.conf: every path cupsd writes is under DIR. ServerBin and DataDir stay
  # the installed ones (backends, mime types) and are only read.
  cat >"$dir/etc/cups-files.conf" <<EOF
ServerRoot $dir/etc
StateDir $dir/state
CacheDir $dir/cache
RequestRoot $dir/spool
TempDir $dir/spool/tmp
ErrorLog $dir/log/error_log
AccessLog $dir/log/access_log
PageLog $dir/log/page_log
Printcap
ServerKeychain $dir/etc/ssl
FileDevice Yes
User lp
Group lp
SystemGroup root lpadmin
EOF
  # cupsd.conf: one loopback listener, no browsing or sharing, and a policy that lets
  # local clients print and administer without authentication (loopback only).
  {
    echo "Listen 127.0.0.1:$port"
    echo "LogLevel warn"
    echo "Browsing No"
    echo "BrowseLocalProtocols none"
    echo "DefaultShared No"
    echo "WebInterface No"
    [[ -n $dirty ]] && echo "DirtyCleanInterval $dirty"
    [[ -n $max_jobs ]] && echo "MaxJobs $max_jobs"
    cat <<'EOF'
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess default
  JobPrivateValues default
  SubscriptionPrivateAccess default
  SubscriptionPrivateValues default
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOF
  } >"$dir/etc/cupsd.conf"
}

wait_until_answers() {
  local port=$1 pid=$2 i
  for ((i = 0; i < 200; i++)); do
    is_alive "$pid" || return 1
    [[ $(lpstat -h "127.0.0.1:$port" -r 2>/dev/null) == "scheduler is running" ]] && return 0
    sleep 0.05
  done
  return 1
}

start() {
  local dir=$1; shift
  local dirty="" max_jobs=""
  while (($#)); do
    case $1 in
      --dirty-clean-interval) dirty=${2:?}; shift 2 ;;
      --max-jobs) max_jobs=${2:?}; shift 2 ;;
      *) usage ;;
    esac
  done
  local port pid
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if pid=$(running_pid "$dir"); then die "a cupsd ($pid) already runs in $dir"; fi
  port=$(free_port)
  write_config "$dir" "$port" "$dirty" "$max_jobs"
  # A clean environment: no CUPS_* from the caller leaks into cupsd or lpadmin.
  env -u CUPS_SERVER -u CUPS_SERVERROOT -u CUPS_STATEDIR -u CUPS_DATADIR \
    setsid cupsd -f -c "$dir/etc/cupsd.conf" -s "$dir/etc/cups-files.conf" \
    </dev/null >>"$dir/log/cupsd.out" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/cupsd.pid"
  echo "$port" >"$dir/cupsd.port"
  if ! wait_until_answers "$port" "$pid"; then
    kill "$pid" 2>/dev/null || true
    die "cupsd did not answer on 127.0.0.1:$port; see $dir/log/"
  fi
  # cupsd must own the port we chose (and listen nowhere else).
  ss -ltnpH | grep "pid=$pid," | awk '{print $4}' | grep -qx "127.0.0.1:$port" \
    || { kill "$pid"; die "cupsd is not listening on 127.0.0.1:$port"; }
  if ss -ltnpH | grep "pid=$pid," | awk '{print $4}' | grep -vqx "127.0.0.1:$port"; then
    kill "$pid"; die "cupsd listens on more than 127.0.0.1:$port"
  fi
  # A raw queue writing to /dev/null ("raw" is deprecated in 2.4 but still works; the
  # deprecation warning is expected). A restart in the same DIR keeps the queue as it
  # was saved (a disabled queue stays disabled, so its jobs stay queued).
  # (Decided from the saved file, not by asking cupsd: a flaky answer must never re-enable
  # a disabled queue.)
  if grep -Eqx '<(Default)?Printer bench>' "$dir/etc/printers.conf" 2>/dev/null; then
    lpstat -h "127.0.0.1:$port" -p bench >/dev/null || { kill "$pid"; die "saved queue bench not loaded"; }
    echo "$port $pid"
    return 0
  fi
  lpadmin -h "127.0.0.1:$port" -p bench -E -v file:///dev/null -m raw 2>"$dir/log/lpadmin.err" \
    || { kill "$pid"; die "lpadmin failed: $(cat "$dir/log/lpadmin.err")"; }
  lpstat -h "127.0.0.1:$port" -p bench >/dev/null || { kill "$pid"; die "queue bench missing"; }
  echo "$port $pid"
}

stop() {
  local dir=$1 pid i
  dir=$(cd "$dir" && pwd)
  pid=$(running_pid "$dir") || { rm -f "$dir/cupsd.pid"; return 0; }
  kill -TERM "$pid"
  for ((i = 0; i < 100; i++)); do
    is_alive "$pid" || { rm -f "$dir/cupsd.pid"; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/cupsd.pid"
}

(($# >= 2)) || usage
command=$1 dir=$2
shift 2
case $command in
  start) start "$dir" "$@" ;;
  stop) (($# == 0)) || usage; stop "$dir" ;;
  *) usage ;;
esac
