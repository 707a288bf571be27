"""Queue administration at scale, with CUPS's own lpadmin and lpstat: many queues added
one by one survive a clean restart and a kill -9; printers.conf stays whole and
readable; classes.conf is left alone while only printers change; Get-Jobs and
queued-job-count see queued jobs and not the history beside them."""

import re

from conftest import SOURCE_DIR, Daemon, wait_until

QUEUES = 150


def queue_names(n):
    return [f"q{i:04d}" for i in range(1, n + 1)]


def listed_printers(daemon):
    out = daemon.run("lpstat", "-p").stdout
    return set(re.findall(r"^printer (\S+) ", out, re.M))


def queued_counts(daemon, printer):
    """(printer-name, queued-job-count) from Get-Printer-Attributes on `printer`, then
    from CUPS-Get-Printers for every queue, in that order."""
    r = daemon.run("ipptool", "-T", "10", "-t", daemon.uri(printer),
                   str(SOURCE_DIR / "tests" / "integration" / "ipp" / "get-queued-counts.test"))
    names = re.findall(r"printer-name \(nameWithoutLanguage\) = (\S+)", r.stdout)
    counts = [int(c) for c in re.findall(r"queued-job-count \(integer\) = (\d+)", r.stdout)]
    assert len(names) == len(counts), r.stdout
    return list(zip(names, counts))


def add_queues(daemon, names):
    for name in names:
        daemon.run("lpadmin", "-p", name, "-E", "-v", "file:///dev/null", "-m", "raw")


def test_many_queues_added_with_lpadmin_survive_restart_and_kill_9(daemon_factory):
    daemon = daemon_factory()
    names = queue_names(QUEUES)
    add_queues(daemon, names)
    daemon.run("lpadmin", "-p", names[-1], "-c", "everyone")
    assert listed_printers(daemon) >= set(names) | {"demo", "everyone"}

    # kill -9: every acknowledged lpadmin is in printers.conf (committed before success).
    daemon.kill9()
    text = (daemon.state_dir / "printers.conf").read_text()
    assert re.findall(r"^<Printer (\S+)>$", text, re.M)[-QUEUES:] == names
    assert text.count("<Printer ") + text.count("<DefaultPrinter ") == QUEUES + 1
    assert "<Class everyone>" in (daemon.state_dir / "classes.conf").read_text()

    again = Daemon(daemon.state_dir, log_level="warn").start()
    try:
        assert listed_printers(again) >= set(names) | {"demo", "everyone"}
        out = again.run("lpstat", "-a", f"{names[0]},{names[-1]}").stdout
        assert out.count("accepting requests") == 2, out
        # and a clean stop writes nothing that loses them
        assert again.stop() == 0
        again.start()
        assert listed_printers(again) >= set(names) | {"demo", "everyone"}
    finally:
        again.stop()


def test_adding_printers_leaves_classes_conf_alone(daemon):
    daemon.run("lpadmin", "-p", "office", "-E", "-v", "file:///dev/null", "-m", "raw")
    daemon.run("lpadmin", "-p", "office", "-c", "floor1")
    classes = daemon.state_dir / "classes.conf"
    before = classes.stat()
    add_queues(daemon, queue_names(5))
    after = classes.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    # a change that touches a class rewrites it
    daemon.run("lpadmin", "-p", "q0001", "-c", "floor1")
    assert "Printer q0001" in classes.read_text()
    assert listed_printers(daemon) >= {"office", "q0001", "q0005", "floor1"}


def test_queued_jobs_are_listed_beside_a_long_history(daemon):
    """lpstat -o (not-completed) lists the queued jobs only, the history stays behind
    `-W completed`, and queued-job-count counts only what is queued."""
    daemon.run("lpadmin", "-p", "busy", "-E", "-v", "file:///dev/null", "-m", "raw")
    done = []
    for i in range(12):
        out = daemon.run("lp", "-d", "busy", "-t", f"done{i}", input="history\n").stdout
        done.append(int(re.search(r"request id is busy-(\d+)", out).group(1)))
    wait_until(lambda: daemon.run("lpstat", "-o", "busy").stdout == "", what="the history to complete")
    daemon.run("cupsdisable", "busy")
    queued = []
    for i in range(3):
        out = daemon.run("lp", "-d", "busy", "-t", f"queued{i}", input="queued\n").stdout
        queued.append(int(re.search(r"request id is busy-(\d+)", out).group(1)))

    listed = re.findall(r"^busy-(\d+) ", daemon.run("lpstat", "-o", "busy").stdout, re.M)
    assert [int(i) for i in listed] == queued
    completed = re.findall(r"^busy-(\d+) ", daemon.run("lpstat", "-W", "completed", "-o", "busy").stdout, re.M)
    assert sorted(int(i) for i in completed) == done
    assert queued_counts(daemon, "busy") == [("busy", 3), ("busy", 3), ("demo", 0)]

    # A restart keeps the split: the queued jobs are queued, the history is history.
    daemon.stop()
    daemon.start()
    listed = re.findall(r"^busy-(\d+) ", daemon.run("lpstat", "-o", "busy").stdout, re.M)
    assert [int(i) for i in listed] == queued
    daemon.run("cupsenable", "busy")
    wait_until(lambda: daemon.run("lpstat", "-o", "busy").stdout == "", what="the queued jobs to print")
    completed = re.findall(r"^busy-(\d+) ", daemon.run("lpstat", "-W", "completed", "-o", "busy").stdout, re.M)
    assert sorted(int(i) for i in completed) == sorted(done + queued)
