"""Queue administration with CUPS's own tools (lpadmin, cupsenable, cupsdisable,
cupsaccept, cupsreject, lpmove, cancel, lpstat) against a real quired."""

import re
from pathlib import Path

from conftest import wait_until


def job_id(output):
    return int(re.search(r"request id is \S+-(\d+)", output).group(1))


def test_textbook_fake_printer_works_as_written(daemon):
    daemon.run("lpadmin", "-p", "FakePrinter", "-E", "-v", "/dev/null", "-m", "raw")
    assert daemon.run("lpstat", "-p", "FakePrinter").stdout.startswith("printer FakePrinter is idle.")
    assert "FakePrinter accepting requests" in daemon.run("lpstat", "-a", "FakePrinter").stdout
    assert "device for FakePrinter: /dev/null" in daemon.run("lpstat", "-v", "FakePrinter").stdout
    jid = job_id(daemon.run("lp", "-d", "FakePrinter", "/etc/hosts").stdout)
    wait_until(lambda: f"FakePrinter-{jid}" in daemon.run("lpstat", "-W", "completed", "-o").stdout, what="job done")
    # And it is written to printers.conf, so it survives a restart.
    assert "<Printer FakePrinter>" in (daemon.state_dir / "printers.conf").read_text()


def test_new_printer_without_E_is_stopped_and_rejecting(daemon):
    daemon.run("lpadmin", "-p", "later", "-v", "/dev/null", "-m", "raw")
    assert "later not accepting requests" in daemon.run("lpstat", "-a", "later").stdout
    assert "disabled" in daemon.run("lpstat", "-p", "later").stdout


def test_disable_holds_jobs_and_enable_prints_them(daemon):
    daemon.run("cupsdisable", "demo")
    out = daemon.run("lpstat", "-p", "demo").stdout
    assert out.startswith("printer demo disabled since") and "Paused" in out, out
    jid = job_id(daemon.run("lp", "-d", "demo", "/etc/hosts").stdout)
    assert f"demo-{jid}" in daemon.run("lpstat", "-o", "demo").stdout
    assert not (daemon.output_dir() / f"demo-{jid}.prn").exists()
    daemon.run("cupsenable", "demo")
    wait_until(lambda: (daemon.output_dir() / f"demo-{jid}.prn").exists(), what="job printed after cupsenable")


def test_reject_refuses_jobs_with_the_reason_and_accept_restores(daemon):
    daemon.run("cupsreject", "-r", "toner being replaced", "demo")
    out = daemon.run("lpstat", "-a", "demo").stdout
    assert "demo not accepting requests" in out and "toner being replaced" in out, out
    r = daemon.run("lp", "-d", "demo", "/etc/hosts", check=False)
    assert r.returncode != 0 and "not accepting" in r.stderr, r.stderr
    daemon.run("cupsaccept", "demo")
    daemon.run("lp", "-d", "demo", "/etc/hosts")


def test_lpmove_moves_one_job_and_all_jobs(daemon):
    daemon.run("lpadmin", "-p", "spare", "-v", "/dev/null", "-m", "raw")  # stopped: jobs stay queued
    daemon.run("cupsaccept", "spare")
    daemon.run("cupsdisable", "demo")
    first = job_id(daemon.run("lp", "-d", "demo", "/etc/hosts").stdout)
    second = job_id(daemon.run("lp", "-d", "demo", "/etc/hosts").stdout)
    daemon.run("lpmove", f"demo-{first}", "spare")
    out = daemon.run("lpstat", "-o").stdout
    assert f"spare-{first}" in out and f"demo-{second}" in out, out
    daemon.run("lpmove", "demo", "spare")
    out = daemon.run("lpstat", "-o").stdout
    assert f"spare-{second}" in out and "demo-" not in out, out


def test_default_destination_and_delete(daemon):
    daemon.run("lpadmin", "-p", "office", "-E", "-v", "/dev/null", "-m", "raw")
    daemon.run("lpadmin", "-d", "office")
    assert "system default destination: office" in daemon.run("lpstat", "-d").stdout
    daemon.run("lpadmin", "-x", "office")
    assert "office" not in daemon.run("lpstat", "-p").stdout


def test_cancel_all_jobs_of_a_queue(daemon):
    daemon.run("cupsdisable", "demo")
    ids = [job_id(daemon.run("lp", "-d", "demo", "/etc/hosts").stdout) for _ in range(3)]
    daemon.run("cancel", "-a", "demo")
    assert daemon.run("lpstat", "-o", "demo").stdout.strip() == ""
    done = daemon.run("lpstat", "-W", "completed", "-o", "demo").stdout
    assert all(f"demo-{i}" in done for i in ids), done


def test_priority_and_hold_with_set_job_attributes(daemon):
    daemon.run("cupsdisable", "demo")
    jid = job_id(daemon.run("lp", "-d", "demo", "-H", "indefinite", "/etc/hosts").stdout)
    daemon.run("lp", "-i", f"demo-{jid}", "-q", "90")
    daemon.run("lp", "-i", f"demo-{jid}", "-H", "resume")
    daemon.run("cupsenable", "demo")
    wait_until(lambda: (daemon.output_dir() / f"demo-{jid}.prn").exists(), what="released job printed")


def test_admin_operations_are_forbidden_to_other_users(daemon):
    # root would authenticate with the Local certificate whatever -U says, as with cupsd.
    r = daemon.run("cupsdisable", "-U", "mallory", "demo", check=False, user="nobody")
    assert r.returncode != 0
    assert "demo is idle" in daemon.run("lpstat", "-p", "demo").stdout


def test_file_device_other_than_dev_null_is_refused_by_default(daemon, tmp_path):
    r = daemon.run("lpadmin", "-p", "tofile", "-v", f"file://{tmp_path}/out", "-m", "raw", check=False)
    assert r.returncode != 0 and "FileDevice" in r.stderr, r.stderr


def test_class_sends_jobs_to_the_first_available_member(daemon):
    for name in ("left", "right"):
        daemon.run("lpadmin", "-p", name, "-E", "-v", "/dev/null", "-m", "raw")
        daemon.run("lpadmin", "-p", name, "-c", "pair")
    daemon.run("cupsenable", "pair")
    daemon.run("cupsaccept", "pair")
    out = daemon.run("lpstat", "-c", "pair").stdout
    assert "members of class pair:" in out and "left" in out and "right" in out, out
    assert "<Class pair>" in (daemon.state_dir / "classes.conf").read_text()
    daemon.run("cupsdisable", "left")
    jid = job_id(daemon.run("lp", "-d", "pair", "/etc/hosts").stdout)
    wait_until(lambda: f"pair-{jid}" in daemon.run("lpstat", "-W", "completed", "-o").stdout, what="class job done")
    assert f"[Job {jid}] printing on right" in daemon.log()
    daemon.run("lpadmin", "-x", "pair")
    assert "pair" not in daemon.run("lpstat", "-c").stdout


def test_allow_and_deny_lists(daemon):
    daemon.run("lpadmin", "-p", "demo", "-u", "allow:alice,@nogroup-here")
    r = daemon.run("lp", "-U", "bob", "-d", "demo", "/etc/hosts", check=False)
    assert r.returncode != 0 and "not allowed" in r.stderr, r.stderr
    daemon.run("lp", "-U", "alice", "-d", "demo", "/etc/hosts")
    daemon.run("lpadmin", "-p", "demo", "-u", "deny:alice")
    assert daemon.run("lp", "-U", "alice", "-d", "demo", "/etc/hosts", check=False).returncode != 0
    daemon.run("lp", "-U", "bob", "-d", "demo", "/etc/hosts")
    assert "DenyUser alice" in (daemon.state_dir / "printers.conf").read_text()
    daemon.run("lpadmin", "-p", "demo", "-u", "allow:all")
    daemon.run("lp", "-U", "alice", "-d", "demo", "/etc/hosts")


def test_default_options_set_with_lpadmin_o(daemon):
    daemon.run("lpadmin", "-p", "demo", "-o", "job-priority-default=80", "-o", "media-default=na_letter_8.5x11in")
    out = daemon.run("ipptool", "-tv", daemon.uri(), "get-printer-attributes.test", check=False).stdout
    assert "job-priority-default (integer) = 80" in out, out
    assert "media-default (keyword) = na_letter_8.5x11in" in out, out
    daemon.run("cupsdisable", "demo")
    jid = job_id(daemon.run("lp", "-d", "demo", "/etc/hosts").stdout)
    assert re.search(rf"demo-{jid}\s", daemon.run("lpstat", "-o").stdout)
    r = daemon.run("ipptool", "-t", daemon.uri(), "-d", f"job_id={jid}",
                   str(Path(__file__).parent / "ipp" / "get-job-state.test"))
    assert "job-priority (integer) = 80" in r.stdout, r.stdout


def test_cupsdisable_hold_and_cupsenable_release(daemon):
    daemon.run("cupsdisable", "--hold", "demo")
    jid = job_id(daemon.run("lp", "-d", "demo", "/etc/hosts").stdout)
    r = daemon.run("ipptool", "-t", daemon.uri(), "-d", f"job_id={jid}", str(Path(__file__).parent / "ipp" / "get-job-state.test"))
    assert "job-state (enum) = pending-held" in r.stdout, r.stdout
    daemon.run("cupsenable", "--release", "demo")
    wait_until(lambda: (daemon.output_dir() / f"demo-{jid}.prn").exists(), what="released job printed")
