"""A private CUPS cupsd for the ipp/lpd backend tests: its own temp directory, one
loopback port (never 631), FileDevice on, raw queues that write to files, and a
ServerBin whose backend/ directory the test controls. Started and stopped by the test
session; never touches the system service."""

import contextlib
import os
import shutil
import tempfile
import signal
import socket
import subprocess
import time
from pathlib import Path

CUPSD = "/usr/sbin/cupsd"
CUPS_SERVERBIN = Path("/usr/lib/cups")

# A backend for remote queues whose jobs should abort: it fails, and the queue's
# error policy (abort-job) aborts the job.
FAILING_BACKEND = "#!/bin/sh\n[ $# -eq 0 ] && exit 0\ncat > /dev/null\necho 'ERROR: test backend fails' >&2\nexit 1\n"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateCupsd:
    def __init__(self, root: Path, file_backend: Path = None):
        """file_backend: Quire's file backend, installed as the "quirefile" scheme so that
        raw queues print through it (cupsd runs no backend for its own file: URIs)."""
        self.root = Path(root)
        self.file_backend = file_backend
        self.port = None
        self.proc = None

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def _write_config(self):
        r = self.root
        for d in ("conf", "state", "cache", "spool", "log", "out", "serverbin/backend"):
            (r / d).mkdir(parents=True, exist_ok=True)
        # ServerBin: CUPS's own helpers and filters, plus backends chosen by the test.
        for entry in ("daemon", "filter", "cgi-bin", "monitor", "notifier", "driver"):
            if (CUPS_SERVERBIN / entry).exists() and not (r / "serverbin" / entry).exists():
                (r / "serverbin" / entry).symlink_to(CUPS_SERVERBIN / entry)
        if self.file_backend:
            shutil.copy(self.file_backend, r / "serverbin/backend/quirefile")
            (r / "serverbin/backend/quirefile").chmod(0o755)
        failing = r / "serverbin/backend/testfail"
        failing.write_text(FAILING_BACKEND)
        failing.chmod(0o755)
        for d in (r, r / "serverbin", r / "serverbin/backend"):
            d.chmod(0o755)  # cupsd refuses helpers under group/world-writable directories
        (r / "out").chmod(0o777)
        (r / "conf/cupsd.conf").write_text(f"""Listen 127.0.0.1:{self.port}
LogLevel debug
Browsing No
MaxLogSize 0
WebInterface No
DefaultAuthType Basic
MaxJobs 0
PreserveJobHistory Yes
JobRetryInterval 1
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Location /printers/authq>
  AuthType Basic
  Require valid-user
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
""")
        (r / "conf/cups-files.conf").write_text(f"""ServerRoot {r}/conf
StateDir {r}/state
CacheDir {r}/cache
RequestRoot {r}/spool
TempDir {r}/spool
ServerBin {r}/serverbin
DataDir /usr/share/cups
AccessLog {r}/log/access_log
ErrorLog {r}/log/error_log
PageLog {r}/log/page_log
Printcap {r}/state/printcap
FileDevice Yes
User lp
Group lp
SystemGroup root
""")

    def start(self, timeout=20):
        self.port = _free_port()
        self._write_config()
        env = {"PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C"}
        self.proc = subprocess.Popen(
            [CUPSD, "-f", "-c", str(self.root / "conf/cupsd.conf"),
             "-s", str(self.root / "conf/cups-files.conf")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cupsd exited: {self.proc.stderr.read().decode()} {self.error_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)  # cupsd offers no readiness signal; poll its port
        raise RuntimeError("cupsd did not start listening: " + self.error_log())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def error_log(self):
        p = self.root / "log/error_log"
        return p.read_text(errors="replace") if p.exists() else ""

    def run(self, *cmd, check=True):
        """Runs a CUPS client command against this server."""
        env = {"PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C", "CUPS_SERVER": self.host,
               "CUPS_USER": "root", "HOME": str(self.root)}
        out = subprocess.run(list(cmd), env=env, capture_output=True, text=True, timeout=30)
        if check and out.returncode != 0:
            raise RuntimeError(f"{cmd} failed: {out.stdout} {out.stderr}")
        return out

    def add_raw_queue(self, name, device_uri=None, error_policy=None):
        """A raw queue (no filters) printing to out/<name>.prn through Quire's file backend,
        unless told otherwise."""
        uri = device_uri or f"quirefile://{self.root}/out/{name}.prn"
        self.run("lpadmin", "-h", self.host, "-p", name, "-v", uri, "-E")
        if error_policy:
            self.run("lpadmin", "-h", self.host, "-p", name, "-o", f"printer-error-policy={error_policy}")
        return uri

    def output(self, name):
        p = self.root / "out" / f"{name}.prn"
        return p.read_bytes() if p.exists() else None

    def job_state(self, queue, job_id):
        """The job-state keyword of one job, through ipptool."""
        out = self.run("ipptool", "-t", "-v", f"ipp://{self.host}/printers/{queue}",
                       "-d", f"job={job_id}", str(Path(__file__).parent / "ipp/get-job-state.test"),
                       check=False)
        for line in out.stdout.splitlines():
            line = line.strip()
            if line.startswith("job-state (enum) = "):
                return line.split(" = ", 1)[1]
        raise RuntimeError(f"no job-state in {out.stdout} {out.stderr}")


@contextlib.contextmanager
def private_cupsd(file_backend=None):
    """Starts a private cupsd in a fresh directory under /tmp (cupsd runs backends as
    "lp", which must reach them: pytest's own temp directories are private to root),
    and stops it and removes the directory afterwards."""
    import pytest
    from conftest import BACKEND_DIR
    if not os.path.exists(CUPSD):
        pytest.skip("cupsd is not installed (Debian package cups-daemon)")
    root = Path(tempfile.mkdtemp(prefix="quire-cupsd-"))
    server = PrivateCupsd(root, file_backend=file_backend or BACKEND_DIR / "file")
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
