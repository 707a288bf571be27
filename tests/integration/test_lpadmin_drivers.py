"""Models and drivers with CUPS's own lpinfo, lpadmin and lpoptions: `lpinfo -m` lists
Quire's drivers and the PPD files under /usr/share/ppd; `lpadmin -m` takes them;
`lpadmin -P` uploads a PPD; `lpadmin -m everywhere` asks the printer (here a second
quired, reached over IPP) what it takes; `lpadmin -o printer-error-policy=`."""

import gzip
import re
import socket
import urllib.request

import pytest

from conftest import wait_until
from ipp_wire import decode_response, ipp_request, post, read_response

PXLMONO = "/usr/share/ppd/cupsfilters/pxlmono.ppd"


def job_id(output):
    return int(re.search(r"request id is \S+-(\d+)", output).group(1))


def printer_attribute(daemon, queue, name):
    """One attribute of a queue, via ipptool's Get-Printer-Attributes."""
    test = daemon.state_dir.parent / f"get-{name}.test"
    test.write_text("{\n OPERATION Get-Printer-Attributes\n GROUP operation-attributes-tag\n"
                    " ATTR charset attributes-charset utf-8\n ATTR naturalLanguage attributes-natural-language en\n"
                    f" ATTR uri printer-uri $uri\n ATTR keyword requested-attributes {name}\n"
                    f" STATUS successful-ok\n DISPLAY {name}\n}}\n")
    out = daemon.run("ipptool", "-T", "10", "-t", daemon.uri(queue), str(test)).stdout
    m = re.search(rf"^\s*{re.escape(name)} \([^)]*\) = (.*)$", out, re.M)
    return m.group(1) if m else None


def printed_on(printer_daemon, timeout=60):
    """The bytes of the first job that reached `printer_daemon`'s demo queue."""
    wait_until(lambda: "demo-1 " in printer_daemon.run("lpstat", "-W", "completed", "-o").stdout, timeout,
               "the job printed on the printer")
    return (printer_daemon.output_dir() / "demo-1.prn").read_bytes()


def test_lpinfo_m_lists_quire_drivers_and_system_ppds(daemon):
    lines = daemon.run("lpinfo", "-m").stdout.splitlines()
    names = [line.split(" ", 1)[0] for line in lines]
    for driver in ("quire/generic-pcl6", "quire/generic-pcl5e", "quire/generic-postscript", "quire/generic-pdf", "raw"):
        assert driver in names, lines
    assert "lsb/usr/cupsfilters/pxlmono.ppd HP LaserJet Series PCL 6 CUPS" in lines
    assert names.count("everywhere") == 1, lines  # lpinfo adds that line itself
    # lpinfo --make-and-model filters on the server (ppd-make-and-model).
    only = daemon.run("lpinfo", "--make-and-model", "Generic PCL 6/PCL XL Printer", "-m").stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in only if line.split(" ", 1)[0] != "everywhere"] == ["quire/generic-pcl6"], only


def test_a_quire_driver_prints_the_printer_language(daemon_factory):
    printer = daemon_factory(name="printer")
    server = daemon_factory(name="server")
    server.run("lpadmin", "-p", "laser", "-E", "-v", printer.uri("demo"), "-m", "quire/generic-pcl6")
    assert printer_attribute(server, "laser", "printer-make-and-model") == "Generic PCL 6/PCL XL Printer"
    formats = printer_attribute(server, "laser", "document-format-supported")
    assert "application/pdf" in formats and "text/plain" in formats, formats
    server.run("lp", "-d", "laser", "/etc/hosts")
    data = printed_on(printer)
    assert b") HP-PCL XL;" in data[:200], data[:200]
    assert "Driver quire/generic-pcl6" in (server.state_dir / "printers.conf").read_text()


def test_lpadmin_P_uploads_a_ppd_that_lpoptions_l_reads(daemon, tmp_path):
    ppd = tmp_path / "laser.ppd"
    ppd.write_bytes(open(PXLMONO, "rb").read())
    daemon.run("lpadmin", "-p", "ppdq", "-E", "-v", "/dev/null", "-P", str(ppd))
    stored = daemon.state_dir / "ppd" / "ppdq.ppd"
    # lpadmin sends the PPD with its defaults marked (e.g. the locale's page size).
    assert re.search(r'^\*NickName: +"HP LaserJet Series PCL 6 CUPS"', stored.read_text(errors="replace"), re.M)
    conf = (daemon.state_dir / "printers.conf").read_text()
    assert f"Driver {stored}" in conf and "MakeModel HP LaserJet Series PCL 6 CUPS" in conf, conf
    options = daemon.run("lpoptions", "-p", "ppdq", "-l").stdout
    assert re.search(r"^PageSize/.*\*\w+", options, re.M), options
    assert re.search(r"^Duplex/.*None", options, re.M), options
    # The PPD is what cupsd would serve at /printers/NAME.ppd.
    with urllib.request.urlopen(f"http://{daemon.host}/printers/ppdq.ppd", timeout=10) as reply:
        assert reply.status == 200 and reply.headers["Content-Type"] == "application/vnd.cups-ppd"
        assert reply.read().startswith(b"*PPD-Adobe:")
    # Another driver replaces the uploaded file; deleting the queue removes it.
    daemon.run("lpadmin", "-p", "ppdq", "-m", "quire/generic-pcl5e")
    assert not stored.exists()
    daemon.run("lpadmin", "-p", "ppdq", "-P", str(ppd))
    daemon.run("lpadmin", "-x", "ppdq")
    assert not stored.exists()


def test_a_file_that_is_not_a_ppd_is_refused_and_changes_nothing(daemon, tmp_path):
    daemon.run("lpadmin", "-p", "keep", "-E", "-v", "/dev/null", "-m", "raw")
    before = (daemon.state_dir / "printers.conf").read_text()
    bogus = tmp_path / "bogus.ppd"
    bogus.write_text("this is not a PPD file\n")
    r = daemon.run("lpadmin", "-p", "keep", "-P", str(bogus), check=False)
    # CUPS's lpadmin checks the file itself first when it can open it as a PPD ...
    assert r.returncode != 0, r
    assert (daemon.state_dir / "printers.conf").read_text() == before
    assert not (daemon.state_dir / "ppd" / "keep.ppd").exists()


@pytest.mark.parametrize("content", [b"%!PS-Adobe-3.0\nnot a PPD\n", gzip.compress(open(PXLMONO, "rb").read())],
                         ids=["postscript", "gzip-compressed-ppd"])
def test_a_ppd_upload_that_is_not_a_ppd_gets_document_format_not_supported(daemon, content):
    # Sent as lpadmin would, without its client-side check (and without ipptool, whose
    # FILE would unpack the gzip'ed PPD): root over the Unix socket, an administrator.
    attrs = [(0x01, 0x47, "attributes-charset", b"utf-8"), (0x01, 0x48, "attributes-natural-language", b"en"),
             (0x01, 0x45, "printer-uri", b"ipp://localhost/printers/newq"),
             (0x01, 0x42, "requesting-user-name", b"root"),
             (0x04, 0x45, "device-uri", b"file:///dev/null")]
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(str(daemon.socket_path))
        post(s, "localhost", ipp_request(0x4003, 1, attrs) + content, resource="/admin/")  # CUPS-Add-Modify-Printer
        status, reply = decode_response(read_response(s)[1])
    assert status == 0x040A, (hex(status), reply)  # client-error-document-format-not-supported
    message = b"".join(value for _, name, _, value in reply if name == "status-message")
    assert (b"Compressed" if content.startswith(b"\x1f\x8b") else b"not a PPD file") in message, message
    assert "newq" not in daemon.run("lpstat", "-v").stdout


def test_everywhere_asks_the_printer_and_prints_to_it(daemon_factory):
    printer = daemon_factory(name="printer")
    server = daemon_factory(name="server")
    server.run("lpadmin", "-p", "evr", "-E", "-v", printer.uri("demo"), "-m", "everywhere")
    ppd = (server.state_dir / "ppd" / "evr.ppd").read_text()
    assert '*cupsFilter2: "application/pdf application/pdf 0 -"' in ppd, ppd
    assert "*NickName: \"Quire file output - IPP Everywhere\"" in ppd
    # The printer's own description fills what the admin left out.
    assert printer_attribute(server, "evr", "printer-location") == str(printer.output_dir())
    options = server.run("lpoptions", "-p", "evr", "-l").stdout
    assert re.search(r"^PageSize/Media Size: .*\*A4", options, re.M), options
    server.run("lp", "-d", "evr", "/etc/hosts")
    assert printed_on(printer).startswith(b"%PDF-"), "text reaches an IPP Everywhere printer as PDF"


def test_everywhere_needs_a_printer_that_answers(daemon):
    r = daemon.run("lpadmin", "-p", "e1", "-v", "socket://127.0.0.1:9100", "-m", "everywhere", check=False)
    assert r.returncode != 0 and "ipp:// or ipps://" in r.stderr, r.stderr
    r = daemon.run("lpadmin", "-p", "e2", "-v", "ipp://127.0.0.1:9/printers/none", "-m", "everywhere", check=False)
    assert r.returncode != 0 and "Unable to connect to 127.0.0.1:9" in r.stderr, r.stderr
    out = daemon.run("lpstat", "-v").stdout
    assert "e1" not in out and "e2" not in out, out


def test_error_policy_is_set_shown_and_kept(daemon):
    daemon.run("lpadmin", "-p", "pol", "-E", "-v", "/dev/null", "-m", "raw")
    assert printer_attribute(daemon, "pol", "printer-error-policy") == "abort-job"
    daemon.run("lpadmin", "-p", "pol", "-o", "printer-error-policy=stop-printer")
    assert printer_attribute(daemon, "pol", "printer-error-policy") == "stop-printer"
    supported = printer_attribute(daemon, "pol", "printer-error-policy-supported")
    assert supported == "abort-job,retry-current-job,retry-job,stop-printer", supported
    r = daemon.run("lpadmin", "-p", "pol", "-o", "printer-error-policy=explode", check=False)
    assert r.returncode != 0 and "printer-error-policy must be" in r.stderr, r.stderr
    daemon.stop()
    daemon.start()
    assert printer_attribute(daemon, "pol", "printer-error-policy") == "stop-printer"


def test_lpoptions_sets_the_default_and_options_for_the_user(daemon, tmp_path):
    env = daemon.env(HOME=str(tmp_path))
    daemon.run("lpadmin", "-p", "opts", "-E", "-v", "/dev/null", "-m", "raw")
    daemon.run("lpoptions", "-d", "opts", env=env)
    assert daemon.run("lpstat", "-d", env=env).stdout.strip() == "system default destination: opts"
    daemon.run("lpoptions", "-p", "opts", "-o", "sides=two-sided-long-edge", "-o", "copies=2", env=env)
    saved = (tmp_path / ".cups" / "lpoptions").read_text()
    assert saved.startswith("Default opts") and "sides=two-sided-long-edge" in saved and "copies=2" in saved, saved
    listed = daemon.run("lpoptions", "-p", "opts", env=env).stdout
    assert "sides=two-sided-long-edge" in listed and "copies=2" in listed, listed
    # lp takes the user's options: the job is created with them.
    jid = job_id(daemon.run("lp", "/etc/hosts", env=env).stdout)
    test = tmp_path / "job.test"
    test.write_text("{\n OPERATION Get-Job-Attributes\n GROUP operation-attributes-tag\n"
                    " ATTR charset attributes-charset utf-8\n ATTR naturalLanguage attributes-natural-language en\n"
                    f" ATTR uri printer-uri $uri\n ATTR integer job-id {jid}\n STATUS successful-ok\n"
                    " EXPECT copies OF-TYPE integer WITH-VALUE 2\n EXPECT sides WITH-VALUE two-sided-long-edge\n}\n")
    r = daemon.run("ipptool", "-T", "10", "-t", daemon.uri("opts"), str(test), check=False)
    assert "[PASS]" in r.stdout, r.stdout
    # lpoptions -x forgets them again.
    daemon.run("lpoptions", "-x", "opts", env=env)
    assert "sides=" not in (tmp_path / ".cups" / "lpoptions").read_text()
