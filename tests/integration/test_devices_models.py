"""CUPS-Get-Devices runs every backend's discovery (bounded in time, even when one
hangs); CUPS-Get-PPDs lists the models lpadmin -m accepts."""

import time


def get_devices(daemon):
    """(name, value) pairs from CUPS-Get-Devices: `lpinfo -l -v` as root, an
    administrator proved by peer credentials on the daemon's Unix socket."""
    out = daemon.run("lpinfo", "-l", "-v", "--timeout", "5", env=daemon.socket_env()).stdout
    pairs = []
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("Device: uri = "):
            pairs.append(("device-uri", line[len("Device: uri = "):]))
        elif " = " in line:
            key, value = line.split(" = ", 1)
            pairs.append(({"class": "device-class", "make-and-model": "device-make-and-model"}.get(key, key), value))
    return pairs


def test_discovery_lists_quire_backends(daemon):
    out = get_devices(daemon)
    for uri in ("socket", "lpd", "ipp"):
        assert ("device-uri", uri) in out, out
    assert ("device-class", "network") in out


def test_a_hanging_backend_does_not_hold_up_discovery(daemon_factory, tmp_path):
    extra = tmp_path / "extra" / "backend"
    extra.mkdir(parents=True)
    hang = extra / "hang"
    hang.write_text("#!/bin/sh\nsleep 600\n")
    hang.chmod(0o755)
    talk = extra / "talk"
    talk.write_text('#!/bin/sh\necho \'direct talk://x "Maker Model" "A Test Device" "MFG:Maker;MDL:Model;" "lab"\'\n')
    talk.chmod(0o755)
    d = daemon_factory(name="s2")
    conf = d.state_dir / "cupsd.conf"
    conf.write_text(conf.read_text() + f"ServerBinPath {tmp_path / 'extra'}\n")
    d.stop()
    d.start()
    started = time.monotonic()
    out = get_devices(d)
    elapsed = time.monotonic() - started
    assert ("device-uri", "talk://x") in out and ("device-make-and-model", "Maker Model") in out, out
    assert elapsed < 15, f"discovery took {elapsed:.1f}s"
    assert "backend hang did not answer in time" in d.log()


def test_models_include_raw_and_lpadmin_m_rejects_unknown(daemon):
    out = daemon.run("lpinfo", "-m").stdout
    assert "raw Raw Queue" in out.splitlines(), out
    r = daemon.run("lpadmin", "-p", "x", "-v", "/dev/null", "-m", "no-such-model", check=False)
    assert r.returncode != 0
