"""Who may do what, proven the way CUPS's clients prove it: peer credentials on the Unix
socket, CUPS's Local certificate over loopback TCP, Basic over PAM; refusals as CUPS's
commands report them. Clients run as real users (root, nobody, daemon)."""

import re
import stat

from auth_helpers import (OTHER, OWNER, access_lines, basic, job_id, local_certificate, post_ipp, submit_as,
                          write_conf)
from conftest import wait_until

PAUSE_PRINTER = 0x0010
PAM_PASSWORD = "s3cret pass"


def pending(daemon):
    return daemon.run("lpstat", "-o").stdout


def test_owner_cancels_own_job_and_another_user_is_forbidden(daemon_factory, public_tmp):
    daemon = daemon_factory(base_dir=public_tmp)
    daemon.run("cupsdisable", "demo", env=daemon.socket_env())
    jid = submit_as(daemon, OWNER)
    assert re.search(rf"demo-{jid}\s+{OWNER}\s", pending(daemon))  # the socket peer owns the job
    r = daemon.run("cancel", str(jid), env=daemon.socket_env(), user=OTHER, check=False)
    assert r.returncode != 0 and f"{OTHER} may not do Cancel-Job" in r.stderr, r.stderr
    assert f"demo-{jid}" in pending(daemon)
    daemon.run("cancel", str(jid), env=daemon.socket_env(), user=OWNER)
    assert f"demo-{jid}" not in pending(daemon)


def test_requesting_user_name_cannot_borrow_another_identity_on_the_socket(daemon_factory, public_tmp):
    daemon = daemon_factory(base_dir=public_tmp)
    daemon.run("cupsdisable", "demo", env=daemon.socket_env())
    jid = submit_as(daemon, OWNER)
    r = daemon.run("cancel", "-U", OWNER, str(jid), env=daemon.socket_env(), user=OTHER, check=False)
    assert r.returncode != 0, r.stdout
    assert f"demo-{jid}" in pending(daemon)


def test_over_tcp_the_owner_cancels_by_name_and_another_user_must_authenticate(daemon_factory, public_tmp):
    daemon = daemon_factory(base_dir=public_tmp)
    daemon.run("cupsdisable", "demo")
    jid = job_id(daemon.run("lp", "-d", "demo", input="x\n", user=OWNER).stdout)
    r = daemon.run("cancel", str(jid), user=OTHER, check=False)
    assert r.returncode != 0 and "Unauthorized" in r.stderr, r.stderr  # 401, and no certificate it can read
    assert f"demo-{jid}" in pending(daemon)
    access_lines(daemon, '" 401 ')
    daemon.run("cancel", str(jid), user=OWNER)
    assert f"demo-{jid}" not in pending(daemon)


def test_root_cancels_any_job(daemon_factory, public_tmp):
    daemon = daemon_factory(base_dir=public_tmp)
    daemon.run("cupsdisable", "demo", env=daemon.socket_env())
    first, second = submit_as(daemon, OWNER), submit_as(daemon, OWNER)
    daemon.run("cancel", str(first), env=daemon.socket_env())
    daemon.run("cancel", str(second))  # loopback TCP: 401, then the Local certificate
    assert "demo-" not in pending(daemon)


def test_unprivileged_user_cannot_administer(daemon_factory, public_tmp):
    daemon = daemon_factory(base_dir=public_tmp)
    r = daemon.run("lpadmin", "-p", "sneaky", "-v", "/dev/null", "-m", "raw", env=daemon.socket_env(), user=OWNER,
                   check=False)
    assert r.returncode != 0 and f"{OWNER} may not do CUPS-Add-Modify-Printer" in r.stderr, r.stderr
    r = daemon.run("lpadmin", "-p", "sneaky", "-v", "/dev/null", "-m", "raw", user=OWNER, check=False)
    assert r.returncode != 0 and "Unauthorized" in r.stderr, r.stderr
    r = daemon.run("cupsdisable", "demo", env=daemon.socket_env(), user=OTHER, check=False)
    assert r.returncode != 0
    out = daemon.run("lpstat", "-p").stdout
    assert "sneaky" not in out and "demo is idle" in out, out


def test_root_administers_over_the_socket_and_with_the_local_certificate(daemon_factory, public_tmp):
    daemon = daemon_factory(base_dir=public_tmp)
    daemon.run("lpadmin", "-p", "viasocket", "-E", "-v", "/dev/null", "-m", "raw", env=daemon.socket_env())
    daemon.run("lpadmin", "-p", "viatcp", "-E", "-v", "/dev/null", "-m", "raw")
    def added_lines():
        return [line for line in daemon.log("access_log").splitlines() if "CUPS-Add-Modify-Printer" in line]
    wait_until(lambda: sum("successful-ok" in line for line in added_lines()) == 2, what="both adds logged")
    added = added_lines()
    assert any(" 401 " in line for line in added), added                     # TCP: asked for credentials
    assert any(line.startswith("127.0.0.1 root ") and "successful-ok" in line for line in added), added
    assert any(line.startswith("localhost root ") and "successful-ok" in line for line in added), added
    # Without the certificate (CUPS_STATEDIR elsewhere) root is just another client.
    r = daemon.run("lpadmin", "-x", "viatcp", env=daemon.env(CUPS_STATEDIR=str(public_tmp)), check=False)
    assert r.returncode != 0 and "Unauthorized" in r.stderr, r.stderr
    out = daemon.run("lpstat", "-p").stdout
    assert "viasocket" in out and "viatcp" in out


def test_local_certificate_is_random_per_start_and_readable_by_root_and_the_system_group(daemon_factory,
                                                                                       public_tmp):
    write_conf(public_tmp / "state", replace=[("SystemGroup root lpadmin", "SystemGroup root daemon")])
    daemon = daemon_factory(base_dir=public_tmp)
    cert = daemon.state_dir / "run" / "certs" / "0"
    info = cert.stat()
    assert stat.S_IMODE(info.st_mode) == 0o440
    assert info.st_gid == 1  # the daemon group: the first SystemGroup that is not root's
    assert stat.S_IMODE(cert.parent.stat().st_mode) == 0o711
    first = local_certificate(daemon)
    assert len(first) == 32 and all(c in "0123456789ABCDEF" for c in first)
    assert daemon.stop() == 0
    assert not cert.exists()
    daemon.start()
    assert local_certificate(daemon) != first


def test_system_group_members_administer_without_a_password(daemon_factory, public_tmp):
    write_conf(public_tmp / "state", replace=[("SystemGroup root lpadmin", "SystemGroup root daemon")])
    daemon = daemon_factory(base_dir=public_tmp)
    daemon.run("cupsdisable", "demo", env=daemon.socket_env(), user=OTHER)  # peer credentials
    assert "disabled" in daemon.run("lpstat", "-p", "demo").stdout
    jid = submit_as(daemon, OWNER)
    daemon.run("cancel", str(jid), env=daemon.socket_env(), user=OTHER)  # admins cancel any job
    daemon.run("cupsenable", "demo", user=OTHER)  # TCP: the group may read the Local certificate
    assert "demo is idle" in daemon.run("lpstat", "-p", "demo").stdout
    r = daemon.run("cupsdisable", "demo", env=daemon.socket_env(), user=OWNER, check=False)
    assert r.returncode != 0


def test_basic_authentication_goes_through_pam(daemon_factory, tmp_path):
    pam_dir = tmp_path / "pam.d"
    pam_dir.mkdir()
    check = pam_dir / "check-password"
    check.write_text(f"#!/bin/bash\nIFS= read -r -d '' pw\n[ \"$pw\" = '{PAM_PASSWORD}' ]\n")
    check.chmod(0o755)
    (pam_dir / "cups").write_text(f"auth required pam_exec.so expose_authtok quiet {check}\n"
                                  "account required pam_permit.so\n")
    daemon = daemon_factory(extra_args=["--pam-config-dir", str(pam_dir)])

    status, headers, _ = post_ipp(daemon, PAUSE_PRINTER)
    assert status == 401
    assert headers["WWW-Authenticate"] == 'Basic realm="CUPS", Local trc="y"'
    status, _, _ = post_ipp(daemon, PAUSE_PRINTER, authorization=basic("root", "wrong"))
    assert status == 401
    status, _, ipp_status = post_ipp(daemon, PAUSE_PRINTER, authorization=basic("alice", PAM_PASSWORD))
    assert (status, ipp_status) == (200, 0x0401)  # proven, and not an administrator: client-error-forbidden
    assert "demo is idle" in daemon.run("lpstat", "-p", "demo").stdout
    status, _, ipp_status = post_ipp(daemon, PAUSE_PRINTER, authorization=basic("root", PAM_PASSWORD))
    assert (status, ipp_status) == (200, 0x0000)
    assert "disabled" in daemon.run("lpstat", "-p", "demo").stdout
    assert PAM_PASSWORD not in daemon.log() and PAM_PASSWORD not in daemon.log("access_log")


def test_refusals_are_logged_with_who_and_what(daemon_factory, public_tmp):
    daemon = daemon_factory(base_dir=public_tmp)
    daemon.run("cupsdisable", "demo", env=daemon.socket_env(), user=OWNER, check=False)
    wait_until(lambda: f"Pause-Printer refused to {OWNER}" in daemon.log(), what="refusal in error_log")
    access_lines(daemon, f"localhost {OWNER} ")
