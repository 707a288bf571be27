"""parallel backend against stand-in port devices: a pty (a character device that
blocks like a port, talks back, and goes away when its master closes) and a FIFO (a
port with no printer behind it until a reader opens it)."""

import os
import pty
import threading

import pytest

from conftest import FAILED, OK, STOP, WAIT


class PtyPort:
    """A pty whose slave is the "port"; the test reads what the backend printed from the
    master. The test keeps the slave open so the master never sees a hang-up early."""

    def __init__(self):
        self.master, self.slave = pty.openpty()
        self.path = os.ttyname(self.slave)
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self):
        import select
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.received += os.read(self.master, 65536)
                except OSError:
                    return

    def wait_for_bytes(self, n, timeout=WAIT):
        from conftest import deadline_wait
        deadline_wait(lambda: len(self.received) >= n, timeout, f"{n} bytes on the pty")

    def talk_back(self, data):
        os.write(self.master, data)

    def close(self):
        self._stop.set()
        self._thread.join(2)
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


@pytest.fixture
def port():
    p = PtyPort()
    yield p
    p.close()


def test_prints_file_byte_for_byte_through_a_pty(backends, port, job_file):
    path, data = job_file(200_000)
    b = backends("parallel", f"parallel:{port.path}", file=path)
    assert b.wait() == OK, b.stderr()
    port.wait_for_bytes(len(data))
    assert bytes(port.received) == data  # raw mode: no \n → \r\n translation
    assert b.has_line(r"^PAGE: 1 1$")


def test_prints_stdin_and_copies_of_a_file(backends, port, job_file):
    data = os.urandom(30_000)
    b = backends("parallel", f"parallel:{port.path}", stdin_data=data)
    assert b.wait() == OK, b.stderr()
    port.wait_for_bytes(len(data))
    path, fdata = job_file(1000)
    b = backends("parallel", f"parallel:{port.path}", file=path, copies=2)
    assert b.wait() == OK
    port.wait_for_bytes(len(data) + 2 * len(fdata))
    assert bytes(port.received) == data + fdata * 2


def test_printer_status_comes_back_on_the_back_channel(backends, port):
    b = backends("parallel", f"parallel:{port.path}", stdin_pipe=True)
    b.proc.stdin.write(b"@PJL INFO STATUS\r\n")
    b.proc.stdin.flush()
    port.wait_for_bytes(18)
    port.talk_back(b"CODE=10001\r\n")
    b.wait_for_line(r"^DEBUG: Received \d+ bytes of back-channel data$")
    b.proc.stdin.close()
    assert b.wait() == OK
    assert b.back_channel_data() == b"CODE=10001\r\n"


def test_port_that_goes_away_mid_job_fails_offline(backends, job_file):
    p = PtyPort()
    path, _ = job_file(4 * 1024 * 1024)
    p._stop.set()  # nobody drains the pty: the backend blocks once its buffer is full
    b = backends("parallel", f"parallel:{p.path}", file=path)
    b.wait_for_line(r"^INFO: Sending data to printer\.$")
    p.close()  # the printer's end disappears
    assert b.wait() == FAILED, b.stderr()
    assert b.has_line(r"^STATE: \+offline-report$")
    assert b.has_line(r"^ERROR: Unable to write print data: Input/output error$")


def test_port_with_no_printer_is_retried_until_one_appears(backends, tmp_path, job_file):
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    path, data = job_file(100_000)
    b = backends("parallel", f"parallel:{fifo}", file=path)
    b.wait_for_line(r"^INFO: Printer not connected \(No such device or address\); will retry in \d+ s\.$")
    assert b.has_line(r"^STATE: \+offline-report$")
    with open(fifo, "rb") as printer:  # the printer is switched on
        received = printer.read()
    assert b.wait() == OK, b.stderr()
    assert received == data
    assert b.has_line(r"^STATE: -offline-report$")


def test_printer_that_never_appears_fails_after_contimeout(backends, tmp_path, job_file):
    fifo = tmp_path / "lp1"
    os.mkfifo(fifo)
    path, _ = job_file(10)
    b = backends("parallel", f"parallel:{fifo}?contimeout=1", file=path)
    assert b.wait() == FAILED
    assert b.has_line(r"^ERROR: Unable to open device .*: No such device or address$")


def test_reader_that_closes_mid_job_fails(backends, tmp_path, job_file):
    fifo = tmp_path / "lp2"
    os.mkfifo(fifo)
    path, _ = job_file(8 * 1024 * 1024)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    b = backends("parallel", f"parallel:{fifo}", file=path)
    b.wait_for_line(r"^INFO: Sending data to printer\.$")
    os.close(reader)
    assert b.wait() == FAILED, b.stderr()
    assert b.has_line(r"^ERROR: The printer closed the connection: Broken pipe$")


def test_sigterm_while_waiting_for_the_printer_exits_at_once(backends, tmp_path, job_file):
    fifo = tmp_path / "lp3"
    os.mkfifo(fifo)
    path, _ = job_file(10)
    b = backends("parallel", f"parallel:{fifo}", file=path)
    b.wait_for_line(r"^INFO: Printer not connected")
    b.terminate()
    assert b.wait(5) == OK


def test_sigterm_while_blocked_on_a_full_port_exits_at_once(backends, job_file):
    p = PtyPort()
    p._stop.set()
    try:
        path, _ = job_file(4 * 1024 * 1024)
        b = backends("parallel", f"parallel:{p.path}", file=path)
        b.wait_for_line(r"^INFO: Sending data to printer\.$")
        b.terminate()
        assert b.wait(5) == OK
        assert b.has_line(r"^INFO: Job canceled\.$")
    finally:
        p.close()


def test_discovery_lists_ports_with_their_number(backends, port):
    b = backends("parallel", "", discovery=True, env={"QUIRE_PARALLEL_DEVICES": port.path})
    assert b.wait() == OK
    number = int(port.path.rsplit("/", 1)[1]) + 1
    assert b.stdout.decode() == f'direct parallel:{port.path} "Unknown" "LPT #{number}" "" ""\n'


def test_discovery_of_this_machine_finishes_quickly(backends):
    b = backends("parallel", "", discovery=True)
    assert b.wait(10) == OK
    for line in b.stdout.decode().splitlines():
        assert line.startswith("direct parallel:/dev/")


def test_uri_without_a_device_stops_the_queue(backends, job_file):
    path, _ = job_file(10)
    b = backends("parallel", "parallel:", file=path)
    assert b.wait() == STOP


def test_side_channel_reports_bidi_and_no_device_id_for_a_pty(backends, port):
    from conftest import SC_GET_BIDI, SC_GET_DEVICE_ID, SC_STATUS_NOT_IMPLEMENTED, SC_STATUS_OK, side_channel_request
    b = backends("parallel", f"parallel:{port.path}", stdin_pipe=True)
    b.proc.stdin.write(b"x")
    b.proc.stdin.flush()
    port.wait_for_bytes(1)  # the port is open and described
    assert side_channel_request(b, SC_GET_BIDI) == (SC_GET_BIDI, SC_STATUS_OK, b"\x01")
    assert side_channel_request(b, SC_GET_DEVICE_ID)[1] == SC_STATUS_NOT_IMPLEMENTED
    b.proc.stdin.close()
    assert b.wait() == OK
