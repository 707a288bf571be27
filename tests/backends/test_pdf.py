"""pdf backend run as a scheduler runs it (as root, CUPS_SERVERROOT naming its
quire-pdf.conf): discovery, PDF from a file and from stdin, the directory pattern's
edge cases, users without an account, a canceled job, and what it refuses."""

import os
import subprocess
from pathlib import Path

import pytest

from conftest import CANCEL, FAILED, OK, STOP

GS = "/usr/bin/gs"


@pytest.fixture
def setup(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    out = tmp_path / "pdfs"

    def configure(*lines):
        (root / "quire-pdf.conf").write_text("\n".join(lines) + "\n")
    configure(f"Directory {out}//${{USER}}/")
    return root, out, configure


@pytest.fixture
def one_page_pdf(tmp_path):
    ps = tmp_path / "page.ps"
    ps.write_text("%!PS\n/Helvetica findfont 30 scalefont setfont 72 700 moveto (one) show showpage\n")
    pdf = tmp_path / "page.pdf"
    subprocess.run([GS, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", f"-sOutputFile={pdf}", str(ps)],
                   check=True)
    return ps, pdf


def run(backends, root, **kwargs):
    env = {"CUPS_SERVERROOT": str(root), **kwargs.pop("env", {})}
    return backends("pdf", "pdf:/", env=env, **kwargs)


def test_discovery_offers_the_pdf_printer(backends):
    b = backends("pdf", "", discovery=True)
    assert b.wait() == OK
    assert b.stdout.decode().strip() == ('file pdf:/ "Quire Virtual PDF Printer" "Print to PDF (a file per job)" '
                                         '"MFG:Quire;MDL:Virtual PDF Printer;CMD:PDF;" ""')


def test_a_pdf_file_argument_is_saved_once_whatever_the_copies(backends, setup, one_page_pdf):
    root, out, _ = setup
    _, pdf = one_page_pdf
    b = run(backends, root, file=pdf, user="root", title="page.pdf", job_id="7", copies=3)
    assert b.wait() == OK, b.stderr()
    assert (out / "root" / "page-7.pdf").read_bytes() == pdf.read_bytes()
    assert b.has_line(rf"^INFO: Saved {out}/root/page-7\.pdf$")


def test_postscript_on_stdin_becomes_pdf(backends, setup, one_page_pdf):
    root, out, _ = setup
    ps, _ = one_page_pdf
    b = run(backends, root, stdin_data=ps.read_bytes(), user="root", title="from stdin", job_id="8")
    assert b.wait() == OK, b.stderr()
    assert (out / "root" / "from stdin-8.pdf").read_bytes().startswith(b"%PDF-")


def test_a_user_without_an_account_fails(backends, setup, one_page_pdf):
    root, out, _ = setup
    b = run(backends, root, file=one_page_pdf[1], user="no-such-user-here", job_id="9")
    assert b.wait() == FAILED
    assert b.has_line(r"^ERROR: PDF directory: user no-such-user-here has no local account$")
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("lines", [["Directory /srv/shared"], ["Directry /x/${USER}"], ["Directory relative/${USER}"]])
def test_a_bad_configuration_stops_the_queue(backends, setup, one_page_pdf, lines):
    root, out, configure = setup
    configure(*lines)
    b = run(backends, root, file=one_page_pdf[1], user="root")
    assert b.wait() == (FAILED if "relative" in lines[0] else STOP), b.stderr()
    assert b.has_line(r"^ERROR: ")
    assert not Path("/srv/shared").exists()


def test_sigterm_removes_the_half_written_file(backends, setup):
    root, out, _ = setup
    b = run(backends, root, stdin_pipe=True, user="root", title="half", job_id="10")
    b.proc.stdin.write(b"%PDF-1.4\n" + b"%" * 10000)  # more than the backend's first read; no end yet
    b.proc.stdin.flush()
    b.wait_for_line(r"^INFO: Writing ")
    b.terminate()
    assert b.wait() == OK
    assert list((out / "root").iterdir()) == []


def test_empty_input_is_refused(backends, setup):
    root, out, _ = setup
    b = run(backends, root, stdin_data=b"", user="root")
    assert b.wait() == FAILED
    assert b.has_line(r"^ERROR: The job has no data\.$")
