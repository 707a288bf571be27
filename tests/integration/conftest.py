"""Integration-test harness: starts the real quired on a loopback port 0 in a temp
directory and gives tests what real clients need to reach it."""

import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

BUILD_DIR = Path(os.environ.get("QUIRE_BUILD_DIR", Path(__file__).resolve().parents[2] / "build"))
SOURCE_DIR = Path(os.environ.get("QUIRE_SOURCE_DIR", Path(__file__).resolve().parents[2]))
QUIRED = BUILD_DIR / "bin" / "quired"


def wait_until(predicate, timeout=20.0, what="condition"):
    """Polls `predicate` until it returns a true value; fails the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


class Daemon:
    """One quired process with its own state directory."""

    def __init__(self, state_dir: Path, extra_args=(), log_level="debug"):
        self.state_dir = Path(state_dir)
        self.extra_args = list(extra_args)
        self.log_level = log_level  # None: cupsd.conf's LogLevel decides
        self.proc = None
        self.port = None
        self.lpd_port = None  # the LPD (RFC 1179) listener's port
        self.stderr_path = self.state_dir.parent / f"{self.state_dir.name}.stderr"

    def start(self, listen="127.0.0.1:0", expect_ready=True, lpd_listen="127.0.0.1:0"):
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # QUIRE_DAEMON_WRAPPER (e.g. "gdb -batch -ex run -ex bt --args") runs the daemon under a tool.
        wrapper = os.environ.get("QUIRE_DAEMON_WRAPPER", "").split()
        args = wrapper + [str(QUIRED), "--state-dir", str(self.state_dir)]
        if self.log_level:
            args += ["--log-level", self.log_level]
        if listen:
            args += ["--listen", listen]
        if lpd_listen:  # always given, so that no test daemon takes the default port 515
            args += ["--lpd-listen", lpd_listen]
        args += self.extra_args
        self.stderr_file = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr_file,
                                     stdin=subprocess.DEVNULL)
        if not expect_ready:
            return self
        lines = self._read_until_ready(timeout=60)
        for line in lines:
            if line.startswith("quired: listening on ") and not line.endswith(".sock"):
                addr = line[len("quired: listening on "):]
                self.port = int(addr.rsplit(":", 1)[1])
                break
        assert self.port, f"no TCP port reported: {lines}"
        for line in lines:
            if line.startswith("quired: lpd listening on "):
                self.lpd_port = int(line.rsplit(":", 1)[1])
                break
        return self

    def _read_until_ready(self, timeout):
        lines, buf = [], b""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                if self.proc.poll() is not None:
                    break
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
            *complete, buf = buf.split(b"\n")
            lines += [c.decode() for c in complete]
            if "quired: ready" in lines:
                return lines
        raise AssertionError(f"quired did not become ready; stdout={lines} stderr={self.stderr_text()}")

    def stderr_text(self):
        try:
            return self.stderr_path.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def uri(self, printer="demo"):
        return f"ipp://127.0.0.1:{self.port}/printers/{printer}"

    @property
    def socket_path(self):
        return self.state_dir / "run" / "quire.sock"

    def env(self, **extra):
        """CUPS clients over loopback TCP. CUPS_STATEDIR lets them find the daemon's Local
        certificate (run/certs/0), so root authenticates for admin operations as with cupsd."""
        env = dict(os.environ)
        env.update({"CUPS_SERVER": self.host, "CUPS_ENCRYPTION": "Never", "LANG": "C", "LC_ALL": "C",
                    "CUPS_STATEDIR": str(self.state_dir / "run")})
        env.pop("PRINTER", None)
        env.pop("LPDEST", None)
        env.update(extra)
        return env

    def socket_env(self, **extra):
        """CUPS clients over the daemon's Unix domain socket (peer credentials)."""
        return self.env(CUPS_SERVER=str(self.socket_path), **extra)

    def run(self, *cmd, check=True, input=None, timeout=60, env=None, user=None):
        """Runs a client program against this daemon; returns CompletedProcess (text).
        `user` runs it as that user (runuser). Clients run without a controlling
        terminal, so a password prompt fails instead of waiting."""
        cmd = list(cmd)
        if user:
            if os.geteuid() != 0:
                pytest.skip("running clients as other users needs root")
            cmd = ["runuser", "-u", user, "--"] + cmd
        result = subprocess.run(cmd, env=env or self.env(), capture_output=True, text=True,
                                input=input, timeout=timeout, start_new_session=True,
                                stdin=None if input is not None else subprocess.DEVNULL)
        if check and result.returncode != 0:
            raise AssertionError(f"{cmd} exited {result.returncode}\nstdout: {result.stdout}\n"
                                 f"stderr: {result.stderr}\ndaemon: {self.stderr_text()}")
        return result

    def output_dir(self):
        return self.state_dir / "output"

    def log(self, name="error_log"):
        path = self.state_dir / "log" / name
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("quired did not stop on SIGTERM")
        code = self.proc.returncode if self.proc else 0
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        return code

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc.stdout.close()

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)


@pytest.fixture
def public_tmp():
    """A temporary directory other users can reach (pytest's tmp_path is root-only), for
    daemons that clients run as other users talk to."""
    path = Path(tempfile.mkdtemp(prefix="quire-test-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def daemon_factory(tmp_path):
    started = []

    def make(name="state", extra_args=(), base_dir=None, log_level="debug", **start_args):
        d = Daemon(Path(base_dir or tmp_path) / name, extra_args, log_level)
        d.start(**start_args)
        started.append(d)
        return d

    yield make
    for d in started:
        if d.proc and d.proc.poll() is None:
            code = d.stop()
            assert code == 0, f"quired exited {code} on SIGTERM: {d.stderr_text()}"


@pytest.fixture
def daemon(daemon_factory):
    return daemon_factory()


def wait_for_output(daemon, job_id, printer="demo", timeout=30):
    path = daemon.output_dir() / f"{printer}-{job_id}.prn"
    wait_until(lambda: path.exists() and job_state(daemon, job_id) == "completed", timeout,
               f"job {job_id} printed to {path}")
    return path


def job_state(daemon, job_id):
    """job-state keyword of a job, via ipptool's Get-Job-Attributes."""
    r = daemon.run("ipptool", "-T", "10", "-t", daemon.uri(), "-d", f"job_id={job_id}",
                   str(SOURCE_DIR / "tests" / "integration" / "ipp" / "get-job-state.test"), check=False)
    for line in r.stdout.splitlines():
        line = line.strip()
        if line.startswith("job-state (enum) = "):
            return line.split("=", 1)[1].strip()
    return None
