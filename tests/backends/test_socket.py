"""socket backend (AppSocket/JetDirect) against loopback TCP printers: a normal one, one
that is busy then free, one that accepts and stalls, one that resets, one that talks
back; plus CUPS's own socket backend against the same sinks."""

import os
import time

import pytest

from conftest import CANCEL, FAILED, OK, RETRY, STOP, deadline_wait
from sinks import TcpSink


@pytest.fixture
def sink():
    made = []

    def make(**kwargs):
        s = TcpSink(**kwargs)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


def test_discovery_lists_the_scheme(backends):
    b = backends("socket", "", discovery=True)
    assert b.wait() == OK
    assert b.stdout.decode() == 'network socket "Unknown" "AppSocket/HP JetDirect" "" ""\n'


def test_prints_file_byte_for_byte_and_waits_for_printer_eof(backends, sink, job_file):
    path, data = job_file(300_000)
    printer = sink(reply=b"@PJL USTATUS JOB\r\nEND\r\n")
    b = backends("socket", f"socket://127.0.0.1:{printer.port}", file=path, back_channel=True)
    assert b.wait() == OK, b.stderr()
    assert bytes(printer.received) == data
    assert b.has_line(r"^STATE: \+connecting-to-device$")
    assert b.has_line(r"^STATE: -connecting-to-device$")
    assert b.has_line(r"^PAGE: 1 1$")
    assert b.has_line(r"^INFO: Waiting for printer to finish\.$")
    # The printer's reply is the back-channel: forwarded on fd 3 and counted in DEBUG.
    assert b.back_channel_data() == b"@PJL USTATUS JOB\r\nEND\r\n"
    assert b.has_line(r"^DEBUG: Received \d+ bytes of back-channel data$")


def test_argv0_is_the_device_uri_when_device_uri_env_is_missing(backends, sink, job_file):
    path, data = job_file(1000)
    printer = sink()
    b = backends("socket", f"socket://127.0.0.1:{printer.port}", file=path,
                 env={"DEVICE_URI": None})
    assert b.wait() == OK, b.stderr()
    assert bytes(printer.received) == data


def test_waiteof_keeps_the_job_open_until_the_printer_closes(backends, sink, job_file):
    path, data = job_file(10_000)
    printer = sink(hold_until_released=True)
    b = backends("socket", f"socket://127.0.0.1:{printer.port}?waiteof=true", file=path)
    assert printer.got_eof.wait(10)
    b.wait_for_line(r"^INFO: Waiting for printer to finish\.$")
    assert b.proc.poll() is None, "backend exited before the printer closed"
    printer.release.set()
    assert b.wait() == OK
    assert bytes(printer.received) == data


def test_waiteof_false_closes_as_soon_as_the_data_is_sent(backends, sink, job_file):
    path, data = job_file(10_000)
    printer = sink(hold_until_released=True)
    b = backends("socket", f"socket://127.0.0.1:{printer.port}?waiteof=false", file=path)
    assert b.wait() == OK, b.stderr()  # returns although the printer has not closed
    assert printer.got_eof.wait(10)
    assert bytes(printer.received) == data
    assert not b.has_line("Waiting for printer to finish")


def test_copies_send_the_file_that_many_times(backends, sink, job_file):
    path, data = job_file(5_000)
    printer = sink()
    b = backends("socket", f"socket://127.0.0.1:{printer.port}", file=path, copies=3)
    assert b.wait() == OK
    assert bytes(printer.received) == data * 3
    assert b.stderr().count("PAGE: 1 1") == 3


def test_stdin_is_streamed_and_copies_ignored(backends, sink):
    data = os.urandom(150_000)
    printer = sink()
    b = backends("socket", f"socket://127.0.0.1:{printer.port}", copies=2, stdin_data=data)
    assert b.wait() == OK, b.stderr()
    assert bytes(printer.received) == data  # the filters made the copies already


def test_busy_printer_is_retried_until_it_accepts(backends, sink, job_file):
    path, data = job_file(50_000)
    printer = sink(listen=False)  # bound, not listening: connection refused
    b = backends("socket", f"socket://127.0.0.1:{printer.port}", file=path)
    b.wait_for_line(r"^INFO: The printer is in use \(connection refused\); retrying in \d+ s\.$")
    printer.start_listening()
    assert b.wait() == OK, b.stderr()
    assert bytes(printer.received) == data
    assert b.has_line(r"^STATE: -connecting-to-device$")


def test_gives_up_after_contimeout_with_failed(backends, sink, job_file):
    path, _ = job_file(1000)
    printer = sink(listen=False)
    start = time.monotonic()
    b = backends("socket", f"socket://127.0.0.1:{printer.port}?contimeout=1", file=path)
    assert b.wait() == FAILED
    assert time.monotonic() - start < 10
    assert b.has_line(r"^ERROR: The printer is not responding")


def test_class_job_fails_at_once_so_the_next_member_can_print(backends, sink, job_file):
    path, _ = job_file(1000)
    printer = sink(listen=False)
    b = backends("socket", f"socket://127.0.0.1:{printer.port}", file=path,
                 env={"CLASS": "office"})
    assert b.wait() == FAILED
    assert b.has_line("queuing on next printer in class")


def test_printer_that_accepts_and_stalls_times_out_with_retry(backends, sink, job_file):
    path, _ = job_file(16 * 1024 * 1024)  # more than the loopback socket buffers hold
    printer = sink(mode="stall")
    b = backends("socket", f"socket://127.0.0.1:{printer.port}?timeout=1", file=path)
    assert printer.accepted.wait(10)
    assert b.wait() == RETRY, b.stderr()
    assert b.has_line(r"^ERROR: The printer accepted no data for 1 s; will retry the job\.$")


def test_connection_reset_mid_job_fails(backends, sink, job_file):
    path, _ = job_file(16 * 1024 * 1024)
    printer = sink(mode="reset", reset_after=100_000)
    b = backends("socket", f"socket://127.0.0.1:{printer.port}", file=path)
    assert b.wait() == FAILED, b.stderr()
    assert b.has_line(r"^ERROR: The printer closed the connection: "
                      r"(Connection reset by peer|Broken pipe)$")


def test_sigterm_while_sending_a_file_stops_at_once(backends, sink, job_file):
    path, _ = job_file(16 * 1024 * 1024)
    printer = sink(mode="stall")
    b = backends("socket", f"socket://127.0.0.1:{printer.port}", file=path)
    b.wait_for_line(r"^INFO: Connected to printer\.$")
    b.terminate()
    assert b.wait(5) == OK
    assert b.has_line(r"^INFO: Job canceled")


def test_sigterm_while_waiting_for_a_busy_printer_stops_at_once(backends, sink, job_file):
    path, _ = job_file(1000)
    printer = sink(listen=False)
    b = backends("socket", f"socket://127.0.0.1:{printer.port}", file=path)
    b.wait_for_line(r"retrying in")
    b.terminate()
    assert b.wait(5) == OK
    assert printer.connections == 0


def test_sigterm_with_stdin_lets_the_filter_finish_its_page(backends, sink):
    printer = sink()
    b = backends("socket", f"socket://127.0.0.1:{printer.port}", stdin_pipe=True)
    b.proc.stdin.write(b"page one ")
    b.proc.stdin.flush()
    b.wait_for_line(r"^INFO: Connected to printer\.$")
    b.terminate()
    b.wait_for_line(r"^DEBUG: Got SIGTERM\.$")
    b.proc.stdin.write(b"end of page")  # the filter, also signalled, ends its page
    b.proc.stdin.close()
    assert b.wait(5) == OK
    assert printer.closed.wait(5)
    assert bytes(printer.received) == b"page one end of page"


def test_bad_uri_option_stops_the_queue(backends, job_file):
    path, _ = job_file(10)
    b = backends("socket", "socket://127.0.0.1:9?contimeout=soon", file=path)
    assert b.wait() == STOP
    assert b.has_line(r"^ERROR: Bad value \"soon\" for URI option contimeout")


def test_usage_error_without_enough_arguments():
    import subprocess
    from conftest import backend_path
    out = subprocess.run([str(backend_path("socket")), "1", "2"], capture_output=True, timeout=10)
    assert out.returncode == FAILED
    assert b"Usage:" in out.stderr


# CUPS's own backend, run the same way against the same stand-ins: both speak the same
# convention (argv, environment, status lines, exit codes).

def test_cups_socket_backend_prints_the_same_bytes(backends, sink, job_file):
    path, data = job_file(300_000)
    for cups in (False, True):
        printer = sink(reply=b"OK\n")
        b = backends("socket", f"socket://127.0.0.1:{printer.port}/?snmp=false", file=path,
                     cups=cups, back_channel=True)
        assert b.wait() == OK, b.stderr()
        assert bytes(printer.received) == data
        assert b.back_channel_data() == b"OK\n"
        assert b.has_line(r"^STATE: -connecting-to-device$")
        assert b.has_line(r"^PAGE: 1 1$")


def test_cups_socket_backend_and_ours_both_fail_on_reset(backends, sink, job_file):
    path, _ = job_file(16 * 1024 * 1024)
    for cups in (False, True):
        printer = sink(mode="reset", reset_after=100_000)
        b = backends("socket", f"socket://127.0.0.1:{printer.port}/?snmp=false", file=path,
                     cups=cups)
        assert b.wait() == FAILED, b.stderr()
        assert b.has_line(r"^ERROR:")  # CUPS writes "ERROR:Unable to write print data"


def test_cups_socket_backend_and_ours_report_the_same_discovery_scheme(backends):
    ours = backends("socket", "", discovery=True)
    theirs = backends("socket", "", discovery=True, cups=True)
    assert ours.wait() == OK and theirs.wait() == OK
    assert ours.stdout.split(b'"')[:4] == theirs.stdout.split(b'"')[:4]


def test_side_channel_questions_are_answered_before_and_during_the_job(backends, sink):
    from conftest import (SC_DRAIN_OUTPUT, SC_GET_BIDI, SC_GET_STATE, SC_SNMP_GET, SC_STATUS_NOT_IMPLEMENTED,
                          SC_STATUS_OK, side_channel_request)
    printer = sink()
    b = backends("socket", f"socket://127.0.0.1:{printer.port}", stdin_pipe=True)
    # A driver asks before it sends anything (the backend has not connected yet).
    assert side_channel_request(b, SC_GET_BIDI) == (SC_GET_BIDI, SC_STATUS_OK, b"\x01")
    assert side_channel_request(b, SC_GET_STATE) == (SC_GET_STATE, SC_STATUS_OK, b"\x01")
    assert side_channel_request(b, SC_SNMP_GET)[1] == SC_STATUS_NOT_IMPLEMENTED
    b.proc.stdin.write(b"page 1")
    b.proc.stdin.flush()
    # A drain is answered once the data written so far has reached the printer.
    assert side_channel_request(b, SC_DRAIN_OUTPUT) == (SC_DRAIN_OUTPUT, SC_STATUS_OK, b"")
    deadline_wait(lambda: bytes(printer.received) == b"page 1", what="page 1 at the printer")
    b.proc.stdin.close()
    assert b.wait() == OK
