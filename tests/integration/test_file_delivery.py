"""Raw jobs to file: devices are written by the daemon itself, as cupsd does (no backend
process), with the file backend's semantics: several documents, copies, directories and
regular files, a target that cannot be opened going through the printer's error policy,
cancel while it writes, FileDevice; and a FIFO, which only the backend process opens."""

import os
import re
import threading
import time

import pytest

from conftest import Daemon, wait_until
from filter_support import job_details, output_of, submit, wait_finished, write_printers_conf


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    base = tmp_path_factory.mktemp("delivery")
    (base / "targets").mkdir()
    os.mkfifo(base / "targets" / "fifo")
    missing = f"file://{base}/targets/missing/out.prn"
    state = base / "state"
    write_printers_conf(state, {
        "tofile": {"uri": f"file://{base}/targets/out.prn"},
        "devnull": {"uri": "/dev/null"},
        "fifo": {"uri": f"file://{base}/targets/fifo"},
        "unopenable": {"uri": missing},
        "stopper": {"uri": missing, "lines": ["ErrorPolicy stop-printer"]},
        "retrier": {"uri": missing, "lines": ["ErrorPolicy retry-current-job"]},
    })
    (state / "cupsd.conf").write_text("LogLevel debug\nJobRetryLimit 3\n")
    daemon = Daemon(state).start()
    yield base, daemon
    assert daemon.stop() == 0


def documents(base, sizes, name):
    paths = []
    for i, size in enumerate(sizes):
        path = base / f"{name}-{i}.bin"
        path.write_bytes(os.urandom(size))
        paths.append(path)
    return paths


def submit_many(daemon, printer, paths, *args):
    r = daemon.run("lp", "-d", printer, *args, *map(str, paths))
    return int(re.search(r"request id is \S+-(\d+)", r.stdout).group(1))


def job_log(daemon, job_id):
    return [line for line in daemon.log().splitlines() if f"[Job {job_id}]" in line]


def assert_written_by_the_daemon(daemon, job_id):
    lines = job_log(daemon, job_id)
    assert any("written by the daemon" in line for line in lines), lines
    assert not any("started file" in line for line in lines), lines


def test_several_documents_to_a_directory_follow_each_other(files):
    base, daemon = files
    paths = documents(base, [1000, 70_000, 5], "dir")
    job = submit_many(daemon, "demo", paths)
    assert wait_finished(daemon, job)["job-state"] == "completed"
    assert output_of(daemon, "demo", job) == b"".join(p.read_bytes() for p in paths)
    assert_written_by_the_daemon(daemon, job)


def test_copies_page_log_and_impressions(files):
    base, daemon = files
    [path] = documents(base, [200_000], "copies")
    job = submit_many(daemon, "demo", [path], "-n", "3")
    details = wait_finished(daemon, job)
    assert details["job-state"] == "completed"
    assert details["job-impressions-completed"] == "3"
    assert output_of(daemon, "demo", job) == path.read_bytes() * 3
    assert re.search(rf"^demo \S+ {job} \[.*\] total 3 ", daemon.log("page_log"), re.M), daemon.log("page_log")
    assert_written_by_the_daemon(daemon, job)


def test_a_regular_file_is_truncated_by_each_document(files):
    base, daemon = files
    target = base / "targets" / "out.prn"
    target.write_bytes(b"old content " * 100_000)
    paths = documents(base, [3000, 17], "file")
    job = submit_many(daemon, "tofile", paths)
    assert wait_finished(daemon, job, "tofile")["job-state"] == "completed"
    # As the backend run once per document always did: the last document is what stays.
    assert target.read_bytes() == paths[-1].read_bytes()
    assert oct(target.stat().st_mode & 0o777) == oct(0o644 & ~current_umask())
    assert_written_by_the_daemon(daemon, job)
    status = daemon.run("lpstat", "-l", "-p", "tofile").stdout
    assert f"Wrote {target}" in status, status


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_unopenable_target_aborts_the_job_by_default(files):
    base, daemon = files
    [path] = documents(base, [10], "abort")
    job = submit(daemon, "unopenable", path)
    details = wait_finished(daemon, job, "unopenable")
    assert details["job-state"] == "aborted"
    assert "Unable to open" in details["job-state-message"]
    assert "No such file or directory" in details["job-state-message"]
    assert "unopenable is idle" in daemon.run("lpstat", "-p", "unopenable").stdout


def test_unopenable_target_with_stop_printer_keeps_the_job(files):
    base, daemon = files
    [path] = documents(base, [10], "stop")
    job = submit(daemon, "stopper", path)
    wait_until(lambda: "disabled" in daemon.run("lpstat", "-p", "stopper").stdout, what="stopper stopped")
    assert job_details(daemon, job, "stopper")["job-state"] == "pending"
    assert "Unable to open" in daemon.run("lpstat", "-l", "-p", "stopper").stdout
    # The target appears: enabling the queue prints the waiting job.
    (base / "targets" / "missing").mkdir()
    try:
        daemon.run("cupsenable", "stopper")
        assert wait_finished(daemon, job, "stopper")["job-state"] == "completed"
        assert (base / "targets" / "missing" / "out.prn").read_bytes() == path.read_bytes()
    finally:
        (base / "targets" / "missing" / "out.prn").unlink(missing_ok=True)
        (base / "targets" / "missing").rmdir()


def test_retry_current_job_tries_the_limit_then_aborts(files):
    base, daemon = files
    [path] = documents(base, [10], "retry")
    job = submit(daemon, "retrier", path)
    assert wait_finished(daemon, job, "retrier")["job-state"] == "aborted"
    retries = [line for line in job_log(daemon, job) if "retrying (" in line]
    assert len(retries) == 2, retries  # JobRetryLimit 3: three attempts in all


def test_cancel_stops_the_writing(files):
    base, daemon = files
    [path] = documents(base, [32 << 20], "cancel")
    job = submit_many(daemon, "devnull", [path], "-n", "9999")  # 320 GB to /dev/null: minutes
    wait_until(lambda: job_details(daemon, job, "devnull").get("job-state") == "processing", what="job printing")
    started = time.monotonic()
    daemon.run("cancel", str(job))
    assert wait_finished(daemon, job, "devnull", timeout=10)["job-state"] == "canceled"
    assert time.monotonic() - started < 5
    status = daemon.run("lpstat", "-l", "-p", "devnull").stdout
    assert "Job canceled." in status, status  # the writing itself saw the cancel
    # The queue is free again and the next job is written.
    [small] = documents(base, [10], "after")
    after = submit(daemon, "devnull", small)
    assert wait_finished(daemon, after, "devnull")["job-state"] == "completed"
    assert_written_by_the_daemon(daemon, after)


def test_a_fifo_is_left_to_the_backend_process(files):
    base, daemon = files
    [path] = documents(base, [50_000], "fifo")
    received = []
    reader = threading.Thread(target=lambda: received.append((base / "targets" / "fifo").read_bytes()))
    reader.start()
    job = submit(daemon, "fifo", path)
    try:
        assert wait_finished(daemon, job, "fifo")["job-state"] == "completed"
    finally:
        reader.join(timeout=20)
    assert received == [path.read_bytes()]
    assert any("started file" in line for line in job_log(daemon, job)), job_log(daemon, job)


def test_file_device_no_refuses_files_but_not_dev_null(daemon_factory, tmp_path):
    daemon = daemon_factory()
    r = daemon.run("lpadmin", "-p", "tofile", "-v", f"file://{tmp_path}/out", "-m", "raw", check=False)
    assert r.returncode != 0 and "FileDevice" in r.stderr, r.stderr
    daemon.run("lpadmin", "-p", "null", "-E", "-v", "/dev/null", "-m", "raw")
    doc = tmp_path / "doc.txt"
    doc.write_text("hello\n")
    job = submit(daemon, "null", doc)
    assert wait_finished(daemon, job, "null")["job-state"] == "completed"
    assert_written_by_the_daemon(daemon, job)
