"""Helpers for the LPD tests: a raw RFC 1179 client, a daemon with a `gated` queue that
holds its jobs until the test opens the gate, and what real LPD clients (which can only
dial port 515) need to reach a daemon listening on port 0."""

import re
import socket
import subprocess
from pathlib import Path

from conftest import BUILD_DIR, SOURCE_DIR, Daemon, wait_until

SUPPORT = Path(__file__).resolve().parent / "support"
PORT_REDIRECT = BUILD_DIR / "lib" / "lpd_port_redirect.so"
CUPS_LPD_BACKEND = "/usr/lib/cups/backend/lpd"

OK, QUEUE_REFUSES, RETRY_LATER, REJECTED = 0, 1, 2, 3


class LpdConnection:
    """One LPD connection over a plain socket. Reads give up after `timeout` seconds."""

    def __init__(self, port, timeout=20):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data: bytes):
        self.sock.sendall(data)

    def ack(self):
        """The next byte as a number, or None when the server closed first."""
        try:
            b = self.sock.recv(1)
        except ConnectionResetError:
            return None
        return b[0] if b else None

    def command(self, code: int, text: str):
        self.send(bytes([code]) + text.encode() + b"\n")

    def receive_job(self, queue="demo"):
        self.command(2, queue)
        return self.ack()

    def file(self, code: int, name: str, data: bytes):
        """Announces a file (2: control, 3: data), sends it and its NUL: both acks."""
        self.send(bytes([code]) + f"{len(data)} {name}\n".encode())
        first = self.ack()
        if first != OK:
            return first, None
        self.send(data + b"\0")
        return first, self.ack()

    def control_file(self, name, text):
        return self.file(2, name, text.encode() if isinstance(text, str) else text)

    def data_file(self, name, data):
        return self.file(3, name, data)

    def read_all(self) -> str:
        chunks = []
        while True:
            b = self.sock.recv(65536)
            if not b:
                return b"".join(chunks).decode(errors="replace")
            chunks.append(b)

    def close(self):
        self.sock.close()


def control(user, *lines, host="client.example"):
    return f"H{host}\nP{user}\n" + "".join(line + "\n" for line in lines)


def print_over_lpd(daemon, data: bytes, user="lpduser", queue="demo", letter="f", number=1, order="control",
                   lines=()):
    """One whole job, control file first or data file first; returns the acks of the
    files in the order they were sent."""
    name = f"dfA{number:03d}client.example"
    text = control(user, *lines, f"{letter}{name}", f"N{name}.txt")
    with LpdConnection(daemon.lpd_port) as c:
        assert c.receive_job(queue) == OK
        send_control = lambda: c.control_file(f"cfA{number:03d}client.example", text)
        send_data = lambda: c.data_file(name, data)
        if order == "control":
            return [send_control(), send_data()]
        return [send_data(), send_control()]


def lpd_client_env(daemon, **extra):
    """Environment for rlpr, rlpq, rlprm: their port 515 becomes the daemon's LPD port."""
    return daemon.env(LD_PRELOAD=str(PORT_REDIRECT), QUIRE_LPD_PORT=str(daemon.lpd_port), **extra)


def job_ids(lpstat_output, queue="demo"):
    return [int(m) for m in re.findall(rf"^{queue}-(\d+)\s", lpstat_output, re.M)]


def queue_snapshot(daemon):
    """What lpstat says of every queue, active jobs and all jobs (over IPP)."""
    return daemon.run("lpstat", "-o").stdout, daemon.run("lpstat", "-W", "all", "-o").stdout


def job_attributes(daemon, job_id, queue="demo"):
    """Attribute name → value text of one job, from ipptool's Get-Job-Attributes."""
    r = daemon.run("ipptool", "-T", "10", "-t", daemon.uri(queue), "-d", f"job_id={job_id}",
                   str(SOURCE_DIR / "tests" / "integration" / "ipp" / "get-job-lpd.test"))
    attrs = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*([a-z0-9-]+) \([^)]*\) = (.*)$", line)
        if m:
            attrs[m.group(1)] = m.group(2).strip()
    return attrs


def wait_for_log(daemon, text, timeout=20):
    wait_until(lambda: text in daemon.log(), timeout, f"error_log line containing {text!r}")


def start_gated_daemon(daemon_factory, tmp_path, conf_lines=()):
    """A daemon whose `gated` queue holds every job until (gate / "open") exists; the
    `demo` queue prints as usual. Returns the daemon and the gate directory."""
    state = tmp_path / "state"
    gate = tmp_path / "gate"
    for d in (state, gate):
        d.mkdir(parents=True, exist_ok=True)
    (state / "cupsd.conf").write_text("\n".join(["LogLevel debug", f"ServerBinPath {SUPPORT}", *conf_lines]) + "\n")
    formats = "application/octet-stream,application/pdf,application/postscript,text/plain"
    (state / "printers.conf").write_text(
        f"<DefaultPrinter demo>\nDeviceURI file://{state}/output/\nState Idle\nAccepting Yes\n"
        f"DocumentFormats {formats}\n</DefaultPrinter>\n"
        f"<Printer gated>\nDeviceURI gate:{gate}\nState Idle\nAccepting Yes\n"
        f"DocumentFormats {formats}\n</Printer>\n")
    return daemon_factory(), gate


def run_cups_lpd_backend(daemon, uri_options, user, title, copies, path, queue="demo"):
    """CUPS's own LPD client, as cupsd would run it (as root, so it may run at all)."""
    uri = f"lpd://127.0.0.1:{daemon.lpd_port}/{queue}?reserve=none&snmp=false"
    if uri_options:
        uri += "&" + uri_options
    env = daemon.env(DEVICE_URI=uri)
    return subprocess.run([CUPS_LPD_BACKEND, "1", user, title, str(copies), "", str(path)], env=env,
                          capture_output=True, text=True, timeout=60)
