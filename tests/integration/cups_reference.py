"""A private CUPS cupsd to compare Quire with: started by bench/cupsd.sh from a temp
directory on a free loopback port (never 631, never the system's socket or config), and
stopped afterwards. CUPS's clients reach it with CUPS_SERVER=127.0.0.1:PORT."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import SOURCE_DIR

CUPSD_SH = Path(SOURCE_DIR) / "bench" / "cupsd.sh"


class CupsReference:
    def __init__(self, directory: Path):
        self.dir = directory
        out = subprocess.run([str(CUPSD_SH), "start", str(directory)], capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)
        if out.returncode != 0:
            raise AssertionError(f"private cupsd did not start: {out.stderr}")
        self.port = int(out.stdout.split()[0])

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def env(self, **extra):
        env = dict(os.environ)
        env.update({"CUPS_SERVER": self.host, "CUPS_ENCRYPTION": "Never", "LANG": "C", "LC_ALL": "C"})
        for name in ("PRINTER", "LPDEST", "CUPS_STATEDIR", "CUPS_SERVERROOT"):
            env.pop(name, None)
        env.update(extra)
        return env

    def stop(self):
        subprocess.run([str(CUPSD_SH), "stop", str(self.dir)], capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def cups_reference(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("a private cupsd needs root (it runs its children as lp)")
    cups = CupsReference(tmp_path_factory.mktemp("cupsd"))
    yield cups
    cups.stop()


# What may differ between two servers that behave the same: job ids and times, host
# names and ports, the name of the server itself.
MASKS = [
    (re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d+ "
                r"\d\d:\d\d:\d\d \d{4}"), "<date>"),
    (re.compile(r"\b\d\d:\d\d:\d\d\b"), "<time>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "<host>"),
    (re.compile(r"\blocalhost(:\d+)?\b"), "<host>"),
]


def masked(text, job_ids=()):
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    for n, jid in enumerate(job_ids, 1):
        text = re.sub(rf"(?<![\d.]){jid}(?![\d.])", f"<job{n}>", text)
    return text
