"""file backend: every form CUPS's FileDevice accepts (file:///path, file:/path, a bare
path such as /dev/null, percent-encoding, directories), copies, stdin, and errors. It
also runs under CUPS in test_ipp.py (installed there as the "quirefile" scheme)."""

import os

from conftest import FAILED, OK, STOP


def test_dev_null_in_every_spelling(backends, job_file):
    path, _ = job_file(50_000)
    for uri in ("file:///dev/null", "file:/dev/null", "/dev/null"):
        b = backends("file", uri, file=path)
        assert b.wait() == OK, (uri, b.stderr())
        assert b.has_line(r"^INFO: Wrote /dev/null$")


def test_writes_the_file_byte_for_byte_and_truncates_old_content(backends, tmp_path, job_file):
    target = tmp_path / "out.prn"
    target.write_bytes(b"x" * 1_000_000)
    path, data = job_file(100_000)
    b = backends("file", f"file://{target}", file=path)
    assert b.wait() == OK, b.stderr()
    assert target.read_bytes() == data


def test_percent_encoded_and_localhost_paths(backends, tmp_path, job_file):
    (tmp_path / "my dir").mkdir()
    path, data = job_file(1000)
    b = backends("file", f"file://{tmp_path}/my%20dir/out.prn", file=path)
    assert b.wait() == OK, b.stderr()
    assert (tmp_path / "my dir/out.prn").read_bytes() == data
    b = backends("file", f"file://localhost{tmp_path}/local.prn", file=path)
    assert b.wait() == OK, b.stderr()
    assert (tmp_path / "local.prn").read_bytes() == data


def test_directory_uri_writes_printer_and_job_named_files(backends, tmp_path, job_file):
    path, data = job_file(2000)
    b = backends("file", f"file://{tmp_path}/", file=path, job_id="17", env={"PRINTER": "office"})
    assert b.wait() == OK, b.stderr()
    assert (tmp_path / "office-17.prn").read_bytes() == data
    b = backends("file", f"file://{tmp_path}", file=path, job_id="18", env={"PRINTER": "office"})
    assert b.wait() == OK
    assert (tmp_path / "office-18.prn").read_bytes() == data


def test_stdin_and_copies(backends, tmp_path, job_file):
    data = os.urandom(300_000)
    b = backends("file", f"file://{tmp_path}/stdin.prn", stdin_data=data)
    assert b.wait() == OK, b.stderr()
    assert (tmp_path / "stdin.prn").read_bytes() == data
    path, fdata = job_file(3000)
    b = backends("file", f"file://{tmp_path}/copies.prn", file=path, copies=3)
    assert b.wait() == OK
    assert (tmp_path / "copies.prn").read_bytes() == fdata * 3


def test_unwritable_target_fails_with_an_error(backends, tmp_path, job_file):
    path, _ = job_file(10)
    b = backends("file", f"file://{tmp_path}/missing/dir/out.prn", file=path)
    assert b.wait() == FAILED
    assert b.has_line(r"^ERROR: Unable to open .*/missing/dir/out.prn: No such file or directory$")


def test_missing_print_file_fails(backends, tmp_path):
    b = backends("file", f"file://{tmp_path}/out.prn", file=tmp_path / "nope")
    assert b.wait() == FAILED
    assert b.has_line(r"^ERROR: Unable to open print file")


def test_uri_without_a_path_stops_the_queue(backends, job_file):
    path, _ = job_file(10)
    b = backends("file", "file:", file=path)
    assert b.wait() == STOP, b.stderr()


def test_discovery_lists_nothing(backends):
    b = backends("file", "", discovery=True)
    assert b.wait() == OK
    assert b.stdout == b""
