"""ATTR: lines from a backend become printer attributes, as in CUPS: supply levels
(marker-*), printer-alert*, printer-supply*, seen with Get-Printer-Attributes; STATE:
and INFO: lines with lpstat -l -p. Names outside the whitelist and bad values are
logged and ignored. The backend is a small script written for the test."""

import os
import re
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import Daemon, wait_until
from filter_support import submit, wait_finished, write_printers_conf

# Reports supplies, then takes the job. DEVICE_URI=supplies:/LEVEL picks the black level.
SUPPLIES = r"""#!/bin/sh
[ $# -eq 0 ] && exit 0
level=${DEVICE_URI#supplies:/}
echo "ATTR: marker-colors=#000000,#00FFFF marker-names='\"Black Toner, high yield\",Cyan Toner'" >&2
echo "ATTR: marker-types=toner,toner marker-levels=$level,80 marker-low-levels=10,10 marker-high-levels=100,100" >&2
echo "ATTR: marker-message='Black toner is low'" >&2
echo "ATTR: printer-alert='code=tonerLow;index=1' printer-alert-description='Toner low'" >&2
echo "ATTR: job-smuggled=1 printer-state=5 marker-levels=nine" >&2
echo "STATE: +marker-supply-low-warning" >&2
echo "INFO: Black toner is low" >&2
if [ $# -ge 6 ]; then cat "$6"; else cat; fi > /dev/null
exit 0
"""


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    bin_dir = Path(tempfile.mkdtemp(prefix="quire-test-bin-"))
    (bin_dir / "backend").mkdir()
    backend = bin_dir / "backend" / "supplies"
    backend.write_text(SUPPLIES)
    backend.chmod(0o755)
    state = tmp_path_factory.mktemp("attr") / "state"
    write_printers_conf(state, {"laser": {"uri": "supplies:/4"}})
    (state / "cupsd.conf").write_text(f"LogLevel debug\nServerBinPath {bin_dir}\n")
    d = Daemon(state).start()
    yield d
    assert d.stop() == 0
    subprocess.run(["rm", "-rf", str(bin_dir)])


def printer_attributes(daemon, printer):
    r = daemon.run("ipptool", "-T", "10", "-tv", daemon.uri(printer), "get-printer-attributes.test")
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*([a-z-]+) \(([^)]*)\) = (.*)", line)
        if m:
            out[m.group(1)] = (m.group(2), m.group(3).strip())
    return out


def test_markers_and_alerts_reach_get_printer_attributes(daemon, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("hello\n")
    before = printer_attributes(daemon, "laser")
    assert "marker-levels" not in before and before["marker-change-time"][1] == "0"
    job = submit(daemon, "laser", doc)
    assert wait_finished(daemon, job, "laser")["job-state"] == "completed"
    attrs = printer_attributes(daemon, "laser")
    assert attrs["marker-levels"] == ("1setOf integer", "4,80")
    assert attrs["marker-low-levels"] == ("1setOf integer", "10,10")
    assert attrs["marker-high-levels"] == ("1setOf integer", "100,100")
    assert attrs["marker-types"] == ("1setOf keyword", "toner,toner")
    assert attrs["marker-colors"] == ("1setOf nameWithoutLanguage", "#000000,#00FFFF")
    assert attrs["marker-names"][0] == "1setOf nameWithoutLanguage"
    assert "Black Toner, high yield" in attrs["marker-names"][1] and "Cyan Toner" in attrs["marker-names"][1]
    assert attrs["marker-message"] == ("textWithoutLanguage", "Black toner is low")
    assert attrs["printer-alert"][0] == "octetString" and "code=tonerLow;index=1" in attrs["printer-alert"][1]
    assert attrs["printer-alert-description"] == ("textWithoutLanguage", "Toner low")
    assert int(attrs["marker-change-time"][1]) > 0
    # Not in the whitelist: neither set nor allowed to disturb what the scheduler owns.
    assert "job-smuggled" not in attrs
    assert attrs["printer-state"][1] == "idle"
    log = daemon.log()
    assert "ATTR ignored: job-smuggled" in log and "ATTR ignored: printer-state" in log
    assert 'ATTR ignored: marker-levels: "nine" is not a level' in log


def test_lpstat_long_shows_the_alerts_and_message(daemon, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("hello\n")
    job = submit(daemon, "laser", doc)
    assert wait_finished(daemon, job, "laser")["job-state"] == "completed"
    out = daemon.run("lpstat", "-l", "-p", "laser").stdout
    assert re.search(r"Alerts:.*marker-supply-low-warning", out), out
    assert "Black toner is low" in out, out


def test_a_later_report_replaces_the_levels(daemon, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("hello\n")
    daemon.run("lpadmin", "-p", "laser", "-v", "supplies:/55")
    job = submit(daemon, "laser", doc)
    assert wait_finished(daemon, job, "laser")["job-state"] == "completed"
    assert printer_attributes(daemon, "laser")["marker-levels"] == ("1setOf integer", "55,80")
