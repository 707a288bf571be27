"""Real LPD clients written by others against a real quired: Debian's rlpr, rlpq and
rlprm, and CUPS's own LPD client (the lpd backend) in both of its file orders."""

import os
import re
import socket

import pytest

from conftest import wait_for_output, wait_until
from lpd_support import (PORT_REDIRECT, job_attributes, job_ids, lpd_client_env,
                         run_cups_lpd_backend, start_gated_daemon)

pytestmark = pytest.mark.skipif(not PORT_REDIRECT.exists(), reason="build the lpd_port_redirect shim first")


def rlpr(daemon, *args, check=True):
    # -N: no privileged source port (not needed, and it would use up the few there are).
    return daemon.run("rlpr", "-N", "-H", "127.0.0.1", *args, env=lpd_client_env(daemon), check=check)


def rlpq(daemon, *args):
    return daemon.run("rlpq", "-N", "-H", "127.0.0.1", *args, env=lpd_client_env(daemon)).stdout


def new_job_ids(daemon, before, queue="demo"):
    return sorted(set(job_ids(daemon.run("lpstat", "-W", "all", "-o").stdout, queue)) - set(before))


def all_ids(daemon, queue="demo"):
    return job_ids(daemon.run("lpstat", "-W", "all", "-o").stdout, queue)


def test_rlpr_job_is_listed_with_the_lpd_user_and_prints(daemon_factory, tmp_path):
    d, gate = start_gated_daemon(daemon_factory, tmp_path)
    document = tmp_path / "letter.txt"
    document.write_bytes(b"Dear LPD,\nplease print this.\n" * 100)
    rlpr(d, "-P", "gated", "-U", "bob", "-J", "letter to lpd", str(document))
    active = d.run("lpstat", "-o").stdout
    m = re.search(r"^gated-(\d+)\s+bob\s", active, re.M)
    assert m, active
    job_id = int(m.group(1))
    attrs = job_attributes(d, job_id, "gated")
    assert attrs["job-originating-user-name"] == "bob"
    assert attrs["job-name"] == "letter to lpd"
    assert attrs["job-originating-host-name"] == socket.gethostname().split(".")[0], attrs  # rlpr's H line
    (gate / "open").touch()
    out = gate / f"gated-{job_id}.prn"
    wait_until(lambda: out.exists() and out.read_bytes() == document.read_bytes(), what="gated job printed")


def test_rlpr_to_the_demo_queue_prints_to_its_output_file(daemon, tmp_path):
    document = tmp_path / "memo.txt"
    document.write_bytes(bytes(range(256)) * 400)  # binary, 100 KiB
    before = all_ids(daemon)
    rlpr(daemon, "-P", "demo", "-U", "carol", "-l", str(document))
    (job_id,) = new_job_ids(daemon, before)
    assert wait_for_output(daemon, job_id).read_bytes() == document.read_bytes()
    r = daemon.run("lpstat", "-W", "completed", "-o", "demo").stdout
    assert re.search(rf"^demo-{job_id}\s+carol\s", r, re.M), r


def test_rlpr_copies_and_several_files(daemon, tmp_path):
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    first.write_text("first file\n")
    second.write_text("second file\n")
    before = all_ids(daemon)
    rlpr(daemon, "-P", "demo", "-U", "dave", "-#3", str(first), str(second))
    ids = new_job_ids(daemon, before)
    assert len(ids) == 2, ids  # rlpr sends one control file, so one job, per file
    for job_id, document in zip(ids, (first, second)):
        assert wait_for_output(daemon, job_id).read_bytes() == document.read_bytes() * 3
        attrs = job_attributes(daemon, job_id)
        assert attrs["copies"] == "3", attrs
        assert attrs["document-format"] == "text/plain", attrs


def test_rlpr_with_its_data_file_first(daemon, tmp_path):
    document = tmp_path / "late-control.ps"
    document.write_text("%!PS-Adobe-3.0\nshowpage\n")
    before = all_ids(daemon)
    rlpr(daemon, "-P", "demo", "-U", "erin", "-o", "--send-data-first", str(document))
    (job_id,) = new_job_ids(daemon, before)
    assert wait_for_output(daemon, job_id).read_bytes() == document.read_bytes()
    assert job_attributes(daemon, job_id)["document-format"] == "application/postscript"


def test_rlpq_shows_the_queue_in_bsd_format(daemon_factory, tmp_path):
    d, gate = start_gated_daemon(daemon_factory, tmp_path)
    document = tmp_path / "q.txt"
    document.write_text("queued\n" * 300)
    rlpr(d, "-P", "gated", "-U", "frank", str(document))
    rlpr(d, "-P", "gated", "-U", "gina", "-J", "second job", str(document))
    wait_until(lambda: re.search(r"^gated-\d+\s+frank", d.run("lpstat", "-o").stdout, re.M)
               and "now printing" in d.run("lpstat", "-p", "gated").stdout, what="first job printing")
    ids = job_ids(d.run("lpstat", "-o").stdout, "gated")
    text = rlpq(d, "-P", "gated")
    assert "gated is ready and printing" in text, text
    assert "Rank   Owner      Job  Files                                 Total Size" in text, text
    assert re.search(rf"^active frank      {ids[0]}\s+\S+.*\d+ bytes$", text, re.M), text
    assert re.search(rf"^1st    gina       {ids[1]}\s+.*\d+ bytes$", text, re.M), text
    long_text = rlpq(d, "-l", "-P", "gated")
    assert re.search(rf"^gina: 1st\s+\[job {ids[1]:03d}\S+\]$", long_text, re.M), long_text
    only = rlpq(d, "-P", "gated", "gina")
    assert "gina" in only and "frank" not in only, only
    (gate / "open").touch()


def test_rlprm_removes_what_the_agent_may_remove(daemon_factory, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("running rlprm as another user needs root")
    d, gate = start_gated_daemon(daemon_factory, tmp_path)
    document = tmp_path / "r.txt"
    document.write_text("remove me\n")
    for user in ("holder", "root", "carol", "root"):
        rlpr(d, "-P", "gated", "-U", user, str(document))
    ids = job_ids(d.run("lpstat", "-o").stdout, "gated")
    assert len(ids) == 4, ids
    env = lpd_client_env(d)
    refusal = re.compile(r"forbidden|not-authorized")

    def rlprm(*args, user=None):
        r = d.run("rlprm", "-N", "-H", "127.0.0.1", "-P", "gated", *args, env=env, user=user)
        return r.stdout + r.stderr

    # rlprm's agent is the local user. "nobody" owns none of these: nothing goes.
    assert refusal.search(rlprm(str(ids[1]), user="nobody"))
    # root, unauthenticated as every LPD agent is, has only an owner's rights.
    assert refusal.search(rlprm(str(ids[2])))
    assert job_ids(d.run("lpstat", "-o").stdout, "gated") == ids
    assert f"gated-{ids[1]} dequeued" in rlprm(str(ids[1]))  # by number
    assert f"gated-{ids[3]} dequeued" in rlprm("root")  # by owner
    assert job_ids(d.run("lpstat", "-o").stdout, "gated") == [ids[0], ids[2]]
    assert f"gated-{ids[3]}" in d.run("lpstat", "-W", "completed", "-o").stdout  # canceled, in history
    (gate / "open").touch()


@pytest.mark.parametrize("order", ["control,data", "data,control"])
def test_cups_lpd_backend_prints_in_both_orders(daemon, tmp_path, order):
    if os.geteuid() != 0:
        pytest.skip("CUPS's lpd backend runs only as root (or with its own file mode and owner)")
    document = tmp_path / "from-cups.txt"
    document.write_bytes(b"printed by CUPS's lpd backend\n" * 2000)
    before = all_ids(daemon)
    r = run_cups_lpd_backend(daemon, f"order={order}", "harriet", "from cups", 1, document)
    assert r.returncode == 0, r.stderr
    assert "Remote host did not accept" not in r.stderr, r.stderr
    (job_id,) = new_job_ids(daemon, before)
    assert wait_for_output(daemon, job_id).read_bytes() == document.read_bytes()
    attrs = job_attributes(daemon, job_id)
    assert attrs["job-originating-user-name"] == "harriet", attrs
    assert attrs["job-name"] == "from cups", attrs
    assert attrs["document-format"] == "application/vnd.cups-raw", attrs  # `l`: raw, printed unfiltered
    assert re.search(rf"^demo-{job_id}\s+harriet\s", daemon.run("lpstat", "-W", "all", "-o").stdout, re.M)


def test_cups_lpd_backend_copies_become_repeated_lines(daemon, tmp_path):
    document = tmp_path / "copies.txt"
    document.write_text("three copies\n")
    before = all_ids(daemon)
    r = run_cups_lpd_backend(daemon, "manual_copies=off&banner=on", "ivan", "copies", 3, document)
    assert r.returncode == 0, r.stderr
    (job_id,) = new_job_ids(daemon, before)
    wait_for_output(daemon, job_id)
    attrs = job_attributes(daemon, job_id)
    assert attrs["copies"] == "3", attrs
    assert attrs["job-sheets"] == "standard", attrs  # the L line: a banner page


def test_cups_lpd_backend_to_an_unknown_queue_fails_and_queues_nothing(daemon, tmp_path):
    document = tmp_path / "lost.txt"
    document.write_text("nowhere\n")
    before = daemon.run("lpstat", "-W", "all", "-o").stdout
    r = run_cups_lpd_backend(daemon, "", "judy", "lost", 1, document, queue="nosuch")
    assert r.returncode != 0, r.stderr
    assert daemon.run("lpstat", "-W", "all", "-o").stdout == before

