"""The LPD listener's place in quired: where it listens by default, how it is reported,
and that an LPD port that cannot be bound leaves IPP served."""

import socket

from conftest import Daemon


def test_fresh_cupsd_conf_listens_for_lpd_on_localhost_515(daemon):
    assert "LPDListen localhost:515" in (daemon.state_dir / "cupsd.conf").read_text()


def test_lpd_endpoint_is_printed_and_in_the_ports_file(daemon):
    assert daemon.lpd_port and daemon.lpd_port != daemon.port
    lines = (daemon.state_dir / "run" / "quired.ports").read_text().splitlines()
    assert f"lpd 127.0.0.1:{daemon.lpd_port}" in lines, lines
    assert f"127.0.0.1:{daemon.port}" in lines, lines


def test_lpdlisten_in_cupsd_conf_is_used_without_the_flag(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "cupsd.conf").write_text("LogLevel debug\nLPDListen 127.0.0.1:0\n")
    d = Daemon(state).start(lpd_listen=None)
    try:
        assert d.lpd_port
        with socket.create_connection(("127.0.0.1", d.lpd_port)) as s:
            s.sendall(b"\x01demo\n")
            assert s.recv(1) == b"\0"
    finally:
        assert d.stop() == 0


def test_lpd_off(daemon_factory):
    d = daemon_factory(lpd_listen="off")
    assert d.lpd_port is None
    lines = (d.state_dir / "run" / "quired.ports").read_text().splitlines()
    assert not any(line.startswith("lpd ") for line in lines), lines


def test_lpd_port_taken_is_reported_and_ipp_is_served(daemon_factory):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        d = daemon_factory(lpd_listen=f"127.0.0.1:{port}")
        assert d.lpd_port is None
        assert f"LPD is not available on 127.0.0.1:{port}" in d.stderr_text()
        assert "in use" in d.stderr_text() and "IPP is served anyway" in d.stderr_text()
        assert d.run("lpstat", "-p", "demo").stdout.startswith("printer demo is idle")
