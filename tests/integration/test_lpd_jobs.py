"""LPD jobs end to end from a raw-socket client: the control file's lines and format
letters as IPP attributes, several data files in one job, both file orders, big files
streamed with bounded memory, interleaved concurrent jobs, and the queue commands."""

import hashlib
import os
import re
import threading

import pytest

from conftest import wait_for_output, wait_until
from lpd_support import (OK, QUEUE_REFUSES, LpdConnection, control, job_attributes, job_ids, print_over_lpd,
                         queue_snapshot, start_gated_daemon)


def new_job(daemon, before):
    ids = sorted(set(job_ids(daemon.run("lpstat", "-W", "all", "-o").stdout)) - set(before))
    assert len(ids) == 1, ids
    return ids[0]


def all_ids(daemon):
    return job_ids(daemon.run("lpstat", "-W", "all", "-o").stdout)


@pytest.mark.parametrize("letter,document_format", [
    ("f", "text/plain"), ("o", "application/postscript"), ("p", "text/plain"), ("r", "text/plain"),
    ("l", "application/vnd.cups-raw"),  # raw: every queue takes it (printed unfiltered, as in CUPS)
    ("d", "application/octet-stream"),  # DVI, likewise
    ("c", "application/octet-stream"), ("g", "application/octet-stream"), ("n", "application/octet-stream"),
    ("t", "application/octet-stream"), ("v", "application/octet-stream"),
])
def test_format_letters_become_document_formats(daemon, letter, document_format):
    before = all_ids(daemon)
    assert print_over_lpd(daemon, b"data for " + letter.encode(), letter=letter) == [(OK, OK), (OK, OK)]
    job_id = new_job(daemon, before)
    attrs = job_attributes(daemon, job_id)
    assert attrs["document-format"] == document_format, attrs
    assert ("prettyprint" in attrs) == (letter == "p"), attrs
    assert wait_for_output(daemon, job_id).read_bytes() == b"data for " + letter.encode()


def test_control_file_lines_become_job_attributes(daemon):
    before = all_ids(daemon)
    lines = ["JQuarterly report", "CA", "Lkate", "Mkate", "T", "I4", "W100", "1R", "2I", "3B", "4S",
             "odfA002client.example", "odfA002client.example", "UdfA002client.example", "Nreport.ps"]
    with LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        assert c.control_file("cfA002client.example", control("kate", *lines, host="kates-box")) == (OK, OK)
        assert c.data_file("dfA002client.example", b"%!PS\nshowpage\n") == (OK, OK)
    job_id = new_job(daemon, before)
    attrs = job_attributes(daemon, job_id)
    assert attrs["job-originating-user-name"] == "kate"
    assert attrs["job-originating-host-name"] == "kates-box"  # from H, not the peer address
    assert attrs["job-name"] == "Quarterly report"
    assert attrs["document-name"] == "report.ps"
    assert attrs["copies"] == "2"
    assert attrs["job-sheets"] == "standard"
    assert attrs["document-format"] == "application/postscript"
    assert re.search(rf"^demo-{job_id}\s+kate\s", daemon.run("lpstat", "-W", "all", "-o").stdout, re.M)
    wait_for_output(daemon, job_id)


@pytest.mark.parametrize("order", ["control", "data"])
def test_several_data_files_are_one_job(daemon_factory, tmp_path, order):
    d, gate = start_gated_daemon(daemon_factory, tmp_path)
    files = {"dfA003a": b"first document\n", "dfA003b": b"%!PS second\n", "dfA003c": b"third\n"}
    text = control("lou", "JThree", "fdfA003a", "odfA003b", "fdfA003c")
    with LpdConnection(d.lpd_port) as c:
        assert c.receive_job("gated") == OK
        if order == "control":
            assert c.control_file("cfA003client", text) == (OK, OK)
        for name, data in files.items():
            assert c.data_file(name, data) == (OK, OK)
        if order == "data":
            assert c.control_file("cfA003client", text) == (OK, OK)
    (job_id,) = job_ids(d.run("lpstat", "-o").stdout, "gated")
    attrs = job_attributes(d, job_id, "gated")
    assert attrs["number-of-documents"] == "3" and attrs["job-name"] == "Three", attrs
    (gate / "open").touch()
    out = gate / f"gated-{job_id}.prn"
    wait_until(lambda: out.exists() and out.read_bytes() == b"".join(files.values()), what="three documents printed")


def vm_hwm_kib(daemon):
    status = open(f"/proc/{daemon.proc.pid}/status").read()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


@pytest.mark.parametrize("order", ["control", "data"])
def test_big_files_stream_with_bounded_memory(daemon, order):
    if os.environ.get("QUIRE_DAEMON_WRAPPER"):
        pytest.skip("measures the daemon's own memory")
    size = 64 * 1024 * 1024
    chunk = hashlib.sha256(b"seed").digest() * 2048  # 64 KiB that does not compress to nothing
    before_ids = all_ids(daemon)
    peak_before = vm_hwm_kib(daemon)
    name = "dfA004client"
    text = control("mia", f"l{name}")
    with LpdConnection(daemon.lpd_port, timeout=120) as c:
        assert c.receive_job() == OK
        if order == "control":
            assert c.control_file("cfA004client", text) == (OK, OK)
        c.send(f"\x03{size} {name}\n".encode())
        assert c.ack() == OK
        for _ in range(size // len(chunk)):
            c.send(chunk)
        c.send(b"\0")
        assert c.ack() == OK
        if order == "data":
            assert c.control_file("cfA004client", text) == (OK, OK)
    job_id = new_job(daemon, before_ids)
    out = wait_for_output(daemon, job_id, timeout=120)
    assert out.stat().st_size == size
    assert vm_hwm_kib(daemon) - peak_before < 16 * 1024, "the daemon held the document in memory"


def test_interleaved_concurrent_jobs_each_get_their_own_data(daemon):
    clients = 8
    before = all_ids(daemon)
    barrier = threading.Barrier(clients)
    failures = []

    def one_client(i):
        try:
            data = f"document of client {i}\n".encode() * (1000 + i)
            name = f"dfA{i:03d}host{i}"
            with LpdConnection(daemon.lpd_port) as c:
                assert c.receive_job() == OK
                barrier.wait()
                if i % 2:  # half send the control file first, half the data file first
                    assert c.control_file(f"cfA{i:03d}host{i}", control(f"user{i}", f"f{name}")) == (OK, OK)
                c.send(f"\x03{len(data)} {name}\n".encode())
                assert c.ack() == OK
                half = len(data) // 2
                c.send(data[:half])
                barrier.wait()  # every client is in the middle of its data file
                c.send(data[half:] + b"\0")
                assert c.ack() == OK
                if i % 2 == 0:
                    assert c.control_file(f"cfA{i:03d}host{i}", control(f"user{i}", f"f{name}")) == (OK, OK)
        except Exception as e:  # reported below, with the client's number
            failures.append((i, repr(e)))
            barrier.abort()

    threads = [threading.Thread(target=one_client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures
    listing = daemon.run("lpstat", "-W", "all", "-o").stdout
    ids = sorted(set(job_ids(listing)) - set(before))
    assert len(ids) == clients, listing
    for job_id in ids:
        user = re.search(rf"^demo-{job_id}\s+(user\d+)\s", listing, re.M).group(1)
        i = int(user[len("user"):])
        expected = f"document of client {i}\n".encode() * (1000 + i)
        assert wait_for_output(daemon, job_id).read_bytes() == expected, user


def test_queue_state_lists_the_jobs_lpstat_lists(daemon_factory, tmp_path):
    d, gate = start_gated_daemon(daemon_factory, tmp_path)
    for user in ("nina", "omar", "nina"):
        assert print_over_lpd(d, b"x" * 3000, user=user, queue="gated") == [(OK, OK), (OK, OK)]
    ids = job_ids(d.run("lpstat", "-o").stdout, "gated")
    assert len(ids) == 3
    wait_until(lambda: "now printing" in d.run("lpstat", "-p", "gated").stdout, what="first job printing")
    with LpdConnection(d.lpd_port) as c:
        c.command(3, "gated")
        short = c.read_all()
    lines = short.splitlines()
    assert lines[0] == "gated is ready and printing"
    assert lines[1] == "Rank   Owner      Job  Files                                 Total Size"
    rows = [line.split() for line in lines[2:]]
    assert [(r[0], r[1], int(r[2])) for r in rows] == [("active", "nina", ids[0]), ("1st", "omar", ids[1]),
                                                        ("2nd", "nina", ids[2])], short
    assert all(line[61:] == "3072 bytes" for line in lines[2:]), short  # 3000 bytes: job-k-octets 3
    with LpdConnection(d.lpd_port) as c:
        c.command(4, f"gated omar {ids[2]}")
        long = c.read_all()
    assert f"omar: 1st" in long and f"[job {ids[1]:03d}client.example]" in long, long
    assert f"nina: 2nd" in long and "active" not in long, long
    (gate / "open").touch()


def test_remove_jobs_uses_the_agents_rights(daemon_factory, tmp_path):
    d, gate = start_gated_daemon(daemon_factory, tmp_path)
    for user in ("pat", "quinn", "quinn"):
        assert print_over_lpd(d, b"y" * 100, user=user, queue="gated") == [(OK, OK), (OK, OK)]
    ids = job_ids(d.run("lpstat", "-o").stdout, "gated")
    with LpdConnection(d.lpd_port) as c:  # pat may not remove quinn's job
        c.command(5, f"gated pat {ids[1]}")
        assert re.search(r"forbidden|not-authorized", c.read_all())
    assert job_ids(d.run("lpstat", "-o").stdout, "gated") == ids
    with LpdConnection(d.lpd_port) as c:  # quinn removes all of hers by name
        c.command(5, "gated quinn quinn")
        report = c.read_all()
    assert f"gated-{ids[1]} dequeued" in report and f"gated-{ids[2]} dequeued" in report, report
    assert job_ids(d.run("lpstat", "-o").stdout, "gated") == [ids[0]]
    (gate / "open").touch()


def test_print_waiting_jobs_is_acknowledged(daemon):
    with LpdConnection(daemon.lpd_port) as c:
        c.command(1, "demo")
        assert c.ack() == OK
    with LpdConnection(daemon.lpd_port) as c:
        c.command(1, "nosuch")
        assert c.ack() == QUEUE_REFUSES


def test_unchanged_check_sees_a_queued_job(daemon):
    """The error tests' oracle: lpstat over IPP does show what LPD queues."""
    before = queue_snapshot(daemon)
    assert print_over_lpd(daemon, b"seen\n") == [(OK, OK), (OK, OK)]
    assert queue_snapshot(daemon) != before


def test_a_class_is_a_queue_too(daemon):
    daemon.run("lpadmin", "-p", "demo", "-c", "office")  # the class "office" holds demo
    daemon.run("cupsenable", "office")
    daemon.run("cupsaccept", "office")
    before = job_ids(daemon.run("lpstat", "-W", "all", "-o").stdout, "office")
    assert print_over_lpd(daemon, b"to the class\n", user="rita", queue="office") == [(OK, OK), (OK, OK)]
    listing = daemon.run("lpstat", "-W", "all", "-o").stdout
    (job_id,) = sorted(set(job_ids(listing, "office")) - set(before))
    assert re.search(rf"^office-{job_id}\s+rita\s", listing, re.M), listing
    with LpdConnection(daemon.lpd_port) as c:
        c.command(3, "office")
        assert c.read_all().startswith("office is ready")
