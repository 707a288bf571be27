"""Queues on quired that print to CUPS: an ipp queue to a private cupsd and an lpd
queue to CUPS's cups-lpd (socket-activated by bench/socket_activate.py, as systemd's
cups-lpd.socket does) in front of that cupsd. lp prints on quired; the bytes arrive
in cupsd's output (through Quire's file backend installed there as "quirefile"), and
CUPS's refusals map to retry or abort on our side."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import BUILD_DIR, SOURCE_DIR, wait_until
from filter_support import wait_finished, write_printers_conf

sys.path.insert(0, str(SOURCE_DIR / "tests" / "backends"))
from private_cupsd import CUPSD, PrivateCupsd  # noqa: E402

CUPS_LPD = "/usr/lib/cups/daemon/cups-lpd"


@pytest.fixture(scope="module")
def cups():
    if not (os.path.exists(CUPSD) and os.path.exists(CUPS_LPD)):
        pytest.skip("cupsd and cups-lpd are needed (Debian package cups-daemon)")
    root = Path(tempfile.mkdtemp(prefix="quire-cupsd-"))
    server = PrivateCupsd(root, file_backend=BUILD_DIR / "lib" / "quire" / "backend" / "file")
    activator = None
    try:
        server.start()
        for q in ("ippq", "lpdq", "rejecting"):
            server.add_raw_queue(q)
        port_file = root / "lpd.port"
        activator = subprocess.Popen([sys.executable, str(SOURCE_DIR / "bench" / "socket_activate.py"),
                                      "--port-file", str(port_file), "--", CUPS_LPD, "-n", "-h", server.host])
        lpd_port = wait_until(lambda: port_file.exists() and port_file.read_text().strip() and
                              int(port_file.read_text()), 10, "cups-lpd's socket")
        yield server, lpd_port
    finally:
        if activator:
            activator.terminate()
            activator.wait(10)
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def local(cups, daemon_factory, tmp_path):
    server, lpd_port = cups
    state = tmp_path / "local"
    write_printers_conf(state, {
        "tocups": {"uri": f"ipp://{server.host}/printers/ippq"},
        "tocupslpd": {"uri": f"lpd://127.0.0.1:{lpd_port}/lpdq"},
        "rejected": {"uri": f"ipp://{server.host}/printers/rejecting?contimeout=1"},
        "unknown": {"uri": f"lpd://127.0.0.1:{lpd_port}/nosuchqueue"},
    })
    (state / "cupsd.conf").write_text("LogLevel debug\nJobRetryInterval 1\nJobRetryLimit 30\n")
    return daemon_factory("local")


def print_bytes(daemon, queue, tmp_path, data):
    doc = tmp_path / f"doc-{os.urandom(4).hex()}.bin"
    doc.write_bytes(data)
    r = daemon.run("lp", "-d", queue, str(doc))
    return int(re.search(r"request id is \S+-(\d+)", r.stdout).group(1))


@pytest.mark.parametrize("queue,remote", [("tocups", "ippq"), ("tocupslpd", "lpdq")])
def test_jobs_reach_cups_and_complete(cups, local, tmp_path, queue, remote):
    server, _ = cups
    data = b"to CUPS " + os.urandom(100_000)
    job = print_bytes(local, queue, tmp_path, data)
    assert wait_finished(local, job, queue)["job-state"] == "completed"
    wait_until(lambda: server.output(remote) == data, 30, f"the job in cupsd's {remote} output")


def test_a_rejecting_cups_queue_is_retried_until_it_accepts(cups, local, tmp_path):
    server, _ = cups
    server.run("cupsreject", "-h", server.host, "rejecting")
    data = b"later " + os.urandom(1000)
    job = print_bytes(local, "rejected", tmp_path, data)
    wait_until(lambda: "retrying (1 of" in local.log(), 30, "a retry")
    server.run("cupsaccept", "-h", server.host, "rejecting")
    assert wait_finished(local, job, "rejected")["job-state"] == "completed"
    wait_until(lambda: server.output("rejecting") == data, 30, "the job in cupsd's output")


def test_cups_lpd_refusing_an_unknown_queue_aborts_the_job(cups, local, tmp_path):
    job = print_bytes(local, "unknown", tmp_path, b"nowhere")
    details = wait_finished(local, job, "unknown")
    assert details["job-state"] == "aborted"
    assert "backend lpd failed" in details["job-state-message"], details
