"""Misbehaving filters (written here, run through a PPD queue the way CUPS runs a
driver's filters): crashes, hangs, stderr floods, silent success, retries, and what
a client can smuggle in. The daemon and its other queues carry on through all of it."""

import os
import re
import stat
import tempfile
from pathlib import Path

import pytest

from conftest import Daemon, wait_until
from filter_support import job_details, make_corpus, output_of, pclxl_pages, submit, wait_finished, write_printers_conf

FILTERS = {
    "crashfilter": "#!/bin/sh\necho 'ERROR: about to crash' >&2\nkill -SEGV $$\n",
    "hangfilter": "#!/bin/sh\nexec sleep 600\n",
    "floodfilter": "#!/bin/sh\ncat >/dev/null\n"
                   "yes 'DEBUG: flooding the log with a line that is rather long, again and again' | head -c 12000000 >&2\n"
                   "echo printed\n",
    "longlinefilter": "#!/bin/sh\ncat >/dev/null\nhead -c 12000000 /dev/zero | tr '\\0' 'x' >&2\necho printed\n",
    "silentfilter": "#!/bin/sh\ncat >/dev/null\nexit 0\n",
    "whoamifilter": "#!/bin/sh\ncat >/dev/null\necho \"uid=$(id -u) tmp=$TMPDIR ppd=$PPD type=$CONTENT_TYPE final=$FINAL_CONTENT_TYPE\"\n"
                    "echo \"INFO: title is $3\" >&2\necho \"PAGE: 1 1\" >&2\n",
    "flakyfilter": "#!/bin/sh\ncat >/dev/null\nn=$(cat \"$(dirname \"$0\")/../flaky.count\" 2>/dev/null || echo 0)\n"
                   "echo $((n + 1)) > \"$(dirname \"$0\")/../flaky.count\"\n"
                   "[ \"$n\" -lt 1 ] && { echo 'ERROR: first try fails' >&2; exit 1; }\necho printed\n",
}


def ppd_for(filter_name):
    return ("*PPD-Adobe: \"4.3\"\n*FormatVersion: \"4.3\"\n*Manufacturer: \"Test\"\n"
            f"*NickName: \"Test {filter_name}\"\n*ModelName: \"Test\"\n"
            f"*cupsFilter2: \"text/plain application/vnd.hp-pclxl 0 {filter_name}\"\n")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    # Filters run as lp: they live where lp can reach them.
    bin_dir = Path(tempfile.mkdtemp(prefix="quire-test-bin-"))
    os.chmod(bin_dir, 0o777)
    (bin_dir / "filter").mkdir(mode=0o755)
    os.chmod(bin_dir / "filter", 0o777)
    queues = {}
    for name, script in FILTERS.items():
        f = bin_dir / "filter" / name
        f.write_text(script)
        f.chmod(0o755)
        ppd = bin_dir / f"{name}.ppd"
        ppd.write_text(ppd_for(name))
        queues[name.replace("filter", "")] = {"driver": str(ppd)}
    queues["flaky"]["lines"] = ["ErrorPolicy retry-current-job"]
    queues["crashstop"] = {"driver": str(bin_dir / "crashfilter.ppd"), "lines": ["ErrorPolicy stop-printer"]}
    queues["pxl"] = {"driver": "quire/generic-pcl6"}
    state = tmp_path_factory.mktemp("faults") / "state"
    write_printers_conf(state, queues)
    (state / "cupsd.conf").write_text(f"LogLevel debug\nFilterTimeout 2\nServerBinPath {bin_dir}\n")
    d = Daemon(state).start()
    corpus = make_corpus(tmp_path_factory.mktemp("corpus"))
    yield d, corpus, bin_dir
    assert d.stop() == 0


def daemon_rss_kb(daemon):
    for line in Path(f"/proc/{daemon.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])


def still_prints(daemon, corpus):
    job = submit(daemon, "pxl", corpus["eps"])
    assert wait_finished(daemon, job, "pxl")["job-state"] == "completed"
    assert pclxl_pages(output_of(daemon, "pxl", job)) == 1


def test_a_crashing_filter_aborts_its_job_with_the_reason(setup):
    daemon, corpus, _ = setup
    job = submit(daemon, "crash", corpus["text"])
    details = wait_finished(daemon, job, "crash")
    assert details["job-state"] == "aborted"
    assert "crashfilter" in details["job-state-message"] and "signal 11" in details["job-state-message"], details
    assert not (daemon.output_dir() / f"crash-{job}.prn").exists() or output_of(daemon, "crash", job) == b""
    still_prints(daemon, corpus)


def test_stop_printer_policy_stops_the_queue_and_keeps_the_job(setup):
    daemon, corpus, _ = setup
    job = submit(daemon, "crashstop", corpus["text"])
    wait_until(lambda: "disabled" in daemon.run("lpstat", "-p", "crashstop").stdout, what="queue stopped")
    assert job_details(daemon, job, "crashstop")["job-state"] == "pending"
    daemon.run("cancel", f"crashstop-{job}")


def test_a_hanging_filter_is_killed_after_the_timeout(setup):
    daemon, corpus, _ = setup
    job = submit(daemon, "hang", corpus["text"])
    details = wait_finished(daemon, job, "hang", timeout=30)
    assert details["job-state"] == "aborted"
    assert "hangfilter" in details["job-state-message"] and "no output" in details["job-state-message"], details
    still_prints(daemon, corpus)


@pytest.mark.parametrize("queue", ["flood", "longline"])
def test_a_filter_flooding_stderr_cannot_grow_the_daemon(setup, queue):
    daemon, corpus, _ = setup
    before = daemon_rss_kb(daemon)
    job = submit(daemon, queue, corpus["text"])
    details = wait_finished(daemon, job, queue, timeout=120)
    assert details["job-state"] == "completed", details
    assert output_of(daemon, queue, job) == b"printed\n"
    # 12 MB went through; memory stayed put. (Under AddressSanitizer freed memory
    # waits in its quarantine, so RSS says nothing there.)
    if "ASAN_OPTIONS" not in os.environ:
        assert daemon_rss_kb(daemon) - before < 6_000


def test_exit_zero_without_output_is_an_error(setup):
    daemon, corpus, _ = setup
    job = submit(daemon, "silent", corpus["text"])
    details = wait_finished(daemon, job, "silent")
    assert details["job-state"] == "aborted"
    assert "no output" in details["job-state-message"], details


def test_filters_run_unprivileged_with_cups_environment(setup):
    daemon, corpus, _ = setup
    job = submit(daemon, "whoami", corpus["text"])
    assert wait_finished(daemon, job, "whoami")["job-state"] == "completed"
    out = output_of(daemon, "whoami", job).decode()
    if os.geteuid() == 0:
        assert out.startswith(f"uid={Path('/etc/passwd').read_text().split('lp:x:')[1].split(':')[0]} "), out
    assert "type=text/plain final=application/vnd.hp-pclxl" in out
    assert re.search(r"ppd=\S+\.ppd", out), out


def test_a_title_cannot_inject_status_lines(setup):
    daemon, corpus, _ = setup
    r = daemon.run("lp", "-d", "whoami", "-t", "evil\nPAGE: 999 1\nSTATE: +evil-reason", str(corpus["text"]))
    job = int(re.search(r"request id is \S+-(\d+)", r.stdout).group(1))
    details = wait_finished(daemon, job, "whoami")
    assert details["job-impressions-completed"] == "1", details
    assert "evil-reason" not in daemon.run("lpstat", "-l", "-p", "whoami").stdout


def test_retry_current_job_policy_retries_a_failed_filter(setup):
    daemon, corpus, bin_dir = setup
    (bin_dir / "flaky.count").unlink(missing_ok=True)
    job = submit(daemon, "flaky", corpus["text"])
    details = wait_finished(daemon, job, "flaky")
    assert details["job-state"] == "completed", details
    assert (bin_dir / "flaky.count").read_text().strip() == "2"
    assert "retrying (1 of" in daemon.log()
