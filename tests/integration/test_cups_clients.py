"""CUPS's own command-line clients (Debian cups-client) against a real quired."""

import re
from pathlib import Path

from conftest import wait_for_output, wait_until


def submit(daemon, *args):
    r = daemon.run("lp", *args)
    m = re.search(r"request id is (\S+)-(\d+)", r.stdout)
    assert m, r.stdout
    return int(m.group(2))


def test_lp_prints_etc_hosts_to_the_demo_output_file(daemon):
    job_id = submit(daemon, "-d", "demo", "/etc/hosts")
    out = wait_for_output(daemon, job_id)
    assert out.read_bytes() == Path("/etc/hosts").read_bytes()


def test_lp_from_stdin_with_title_and_copies(daemon):
    r = daemon.run("lp", "-d", "demo", "-t", "from stdin", "-n", "2", input="hello from stdin\n")
    job_id = int(re.search(r"request id is demo-(\d+)", r.stdout).group(1))
    out = wait_for_output(daemon, job_id)
    assert out.read_text() == "hello from stdin\n" * 2  # two copies, made by the backend
    r = daemon.run("lpstat", "-W", "completed", "-l", "-o", "demo")
    assert f"demo-{job_id}" in r.stdout


def test_lpstat_shows_the_demo_printer_idle_and_accepting(daemon):
    r = daemon.run("lpstat", "-p", "demo")
    assert r.stdout.startswith("printer demo is idle."), r.stdout
    r = daemon.run("lpstat", "-a", "demo")
    assert "demo accepting requests" in r.stdout, r.stdout
    r = daemon.run("lpstat", "-d")
    assert "system default destination: demo" in r.stdout, r.stdout
    r = daemon.run("lpstat", "-v", "demo")
    assert r.stdout.startswith("device for demo: ") and "output" in r.stdout, r.stdout


def test_held_job_is_listed_by_lpstat_and_cancelled_by_cancel(daemon):
    job_id = submit(daemon, "-d", "demo", "-H", "indefinite", "/etc/hosts")
    r = daemon.run("lpstat", "-o", "demo")
    assert re.search(rf"^demo-{job_id}\s+\S+\s+\d+", r.stdout, re.M), r.stdout
    daemon.run("cancel", f"demo-{job_id}")
    wait_until(lambda: f"demo-{job_id}" not in daemon.run("lpstat", "-o", "demo").stdout, what="job gone from lpstat -o")
    r = daemon.run("lpstat", "-W", "completed", "-o", "demo")
    assert f"demo-{job_id}" in r.stdout, r.stdout
    assert not (daemon.output_dir() / f"demo-{job_id}.prn").exists()


def test_completed_jobs_stay_in_history(daemon):
    ids = [submit(daemon, "-d", "demo", "/etc/hostname") for _ in range(3)]
    for job_id in ids:
        wait_for_output(daemon, job_id)
    r = daemon.run("lpstat", "-W", "completed", "-o", "demo")
    for job_id in ids:
        assert f"demo-{job_id}" in r.stdout, r.stdout


def test_unknown_printer_is_refused_by_lp(daemon):
    r = daemon.run("lp", "-d", "nosuch", "/etc/hosts", check=False)
    assert r.returncode != 0
    assert "nosuch" in r.stderr or "not exist" in r.stderr.lower() or "not found" in r.stderr.lower(), r.stderr


def test_logs_are_written_in_cups_formats(daemon):
    job_id = submit(daemon, "-d", "demo", "/etc/hosts")
    wait_for_output(daemon, job_id)
    wait_until(lambda: f" {job_id} " in daemon.log("page_log"), what="page_log line")
    page_line = [l for l in daemon.log("page_log").splitlines() if f" {job_id} " in l][0]
    assert re.match(rf"demo \S+ {job_id} \[\d\d/\w\w\w/\d{{4}}:\d\d:\d\d:\d\d [+-]\d{{4}}\] total 1 ", page_line), page_line
    access = daemon.log("access_log")
    assert re.search(r'\[\d\d/\w\w\w/\d{4}:[\d:]+ [+-]\d{4}\] "POST /printers/demo HTTP/1.1" 200 \d+ Send-Document successful-ok', access), access
    # AccessLogLevel actions (CUPS's default): lp's queries are not logged, its job is.
    assert "Get-Printer-Attributes successful-ok" not in access, access
    assert re.search(r"^I \[\d\d/\w\w\w/\d{4}:[\d:]+ [+-]\d{4}\] \[Job \d+\]", daemon.log(), re.M)
