"""CUPS's behaviour as the reference: the same commands, run with Debian's CUPS clients
against quired and against a private CUPS 2.4 cupsd in the same test, print the same
output (job dates, host names and ports masked) and exit with the same status."""

import re
from pathlib import Path

import pytest

from conftest import wait_until
from cups_reference import cups_reference, masked  # noqa: F401  (fixture)

PXLMONO = "/usr/share/ppd/cupsfilters/pxlmono.ppd"

# One administrator's session, step by step. Each step runs on both servers before the
# next; the queue names are the test's own, so the servers' other queues (quired's demo,
# the reference's bench) stay out of the comparison.
SCENARIO = [
    "lpadmin -p ref -E -v /dev/null -m raw",
    "lpadmin -p ref -D Reference_queue -L Lab_1",
    "lpstat -p ref",
    "lpstat -a ref",
    "lpstat -v ref",
    "lpstat -l -p ref",
    "cupsdisable ref",
    "lpstat -p ref",
    "lp -d ref -t first /etc/hosts",
    "lp -d ref -n 2 -o job-priority=80 /etc/hosts",
    "lpr -P ref -# 2 -T viaLpr /etc/hosts",
    "lpstat -o ref",
    "lpstat -l -o ref",
    "lpq -P ref",
    "lpq -P ref -l",
    "lpq -a",
    "lp -i ref-1 -H hold",
    "lpq -P ref",
    "lp -i ref-1 -H resume",
    "lp -i ref-1 -q 90",
    "lpq -P ref",
    "cancel ref-2",
    "lprm -P ref 3",
    "lpstat -W completed -o ref",
    "lpstat -o ref",
    "cupsreject -r closed ref",
    "lpstat -a ref",
    "lp -d ref /etc/hosts",
    "cupsaccept ref",
    "cupsdisable -r jam ref",
    "lpstat -p ref",
    "lpadmin -p ref -c refclass",
    "lpstat -c",
    "lpstat -c refclass",
    "lpstat -p refclass",
    "lpstat -a refclass",
    "lpstat -v refclass",
    "lpadmin -d ref",
    "lpstat -d",
    "lpmove ref-1 refclass",
    "lpstat -o refclass",
    "lpmove refclass ref",
    "lpstat -o",
    "lpadmin -p ref -u allow:root,@lpadmin",
    "lpstat -l -p ref",
    "lpadmin -p ref -u deny:nobody",
    "lpstat -l -p ref",
    "lpadmin -p ref -u allow:all",
    # No job may be left when cupsenable runs: quired would print it on /dev/null while
    # cupsd stops it (it cannot run /dev/null as a backend), and the steps would race.
    "cancel ref-1",
    "lpstat -o ref",
    "cupsdisable --hold ref",
    "lpstat -p ref",
    "cupsenable --release ref",
    "cupsdisable -c ref",
    "lpstat -p ref",
    "lpstat -o",
    "cupsenable ref",
    "lpstat -t",
    "lpstat -s",
    "lpstat -r",
    "lpadmin -p ref -r refclass",
    "lpstat -c",
    "cupsdisable ref",
    "lp -d ref -o document-format=application/x-foo /etc/hosts",
    "lp -d ref -o raw /etc/hosts",
    "lpstat -o ref",
    "cancel -u root ref",
    "lpstat -o ref",
    "cupsenable ref",
    f"lpadmin -p ppdq -E -v /dev/null -P {PXLMONO}",
    "lpoptions -p ppdq -l",
    "lpstat -l -p ppdq",
    "lpadmin -x ppdq",
    "lpadmin -x ref",
    "lpstat -p ref",
    "lp -d nosuch /etc/hosts",
    "cancel nosuch-99",
    "lpstat -p nosuch",
    "cancel 99",
]

# Lines about the queues each server brought along (not created by the scenario).
OWN_QUEUES = re.compile(r"\b(demo|bench)\b")

# Finished jobs are listed newest first by completion time, in whole seconds (ties by
# id): two cancellations a few milliseconds apart may straddle a second on one server
# and not on the other, so only these lines' set is compared.
ORDER_BY_CLOCK = {"lpstat -W completed -o ref"}


def run_step(server_env, step, runner):
    r = runner(*step.split(), env=server_env, check=False)
    lines = [line for line in (r.stdout + r.stderr).splitlines() if not OWN_QUEUES.search(line)]
    if step in ORDER_BY_CLOCK:
        lines.sort()
    return f"exit {r.returncode}\n{masked(chr(10).join(lines))}"


def test_cups_commands_print_what_cupsd_prints(daemon, cups_reference):
    differences = []
    for step in SCENARIO:
        quire = run_step(daemon.env(), step, daemon.run)
        cups = run_step(cups_reference.env(), step, daemon.run)
        if quire != cups:
            differences.append(f"$ {step}\n--- quired\n{quire}\n--- cupsd\n{cups}")
    assert not differences, "\n\n".join(differences)


def test_models_from_system_ppds_have_cupsd_names(daemon, cups_reference):
    def system_ppds(env):
        return [line for line in daemon.run("lpinfo", "-m", env=env).stdout.splitlines() if line.startswith("lsb/")]
    assert system_ppds(daemon.env()) == system_ppds(cups_reference.env())
    assert system_ppds(daemon.env()), "Debian's cups-filters installs PPDs under /usr/share/ppd"


def test_lpoptions_shows_the_queue_description_cupsd_shows(daemon, cups_reference):
    # cupsd also answers its "printer-defaults" group (every *-default value), which lp
    # then sends with each job; quired does not, so its defaults stay out of lpoptions.
    wanted = ("printer-info", "printer-location", "device-uri", "printer-make-and-model", "printer-state",
              "printer-state-reasons", "printer-is-accepting-jobs")

    def options(env):
        daemon.run("lpadmin", "-p", "opt", "-E", "-v", "/dev/null", "-m", "raw", "-D", "Options queue", "-L", "Desk",
                   env=env)
        out = daemon.run("lpoptions", "-p", "opt", env=env).stdout
        found = dict(re.findall(r"(\S+?)=('[^']*'|\S+)", out))
        return {k: found.get(k) for k in wanted}

    assert options(daemon.env()) == options(cups_reference.env())


def test_a_finished_job_restarts_as_on_cupsd(daemon, cups_reference):
    # (file:///dev/null: cupsd 2.4 cannot run a bare /dev/null as a backend, the job stops.)
    # Both keep a finished job's files for a day by default (PreserveJobFiles 86400), so
    # lp -H restart prints it again.
    def restart(env):
        daemon.run("lpadmin", "-p", "again", "-E", "-v", "file:///dev/null", "-m", "raw", env=env)
        jid = re.search(r"again-(\d+)", daemon.run("lp", "-d", "again", "/etc/hosts", env=env).stdout).group(1)

        def completed():
            return f"again-{jid} " in daemon.run("lpstat", "-W", "completed", "-o", "again", env=env).stdout
        wait_until(completed, 60, "the job completed")
        r = daemon.run("lp", "-i", f"again-{jid}", "-H", "restart", env=env, check=False)
        wait_until(completed, 60, "the restarted job completed again")
        return r.returncode, masked(r.stdout + r.stderr)

    assert restart(daemon.env()) == restart(cups_reference.env()) == (0, "")
