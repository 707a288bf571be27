"""ipp backend against a private CUPS cupsd (real IPP server: Create-Job, Send-Document,
job states, policies) and against a scripted IPP printer (busy answers, no Create-Job,
aborted jobs). The cupsd prints through Quire's file backend installed as "quirefile",
so these tests also show one of our backends running under CUPS."""

import os
import struct

import pytest

from conftest import AUTH_REQUIRED, BACKEND_DIR, CANCEL, FAILED, OK, RETRY, STOP, deadline_wait
from fake_ipp_printer import OP_CREATE_JOB, OP_PRINT_JOB, OP_SEND_DOCUMENT, OP_VALIDATE_JOB, FakeIppPrinter
from private_cupsd import private_cupsd


@pytest.fixture(scope="module")
def cupsd():
    with private_cupsd() as server:
        server.add_raw_queue("authq")
        server.add_raw_queue("failing", device_uri="testfail:/", error_policy="abort-job")
        yield server


@pytest.fixture
def queue(cupsd, request):
    """A fresh raw queue per test, so that tests never see each other's jobs."""
    name = "q_" + request.node.name.replace("[", "_").replace("]", "")[:40]
    cupsd.add_raw_queue(name)
    return name


@pytest.fixture
def fake():
    made = []

    def make(**kwargs):
        p = FakeIppPrinter(**kwargs)
        made.append(p)
        return p
    yield make
    for p in made:
        p.close()


def remote_job_id(backend):
    return int(backend.wait_for_line(r"^INFO: Print job accepted - remote job ID (\d+)\.$").group(1))


def wait_for_output(cupsd, name, size):
    deadline_wait(lambda: (cupsd.output(name) or b"") and len(cupsd.output(name)) >= size,
                  what=f"{size} bytes in {name}'s output")
    return cupsd.output(name)


# ---- against CUPS ----------------------------------------------------------------

def test_discovery_lists_the_scheme(backends):
    for scheme in ("ipp", "ipps"):
        b = backends(scheme, "", discovery=True)
        assert b.wait() == OK
        assert b.stdout.decode() == f'network {scheme} "Unknown" "Internet Printing Protocol ({scheme})" "" ""\n'


def test_prints_a_file_with_create_job_and_waits_for_completion(backends, cupsd, queue, job_file):
    path, data = job_file(250_000)
    b = backends("ipp", f"ipp://{cupsd.host}/printers/{queue}", file=path, title="Report")
    assert b.wait() == OK, b.stderr() + cupsd.error_log()[-3000:]
    job = remote_job_id(b)
    assert b.has_line(rf"^INFO: Remote job {job} completed\.$")
    assert wait_for_output(cupsd, queue, len(data)) == data
    assert cupsd.job_state(queue, job) == "completed"
    log = cupsd.error_log()
    assert "Validate-Job" in log and "Create-Job" in log and "Send-Document" in log


def test_streams_stdin_chunked(backends, cupsd, queue):
    data = os.urandom(300_000)
    b = backends("ipp", f"ipp://{cupsd.host}/printers/{queue}", stdin_data=data)
    assert b.wait() == OK, b.stderr()
    assert wait_for_output(cupsd, queue, len(data)) == data


def test_copies_travel_as_the_copies_attribute(backends, cupsd, queue, job_file):
    path, data = job_file(10_000)
    b = backends("ipp", f"ipp://{cupsd.host}/printers/{queue}", file=path, copies=2)
    assert b.wait() == OK, b.stderr()
    # The remote raw queue hands copies=2 to its backend, which writes the file twice.
    assert wait_for_output(cupsd, queue, 2 * len(data)) == data * 2


def test_queue_that_is_not_accepting_exits_retry_after_contimeout(backends, cupsd, queue, job_file):
    path, _ = job_file(100)
    cupsd.run("cupsreject", "-h", cupsd.host, queue)
    b = backends("ipp", f"ipp://{cupsd.host}/printers/{queue}?contimeout=1", file=path)
    assert b.wait() == RETRY, b.stderr()
    assert b.has_line(r"^ERROR: The printer is not accepting jobs.*gave up after 1 s")


def test_queue_that_starts_accepting_gets_the_job(backends, cupsd, queue, job_file):
    path, data = job_file(5_000)
    cupsd.run("cupsreject", "-h", cupsd.host, queue)
    b = backends("ipp", f"ipp://{cupsd.host}/printers/{queue}", file=path)
    b.wait_for_line(r"^INFO: The printer is not accepting jobs.*retrying in \d+ s\.$")
    cupsd.run("cupsaccept", "-h", cupsd.host, queue)
    assert b.wait() == OK, b.stderr()
    assert wait_for_output(cupsd, queue, len(data)) == data


def test_missing_queue_stops_our_queue(backends, cupsd, job_file):
    path, _ = job_file(100)
    b = backends("ipp", f"ipp://{cupsd.host}/printers/no-such-queue", file=path)
    assert b.wait() == STOP, b.stderr()
    assert b.has_line(r"^ERROR: Get-Printer-Attributes failed: client-error-not-found")


def test_queue_behind_authentication_exits_auth_required(backends, cupsd, job_file):
    path, _ = job_file(100)
    b = backends("ipp", f"ipp://{cupsd.host}/printers/authq", file=path,
                 env={"AUTH_USERNAME": None, "AUTH_PASSWORD": None})
    assert b.wait() == AUTH_REQUIRED, b.stderr()
    assert b.has_line(r"^ATTR: auth-info-required=username,password$")


def test_job_aborted_at_the_remote_end_fails(backends, cupsd, job_file):
    path, _ = job_file(100)
    b = backends("ipp", f"ipp://{cupsd.host}/printers/failing", file=path)
    assert b.wait() == FAILED, b.stderr()
    assert b.has_line(r"^ERROR: Print job aborted at printer \(Remote job \d+\)\.$")


def test_job_canceled_at_the_remote_end_exits_cancel(backends, cupsd, queue, job_file):
    path, _ = job_file(100)
    cupsd.run("cupsdisable", "-h", cupsd.host, queue)  # the job waits in the remote queue
    b = backends("ipp", f"ipp://{cupsd.host}/printers/{queue}", file=path)
    job = remote_job_id(b)
    cupsd.run("cancel", "-h", cupsd.host, f"{queue}-{job}")
    assert b.wait() == CANCEL, b.stderr()
    assert b.has_line(r"^ERROR: Print job canceled at printer")


def test_sigterm_cancels_the_remote_job_and_exits_ok(backends, cupsd, queue, job_file):
    path, _ = job_file(100)
    cupsd.run("cupsdisable", "-h", cupsd.host, queue)
    b = backends("ipp", f"ipp://{cupsd.host}/printers/{queue}", file=path)
    job = remote_job_id(b)
    b.terminate()
    assert b.wait(10) == OK, b.stderr()
    assert b.has_line(rf"^INFO: Canceled remote job {job}\.$")
    assert cupsd.job_state(queue, job) == "canceled"


def test_waitjob_false_returns_once_the_job_is_queued(backends, cupsd, queue, job_file):
    path, _ = job_file(100)
    cupsd.run("cupsdisable", "-h", cupsd.host, queue)
    b = backends("ipp", f"ipp://{cupsd.host}/printers/{queue}?waitjob=false", file=path)
    assert b.wait() == OK, b.stderr()
    assert cupsd.job_state(queue, remote_job_id(b)) == "pending"


def test_no_server_gives_up_after_contimeout(backends, job_file):
    from conftest import free_port
    path, _ = job_file(100)
    b = backends("ipp", f"ipp://127.0.0.1:{free_port()}/printers/x?contimeout=1", file=path)
    assert b.wait() == FAILED, b.stderr()
    assert b.has_line(r"^ERROR: The printer is not responding")


def test_cups_ipp_backend_delivers_the_same_bytes(backends, cupsd, queue, job_file):
    path, data = job_file(40_000)
    b = backends("ipp", f"ipp://{cupsd.host}/printers/{queue}", file=path, cups=True,
                 env={"CUPS_SERVERROOT": str(cupsd.root / "conf")})
    assert b.wait() == OK, b.stderr()
    assert wait_for_output(cupsd, queue, len(data)) == data


# ---- against the scripted printer ----------------------------------------------------

def test_print_job_is_used_when_the_printer_lacks_create_job(backends, fake, job_file):
    path, data = job_file(70_000)
    printer = fake(create_job=False)
    b = backends("ipp", printer.uri, file=path)
    assert b.wait() == OK, b.stderr()
    assert OP_CREATE_JOB not in printer.operations and OP_PRINT_JOB in printer.operations
    assert list(printer.documents.values()) == [data]


def test_create_job_and_send_document_when_offered(backends, fake):
    data = os.urandom(20_000)
    printer = fake(create_job=True)
    b = backends("ipp", printer.uri, stdin_data=data)
    assert b.wait() == OK, b.stderr()
    ops = printer.operations
    assert OP_VALIDATE_JOB in ops and ops.index(OP_CREATE_JOB) < ops.index(OP_SEND_DOCUMENT)
    assert list(printer.documents.values()) == [data]


@pytest.mark.parametrize("status", ["server-error-busy", "client-error-not-possible"])
def test_busy_printer_is_retried_in_process_then_prints(backends, fake, job_file, status):
    path, data = job_file(1000)
    printer = fake(create_job=True, busy=1, busy_status=status)
    b = backends("ipp", printer.uri, file=path)
    assert b.wait() == OK, b.stderr()
    assert b.has_line(r"^INFO: The printer is busy \(" + status + r"\); retrying in \d+ s\.$")
    assert list(printer.documents.values()) == [data]


@pytest.mark.parametrize("status", ["server-error-busy", "client-error-not-possible"])
def test_busy_printer_exits_retry_after_contimeout(backends, fake, job_file, status):
    path, _ = job_file(1000)
    printer = fake(busy=1000, busy_status=status)
    b = backends("ipp", printer.uri + "?contimeout=1", file=path)
    assert b.wait() == RETRY, b.stderr()


def test_busy_answer_to_print_job_from_stdin_exits_retry(backends, fake):
    printer = fake(create_job=False, busy=1)
    b = backends("ipp", printer.uri, stdin_data=b"data that cannot be re-read")
    assert b.wait() == RETRY, b.stderr()
    assert b.has_line(r"^ERROR: Print-Job failed: server-error-busy")


def test_busy_answer_to_print_job_from_a_file_is_resent(backends, fake, job_file):
    path, data = job_file(3000)
    printer = fake(create_job=False, busy=1)
    b = backends("ipp", printer.uri, file=path)
    assert b.wait() == OK, b.stderr()
    assert list(printer.documents.values()) == [data]


def test_unsupported_format_cancels_and_internal_error_stops(backends, fake, job_file):
    path, _ = job_file(10)
    for status, code in (("client-error-document-format-not-supported", CANCEL),
                         ("server-error-internal-error", STOP)):
        printer = fake(busy=1, busy_status=status)
        b = backends("ipp", printer.uri, file=path)
        assert b.wait() == code, b.stderr()


def test_aborted_and_canceled_remote_jobs(backends, fake, job_file):
    path, _ = job_file(10)
    for state, code in (("aborted", FAILED), ("canceled", CANCEL), ("completed", OK)):
        printer = fake(final_state=state, polls_until_final=2)
        b = backends("ipp", printer.uri, file=path)
        assert b.wait() == code, b.stderr()


def test_copies_are_separate_jobs_when_the_printer_cannot_copy(backends, fake, job_file):
    path, data = job_file(500)
    printer = fake()  # copies-supported 1-1
    b = backends("ipp", printer.uri, file=path, copies=3)
    assert b.wait() == OK, b.stderr()
    assert list(printer.documents.values()) == [data] * 3
    assert all("copies" not in a for a in printer.job_attributes.values())


def test_job_name_user_and_format_are_sent(backends, fake, job_file):
    path, _ = job_file(10)
    printer = fake()
    b = backends("ipp", printer.uri, file=path, title="Budget 2025", user="dora",
                 env={"FINAL_CONTENT_TYPE": "application/pdf"})
    assert b.wait() == OK, b.stderr()
    attrs = next(iter(printer.job_attributes.values()))
    assert attrs["job-name"][0][1] == b"Budget 2025"
    assert attrs["requesting-user-name"][0][1] == b"dora"


def test_bad_uri_option_stops_the_queue(backends, job_file):
    path, _ = job_file(10)
    b = backends("ipp", "ipp://127.0.0.1:9/printers/x?version=9.9", file=path)
    assert b.wait() == STOP
    assert b.has_line(r'^ERROR: Unknown IPP version "9.9"')
