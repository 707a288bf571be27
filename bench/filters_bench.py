#!/usr/bin/python3
"""Filter benchmarks (issue 6): Quire's routes against CUPS's cupsfilter with the
equivalent driver and against one bare gs, measured in the same run on the same
documents. Prints a Markdown table (docs/benchmarks.md, "Filters").

    bench/filters_bench.py [--build build] [--repeat 3]

Documents (generated): a 100-page text PostScript file (Courier, 60 lines a page, DSC
comments), the same without DSC comments, the same as PDF, a 1-page PDF.
CUPS's drivers: cups-filters' pxlmono.ppd (gstopxl) for PCL XL and CUPS's sample
HP LaserJet PPD (ppdc, rastertohp) for PCL 5 — what `lpadmin -m` gives on Debian."""

import argparse
import os
import re
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GS = "/usr/bin/gs"


def text_postscript(pages=100, lines=60, dsc=True):
    out = ["%!PS-Adobe-3.0" if dsc else "%!"]
    if dsc:
        out += [f"%%Pages: {pages}", "%%DocumentMedia: A4 595 842 0 () ()", "%%EndComments", "%%BeginProlog"]
    out.append("/F /Courier findfont 10 scalefont def /L { 36 exch moveto show } bind def")
    if dsc:
        out.append("%%EndProlog")
    for p in range(1, pages + 1):
        if dsc:
            out.append(f"%%Page: {p} {p}")
        out.append("F setfont")
        for i in range(lines):
            out.append(f"({p:03d}:{i:02d} The quick brown fox jumps over the lazy dog; pack my box with five dozen "
                       f"liquor jugs.) {800 - 12 * i} L")
        out.append("showpage")
    if dsc:
        out += ["%%Trailer", "%%EOF"]
    return "\n".join(out) + "\n"


def timed(cmd, stdin=None, env=None, repeat=3):
    times = []
    for _ in range(repeat):
        with open(stdin, "rb") if stdin else open(os.devnull, "rb") as f:
            t = time.perf_counter()
            r = subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            times.append(time.perf_counter() - t)
        if r.returncode != 0:
            raise RuntimeError(f"{cmd} failed: {r.stderr.decode(errors='replace')[-500:]}")
    return statistics.median(times), r.stderr.decode(errors="replace")


def filter_env(content_type, final_type, tmp):
    env = {"PATH": "/usr/bin:/bin", "CONTENT_TYPE": content_type, "FINAL_CONTENT_TYPE": final_type,
           "TMPDIR": str(tmp), "PRINTER": "bench", "DEVICE_URI": "file:///dev/null"}
    return env


class Sink:
    """A socket printer: accepts one connection at a time, records when each ends."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.port = self.server.getsockname()[1]
        self.done = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            conn, _ = self.server.accept()
            while conn.recv(65536):
                pass
            self.done.append(time.perf_counter())
            conn.close()


def start_quired(build, state, queues):
    state.mkdir(parents=True)
    lines = []
    for name, (uri, driver) in queues.items():
        lines.append(f"<Printer {name}>\nDeviceURI {uri}\nState Idle\nAccepting Yes\nColor No\nDriver {driver}\n"
                     "DocumentFormats application/octet-stream,application/pdf,application/postscript\n</Printer>")
    (state / "printers.conf").write_text("\n".join(lines) + "\n")
    (state / "cupsd.conf").write_text("LogLevel warn\n")
    proc = subprocess.Popen([str(build / "bin" / "quired"), "--state-dir", str(state), "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    port = None
    while True:
        line = proc.stdout.readline().decode()
        if not line:
            raise RuntimeError("quired did not start")
        m = re.match(r"quired: listening on 127\.0\.0\.1:(\d+)", line)
        if m:
            port = int(m.group(1))
        if line.startswith("quired: ready"):
            return proc, port


def start_cupsd(root, port, sink_port, ppd):
    """A private cupsd (Debian's) on `port` with one queue, "sink", using `ppd`."""
    for d in ("etc/ppd", "spool/tmp", "cache", "state", "log"):
        (root / d).mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)
    for d, mode in (("spool", 0o710), ("spool/tmp", 0o1770), ("cache", 0o775), ("state", 0o755)):
        shutil.chown(root / d, "root", "lp")
        os.chmod(root / d, mode)
    (root / "etc/cupsd.conf").write_text(
        f"Listen 127.0.0.1:{port}\nLogLevel warn\nBrowsing Off\nWebInterface No\nDefaultAuthType None\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n")
    (root / "etc/cups-files.conf").write_text(
        f"User lp\nGroup lp\nSystemGroup root\nServerRoot {root}/etc\nRequestRoot {root}/spool\n"
        f"TempDir {root}/spool/tmp\nStateDir {root}/state\nCacheDir {root}/cache\n"
        f"ErrorLog {root}/log/error_log\nAccessLog {root}/log/access_log\nPageLog {root}/log/page_log\n"
        "ServerBin /usr/lib/cups\nDataDir /usr/share/cups\n")
    shutil.copy(ppd, root / "etc/ppd/sink.ppd")
    os.chmod(root / "etc/ppd/sink.ppd", 0o644)
    (root / "etc/printers.conf").write_text(
        f"<Printer sink>\nDeviceURI socket://127.0.0.1:{sink_port}\nState Idle\nAccepting Yes\n</Printer>\n")
    os.chmod(root / "etc/printers.conf", 0o600)
    proc = subprocess.Popen(["/usr/sbin/cupsd", "-f", "-c", str(root / "etc/cupsd.conf"), "-s",
                             str(root / "etc/cups-files.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("cupsd did not start")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def latency(port, sink, printer, document, repeat):
    env = dict(os.environ, CUPS_SERVER=f"127.0.0.1:{port}")
    results = []
    for _ in range(repeat):
        before = len(sink.done)
        t = time.perf_counter()
        subprocess.run(["lp", "-d", printer, str(document)], env=env, check=True, capture_output=True)
        deadline = time.monotonic() + 60
        while len(sink.done) == before and time.monotonic() < deadline:
            time.sleep(0.001)
        if len(sink.done) == before:
            raise RuntimeError(f"no output reached the sink from port {port} within 60 s")
        results.append(sink.done[-1] - t)
        time.sleep(0.2)
    return statistics.median(results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    build = Path(args.build).resolve()
    filters = build / "lib" / "quire" / "filter"
    tmp = Path(tempfile.mkdtemp(prefix="quire-bench-"))
    os.chmod(tmp, 0o755)  # cupsd's filters run as lp and must reach its directories
    try:
        docs = tmp / "docs"
        docs.mkdir()
        ps = docs / "text100.ps"
        ps.write_text(text_postscript())
        ps_nodsc = docs / "text100-nodsc.ps"
        ps_nodsc.write_text(text_postscript(dsc=False))
        pdf = docs / "text100.pdf"
        subprocess.run([GS, "-q", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", f"-sOutputFile={pdf}", str(ps)], check=True)
        one = docs / "one.pdf"
        (docs / "one.ps").write_text(text_postscript(pages=1))
        subprocess.run([GS, "-q", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite", f"-sOutputFile={one}", str(docs / "one.ps")],
                       check=True)
        ppd_dir = tmp / "ppd"
        subprocess.run(["ppdc", "-d", str(ppd_dir), "/usr/share/cups/drv/sample.drv"], check=True, capture_output=True)
        cups_ppds = {"pclxl": "/usr/share/ppd/cupsfilters/pxlmono.ppd", "pcl5": str(ppd_dir / "laserjet.ppd")}
        finals = {"pclxl": ("application/vnd.hp-pclxl", "pxlmono"), "pcl5": ("application/vnd.hp-pcl", "ljet4")}
        n = args.repeat
        rows = []

        def row(what, seconds, pages=100, note=""):
            rows.append((what, seconds, pages / seconds if pages else None, note))
            print(f"  {what}: {seconds:.3f} s", file=sys.stderr, flush=True)

        for doc, ctype in ((ps, "application/postscript"), (pdf, "application/pdf")):
            kind = "PostScript" if ctype.endswith("postscript") else "PDF"
            for target, (final, device) in finals.items():
                label = f"100-page text {kind} → {'PCL XL' if target == 'pclxl' else 'PCL 5'}"
                q, _ = timed([str(filters / "quire-gs"), "1", "user", "title", "1", ""], stdin=doc,
                             env=filter_env(ctype, final, tmp), repeat=n)
                row(f"{label}: Quire (quire-gs filter, 600 dpi)", q)
                if target == "pcl5":  # CUPS's sample LaserJet driver prints at 300 dpi by default
                    q3, _ = timed([str(filters / "quire-gs"), "1", "user", "title", "1", "printer-resolution=300dpi"],
                                  stdin=doc, env=filter_env(ctype, final, tmp), repeat=n)
                    row(f"{label}: Quire (quire-gs filter, 300 dpi like CUPS's driver)", q3)
                g, _ = timed([GS, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", f"-sDEVICE={device}", "-sOutputFile=/dev/null",
                              str(doc)], repeat=n)
                row(f"{label}: bare gs -sDEVICE={device} (600 dpi)", g)
                c, _ = timed(["cupsfilter", "-p", cups_ppds[target], "-m", "printer/foo", "-e", str(doc)], repeat=1)
                row(f"{label}: CUPS cupsfilter ({Path(cups_ppds[target]).name})", c)

        papsdoc = docs / "paps100-nodsc.ps"
        text = "".join(f"{i:05d} The quick brown fox jumps over the lazy dog; pack my box with five dozen jugs.\n"
                       for i in range(1, 6600))
        (docs / "long.txt").write_text(text)
        with open(papsdoc, "w") as out:
            subprocess.run(["paps", "--font=Monospace 10", str(docs / "long.txt")], stdout=out, check=True,
                           stderr=subprocess.DEVNULL)
        papsdoc.write_text("".join(l for l in papsdoc.read_text().splitlines(True) if not l.startswith("%%")))
        count_docs = ((ps, "100-page PostScript with DSC"), (ps_nodsc, "100-page PostScript without DSC"),
                      (papsdoc, "paps-typeset text (no DSC)"))
        for doc, label in count_docs:
            q, err = timed([str(filters / "quire-pagecount"), "1", "user", "title", "1", "", str(doc)],
                           env=filter_env("application/postscript", "", tmp), repeat=n)
            method = re.search(r"\((\S+)\)", err.splitlines()[-1]).group(1)
            pages = re.search(r"(\d+) pages", err.splitlines()[-1]).group(1)
            row(f"Page count, {label} ({pages} pages): Quire ({method})", q, pages=None)
            b, _ = timed([GS, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=bbox", str(doc)], repeat=1)
            row(f"Page count, {label}: CUPS's bounding-box render (gs -sDEVICE=bbox, 4000 dpi)", b, pages=None)

        # The warm Ghostscript worker against a fresh gs, filter alone.
        gsd_dir = tmp / "gsd"
        gsd_dir.mkdir()
        gsd = subprocess.Popen([str(filters / "quire-gsd"), str(gsd_dir)], stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while not (gsd_dir / "socket").exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)
            for doc, ctype, label in ((one, "application/pdf", "1-page PDF"), (ps, "application/postscript",
                                                                              "100-page text PostScript")):
                env = filter_env(ctype, "application/vnd.hp-pclxl", tmp)
                cold, _ = timed([str(filters / "quire-gs"), "1", "user", "title", "1", ""], stdin=doc, env=env,
                                repeat=max(5, n))
                warm_env = dict(env, QUIRE_GS_WORKER=str(gsd_dir))
                warm, err = timed([str(filters / "quire-gs"), "1", "user", "title", "1", ""], stdin=doc, env=warm_env,
                                  repeat=max(5, n))
                assert "warm worker" in err, err
                pages = 1 if doc == one else 100
                row(f"{label} → PCL XL: quire-gs with a fresh gs", cold, pages=pages)
                row(f"{label} → PCL XL: quire-gs on the warm worker (quire-gsd)", warm, pages=pages)
        finally:
            gsd.kill()
            gsd.wait()

        # Whole servers: lp → daemon → filters → CUPS's socket backend → a socket sink.
        sink = Sink()
        proc, port = start_quired(build, tmp / "state", {"sink": (f"socket://127.0.0.1:{sink.port}", "quire/generic-pcl6")})
        try:
            latency(port, sink, "sink", one, 1)  # warm-up
            q = latency(port, sink, "sink", one, max(5, n))
            row("1-page PDF, Print-Job (lp) → last byte at a socket sink: Quire (quired, generic PCL 6)", q, pages=None)
            q = latency(port, sink, "sink", ps, n)
            row("100-page text PostScript, lp → last byte at the sink: Quire (quired, generic PCL 6)", q)
        finally:
            proc.terminate()
            proc.wait()
        cups_port = free_port()
        cupsd = start_cupsd(tmp / "cups", cups_port, sink.port, cups_ppds["pclxl"])
        try:
            latency(cups_port, sink, "sink", one, 1)
            c = latency(cups_port, sink, "sink", one, max(5, n))
            row("1-page PDF, Print-Job (lp) → last byte at a socket sink: CUPS 2.4 (cupsd, pxlmono.ppd)", c, pages=None)
            c = latency(cups_port, sink, "sink", ps, n)
            row("100-page text PostScript, lp → last byte at the sink: CUPS 2.4 (cupsd, pxlmono.ppd)", c)
        finally:
            cupsd.terminate()
            cupsd.wait()
        c, _ = timed(["cupsfilter", "-p", cups_ppds["pclxl"], "-m", "printer/foo", "-e", str(one)], repeat=max(5, n))
        row("1-page PDF: CUPS's filter chain alone (cupsfilter pxlmono.ppd; no scheduler, no backend)", c, pages=None)

        print("| measurement | seconds | pages/s |")
        print("|---|---:|---:|")
        for what, seconds, rate, _ in rows:
            print(f"| {what} | {seconds:.3f} | {'' if rate is None else f'{rate:.0f}'} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
