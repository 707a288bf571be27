"""CUPS's own IPP conformance suites (ipp-1.1.test, ipp-2.0.test from cups-ipp-utils)
against the demo queue: 0 failures."""

import subprocess

import pytest

SUITES = "/usr/share/cups/ipptool"


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory):
    """A small real PDF made by Ghostscript (Debian does not ship the suites' samples)."""
    out = tmp_path_factory.mktemp("docs") / "document-a4.pdf"
    ps = "%!PS\n/Helvetica findfont 24 scalefont setfont 72 720 moveto (Quire test page) show showpage\n"
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", "-sPAPERSIZE=a4",
                    f"-sOutputFile={out}", "-"], input=ps.encode(), check=True)
    return out


@pytest.mark.parametrize("suite", ["ipp-1.1.test", "ipp-2.0.test"])
def test_cups_conformance_suite_passes(daemon, sample_pdf, suite):
    r = daemon.run("ipptool", "-T", "30", "-f", str(sample_pdf), "-t", daemon.uri(), f"{SUITES}/{suite}", check=False)
    failed = [l for l in r.stdout.splitlines() if "[FAIL]" in l or "EXPECTED:" in l or "GOT:" in l]
    assert r.returncode == 0 and not failed, r.stdout[-6000:]
