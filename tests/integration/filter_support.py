"""Filter tests' helpers: a generated document corpus, printer-language parsers that
count pages, queues with drivers, and job attribute queries."""

import re
import struct
import subprocess
import zlib
from pathlib import Path

from conftest import SOURCE_DIR, wait_until

GS = "/usr/bin/gs"


# ---- Corpus ----

def text_document(lines=120):
    return "".join(f"Line {i:04d}: the quick brown fox — jumps over the lazy dog, ünïcödé ✓\n" for i in range(1, lines + 1))


def postscript_with_dsc(pages):
    body = ["%!PS-Adobe-3.0", f"%%Pages: {pages}", "%%BoundingBox: 0 0 595 842", "%%EndComments",
            "%%BeginProlog", "/F { /Helvetica findfont 40 scalefont setfont } bind def", "%%EndProlog"]
    for p in range(1, pages + 1):
        body += [f"%%Page: {p} {p}", "F 72 700 moveto (Page " + str(p) + ") show showpage"]
    body += ["%%Trailer", "%%EOF"]
    return "\n".join(body) + "\n"


def postscript_without_dsc(pages):
    return ("%!\n/Helvetica findfont 40 scalefont setfont\n"
            f"1 1 {pages} {{ 72 700 moveto (Page ) show 10 string cvs show showpage }} for\n")


def eps_document():
    return ("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 200 100\n%%EndComments\n"
            "/Helvetica findfont 20 scalefont setfont 10 40 moveto (EPS figure) show\nshowpage\n%%EOF\n")


def gs_convert(src: Path, device, out: Path, *extra):
    subprocess.run([GS, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", f"-sDEVICE={device}", f"-sOutputFile={out}",
                    *extra, str(src)], check=True, capture_output=True)
    return out


def make_corpus(directory: Path):
    """Writes every corpus document into `directory`; returns name -> path."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    c = {}
    c["text"] = d / "text.txt"
    c["text"].write_text(text_document(), encoding="utf-8")
    c["ps_dsc"] = d / "dsc.ps"
    c["ps_dsc"].write_text(postscript_with_dsc(10))
    c["ps_nodsc"] = d / "nodsc.ps"
    c["ps_nodsc"].write_text(postscript_without_dsc(7))
    c["eps"] = d / "figure.eps"
    c["eps"].write_text(eps_document())
    c["pdf"] = gs_convert(c["ps_dsc"], "pdfwrite", d / "ten.pdf")
    (d / "one.ps").write_text(postscript_with_dsc(1))
    c["pdf1"] = gs_convert(d / "one.ps", "pdfwrite", d / "one.pdf")
    c["jpeg"] = gs_convert(c["eps"], "jpeg", d / "figure.jpg", "-r50", "-dEPSCrop")
    c["png"] = gs_convert(c["eps"], "png16m", d / "figure.png", "-r50", "-dEPSCrop")
    (d / "three.ps").write_text(postscript_with_dsc(3))
    c["pwg"] = gs_convert(d / "three.ps", "pwgraster", d / "three.pwg", "-r75")
    c["broken_pdf"] = d / "broken.pdf"
    c["broken_pdf"].write_bytes(c["pdf"].read_bytes()[:200])
    c["binary"] = d / "noise.bin"
    c["binary"].write_bytes(bytes(range(256)) * 16)
    return c


# ---- Printer-language parsers ----

def pclxl_pages(data: bytes):
    """Counts EndPage operators in every PCL XL stream of `data` (jobs may follow one another)."""
    total, start = 0, data.find(b") HP-PCL XL;")
    assert start >= 0, "no PCL XL stream header"
    while start >= 0:
        pages, end = _pclxl_stream_pages(data, data.index(b"\n", start) + 1)
        total += pages
        start = data.find(b") HP-PCL XL;", end)
    return total


def _pclxl_stream_pages(data: bytes, i: int):
    sizes = {0xC0: 1, 0xC1: 2, 0xC2: 4, 0xC3: 2, 0xC4: 4, 0xC5: 4}
    pages = begins = 0
    while i < len(data):
        tag = data[i]
        i += 1
        if tag in sizes:
            i += sizes[tag]
        elif 0xC8 <= tag <= 0xCD:  # arrays: length (ubyte or uint16 value), then elements
            ltag = data[i]
            i += 1
            n = data[i] if ltag == 0xC0 else struct.unpack_from("<H", data, i)[0]
            i += 1 if ltag == 0xC0 else 2
            i += n * sizes[tag - 8]
        elif 0xD0 <= tag <= 0xD5:
            i += 2 * sizes[tag - 0x10]
        elif 0xE0 <= tag <= 0xE5:
            i += 4 * sizes[tag - 0x20]
        elif tag == 0xF8:
            i += 1
        elif tag == 0xF9:
            i += 2
        elif tag == 0xFA:
            i += 4 + struct.unpack_from("<I", data, i)[0]
        elif tag == 0xFB:
            i += 1 + data[i]
        elif tag == 0x43:
            begins += 1
        elif tag == 0x44:
            pages += 1
        elif tag == 0x1B:  # UEL / PJL trailer
            break
    assert begins == pages, f"{begins} BeginPage but {pages} EndPage"
    return pages, i


def pcl5_pages(data: bytes):
    """Counts form feeds in a PCL 5 stream, skipping the binary data of escape sequences."""
    i, pages = 0, 0
    while i < len(data):
        b = data[i]
        if b == 0x1B:
            m = re.compile(rb"\x1b([!-/])([`-~])((?:[-+]?[0-9.]*[`-~])*)([-+]?[0-9.]*)([@-^])").match(data, i)
            if not m:
                i += 2
                continue
            i = m.end()
            if m.group(5) in (b"W", b"V") and m.group(1) in (b"*", b"(", b")", b"&"):
                i += int(float(m.group(4) or b"0"))
        else:
            if b == 0x0C:
                pages += 1
            i += 1
    return pages


def pdf_pages(path: Path):
    return int(subprocess.run(["qpdf", "--show-npages", str(path)], capture_output=True, text=True).stdout)


def postscript_pages(path: Path):
    hook = ("<< /EndPage { exch pop 2 ne dup { (%stderr) (w) file (P\\n) writestring } if } >> setpagedevice")
    r = subprocess.run([GS, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=nullpage", "-c", hook, "-f", str(path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stderr.count("P\n")


# ---- Queues and jobs ----

def write_printers_conf(state_dir: Path, queues):
    """queues: name -> dict(driver=..., extra lines...). The demo queue stays."""
    state_dir = Path(state_dir)
    (state_dir / "output").mkdir(parents=True, exist_ok=True)
    out = [f"<DefaultPrinter demo>\nDeviceURI file://{state_dir / 'output'}/\nState Idle\nAccepting Yes\n</DefaultPrinter>"]
    for name, q in queues.items():
        lines = [f"<Printer {name}>", f"DeviceURI {q.get('uri', 'file://' + str(state_dir / 'output') + '/')}",
                 "State Idle", "Accepting Yes", f"Color {q.get('color', 'No')}", "Duplex Yes",
                 "DocumentFormats application/octet-stream,application/pdf,application/postscript,text/plain,"
                 "image/jpeg,image/png,image/pwg-raster,image/urf"]
        if q.get("driver"):
            lines.append(f"Driver {q['driver']}")
        lines += q.get("lines", [])
        lines.append("</Printer>")
        out.append("\n".join(lines))
    (state_dir / "printers.conf").write_text("\n".join(out) + "\n")


def submit(daemon, printer, path, *options):
    args = ["lp", "-d", printer]
    for o in options:
        args += ["-o", o]
    r = daemon.run(*args, str(path))
    m = re.search(r"request id is \S+-(\d+)", r.stdout)
    assert m, r.stdout
    return int(m.group(1))


def submit_claimed(daemon, printer, path, format):
    r = daemon.run("ipptool", "-T", "20", "-t", daemon.uri(printer), "-d", f"filename={path}", "-d", f"format={format}",
                   str(SOURCE_DIR / "tests" / "integration" / "ipp" / "print-claimed.test"), check=False)
    m = re.search(r"job-id \(integer\) = (\d+)", r.stdout)
    assert m, r.stdout + r.stderr
    return int(m.group(1))


def job_details(daemon, job_id, printer="demo"):
    r = daemon.run("ipptool", "-T", "10", "-t", daemon.uri(printer), "-d", f"job_id={job_id}",
                   str(SOURCE_DIR / "tests" / "integration" / "ipp" / "get-job-details.test"), check=False)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*([a-z-]+) \(([^)]*)\) = (.*)", line)
        if m:
            out[m.group(1)] = m.group(3).strip()
    return out


def wait_finished(daemon, job_id, printer="demo", timeout=60):
    return wait_until(lambda: (lambda d: d if d.get("job-state") in ("completed", "aborted", "canceled") else None)(
        job_details(daemon, job_id, printer)), timeout, f"job {job_id} to finish")


def output_of(daemon, printer, job_id):
    return (daemon.output_dir() / f"{printer}-{job_id}.prn").read_bytes()
