"""lpd backend (RFC 1179 client) against a loopback LPD server written in the test, and
CUPS's own lpd backend against the same server."""

import os
import re

import pytest

from conftest import FAILED, OK, RETRY, STOP
from lpd_server import LpdServer


@pytest.fixture
def lpd():
    made = []

    def make(**kwargs):
        s = LpdServer(**kwargs)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


def only_job(server):
    assert server.job_done.wait(10)
    assert len(server.jobs) == 1
    return server.jobs[0]


def test_discovery_lists_the_scheme(backends):
    b = backends("lpd", "", discovery=True)
    assert b.wait() == OK
    assert b.stdout.decode() == 'network lpd "Unknown" "LPD/LPR Host or Printer" "" ""\n'


def test_prints_file_with_rfc1179_control_file(backends, lpd, job_file):
    path, data = job_file(120_000)
    server = lpd()
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp", job_id="1234", user="alice",
                 title="Quarterly report", file=path)
    assert b.wait() == OK, b.stderr()
    job = only_job(server)
    assert job.complete and job.queue == "lp" and not job.protocol_error
    assert job.data == data
    assert job.order == ["control", "data"]
    lines = job.control_lines()
    host = lines[0][1:]
    assert lines[0].startswith("H") and host
    assert lines[1:] == ["Palice", "JQuarterly report", f"ldfA234{host[:15]}",
                         f"UdfA234{host[:15]}", "NQuarterly report"]
    assert job.control_name == f"cfA234{host[:15]}" and job.data_name == f"dfA234{host[:15]}"
    assert job.data_size_field == str(len(data))
    assert b.has_line(r"^PAGE: 1 1$")


def test_job_originating_host_name_goes_in_the_h_line(backends, lpd, job_file):
    path, _ = job_file(100)
    server = lpd()
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp", file=path,
                 options="job-originating-host-name=ws17.example")
    assert b.wait() == OK
    assert only_job(server).control_lines()[0] == "Hws17.example"


def test_data_first_order_format_and_banner(backends, lpd, job_file):
    path, data = job_file(5000)
    server = lpd()
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp?order=data,control&format=o&banner=on",
                 user="bob", file=path)
    assert b.wait() == OK, b.stderr()
    job = only_job(server)
    assert job.order == ["data", "control"] and job.data == data
    lines = job.control_lines()
    assert lines[3].startswith("C") and lines[4] == "Lbob"
    assert lines[5].startswith("odfA")


def test_copies_are_sent_as_data_by_default_or_as_print_lines(backends, lpd, job_file):
    path, data = job_file(3000)
    server = lpd()
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp", copies=3, file=path)
    assert b.wait() == OK
    job = only_job(server)
    assert job.data == data * 3
    assert sum(1 for l in job.control_lines() if l.startswith("ldfA")) == 1

    server2 = lpd()
    b = backends("lpd", f"lpd://127.0.0.1:{server2.port}/lp?manual_copies=off", copies=3,
                 file=path)
    assert b.wait() == OK
    job = only_job(server2)
    assert job.data == data
    assert sum(1 for l in job.control_lines() if l.startswith("ldfA")) == 3


def test_stdin_is_spooled_so_the_size_is_exact(backends, lpd):
    data = os.urandom(200_000)
    server = lpd()
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp", stdin_data=data)
    assert b.wait() == OK, b.stderr()
    job = only_job(server)
    assert job.data == data and job.data_size_field == str(len(data))


def test_stream_mode_sends_stdin_without_a_size(backends, lpd):
    data = os.urandom(50_000)
    server = lpd()
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp?mode=stream", stdin_data=data)
    assert b.wait() == OK, b.stderr()
    job = only_job(server)
    assert job.data == data and job.data_size_field == "999999999999"


def test_title_cannot_inject_control_lines(backends, lpd, job_file):
    path, _ = job_file(10)
    server = lpd()
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp?sanitize_title=off",
                 title="evil\nPmallory", file=path)
    assert b.wait() == OK
    lines = only_job(server).control_lines()
    assert "Pmallory" not in lines and "Jevil_Pmallory" in lines


def test_unknown_queue_fails_with_error(backends, lpd, job_file):
    path, _ = job_file(10)
    server = lpd(queues=("other",))
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp", file=path)
    assert b.wait() == FAILED
    assert b.has_line(r'^ERROR: The LPD server refused queue "lp" \(code 1\)\.$')


@pytest.mark.parametrize("step", ["control", "data"])
def test_refused_control_or_data_file_fails(backends, lpd, job_file, step):
    path, _ = job_file(1000)
    server = lpd(nak_step=step)
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp", file=path)
    assert b.wait() == FAILED
    assert b.has_line(rf"^ERROR: Remote host did not accept {step} file \(1\)\.$")


def test_silent_server_times_out_with_retry(backends, lpd, job_file):
    path, _ = job_file(1000)
    server = lpd(silent_step="control")
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp?timeout=1", file=path)
    assert b.wait() == RETRY, b.stderr()
    assert b.has_line(r"^ERROR: The LPD server did not respond within 1 s during the control file")


def test_busy_server_is_retried_until_it_listens(backends, lpd, job_file):
    path, data = job_file(1000)
    server = lpd(listen=False)  # bound, not listening: connection refused
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp", file=path)
    b.wait_for_line(r"^INFO: The printer is in use \(connection refused\); retrying in \d+ s\.$")
    server.start_listening()
    assert b.wait() == OK, b.stderr()
    assert only_job(server).data == data


def test_gives_up_after_contimeout(backends, lpd, job_file):
    path, _ = job_file(10)
    server = lpd(listen=False)
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp?contimeout=1", file=path)
    assert b.wait() == FAILED
    assert b.has_line(r"^ERROR: The printer is not responding")


def test_reserved_source_port_when_asked(backends, lpd, job_file):
    if os.geteuid() != 0:
        pytest.skip("binding a privileged port needs root")
    path, _ = job_file(10)
    server = lpd()
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp?reserve=any", file=path)
    assert b.wait() == OK, b.stderr()
    assert 512 <= only_job(server).source_port <= 1023


def test_sigterm_aborts_the_job_and_exits_promptly(backends, lpd, job_file):
    path, _ = job_file(1000)
    server = lpd(silent_step="data-end")  # takes the data, never confirms it
    b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp", file=path)
    b.wait_for_line(r"^INFO: Control file sent successfully\.$")
    b.terminate()
    assert b.wait(5) == OK
    assert b.has_line(r"^INFO: Job canceled; told the LPD server to abort it\.$")
    assert not server.jobs[0].complete


def test_bad_option_stops_the_queue(backends, job_file):
    path, _ = job_file(10)
    b = backends("lpd", "lpd://127.0.0.1/lp?order=sideways", file=path)
    assert b.wait() == STOP
    assert b.has_line(r'^ERROR: Unknown file order "sideways"')


def test_cups_lpd_backend_delivers_the_same_job(backends, lpd, job_file):
    path, data = job_file(60_000)
    jobs = []
    for cups in (False, True):
        server = lpd()
        b = backends("lpd", f"lpd://127.0.0.1:{server.port}/lp?snmp=false&reserve=none",
                     job_id="77", user="carol", title="Same job", file=path, cups=cups)
        assert b.wait() == OK, b.stderr()
        jobs.append(only_job(server))
    ours, theirs = jobs
    assert ours.data == theirs.data == data
    assert ours.order == theirs.order == ["control", "data"]
    strip = lambda lines: [re.sub(r"dfA\d{3}", "dfA", l) for l in lines]  # noqa: E731
    # CUPS numbers files by its pid, we by the job id; everything else matches.
    assert strip(ours.control_lines()) == strip(theirs.control_lines())


# ---- against CUPS's cups-lpd -------------------------------------------------------

CUPS_LPD = "/usr/lib/cups/daemon/cups-lpd"


class CupsLpdListener:
    """Socket activation for cups-lpd (an inetd service): accepts on a loopback port
    and runs one cups-lpd per connection with the socket as its stdin and stdout,
    queueing into a private cupsd."""

    def __init__(self, cupsd):
        import socket
        import subprocess
        import threading
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.children = []
        env = {"PATH": "/usr/bin:/bin", "CUPS_SERVER": cupsd.host, "LANG": "C"}

        def serve():
            while True:
                try:
                    conn, _ = self.sock.accept()
                except OSError:
                    return
                self.children.append(subprocess.Popen([CUPS_LPD], stdin=conn.fileno(), stdout=conn.fileno(),
                                                      stderr=subprocess.DEVNULL, env=env))
                conn.close()
        threading.Thread(target=serve, daemon=True).start()

    def close(self):
        self.sock.close()
        for c in self.children:
            try:
                c.wait(10)
            except Exception:  # noqa: BLE001 - never leave one behind
                c.kill()


@pytest.fixture(scope="module")
def cups_lpd():
    from private_cupsd import private_cupsd
    if not os.path.exists(CUPS_LPD):
        pytest.skip("cups-lpd is not installed (Debian package cups-daemon)")
    with private_cupsd() as cupsd:
        cupsd.add_raw_queue("lpdq")
        listener = CupsLpdListener(cupsd)
        yield cupsd, listener
        listener.close()


def test_cups_lpd_receives_the_job_into_cupsd(backends, cups_lpd, job_file):
    from conftest import deadline_wait
    cupsd, listener = cups_lpd
    path, data = job_file(80_000)
    b = backends("lpd", f"lpd://127.0.0.1:{listener.port}/lpdq", user="erin", title="Via cups-lpd",
                 file=path)
    assert b.wait() == OK, b.stderr()
    assert b.has_line(r"^INFO: Data file sent successfully\.$")
    deadline_wait(lambda: cupsd.output("lpdq") == data, what="the job in cupsd's output")


def test_cups_lpd_refuses_an_unknown_queue(backends, cups_lpd, job_file):
    _, listener = cups_lpd
    path, _ = job_file(100)
    b = backends("lpd", f"lpd://127.0.0.1:{listener.port}/nosuchqueue", file=path)
    assert b.wait() == FAILED, b.stderr()
    assert b.has_line(r"^ERROR: ")
