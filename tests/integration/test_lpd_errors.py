"""Every LPD refusal, from a raw-socket client: each answers with a non-zero ack byte
and queues nothing (the queue, asked over IPP with lpstat, is unchanged afterwards),
and a client that goes away or stalls mid-job leaves no job behind."""

import re

import pytest

from lpd_support import OK, QUEUE_REFUSES, REJECTED, LpdConnection, control, queue_snapshot, wait_for_log
from conftest import wait_until

MAX_BYTES = 100_000  # MaxRequestSize
TIMEOUT = 1  # LPDTimeout, seconds


@pytest.fixture
def daemon(daemon_factory, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "cupsd.conf").write_text(f"LogLevel debug\nMaxRequestSize {MAX_BYTES}\nLPDTimeout {TIMEOUT}\n")
    return daemon_factory()


def lpd_sessions_closed(daemon):
    return len(re.findall(r"\[LPD client \d+\] Closed", daemon.log()))


class Unchanged:
    """Asserts that the queue, as lpstat shows it over IPP, is the same after the block
    as before it, once every LPD connection opened in it has closed."""

    def __init__(self, daemon, connections=1):
        self.daemon, self.connections = daemon, connections

    def __enter__(self):
        self.closed_before = lpd_sessions_closed(self.daemon)
        self.before = queue_snapshot(self.daemon)
        return self

    def __exit__(self, exc_type, *rest):
        if exc_type:
            return False
        wait_until(lambda: lpd_sessions_closed(self.daemon) >= self.closed_before + self.connections,
                   what="the LPD connections to close")
        assert queue_snapshot(self.daemon) == self.before
        return False


DATA = b"some document\n" * 10
NAME = "dfA001client.example"
CONTROL_NAME = "cfA001client.example"


@pytest.mark.parametrize("text", [
    "Pnohost\nfdfA001client.example\n",                   # no H
    "Hclient.example\nfdfA001client.example\n",           # no P
    "Hclient.example\nPuser\nJnothing to print\n",        # no print line
    "Hclient.example\n",                                  # what cups-lpd turns into an "anonymous" empty job
    "this is not a control file at all\n",
    "Hclient.example\nPuser\nzdfA001client.example\n",    # unknown format letter
    "Hclient.example\nPuser\nIeight\nfdfA001client.example\n",
    "Hclient.example\nPu\0ser\nfdfA001client.example\n",  # a NUL inside
    "",
])
@pytest.mark.parametrize("order", ["control", "data"])
def test_malformed_control_file_is_refused(daemon, text, order):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        if order == "data":
            assert c.data_file(NAME, DATA) == (OK, OK)
        assert c.control_file(CONTROL_NAME, text) == (OK, REJECTED)


def test_more_bytes_than_the_count_are_refused(daemon):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        assert c.control_file(CONTROL_NAME, control("ann", f"f{NAME}")) == (OK, OK)
        c.send(f"\x03{len(DATA) - 10} {NAME}\n".encode())
        assert c.ack() == OK
        c.send(DATA + b"\0")
        assert c.ack() == REJECTED


def test_fewer_bytes_than_the_count_are_refused_after_the_timeout(daemon):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        assert c.control_file(CONTROL_NAME, control("ann", f"f{NAME}")) == (OK, OK)
        c.send(f"\x03{len(DATA) + 10} {NAME}\n".encode())
        assert c.ack() == OK
        c.send(DATA + b"\0")  # and waits for an ack, as a client does
        assert c.ack() == REJECTED


@pytest.mark.parametrize("subcommand", [
    "\x03{n} ../../etc/passwd\n",
    "\x03{n} dfA001/client\n",
    "\x03{n} dfA..001client\n",
    "\x02{n} cfA001../client\n",
    "\x02{n} dfA001client\n",        # a control file must be cf + letter + 3 digits + host
])
def test_unsafe_file_names_are_refused_before_their_bytes(daemon, subcommand):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        c.send(subcommand.format(n=len(DATA)).encode())
        assert c.ack() == REJECTED


@pytest.mark.parametrize("line", ["f../etc/passwd", "fdfA/001", "U/etc/passwd"])
def test_unsafe_file_names_in_the_control_file_are_refused(daemon, line):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        assert c.data_file(NAME, DATA) == (OK, OK)
        assert c.control_file(CONTROL_NAME, control("ann", f"f{NAME}", line)) == (OK, REJECTED)


def test_missing_data_file_is_refused(daemon):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        assert c.data_file(NAME, DATA) == (OK, OK)
        text = control("ann", f"f{NAME}", "fdfB001client.example")
        assert c.control_file(CONTROL_NAME, text) == (OK, REJECTED)


def test_data_file_the_control_file_does_not_name_is_refused(daemon):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        assert c.control_file(CONTROL_NAME, control("ann", f"f{NAME}")) == (OK, OK)
        assert c.data_file("dfZ999elsewhere", DATA) == (REJECTED, None)


def test_same_data_file_twice_is_refused(daemon):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        assert c.data_file(NAME, DATA) == (OK, OK)
        assert c.data_file(NAME, DATA) == (REJECTED, None)


@pytest.mark.parametrize("order", ["control", "data"])
def test_job_over_the_size_limit_is_refused_before_its_bytes(daemon, order):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        if order == "control":
            assert c.control_file(CONTROL_NAME, control("ann", f"f{NAME}")) == (OK, OK)
        c.send(f"\x03{MAX_BYTES + 1} {NAME}\n".encode())
        assert c.ack() == REJECTED


def test_several_files_over_the_size_limit_together_are_refused(daemon):
    half = b"x" * (MAX_BYTES // 2 + 1)
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        assert c.data_file("dfA001a", half) == (OK, OK)
        assert c.data_file("dfA001b", half) == (REJECTED, None)


@pytest.mark.parametrize("command", [b"\x07demo\n", b"\x00demo\n", b"\x06demo\n", b"hello\n"])
def test_bad_command_byte_is_refused(daemon, command):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        c.send(command)
        assert c.ack() == REJECTED
        assert c.ack() is None  # and the connection ends


@pytest.mark.parametrize("subcommand", [b"\x04abc\n", b"\x00\n", b"\x03twelve dfA001x\n", b"\x03\n"])
def test_bad_subcommand_is_refused(daemon, subcommand):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        c.send(subcommand)
        assert c.ack() == REJECTED


@pytest.mark.parametrize("queue", ["nosuch", "../demo", "demo/x"])
def test_unknown_queue_is_refused(daemon, queue):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job(queue) == QUEUE_REFUSES


def test_client_gone_in_the_middle_of_the_data_leaves_no_job(daemon):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        assert c.control_file(CONTROL_NAME, control("ann", f"f{NAME}")) == (OK, OK)
        c.send(f"\x03{len(DATA)} {NAME}\n".encode())
        assert c.ack() == OK
        c.send(DATA[:50])
    wait_for_log(daemon, "Connection ended in the middle of a file: nothing queued")


def test_client_gone_between_the_files_of_a_job_leaves_no_job(daemon):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        text = control("ann", "fdfA001a", "fdfA001b")
        assert c.control_file(CONTROL_NAME, text) == (OK, OK)
        assert c.data_file("dfA001a", DATA) == (OK, OK)
    wait_for_log(daemon, "with a job unfinished: discarded, nothing queued")


def test_client_stalled_mid_job_is_cut_off_and_leaves_no_job(daemon):
    with Unchanged(daemon), LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job() == OK
        assert c.control_file(CONTROL_NAME, control("ann", f"f{NAME}")) == (OK, OK)
        # ... and sends nothing more, but stays connected.
        assert c.ack() is None  # the server closes after LPDTimeout
    wait_for_log(daemon, "Connection timed out with a job unfinished")
