"""Queues that print to another Quire: a first quired with `ipp://127.0.0.1:PORT/
printers/demo` and `lpd://127.0.0.1:LPDPORT/demo` queues, a second quired as the
remote server. lp prints on the first; the bytes arrive in the second's output and the
job completes on both. Remote trouble maps to what issue 7 asks: a rejecting queue is
retried (ipp: RETRY) or fails through the error policy (lpd: FAILED), a stopped one
keeps the job waiting, a missing one stops our queue (ipp: STOP) or aborts the job
(lpd), and a server that is gone is retried under retry-job until it is back."""

import os
import re
from pathlib import Path

import pytest

from conftest import wait_until
from filter_support import job_details, wait_finished, write_printers_conf


def job_id(lp_stdout):
    return int(re.search(r"request id is \S+-(\d+)", lp_stdout).group(1))


@pytest.fixture
def remote(daemon_factory):
    return daemon_factory("remote")


def start_local(daemon_factory, tmp_path, queues, retry_limit=3):
    state = tmp_path / "local"
    write_printers_conf(state, queues)
    (state / "cupsd.conf").write_text(f"LogLevel debug\nJobRetryInterval 1\nJobRetryLimit {retry_limit}\n")
    return daemon_factory("local")


def remote_queues(remote, **extra):
    queues = {"viaipp": {"uri": f"ipp://127.0.0.1:{remote.port}/printers/demo"},
              "vialpd": {"uri": f"lpd://127.0.0.1:{remote.lpd_port}/demo"}}
    queues.update(extra)
    return queues


def print_bytes(daemon, queue, tmp_path, data: bytes):
    doc = tmp_path / f"doc-{os.urandom(4).hex()}.bin"
    doc.write_bytes(data)
    return job_id(daemon.run("lp", "-d", queue, str(doc)).stdout)


def remote_outputs(remote):
    out = remote.output_dir()
    return {p: p.read_bytes() for p in out.glob("demo-*.prn")} if out.exists() else {}


def wait_remote_output(remote, data, timeout=30):
    found = wait_until(lambda: [p for p, b in remote_outputs(remote).items() if b == data], timeout,
                       "the bytes in the remote server's output")
    remote_job = int(found[0].stem.split("-")[1])
    wait_until(lambda: job_details(remote, remote_job)["job-state"] == "completed", timeout, "remote job completed")
    return remote_job


@pytest.mark.parametrize("queue", ["viaipp", "vialpd"])
def test_a_job_reaches_the_second_server_and_completes_on_both(daemon_factory, remote, tmp_path, queue):
    local = start_local(daemon_factory, tmp_path, remote_queues(remote))
    data = b"%!PS fake\n" + os.urandom(200_000) + b"\nend of job\n"
    job = print_bytes(local, queue, tmp_path, data)
    assert wait_finished(local, job, queue)["job-state"] == "completed"
    wait_remote_output(remote, data)


def test_ipp_to_a_rejecting_queue_is_retried_until_it_accepts(daemon_factory, remote, tmp_path):
    queues = {"viaipp": {"uri": f"ipp://127.0.0.1:{remote.port}/printers/demo?contimeout=1"}}
    local = start_local(daemon_factory, tmp_path, queues, retry_limit=30)
    remote.run("cupsreject", "demo")
    data = b"retried " + os.urandom(1000)
    job = print_bytes(local, "viaipp", tmp_path, data)
    wait_until(lambda: "retrying (1 of" in local.log(), 30, "a retry")
    assert job_details(local, job, "viaipp")["job-state"] == "processing"
    remote.run("cupsaccept", "demo")
    assert wait_finished(local, job, "viaipp")["job-state"] == "completed"
    wait_remote_output(remote, data)


def test_ipp_to_a_queue_that_keeps_rejecting_is_aborted_after_the_retry_limit(daemon_factory, remote, tmp_path):
    queues = {"viaipp": {"uri": f"ipp://127.0.0.1:{remote.port}/printers/demo?contimeout=1"}}
    local = start_local(daemon_factory, tmp_path, queues, retry_limit=2)
    remote.run("cupsreject", "demo")
    job = print_bytes(local, "viaipp", tmp_path, b"never printed")
    details = wait_finished(local, job, "viaipp", timeout=60)
    assert details["job-state"] == "aborted"
    assert "gave up after 2 attempts" in details["job-state-message"], details
    assert remote_outputs(remote) == {}


def test_lpd_to_a_rejecting_queue_fails_through_the_error_policy(daemon_factory, remote, tmp_path):
    local = start_local(daemon_factory, tmp_path, remote_queues(remote))
    remote.run("cupsreject", "demo")
    job = print_bytes(local, "vialpd", tmp_path, b"refused")
    details = wait_finished(local, job, "vialpd")
    assert details["job-state"] == "aborted"  # ErrorPolicy abort-job
    assert "refused queue" in details["job-state-message"], details


def test_lpd_rejection_with_retry_job_policy_prints_once_accepted(daemon_factory, remote, tmp_path):
    queues = remote_queues(remote)
    queues["vialpd"]["lines"] = ["ErrorPolicy retry-job"]
    local = start_local(daemon_factory, tmp_path, queues, retry_limit=30)
    remote.run("cupsreject", "demo")
    data = b"lpd retried " + os.urandom(1000)
    job = print_bytes(local, "vialpd", tmp_path, data)
    wait_until(lambda: "retrying (1 of" in local.log(), 30, "a retry")
    remote.run("cupsaccept", "demo")
    assert wait_finished(local, job, "vialpd")["job-state"] == "completed"
    wait_remote_output(remote, data)


@pytest.mark.parametrize("queue", ["viaipp", "vialpd"])
def test_a_stopped_remote_queue_keeps_the_job_until_enabled(daemon_factory, remote, tmp_path, queue):
    local = start_local(daemon_factory, tmp_path, remote_queues(remote))
    remote.run("cupsdisable", "demo")
    data = b"waited " + os.urandom(1000)
    job = print_bytes(local, queue, tmp_path, data)
    wait_until(lambda: "pending" in remote.run("lpstat", "-o", "demo", "-l").stdout or
               remote.run("lpstat", "-o", "demo").stdout.strip(), 30, "the job queued remotely")
    assert remote_outputs(remote) == {}
    remote.run("cupsenable", "demo")
    wait_remote_output(remote, data)
    assert wait_finished(local, job, queue)["job-state"] == "completed"


def test_ipp_to_a_missing_queue_stops_our_queue_and_keeps_the_job(daemon_factory, remote, tmp_path):
    queues = {"gone": {"uri": f"ipp://127.0.0.1:{remote.port}/printers/nosuch"}}
    local = start_local(daemon_factory, tmp_path, queues)
    job = print_bytes(local, "gone", tmp_path, b"nowhere")
    wait_until(lambda: "disabled" in local.run("lpstat", "-p", "gone").stdout, 30, "our queue stopped")
    assert job_details(local, job, "gone")["job-state"] == "pending"
    # The backend's ERROR: line is the queue's state message.
    assert "client-error-not-found" in local.run("lpstat", "-l", "-p", "gone").stdout
    # Once the remote queue exists, enabling ours prints the job.
    remote.run("lpadmin", "-p", "nosuch", "-E", "-v", "/dev/null", "-m", "raw")
    local.run("cupsenable", "gone")
    assert wait_finished(local, job, "gone")["job-state"] == "completed"


def test_lpd_to_a_missing_queue_aborts_the_job(daemon_factory, remote, tmp_path):
    queues = {"gone": {"uri": f"lpd://127.0.0.1:{remote.lpd_port}/nosuch"}}
    local = start_local(daemon_factory, tmp_path, queues)
    job = print_bytes(local, "gone", tmp_path, b"nowhere")
    details = wait_finished(local, job, "gone")
    assert details["job-state"] == "aborted"
    assert "nosuch" in details["job-state-message"], details


@pytest.mark.parametrize("scheme", ["ipp", "lpd"])
def test_a_server_that_is_gone_is_retried_until_it_is_back(daemon_factory, tmp_path, scheme):
    remote = daemon_factory("remote")
    port = remote.port if scheme == "ipp" else remote.lpd_port
    uri = f"{scheme}://127.0.0.1:{port}/{'printers/' if scheme == 'ipp' else ''}demo?contimeout=1"
    local = start_local(daemon_factory, tmp_path, {"far": {"uri": uri, "lines": ["ErrorPolicy retry-job"]}},
                        retry_limit=60)
    ipp_port, lpd_port = remote.port, remote.lpd_port
    assert remote.stop() == 0
    data = b"patient " + os.urandom(1000)
    job = print_bytes(local, "far", tmp_path, data)
    wait_until(lambda: "retrying (1 of" in local.log(), 30, "a retry")
    remote.start(listen=f"127.0.0.1:{ipp_port}", lpd_listen=f"127.0.0.1:{lpd_port}")
    assert wait_finished(local, job, "far", timeout=60)["job-state"] == "completed"
    wait_remote_output(remote, data)


def test_a_server_that_is_gone_aborts_under_abort_job(daemon_factory, tmp_path):
    remote = daemon_factory("remote")
    local = start_local(daemon_factory, tmp_path,
                        {"far": {"uri": f"ipp://127.0.0.1:{remote.port}/printers/demo?contimeout=1"}})
    assert remote.stop() == 0
    job = print_bytes(local, "far", tmp_path, b"lost")
    details = wait_finished(local, job, "far")
    assert details["job-state"] == "aborted"
