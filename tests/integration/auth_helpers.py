"""Helpers for the authentication and cupsctl tests: jobs by other users, raw IPP over
HTTP with chosen credentials, and cupsd.conf edits before a daemon starts."""

import base64
import http.client
import re
import struct
from pathlib import Path

from conftest import SOURCE_DIR

# Two local users that are neither root nor in a SystemGroup on Debian.
OWNER = "nobody"
OTHER = "daemon"


def job_id(output):
    return int(re.search(r"request id is \S+-(\d+)", output).group(1))


def submit_as(daemon, user, printer="demo"):
    """Submits a small job as `user` over the Unix socket; returns its id."""
    out = daemon.run("lp", "-d", printer, input="hello\n", env=daemon.socket_env(), user=user).stdout
    return job_id(out)


def default_conf_text():
    """Quire's default cupsd.conf, as this source tree embeds it."""
    source = (SOURCE_DIR / "src" / "config" / "default_cupsd_conf.cpp").read_text()
    return source[source.index('R"(') + 3:source.index(')";')]


def write_conf(state_dir: Path, replace=(), append=""):
    """Writes STATE/cupsd.conf as Quire's default with edits, before the daemon starts."""
    state_dir.mkdir(parents=True, exist_ok=True)
    text = default_conf_text()
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    (state_dir / "cupsd.conf").write_text(text + append)


def ipp_message(op, printer_uri, user="alice", request_id=1):
    def attr(tag, name, value):
        return struct.pack(">bh", tag, len(name)) + name.encode() + struct.pack(">h", len(value)) + value
    return (struct.pack(">bbhi", 2, 0, op, request_id) + b"\x01"
            + attr(0x47, "attributes-charset", b"utf-8")
            + attr(0x48, "attributes-natural-language", b"en")
            + attr(0x45, "printer-uri", printer_uri.encode())
            + attr(0x42, "requesting-user-name", user.encode()) + b"\x03")


def post_ipp(daemon, op, resource="/admin/", authorization=None, user="alice"):
    """POSTs one IPP request over loopback TCP; returns (HTTP status, headers, IPP status or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=30)
    headers = {"Content-Type": "application/ipp"}
    if authorization:
        headers["Authorization"] = authorization
    conn.request("POST", resource, ipp_message(op, daemon.uri(), user), headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    ipp_status = struct.unpack(">h", body[2:4])[0] if response.status == 200 and len(body) >= 4 else None
    return response.status, dict(response.getheaders()), ipp_status


def access_lines(daemon, *needles):
    """Waits until access_log holds lines containing each needle (a line is written just
    after its response); returns the lines containing the first one."""
    from conftest import wait_until

    def found():
        lines = daemon.log("access_log").splitlines()
        return all(any(n in line for line in lines) for n in needles)
    wait_until(found, what=f"access_log lines with {needles}")
    return [line for line in daemon.log("access_log").splitlines() if needles[0] in line]


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def local_certificate(daemon):
    return (daemon.state_dir / "run" / "certs" / "0").read_text().strip()


def http_request(daemon, method, target, body=None, authorization=None):
    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=30)
    headers = {}
    if authorization:
        headers["Authorization"] = authorization
    conn.request(method, target, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode(errors="replace")
    conn.close()
    return response.status, dict(response.getheaders()), text
