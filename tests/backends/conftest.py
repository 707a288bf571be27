"""Backend-test harness: runs a backend executable exactly as a CUPS scheduler does
(argv[0] = device URI, job-id user title copies options [file], DEVICE_URI and the rest
of the environment, an optional back-channel pipe on fd 3) against stand-in devices
that the tests control. Every wait is on an event (a line on stderr, a connection, a
process exit) with a deadline; nothing sleeps for a fixed time."""

import os
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

BUILD_DIR = Path(os.environ.get("QUIRE_BUILD_DIR", Path(__file__).resolve().parents[2] / "build"))
BACKEND_DIR = BUILD_DIR / "lib" / "quire" / "backend"
CUPS_BACKEND_DIR = Path("/usr/lib/cups/backend")

# CUPS backend exit codes (cups/backend.h).
OK, FAILED, AUTH_REQUIRED, HOLD, STOP, CANCEL, RETRY, RETRY_CURRENT = range(8)

# Upper bound for any single wait in these tests.
WAIT = 20.0


def backend_path(name, cups=False):
    path = (CUPS_BACKEND_DIR if cups else BACKEND_DIR) / name
    if not path.exists():
        pytest.skip(f"{path} is not built/installed")
    return path


def deadline_wait(predicate, timeout=WAIT, what="condition"):
    """Polls a cheap predicate until it holds (used only where no event is available)."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.01)


class Backend:
    """One backend process started like the scheduler starts it."""

    def __init__(self, name, uri, *, job_id="42", user="alice", title="Test job", copies=1,
                 options="", file=None, stdin_data=None, stdin_pipe=False, back_channel=True,
                 side_channel=True, env=None, cups=False, discovery=False, wrapper=()):
        self.path = backend_path(name, cups)
        self.uri = uri
        argv = [uri] if not discovery else [str(self.path)]
        if not discovery:
            argv += [job_id, user, title, str(copies), options]
            if file is not None:
                argv.append(str(file))
        full_env = {
            "PATH": "/usr/bin:/bin", "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
            "CONTENT_TYPE": "application/vnd.cups-raw", "FINAL_CONTENT_TYPE": "application/vnd.cups-raw",
            "PRINTER": "testq", "CUPS_SERVERROOT": "/etc/cups", "LANG": "C",
            "SOFTWARE": "Quire-test", "USER": "root",
        }
        for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):  # sanitizer builds
            if name in os.environ:
                full_env[name] = os.environ[name]
        if not discovery:
            full_env["DEVICE_URI"] = uri
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        self.lines, self._cond = [], threading.Condition()
        # Like the scheduler: a back-channel pipe on fd 3 and a side-channel socket on
        # fd 4 (CUPS's backends take fd 4 for granted).
        self.bc_read = self.sc_sock = None
        child_fds = {}
        if back_channel:
            self.bc_read, child_fds[3] = os.pipe()
        if side_channel:
            self.sc_sock, child_sc = socket.socketpair()
            child_fds[4] = child_sc.detach()

        def preexec():
            for target, fd in child_fds.items():
                os.dup2(fd, target)  # dup2 leaves the target inheritable
        stdin = subprocess.DEVNULL
        if stdin_data is not None or stdin_pipe:
            stdin = subprocess.PIPE
        cmd = list(wrapper) + ([str(self.path)] + argv[1:] if wrapper else argv)
        self.proc = subprocess.Popen(cmd, executable=None if wrapper else str(self.path),
                                     stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=full_env, preexec_fn=preexec if child_fds else None,
                                     close_fds=not child_fds)
        for fd in child_fds.values():
            os.close(fd)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        self.stdout = b""
        self._out_reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._out_reader.start()
        if stdin_data is not None:
            threading.Thread(target=self._feed, args=(stdin_data,), daemon=True).start()

    def _feed(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass

    def _read_stderr(self):
        for raw in self.proc.stderr:
            with self._cond:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _read_stdout(self):
        self.stdout = self.proc.stdout.read()

    def wait_for_line(self, pattern, timeout=WAIT):
        """Waits until a stderr line matches `pattern` (a regex); returns the match."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        with self._cond:
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    m = rx.search(line)
                    if m:
                        return m
                seen = len(self.lines)
                left = end - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    pytest.fail(f"no stderr line matching {pattern!r}; got:\n" + self.stderr())
                self._cond.wait(min(left, 0.5))

    def wait(self, timeout=WAIT):
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"backend did not exit within {timeout}s; stderr:\n" + self.stderr())
        self._reader.join(5)
        self._out_reader.join(5)
        return rc

    def terminate(self):
        self.proc.send_signal(15)

    def stderr(self):
        with self._cond:
            return "\n".join(self.lines)

    def has_line(self, pattern):
        return any(re.search(pattern, line) for line in self.stderr().splitlines())

    def back_channel_data(self):
        """Everything the backend wrote to fd 3 (call after it exited)."""
        chunks = []
        while True:
            b = os.read(self.bc_read, 65536)
            if not b:
                break
            chunks.append(b)
        os.close(self.bc_read)
        self.bc_read = None
        return b"".join(chunks)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.sc_sock:
            self.sc_sock.close()
            self.sc_sock = None
        if self.bc_read is not None:
            try:
                os.close(self.bc_read)
            except OSError:
                pass
            self.bc_read = None


@pytest.fixture
def backends():
    """Starts backends and kills any still running at the end of the test."""
    started = []

    def start(*args, **kwargs):
        b = Backend(*args, **kwargs)
        started.append(b)
        return b
    yield start
    for b in started:
        b.kill()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def job_file(tmp_path):
    """Writes `size` bytes of a recognisable pattern to a file and returns (path, data)."""
    def make(size=200_000, name="job.prn"):
        data = os.urandom(size)
        path = tmp_path / name
        path.write_bytes(data)
        return path, data
    return make


def side_channel_request(backend, command, timeout=WAIT):
    """Sends one side-channel request the way cupsSideChannelDoRequest does (command,
    status, 16-bit length, data) on the backend's fd 4 and returns (command, status,
    data) of the answer."""
    import struct
    backend.sc_sock.settimeout(timeout)
    backend.sc_sock.sendall(bytes([command, 0, 0, 0]))
    head = b""
    while len(head) < 4:
        head += backend.sc_sock.recv(4 - len(head))
    length = struct.unpack(">H", head[2:4])[0]
    data = b""
    while len(data) < length:
        data += backend.sc_sock.recv(length - len(data))
    return head[0], head[1], data


# cups/sidechannel.h
SC_DRAIN_OUTPUT, SC_GET_BIDI, SC_GET_DEVICE_ID, SC_GET_STATE, SC_SNMP_GET = 2, 3, 4, 5, 6
SC_STATUS_OK, SC_STATUS_NOT_IMPLEMENTED = 1, 7
