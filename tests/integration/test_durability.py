"""Durability: acknowledged jobs survive kill -9; cut-off uploads leave nothing."""

import re
import struct
import threading

from conftest import Daemon, wait_until
from ipp_wire import ipp_request, post, read_response


def print_job_request(uri, user="tester", request_id=1):
    return ipp_request(0x0002, request_id, [
        (0x01, 0x47, "attributes-charset", b"utf-8"),
        (0x01, 0x48, "attributes-natural-language", b"en"),
        (0x01, 0x45, "printer-uri", uri.encode()),
        (0x01, 0x42, "requesting-user-name", user.encode()),
        (0x01, 0x42, "job-name", b"durability"),
        (0x01, 0x49, "document-format", b"text/plain"),
    ])


def job_id_of(body):
    status = struct.unpack(">H", body[2:4])[0]
    m = re.search(rb"\x21\x00\x06job-id\x00\x04(....)", body, re.S)
    return status, (struct.unpack(">i", m.group(1))[0] if m else None)


def test_acknowledged_jobs_survive_kill_9(tmp_path):
    d = Daemon(tmp_path / "state").start()
    # Stop the demo printer from draining the queue, so jobs stay pending across the crash.
    (tmp_path / "state" / "printers.conf").write_text(
        (tmp_path / "state" / "printers.conf").read_text().replace("State Idle", "State Stopped"))
    d.stop()
    d = Daemon(tmp_path / "state").start()
    acknowledged, errors, lock, stop = [], [], threading.Lock(), threading.Event()

    def client(n):
        doc = (f"client {n}\n" * 100).encode()
        try:
            with d.connect() as s:
                for i in range(10_000):
                    if stop.is_set():
                        return
                    post(s, d.host, print_job_request(d.uri(), f"user{n}", i + 1) + doc)
                    status, job_id = job_id_of(read_response(s)[1])
                    assert status == 0, hex(status)
                    with lock:
                        acknowledged.append(job_id)
        except (ConnectionError, OSError):
            return  # the daemon was killed under us
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    wait_until(lambda: len(acknowledged) >= 200 or errors, 60, "200 acknowledged jobs")
    assert not errors, errors
    d.kill9()
    stop.set()
    for t in threads:
        t.join()
    with lock:
        told = sorted(acknowledged)
    assert len(told) == len(set(told)), "a job id was handed out twice"

    d2 = Daemon(tmp_path / "state").start()
    out = d2.run("lpstat", "-o", "demo").stdout
    present = {int(m) for m in re.findall(r"^demo-(\d+)\s", out, re.M)}
    missing = [j for j in told if j not in present]
    assert not missing, f"{len(missing)} acknowledged jobs lost, e.g. {missing[:5]}"
    # New ids continue above every id handed out before the crash.
    with d2.connect() as s:
        post(s, d2.host, print_job_request(d2.uri()) + b"after restart\n")
        status, new_id = job_id_of(read_response(s)[1])
    assert status == 0 and new_id > max(told)
    assert d2.stop() == 0


def spool_files(daemon):
    """Files in the spool other than the database itself."""
    return {p.relative_to(daemon.state_dir) for p in (daemon.state_dir / "spool").rglob("*")
            if p.is_file() and not p.name.startswith("jobs.db")}


def test_upload_cut_off_midway_leaves_no_job_and_no_file(daemon):
    before = spool_files(daemon)
    body = print_job_request(daemon.uri())
    s = daemon.connect()
    s.sendall(f"POST /printers/demo HTTP/1.1\r\nHost: {daemon.host}\r\nContent-Type: application/ipp\r\n"
              f"Content-Length: {len(body) + 1_000_000}\r\n\r\n".encode() + body + b"x" * 300_000)
    # Wait until the daemon has started spooling the document, then vanish.
    wait_until(lambda: spool_files(daemon) - before, what="upload to start")
    s.close()
    wait_until(lambda: spool_files(daemon) == before, what="partial upload removed")
    out = daemon.run("lpstat", "-W", "all", "-o").stdout
    assert out.strip() == "", out
    # And the daemon still serves.
    daemon.run("lp", "-d", "demo", "/etc/hosts")
