"""The warm Ghostscript worker (quire-gsd): jobs run on it, and when it dies — killed,
or after a document that broke its interpreter — printing carries on and a new worker
takes over."""

import os
import signal
from pathlib import Path

import pytest

from conftest import Daemon, wait_until
from filter_support import make_corpus, output_of, pclxl_pages, submit, wait_finished, write_printers_conf


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    state = tmp_path_factory.mktemp("worker") / "state"
    write_printers_conf(state, {"pxl": {"driver": "quire/generic-pcl6"}})
    d = Daemon(state).start()
    corpus = make_corpus(tmp_path_factory.mktemp("corpus"))
    yield d, corpus
    assert d.stop() == 0


def worker_pid(daemon):
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        if comm == "quire-gsd" and ppid == daemon.proc.pid:
            return int(entry.name)
    return None


def print_pdf(daemon, corpus):
    job = submit(daemon, "pxl", corpus["pdf"])
    details = wait_finished(daemon, job, "pxl")
    assert details["job-state"] == "completed", details
    assert pclxl_pages(output_of(daemon, "pxl", job)) == 10
    return job


def ran_warm(daemon, job):
    return f"[Job {job}] DEBUG: quire-gs: running on the warm worker" in daemon.log()


def test_jobs_run_on_the_warm_worker(setup):
    daemon, corpus = setup
    wait_until(lambda: worker_pid(daemon), what="quire-gsd running")
    job = print_pdf(daemon, corpus)
    assert ran_warm(daemon, job)


def test_a_killed_worker_is_replaced_and_printing_carries_on(setup):
    daemon, corpus = setup
    old = wait_until(lambda: worker_pid(daemon), what="quire-gsd running")
    os.kill(old, signal.SIGKILL)
    print_pdf(daemon, corpus)  # on a fresh gs, or the new worker if it is up already
    wait_until(lambda: (worker_pid(daemon) or old) != old, what="a new quire-gsd")
    wait_until(lambda: "quire-gsd: ready" in daemon.log().split("ended (killed by signal 9")[-1], what="new worker ready")
    assert ran_warm(daemon, print_pdf(daemon, corpus))


def test_a_document_that_breaks_the_interpreter_does_not_break_the_next_job(setup):
    daemon, corpus = setup
    wait_until(lambda: worker_pid(daemon), what="quire-gsd running")
    job = submit(daemon, "pxl", corpus["broken_pdf"])
    assert wait_finished(daemon, job, "pxl")["job-state"] == "aborted"
    wait_until(lambda: worker_pid(daemon), what="quire-gsd running again")
    print_pdf(daemon, corpus)
