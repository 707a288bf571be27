"""quired's command line: fresh state directories, port reporting, bad configuration,
a port already taken, and a graceful stop."""

import socket
import subprocess

from conftest import QUIRED, Daemon


def test_fresh_state_dir_gets_default_configuration_and_reports_ports(daemon):
    for name in ("cupsd.conf", "printers.conf", "run/quired.ports", "log/error_log", "spool/jobs.db"):
        assert (daemon.state_dir / name).exists(), name
    ports = (daemon.state_dir / "run" / "quired.ports").read_text().split()
    assert f"127.0.0.1:{daemon.port}" in ports
    assert "<DefaultPrinter demo>" in (daemon.state_dir / "printers.conf").read_text()


def test_two_listeners_on_port_zero(daemon_factory):
    d = daemon_factory(extra_args=["--listen", "[::1]:0"])
    ports = (d.state_dir / "run" / "quired.ports").read_text().split()
    assert any(p.startswith("127.0.0.1:") for p in ports) and any(p.startswith("::1:") or p.startswith("[::1]:") for p in ports), ports


def test_bad_config_line_names_file_and_line_and_refuses_to_start(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "cupsd.conf").write_text("LogLevel warn\nMaxJobs many\n")
    r = subprocess.run([str(QUIRED), "--state-dir", str(state), "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert f"{state / 'cupsd.conf'}:2: MaxJobs" in r.stderr, r.stderr


def test_port_in_use_gives_a_clear_message_and_a_suggestion(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run([str(QUIRED), "--state-dir", str(tmp_path / "s"), "--listen", f"127.0.0.1:{port}"],
                           capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert f"127.0.0.1:{port}" in r.stderr and "in use" in r.stderr and "--listen" in r.stderr, r.stderr


def test_sigterm_stops_gracefully_and_state_survives(tmp_path):
    d = Daemon(tmp_path / "state").start()
    job = d.run("lp", "-d", "demo", "-H", "indefinite", "/etc/hosts").stdout
    assert d.stop() == 0
    d2 = Daemon(tmp_path / "state").start()
    assert job.split()[3] in d2.run("lpstat", "-o").stdout
    assert d2.stop() == 0
