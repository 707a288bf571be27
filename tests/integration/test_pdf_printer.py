"""The virtual PDF printer through the daemon: lp sends text, PostScript, PDF or an
image to a `pdf:/` queue with the Generic PDF driver, and one valid PDF per job (qpdf
--check) appears in the job owner's directory from quire-pdf.conf, owned by that user,
named after the title and job id; titles cannot leave the directory, nothing is ever
overwritten, and what cannot become a PDF is refused with a clear message."""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import Daemon, wait_until
from filter_support import job_details, make_corpus, pdf_pages, submit, wait_finished, write_printers_conf

pytestmark = pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is needed to check the PDFs")


@pytest.fixture(scope="module")
def setup():
    # Reachable by other users: the backend writes as the job's owner.
    top = Path(tempfile.mkdtemp(prefix="quire-pdf-test-", dir="/tmp"))
    top.chmod(0o755)
    state = top / "state"
    write_printers_conf(state, {"pdf": {"uri": "pdf:/", "driver": "quire/generic-pdf"},
                                "rawpdf": {"uri": "pdf:/"}})
    (state / "cupsd.conf").write_text("LogLevel debug\n")
    spool = top / "pdf"
    write_config(state, f"Directory {spool}/${{USER}}")
    corpus = make_corpus(top / "corpus")
    for f in corpus.values():
        f.chmod(0o644)
    (top / "corpus").chmod(0o755)
    d = Daemon(state).start()
    yield d, spool, corpus
    assert d.stop() == 0
    shutil.rmtree(top, ignore_errors=True)


def write_config(state, *lines):
    (state / "quire-pdf.conf").write_text("# test\n" + "\n".join(lines) + "\n")


def check_pdf(path: Path):
    r = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, f"{path}: {r.stdout}{r.stderr}"
    return pdf_pages(path)


def print_and_wait(daemon, queue, path, *args, user=None):
    cmd = ["lp", "-d", queue, *args, str(path)]
    r = daemon.run(*cmd, user=user)
    job = int(re.search(r"request id is \S+-(\d+)", r.stdout).group(1))
    return job, wait_finished(daemon, job, queue)


@pytest.mark.parametrize("kind,pages", [("text", None), ("ps_dsc", 10), ("ps_nodsc", 7), ("pdf", 10),
                                        ("jpeg", 1), ("png", 1), ("eps", 1)])
def test_every_document_type_becomes_one_valid_pdf(setup, kind, pages):
    daemon, spool, corpus = setup
    job, details = print_and_wait(daemon, "pdf", corpus[kind], "-t", f"Report {kind}")
    assert details["job-state"] == "completed", details
    out = spool / "root" / f"Report {kind}-{job}.pdf"
    assert out.exists(), sorted(p.name for p in (spool / "root").iterdir())
    n = check_pdf(out)
    assert n == pages if pages else n >= 2  # 120 lines of text make more than a page
    assert out.stat().st_mode & 0o777 == 0o600


def test_the_title_names_the_file_without_its_extension(setup):
    daemon, spool, corpus = setup
    job, details = print_and_wait(daemon, "pdf", corpus["pdf1"])  # lp's title: the file name
    assert details["job-state"] == "completed", details
    assert check_pdf(spool / "root" / f"one-{job}.pdf") == 1


def test_raw_postscript_is_converted_by_the_backend(setup):
    daemon, spool, corpus = setup
    job, details = print_and_wait(daemon, "rawpdf", corpus["ps_dsc"], "-t", "rawps")
    assert details["job-state"] == "completed", details
    assert check_pdf(spool / "root" / f"rawps-{job}.pdf") == 10


def test_data_that_cannot_become_pdf_is_refused_and_leaves_no_file(setup):
    daemon, spool, corpus = setup
    before = set((spool / "root").iterdir())
    job, details = print_and_wait(daemon, "rawpdf", corpus["text"], "-t", "plain")
    assert details["job-state"] == "aborted"
    assert "neither PDF nor PostScript" in details["job-state-message"], details
    job, details = print_and_wait(daemon, "rawpdf", corpus["broken_pdf"], "-t", "broken")
    assert details["job-state"] == "aborted"
    assert "not a complete PDF" in details["job-state-message"], details
    assert set((spool / "root").iterdir()) == before


@pytest.mark.parametrize("title,expected", [
    ("../../../../etc/cron.d/evil", "evil"),
    ("..", "job"),
    ("/tmp/x/..\\..\\boot.ini", "boot.ini"),
    ("a\x01b|c*d?e<f>g:h\"i", "a b_c_d_e_f_g_h_i"),  # the daemon makes control characters spaces
    (".hidden", "hidden"),
    ("Überweisung März ✓", "Überweisung März ✓"),
])
def test_titles_cannot_leave_the_directory(setup, title, expected):
    daemon, spool, corpus = setup
    job, details = print_and_wait(daemon, "pdf", corpus["pdf1"], "-t", title)
    assert details["job-state"] == "completed", details
    assert check_pdf(spool / "root" / f"{expected}-{job}.pdf") == 1
    assert sorted(p.name for p in spool.iterdir()) == ["root"]


def test_existing_files_and_links_are_never_overwritten(setup, tmp_path):
    daemon, spool, corpus = setup
    r = daemon.run("lp", "-d", "pdf", "-t", "minutes", "-H", "indefinite", str(corpus["pdf1"]))
    job = int(re.search(r"request id is \S+-(\d+)", r.stdout).group(1))
    taken = spool / "root" / f"minutes-{job}.pdf"
    taken.write_bytes(b"someone's earlier file")
    victim = tmp_path / "victim"
    victim.write_bytes(b"do not touch")
    (spool / "root" / f"minutes-{job}-2.pdf").symlink_to(victim)
    daemon.run("lp", "-i", f"pdf-{job}", "-H", "resume")
    assert wait_finished(daemon, job, "pdf")["job-state"] == "completed"
    assert taken.read_bytes() == b"someone's earlier file"
    assert victim.read_bytes() == b"do not touch"
    assert check_pdf(spool / "root" / f"minutes-{job}-3.pdf") == 1


def test_a_users_file_is_theirs_in_their_own_directory(setup):
    daemon, spool, corpus = setup
    job, details = print_and_wait(daemon, "pdf", corpus["eps"], "-t", "mine", user="daemon")
    assert details["job-state"] == "completed", details
    out = spool / "daemon" / f"mine-{job}.pdf"
    check_pdf(out)
    st, dst = out.stat(), (spool / "daemon").stat()
    assert (st.st_uid, st.st_mode & 0o777) == (1, 0o600)
    assert (dst.st_uid, dst.st_mode & 0o777) == (1, 0o700)
    assert spool.stat().st_uid == 0


def test_home_directory_pattern_is_created_as_the_user(setup):
    daemon, spool, corpus = setup
    # nobody's home (/nonexistent) does not exist, and nobody may not create it: the job
    # fails with the reason and root creates nothing on nobody's behalf.
    write_config(daemon.state_dir, "Directory ${HOME}/PDF")
    try:
        job, details = print_and_wait(daemon, "pdf", corpus["eps"], "-t", "homeless", user="nobody")
    finally:
        write_config(daemon.state_dir, f"Directory {spool}/${{USER}}")
    assert details["job-state"] == "aborted"
    assert "/nonexistent/PDF" in details["job-state-message"], details
    assert not Path("/nonexistent").exists()


def test_a_bad_configuration_stops_the_queue_until_fixed(setup):
    daemon, spool, corpus = setup
    write_config(daemon.state_dir, "Directory /srv/everyone")  # not per user
    try:
        r = daemon.run("lp", "-d", "pdf", "-t", "waiting", str(corpus["pdf1"]))
        job = int(re.search(r"request id is \S+-(\d+)", r.stdout).group(1))
        wait_until(lambda: "disabled" in daemon.run("lpstat", "-p", "pdf").stdout, what="pdf queue stopped")
        assert "must name ${USER} or ${HOME}" in daemon.run("lpstat", "-l", "-p", "pdf").stdout
        assert job_details(daemon, job, "pdf")["job-state"] == "pending"
    finally:
        write_config(daemon.state_dir, f"Directory {spool}/${{USER}}")
    daemon.run("cupsenable", "pdf")
    assert wait_finished(daemon, job, "pdf")["job-state"] == "completed"
    check_pdf(spool / "root" / f"waiting-{job}.pdf")
    assert not Path("/srv/everyone").exists()


def test_lpinfo_lists_the_pdf_printer(setup):
    daemon, _, _ = setup
    assert re.search(r"^file pdf:/$", daemon.run("lpinfo", "-v").stdout, re.M)
