"""CUPS's own IPP conformance suites (ipp-1.1.test, ipp-2.0.test from cups-ipp-utils)
against the demo queue: 0 failures."""

import re
import shutil
import subprocess

import pytest

SUITES = "/usr/share/cups/ipptool"


def ghostscript(out, device, paper, extra=()):
    ps = ("%!PS\n/Helvetica findfont 24 scalefont setfont 72 500 moveto (Quire test page) show\n"
          "0.2 0.4 0.8 setrgbcolor 72 72 200 200 rectfill showpage\n")
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", f"-sDEVICE={device}", f"-sPAPERSIZE={paper}",
                    *extra, f"-sOutputFile={out}", "-"], input=ps.encode(), check=True)


@pytest.fixture(scope="module")
def suite_dir(tmp_path_factory):
    """The suites beside the sample documents they name (Debian ships the suites only),
    made for real by Ghostscript."""
    d = tmp_path_factory.mktemp("ipptool")
    for suite in ("ipp-1.1.test", "ipp-2.0.test"):
        shutil.copy(f"{SUITES}/{suite}", d / suite)
    for paper, name in (("a4", "document-a4"), ("letter", "document-letter")):
        ghostscript(d / f"{name}.pdf", "pdfwrite", paper)
        ghostscript(d / f"{name}.ps", "ps2write", paper)
    ghostscript(d / "color.jpg", "jpeg", "a4", ["-r36"])
    ghostscript(d / "gray.jpg", "jpeggray", "a4", ["-r36"])
    return d


@pytest.mark.parametrize("suite,minimum_passes", [("ipp-1.1.test", 25), ("ipp-2.0.test", 40)])
def test_cups_conformance_suite_passes(daemon, suite_dir, suite, minimum_passes):
    r = daemon.run("ipptool", "-T", "30", "-f", str(suite_dir / "document-a4.pdf"), "-t", daemon.uri(),
                   str(suite_dir / suite), check=False, timeout=600)
    output = r.stdout + r.stderr
    failed = [l for l in output.splitlines() if "[FAIL]" in l or "EXPECTED:" in l or "GOT:" in l
              or "cannot be read" in l]
    passes = output.count("[PASS]")
    # ipptool can exit 0 although a test failed: its report decides.
    summary = re.search(r"Summary: (\d+) tests, (\d+) passed, (\d+) failed", output)
    assert not summary or summary.group(3) == "0", output[-8000:]
    assert r.returncode == 0 and not failed and passes >= minimum_passes, output[-8000:]
