"""cupsctl against quired: GET and PUT of /admin/conf/cupsd.conf as cupsd serves them,
each flag, and the daemon changing behaviour without a restart."""

import re
import shutil

from auth_helpers import OTHER, OWNER, access_lines, http_request, local_certificate, submit_as, write_conf
from conftest import wait_until

FLAGS = ("_debug_logging", "_remote_admin", "_remote_any", "_share_printers", "_user_cancel_any")


def settings(daemon, env=None):
    out = daemon.run("cupsctl", env=env or daemon.env()).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def flags(daemon, env=None):
    s = settings(daemon, env)
    return {name: s[name] for name in FLAGS}


def conf(daemon):
    return (daemon.state_dir / "cupsd.conf").read_text()


def debug_lines(daemon):
    return sum(1 for line in daemon.log().splitlines() if line.startswith("D "))


def test_cupsctl_prints_the_settings_of_a_fresh_server(daemon):
    assert flags(daemon) == {name: "0" for name in FLAGS}
    s = settings(daemon)
    assert s["SystemGroup"] == "root lpadmin" and s["MaxLogSize"] == "1m" and s["WebInterface"] == "Yes", s
    # cupsctl fetched the file as an administrator: 401 first, then the Local certificate.
    gets = access_lines(daemon, "GET /admin/conf/cupsd.conf", '" 401 ', "127.0.0.1 root ")
    assert any(" 401 " in line for line in gets) and any(line.startswith("127.0.0.1 root ") and " 200 " in line
                                                        for line in gets), gets


def test_debug_logging_takes_effect_without_a_restart(daemon_factory):
    daemon = daemon_factory(log_level=None)  # cupsd.conf's LogLevel decides
    daemon.run("lpstat", "-p")
    assert debug_lines(daemon) == 0
    daemon.run("cupsctl", "--debug-logging")
    assert "LogLevel debug" in conf(daemon)
    assert flags(daemon)["_debug_logging"] == "1"
    daemon.run("lpstat", "-p")
    wait_until(lambda: debug_lines(daemon) > 0, what="debug lines in error_log")
    daemon.run("cupsctl", "--no-debug-logging")
    assert "LogLevel warn" in conf(daemon)
    before = debug_lines(daemon)
    daemon.run("lpstat", "-p")
    daemon.run("lpstat", "-p")
    assert debug_lines(daemon) == before


def test_user_cancel_any_lets_another_user_cancel(daemon_factory, public_tmp):
    daemon = daemon_factory(base_dir=public_tmp)
    daemon.run("cupsdisable", "demo")
    jid = submit_as(daemon, OWNER)
    refused = daemon.run("cancel", str(jid), env=daemon.socket_env(), user=OTHER, check=False)
    assert refused.returncode != 0, refused.stdout

    daemon.run("cupsctl", "--user-cancel-any")
    assert flags(daemon)["_user_cancel_any"] == "1"
    daemon.run("cancel", str(jid), env=daemon.socket_env(), user=OTHER)
    assert f"demo-{jid}" not in daemon.run("lpstat", "-o").stdout

    daemon.run("cupsctl", "--no-user-cancel-any")
    assert flags(daemon)["_user_cancel_any"] == "0"
    again = submit_as(daemon, OWNER)
    refused = daemon.run("cancel", str(again), env=daemon.socket_env(), user=OTHER, check=False)
    assert refused.returncode != 0


def test_remote_flags_are_written_as_cupsd_writes_them(daemon):
    daemon.run("cupsctl", "--remote-admin")
    assert flags(daemon) == {**{name: "0" for name in FLAGS}, "_remote_admin": "1"}
    text = conf(daemon)
    assert f"Port {daemon.port}" in text and not re.search(r"^Listen localhost", text, re.M)  # LPDListen stays
    admin = re.search(r"<Location /admin>(.*?)</Location>", text, re.S).group(1)
    assert "Allow @LOCAL" in admin, admin
    wait_until(lambda: "Listen/Port takes effect when quired restarts" in daemon.log(), what="restart note")

    daemon.run("cupsctl", "--remote-any")
    assert flags(daemon)["_remote_any"] == "1"
    root = re.search(r"<Location />(.*?)</Location>", conf(daemon), re.S).group(1)
    assert "Allow all" in root, root

    daemon.run("cupsctl", "--share-printers")
    assert flags(daemon)["_share_printers"] == "1"
    assert "Browsing On" in conf(daemon)

    daemon.run("cupsctl", "--no-remote-admin", "--no-remote-any", "--no-share-printers")
    assert flags(daemon) == {name: "0" for name in FLAGS}
    text = conf(daemon)
    assert re.search(rf"^Listen localhost:{daemon.port}$", text, re.M) and "Browsing Off" in text
    assert "Allow" not in text
    # The daemon still answers, with the rules it now runs with.
    assert "demo is idle" in daemon.run("lpstat", "-p", "demo").stdout


def test_settings_survive_a_restart(daemon_factory, public_tmp):
    daemon = daemon_factory(base_dir=public_tmp, log_level=None)
    daemon.run("cupsctl", "--user-cancel-any", "--debug-logging")
    assert daemon.stop() == 0
    daemon.start()
    assert flags(daemon)["_user_cancel_any"] == "1" and flags(daemon)["_debug_logging"] == "1"
    daemon.run("cupsdisable", "demo")
    jid = submit_as(daemon, OWNER)
    daemon.run("cancel", str(jid), env=daemon.socket_env(), user=OTHER)
    wait_until(lambda: debug_lines(daemon) > 0, what="debug lines after restart")


def test_cupsctl_needs_an_administrator(daemon_factory, public_tmp):
    daemon = daemon_factory(base_dir=public_tmp)
    before = conf(daemon)
    over_tcp = daemon.run("cupsctl", "--debug-logging", user=OWNER, check=False)
    assert over_tcp.returncode != 0 and "Unauthorized" in over_tcp.stderr, over_tcp.stderr
    env = daemon.socket_env(CUPS_SERVERROOT=str(public_tmp))  # no cupsd.conf there: cupsctl asks the daemon
    over_socket = daemon.run("cupsctl", "--debug-logging", env=env, user=OWNER, check=False)
    assert over_socket.returncode != 0 and "Forbidden" in over_socket.stderr, over_socket.stderr
    assert conf(daemon) == before


def test_cupsctl_over_the_domain_socket(daemon_factory, tmp_path):
    daemon = daemon_factory()
    empty = tmp_path / "serverroot"
    empty.mkdir()
    env = daemon.socket_env(CUPS_SERVERROOT=str(empty))
    daemon.run("cupsctl", "--user-cancel-any", env=env)
    assert flags(daemon, env)["_user_cancel_any"] == "1"
    puts = access_lines(daemon, "PUT /admin/conf/cupsd.conf")
    assert puts and puts[-1].startswith("localhost root ") and " 201 " in puts[-1], puts


def test_a_bad_file_is_refused_with_its_line_and_the_old_one_stays(daemon):
    cert = "Local " + local_certificate(daemon)
    before = conf(daemon)
    status, _, body = http_request(daemon, "PUT", "/admin/conf/cupsd.conf",
                                   body="LogLevel warn\nMaxJobs many\n", authorization=cert)
    assert status == 400 and body.startswith("cupsd.conf:2: MaxJobs:"), (status, body)
    assert conf(daemon) == before
    status, headers, body = http_request(daemon, "GET", "/admin/conf/cupsd.conf", authorization=cert)
    assert status == 200 and body == before and headers["Content-Type"].startswith("text/plain")
    status, _, body = http_request(daemon, "PUT", "/admin/conf/cupsd.conf", body=before + "Frobnicate on\n",
                                   authorization=cert)
    assert status == 201 and "warning: cupsd.conf:" in body and "unknown directive" in body, body
    status, headers, _ = http_request(daemon, "GET", "/admin/conf/cupsd.conf")
    assert status == 401 and headers["WWW-Authenticate"] == 'Basic realm="CUPS", Local trc="y"'


def test_cupsd_conf_default_stays_pristine(daemon):
    default = daemon.state_dir / "cupsd.conf.default"
    assert default.read_text() == conf(daemon)
    daemon.run("cupsctl", "--debug-logging")
    assert default.read_text() != conf(daemon)
    assert "LogLevel warn" in default.read_text()


def test_a_fatal_cupsd_conf_stops_the_start_and_says_where(daemon_factory, tmp_path):
    state = tmp_path / "bad"
    write_conf(state, replace=[("<Location />\n  Order allow,deny\n", "<Location />\n  Order allow,deny\n  Allow 10.0.0.0/99\n")])
    line = (state / "cupsd.conf").read_text().splitlines().index("  Allow 10.0.0.0/99") + 1
    d = daemon_factory("bad", expect_ready=False)
    assert d.proc.wait(timeout=30) == 1
    assert f"cupsd.conf:{line}: bad netmask in \"10.0.0.0/99\"" in d.stderr_text(), d.stderr_text()


def test_a_warning_in_cupsd_conf_names_the_line_and_the_daemon_starts(daemon_factory, tmp_path):
    write_conf(tmp_path / "warned", append="Frobnicate on\n")
    line = len((tmp_path / "warned" / "cupsd.conf").read_text().splitlines())
    daemon = daemon_factory("warned")
    assert f"cupsd.conf:{line}: unknown directive \"Frobnicate\" ignored" in daemon.log()
    assert "demo is idle" in daemon.run("lpstat", "-p", "demo").stdout


def test_cupsctl_sets_a_directive_and_max_log_size_applies_at_once(daemon):
    daemon.run("cupsctl", "MaxLogSize=4k")
    assert "MaxLogSize 4k" in conf(daemon) and settings(daemon)["MaxLogSize"] == "4k"
    logs = daemon.state_dir / "log"
    for _ in range(20):
        daemon.run("lpstat", "-p")
    wait_until(lambda: (logs / "error_log.O").exists(), what="error_log rolled to error_log.O")
    assert (logs / "error_log").stat().st_size <= 4096
    assert (logs / "error_log.O").stat().st_size <= 4096
