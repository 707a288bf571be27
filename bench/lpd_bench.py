#!/usr/bin/python3
"""LPD benchmark: LPD jobs/s into Quire's LPD listener and into CUPS's cups-lpd, in the
same run, sequentially and with 8 concurrent clients.

Each server gets a fresh private state in a temporary directory (--root picks where:
a disk, or tmpfs to take fsync out), on loopback ports only, and a queue `bench` that
accepts jobs but is stopped, so that what is measured is jobs taken in, not printed:
  - quired --listen 127.0.0.1:0 --lpd-listen 127.0.0.1:0 (the build's bin/quired);
  - a private cupsd (its own ServerRoot, spool, logs, on a free loopback port; never the
    system's service or port 631) with a raw queue, and CUPS's cups-lpd started once per
    connection by bench/socket_activate.py, as inetd or systemd's cups-lpd.socket would;
    once as CUPS ships (SyncOnClose No: nothing is fsynced) and once with SyncOnClose Yes.
The load generator is the build's bin/lpd_bench: one connection per job, as lpr does.

A job counts when the server has it: the clock stops once the queue's queued-job-count
(over IPP) has grown by every job sent. cups-lpd acknowledges the last file before it
even submits the job to cupsd; quired acknowledges it once the job is durable.

    bench/lpd_bench.py [--build DIR] [--root DIR] [--jobs N] [--concurrent-jobs N] [--size BYTES] [--runs R]

Prints a Markdown table (and --json FILE writes the raw figures). Everything started
is stopped, and the temporary directories removed, on the way out."""

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CUPS_LPD = "/usr/lib/cups/daemon/cups-lpd"
CUPSD = "/usr/sbin/cupsd"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what, interval=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out waiting for {what}")


def ipp_attribute(tag, name, value: bytes):
    return bytes([tag]) + struct.pack(">H", len(name)) + name.encode() + struct.pack(">H", len(value)) + value


def queued_job_count(server):
    """The bench queue's queued-job-count, from a Get-Printer-Attributes over plain HTTP
    (lpstat cannot count: cupsd answers Get-Jobs with at most 500 jobs)."""
    uri = f"ipp://{server}/printers/bench".encode()
    body = (struct.pack(">BBHI", 2, 0, 0x000B, 1) + b"\x01" + ipp_attribute(0x47, "attributes-charset", b"utf-8")
            + ipp_attribute(0x48, "attributes-natural-language", b"en") + ipp_attribute(0x45, "printer-uri", uri)
            + ipp_attribute(0x44, "requested-attributes", b"queued-job-count") + b"\x03")
    host, port = server.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"POST /printers/bench HTTP/1.1\r\nHost: {server}\r\nContent-Type: application/ipp\r\n"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    marker = b"queued-job-count"
    at = reply.find(marker)
    if at < 0:
        raise RuntimeError(f"no queued-job-count from {server}: {reply[:200]!r}")
    return struct.unpack(">i", reply[at + len(marker) + 2:at + len(marker) + 6])[0]


class Quired:
    """quired in ROOT/quired on loopback ports 0; by default with a stopped queue "bench"
    that takes jobs without printing them (bench/backend_jobs_bench.py passes its own)."""
    name = "quired"

    def __init__(self, build, root,
                 cupsd_conf="LogLevel warn\nMaxJobs 0\nPreserveJobFiles No\n",
                 printers_conf="<DefaultPrinter bench>\nDeviceURI file:///dev/null\nState Stopped\nAccepting Yes\n"
                               "DocumentFormats application/octet-stream,text/plain\n</DefaultPrinter>\n"):
        self.state = root / "quired"
        self.state.mkdir()
        (self.state / "cupsd.conf").write_text(cupsd_conf)
        (self.state / "printers.conf").write_text(printers_conf)
        self.proc = subprocess.Popen([str(build / "bin" / "quired"), "--state-dir", str(self.state), "--listen",
                                      "127.0.0.1:0", "--lpd-listen", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        lines = []
        while "quired: ready" not in lines:
            line = self.proc.stdout.readline()
            if not line:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError(f"quired did not start: {lines}")
            lines.append(line.strip())
        ipp = next(l for l in lines if l.startswith("quired: listening on 127."))
        lpd = next(l for l in lines if l.startswith("quired: lpd listening on "))
        self.ipp_server = ipp.rsplit(" ", 1)[1]
        self.lpd_port = int(lpd.rsplit(":", 1)[1])

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


class CupsLpd:
    """A private cupsd and cups-lpd behind bench/socket_activate.py. With `sync`, cupsd
    fsyncs each file it writes (SyncOnClose Yes), as quired syncs every job it takes."""

    def __init__(self, root, sync=False):
        self.name = "cups-lpd, SyncOnClose" if sync else "cups-lpd"
        self.root = root / ("cups-sync" if sync else "cups")
        etc = self.root / "etc"
        for d in ("etc", "spool/tmp", "cache", "state", "log"):
            (self.root / d).mkdir(parents=True)
        self.port = free_port()
        self.ipp_server = f"127.0.0.1:{self.port}"
        (etc / "cupsd.conf").write_text(f"""Listen 127.0.0.1:{self.port}
LogLevel warn
MaxJobs 0
MaxLogSize 0
PreserveJobHistory Yes
PreserveJobFiles No
Browsing No
WebInterface No
<Location />
  Order allow,deny
  Allow from 127.0.0.1
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
""")
        r = self.root
        (etc / "cups-files.conf").write_text(f"""ServerRoot {etc}
RequestRoot {r}/spool
TempDir {r}/spool/tmp
CacheDir {r}/cache
StateDir {r}/state
ErrorLog {r}/log/error_log
AccessLog {r}/log/access_log
PageLog {r}/log/page_log
Printcap {r}/printcap
FileDevice Yes
SystemGroup root
SyncOnClose {"Yes" if sync else "No"}
""")
        (etc / "printers.conf").write_text(
            "<DefaultPrinter bench>\nDeviceURI file:///dev/null\nState Stopped\nAccepting Yes\nShared Yes\n"
            "</DefaultPrinter>\n")
        env = dict(os.environ, CUPS_SERVERROOT=str(etc))
        self.cupsd = subprocess.Popen([CUPSD, "-f", "-c", str(etc / "cupsd.conf"), "-s", str(etc / "cups-files.conf")],
                                      env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.activator = None
        try:
            wait_for(lambda: subprocess.run(["lpstat", "-h", self.ipp_server, "-p", "bench"], capture_output=True,
                                            env=dict(env, LANG="C")).returncode == 0, 30, "the private cupsd")
            port_file = self.root / "lpd.port"
            self.activator = subprocess.Popen(
                [sys.executable, str(HERE / "socket_activate.py"), "--port-file", str(port_file), "--",
                 CUPS_LPD, "-n", "-h", self.ipp_server], env=env)
            self.lpd_port = wait_for(lambda: port_file.exists() and int(port_file.read_text()), 10,
                                     "socket_activate.py")
        except BaseException:
            self.stop()
            raise

    def stop(self):
        for proc in (p for p in (self.activator, self.cupsd) if p):
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def measure(build, server, jobs, clients, size):
    """Seconds until `jobs` new jobs are listed by the server, and the load generator's figures."""
    before = queued_job_count(server.ipp_server)
    started = time.monotonic()
    r = subprocess.run([str(build / "bin" / "lpd_bench"), "--port", str(server.lpd_port), "--queue", "bench",
                        "--jobs", str(jobs), "--clients", str(clients), "--size", str(size)],
                       capture_output=True, text=True, timeout=3600)
    if r.returncode != 0:
        raise RuntimeError(f"lpd_bench against {server.name} failed: {r.stdout} {r.stderr}")
    acked = time.monotonic() - started
    wait_for(lambda: queued_job_count(server.ipp_server) >= before + jobs, 120, f"{jobs} jobs queued on {server.name}",
             0.02)
    listed = time.monotonic() - started
    figures = json.loads(r.stdout)
    figures["acked_jobs_per_second"] = figures.pop("jobs_per_second")
    figures.update(server=server.name, acked_seconds=round(acked, 3), listed_seconds=round(listed, 3),
                   jobs_per_second=round(jobs / listed, 1))
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", type=Path, default=HERE.parent / "build")
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()),
                        help="where the servers' state directories go (e.g. /dev/shm for tmpfs)")
    parser.add_argument("--jobs", type=int, default=400, help="jobs per sequential run")
    parser.add_argument("--concurrent-jobs", type=int, default=800, help="jobs per 8-client run")
    parser.add_argument("--size", type=int, default=16 * 1024, help="data file bytes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("lpd_bench.py runs a private cupsd and cups-lpd, which want root")

    root = Path(tempfile.mkdtemp(prefix="quire-lpd-bench-", dir=args.root))
    servers = []
    results = []
    try:
        for make in (lambda: Quired(args.build, root), lambda: CupsLpd(root), lambda: CupsLpd(root, sync=True)):
            servers.append(make())  # one at a time, so that a failed start still stops the others
        for run in range(args.runs):
            for server in servers:
                for clients, jobs in ((1, args.jobs), (8, args.concurrent_jobs)):
                    figures = measure(args.build, server, jobs, clients, args.size)
                    figures["run"] = run + 1
                    results.append(figures)
                    print(json.dumps(figures), file=sys.stderr)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)

    def median(server, clients, key):
        return statistics.median(r[key] for r in results if r["server"] == server and r["clients"] == clients)

    filesystem = subprocess.run(["df", "--output=fstype", str(args.root)], capture_output=True, text=True).stdout.split()[-1]
    print(f"{os.cpu_count()} cores, {platform.platform()}; state on {filesystem} ({args.root}); "
          f"{args.size}-byte data file per job; median of {args.runs} runs\n")
    names = [s.name for s in servers]
    print("| clients | " + " | ".join(f"{n} jobs/s" for n in names) + " | quired ÷ " + " | quired ÷ ".join(names[1:])
          + " | " + " | ".join(f"{n} p50 / p99 ms" for n in names) + " |")
    print("|---" * (1 + 2 * len(names) + len(names) - 1) + "|")
    for clients in (1, 8):
        rates = [median(n, clients, "jobs_per_second") for n in names]
        latencies = [f"{median(n, clients, 'p50_ms'):.1f} / {median(n, clients, 'p99_ms'):.1f}" for n in names]
        print(f"| {clients} | " + " | ".join(f"{r:.0f}" for r in rates) + " | "
              + " | ".join(f"{rates[0] / r:.1f}×" for r in rates[1:]) + " | " + " | ".join(latencies) + " |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
