#!/usr/bin/python3
"""Jobs per second end to end: 1-page raw jobs submitted with Print-Job (ipp_load, 1 KiB
text/plain on a raw queue) until each one has been delivered by the socket backend to a
loopback sink, quired against a private CUPS cupsd (bench/cupsd.sh) in the same run.

Each server has a raw queue `sink` with DeviceURI socket://127.0.0.1:SINKPORT (its own
sink). A run submits N jobs over C connections and stops the clock when the sink has
taken the N-th job whole (the backend half-closed and the sink closed: CUPS's and
Quire's socket backends both wait for that, waiteof). Runs alternate between the
servers; the table gives medians.

    bench/backend_jobs_bench.py [--build DIR] [--jobs N] [--connections 1,8] [--runs R] [--json FILE]

Run as root (cupsd wants it). Only loopback addresses; nothing outlives the run.
"""

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from lpd_bench import Quired  # noqa: E402


class Sink:
    """A loopback printer: reads each connection to its end, closes it, counts it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.server.getsockname()[1]
        self.done = 0
        self.cond = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    def _drain(self, conn):
        with conn:
            while conn.recv(65536):
                pass
        with self.cond:
            self.done += 1
            self.cond.notify_all()

    def wait_for(self, count, timeout):
        with self.cond:
            return self.cond.wait_for(lambda: self.done >= count, timeout)

    def close(self):
        self.server.close()


def start_quired(build, root, sink_port):
    return Quired(build, root, cupsd_conf="LogLevel warn\n", printers_conf=(
        f"<DefaultPrinter sink>\nDeviceURI socket://127.0.0.1:{sink_port}\nState Idle\nAccepting Yes\n"
        "DocumentFormats application/octet-stream,text/plain\n</DefaultPrinter>\n"))


class Cupsd:
    name = "cupsd"

    def __init__(self, root, sink_port):
        self.dir = root / "cups"
        out = subprocess.run([str(HERE / "cupsd.sh"), "start", str(self.dir)], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        self.ipp_server = f"127.0.0.1:{out.stdout.split()[0]}"
        r = subprocess.run(["lpadmin", "-h", self.ipp_server, "-p", "sink", "-E", "-v", f"socket://127.0.0.1:{sink_port}",
                            "-m", "raw"], capture_output=True, text=True)
        if r.returncode != 0:
            self.stop()
            raise RuntimeError(r.stderr)

    def stop(self):
        subprocess.run([str(HERE / "cupsd.sh"), "stop", str(self.dir)])


def measure(build, server, sink, jobs, connections):
    start_count = sink.done
    began = time.monotonic()
    r = subprocess.run([str(build / "bin" / "ipp_load"), "--uri", f"ipp://{server.ipp_server}/printers/sink",
                        "--op", "print-job", "--requests", str(jobs), "--connections", str(connections),
                        "--doc-size", "1024"], capture_output=True, text=True)
    submitted = time.monotonic() - began
    load = json.loads(r.stdout.strip().splitlines()[-1])
    acked = int(load.get("acked", 0))
    delivered = sink.wait_for(start_count + acked, timeout=600)
    elapsed = time.monotonic() - began
    return {"server": server.name, "jobs": jobs, "acked": acked, "delivered": sink.done - start_count,
            "complete": delivered, "submit_s": round(submitted, 3), "elapsed_s": round(elapsed, 3),
            "jobs_per_second": round(acked / elapsed, 1), "connections": connections,
            "load": os.getloadavg()[0]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=HERE.parent / "build")
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--connections", default="1,8", help="comma-separated client counts")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    counts = [int(c) for c in args.connections.split(",")]
    root = Path(tempfile.mkdtemp(prefix="quire-backend-bench-"))
    root.chmod(0o755)
    sinks, servers, results = [], [], []
    try:
        for make in (lambda s: start_quired(args.build, root, s.port), lambda s: Cupsd(root, s.port)):
            sink = Sink()
            sinks.append(sink)
            servers.append((make(sink), sink))
        for run in range(args.runs):
            for connections in counts:
                for server, sink in servers:
                    figures = measure(args.build, server, sink, args.jobs, connections)
                    figures["run"] = run + 1
                    results.append(figures)
                    print(json.dumps(figures), file=sys.stderr)
    finally:
        for server, _ in servers:
            server.stop()
        for sink in sinks:
            sink.close()
        shutil.rmtree(root, ignore_errors=True)
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"{os.cpu_count()} cores, {platform.platform()}; {args.jobs} jobs of 1 KiB per run; "
          f"median of {args.runs} runs; after the run: {uptime}\n")
    print("| connections | server | jobs/s (median) | runs | all delivered |")
    print("|---|---|---|---|---|")
    for connections in counts:
        for name in dict.fromkeys(r["server"] for r in results):
            mine = [r for r in results if r["server"] == name and r["connections"] == connections]
            rates = ", ".join(f"{r['jobs_per_second']:.0f}" for r in mine)
            print(f"| {connections} | {name} | {statistics.median(r['jobs_per_second'] for r in mine):.0f} | {rates} | "
                  f"{'yes' if all(r['complete'] for r in mine) else 'NO'} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
