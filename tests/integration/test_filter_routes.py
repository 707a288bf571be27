"""Filter chain through the real daemon: every common document reaches every driver's
printer language with the right page count; options and typing are honoured."""

import os
import re
import subprocess

import pytest

from conftest import Daemon, wait_until
from filter_support import (job_details, make_corpus, output_of, pclxl_pages, pcl5_pages, pdf_pages,
                            postscript_pages, submit, submit_claimed, wait_finished, write_printers_conf)

QUEUES = {
    "pxl": {"driver": "quire/generic-pcl6"},
    "pcl": {"driver": "quire/generic-pcl5e"},
    "pdf": {"driver": "quire/generic-pdf"},
    "ps": {"driver": "quire/generic-postscript"},
    "everywhere": {"driver": "everywhere"},
    "cupsppd": {"driver": "/usr/share/ppd/cupsfilters/pxlmono.ppd"},
}
EXPECTED_PAGES = {"pdf": 10, "ps_dsc": 10, "ps_nodsc": 7, "eps": 1, "jpeg": 1, "png": 1, "pwg": 3, "text": 2}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    state = tmp_path_factory.mktemp("filters") / "state"
    # CUPS's sample HP LaserJet driver (ppdc from cups-ppdc): a raster PPD whose
    # rastertohp runs after cups-filters' gstoraster.
    ppd_dir = tmp_path_factory.mktemp("ppd")
    subprocess.run(["ppdc", "-d", str(ppd_dir), "/usr/share/cups/drv/sample.drv"], check=True, capture_output=True)
    write_printers_conf(state, dict(QUEUES, laserjet={"driver": str(ppd_dir / "laserjet.ppd")}))
    d = Daemon(state).start()
    yield d
    assert d.stop() == 0


def pages_in(queue, path, data):
    if queue in ("pxl", "cupsppd"):
        return pclxl_pages(data)
    if queue == "pcl":
        return pcl5_pages(data)
    if queue in ("pdf", "everywhere"):
        return pdf_pages(path)
    return postscript_pages(path)


def print_and_check(daemon, queue, document, *options):
    job = submit(daemon, queue, document, *options)
    details = wait_finished(daemon, job, queue)
    assert details["job-state"] == "completed", (details, daemon.log()[-3000:])
    path = daemon.output_dir() / f"{queue}-{job}.prn"
    return job, details, path, path.read_bytes()


@pytest.mark.parametrize("name", ["pdf", "ps_dsc", "ps_nodsc", "eps", "text", "jpeg", "png"])
@pytest.mark.parametrize("queue", ["pxl", "pcl", "pdf", "ps"])
def test_document_reaches_the_printer_language_with_its_pages(daemon, corpus, queue, name):
    job, details, path, data = print_and_check(daemon, queue, corpus[name])
    magic = {"pxl": b") HP-PCL XL;", "pcl": b"\x1bE", "pdf": b"%PDF-", "ps": b"%!"}[queue]
    assert magic in data[:4096]
    assert pages_in(queue, path, data) == EXPECTED_PAGES[name]
    assert int(details["job-impressions-completed"]) == EXPECTED_PAGES[name]


def test_pwg_raster_prints_through_ghostscript_free_route_to_everywhere(daemon, corpus):
    # An IPP Everywhere printer takes PWG raster as it is: no filter, pages counted apart.
    job, details, path, data = print_and_check(daemon, "everywhere", corpus["pwg"])
    assert data == corpus["pwg"].read_bytes()
    assert details["job-impressions-completed"] == "3"


def test_pdf_to_everywhere_passes_through_and_is_counted(daemon, corpus):
    job, details, path, data = print_and_check(daemon, "everywhere", corpus["pdf"])
    assert data == corpus["pdf"].read_bytes()
    assert details["job-impressions-completed"] == "10"


@pytest.mark.parametrize("queue", ["pxl", "pcl", "pdf", "ps"])
def test_copies_ranges_and_number_up(daemon, corpus, queue):
    # 10 pages, pages 2-7 (6 pages), 4-up: 2 sheets per copy, 2 collated copies = 4.
    job, details, path, data = print_and_check(daemon, queue, corpus["pdf"], "page-ranges=2-7", "number-up=4",
                                               "copies=2", "collate=true")
    assert pages_in(queue, path, data) == 4
    assert details["job-impressions-completed"] == "4"


def test_copies_and_number_up_on_pcl5(daemon, corpus):
    # 10 pages 4-up = 3 sheets (the last one partly filled), two copies.
    job, details, path, data = print_and_check(daemon, "pcl", corpus["pdf"], "number-up=4", "copies=2")
    assert pcl5_pages(data) == 6
    assert details["job-impressions-completed"] == "6"


@pytest.mark.parametrize("name", ["pdf", "ps_nodsc"])
def test_page_ranges_select_pages_of_pdf_and_postscript(daemon, corpus, name):
    job, details, path, data = print_and_check(daemon, "pxl", corpus[name], "page-ranges=1-2,5")
    assert pclxl_pages(data) == 3
    assert details["job-impressions-completed"] == "3"


def test_uncollated_copies_are_made_by_the_printer(daemon, corpus):
    job, details, path, data = print_and_check(daemon, "pxl", corpus["pdf"], "copies=3", "collate=false")
    assert pclxl_pages(data) == 10          # each page once in the stream ...
    assert details["job-impressions-completed"] == "30"  # ... printed three times


def test_duplex_counts_sheets(daemon, corpus):
    job, details, path, data = print_and_check(daemon, "pxl", corpus["ps_nodsc"], "sides=two-sided-long-edge")
    assert details["job-impressions-completed"] == "7"
    assert details["job-media-sheets-completed"] == "4"


def test_media_and_fit_to_page_set_the_page_size(daemon, corpus):
    job, details, path, data = print_and_check(daemon, "pdf", corpus["pdf1"], "media=na_letter_8.5x11in", "fit-to-page")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+612 x 792", info), info


def test_monochrome_on_a_colour_pcl6_printer_uses_pxlmono(daemon, corpus):
    job, details, path, data = print_and_check(daemon, "pxl", corpus["jpeg"], "print-color-mode=monochrome")
    assert pclxl_pages(data) == 1
    assert f"-sDEVICE=pxlmono" in daemon.log() or "pxlmono" in daemon.log()


def test_page_log_has_a_line_per_page(daemon, corpus):
    job = submit(daemon, "pxl", corpus["ps_dsc"], "page-ranges=1-3")
    wait_finished(daemon, job, "pxl")
    wait_until(lambda: f" {job} " in daemon.log("page_log") and "total" in daemon.log("page_log"), what="page_log")
    lines = [l for l in daemon.log("page_log").splitlines() if l.startswith(f"pxl root {job} ")]
    pages = [l.split("] ")[1].split()[0] for l in lines]
    assert pages == ["1", "2", "3", "total"], lines
    assert re.match(rf"pxl root {job} \[\d\d/\w\w\w/\d{{4}}:[\d:]+ [+-]\d{{4}}\] 1 1 ", lines[0]), lines[0]


def test_cups_ppd_driver_runs_cups_filters_unchanged(daemon, corpus):
    # cups-filters' pxlmono.ppd names gstopxl (CUPS's own filter) for vnd.cups-pdf.
    job, details, path, data = print_and_check(daemon, "cupsppd", corpus["pdf"])
    assert pclxl_pages(data) == 10
    assert "gstopxl" in daemon.log()


@pytest.mark.parametrize("name", ["pdf", "ps_nodsc", "text", "jpeg"])
def test_cups_raster_driver_runs_gstoraster_and_rastertohp(daemon, corpus, name):
    job, details, path, data = print_and_check(daemon, "laserjet", corpus[name])
    assert pcl5_pages(data) == EXPECTED_PAGES[name]
    assert details["job-impressions-completed"] == str(EXPECTED_PAGES[name])
    assert f"[Job {job}] document 1: " in daemon.log() and "gstoraster | rastertohp" in daemon.log()


def test_octet_stream_is_auto_typed(daemon, corpus):
    job = submit_claimed(daemon, "pxl", corpus["ps_dsc"], "application/octet-stream")
    assert wait_finished(daemon, job, "pxl")["job-state"] == "completed"


def test_a_true_claim_is_accepted(daemon, corpus):
    job = submit_claimed(daemon, "pxl", corpus["pdf"], "application/pdf")
    assert wait_finished(daemon, job, "pxl")["job-state"] == "completed"


def test_a_lying_document_format_aborts_with_document_format_error(daemon, corpus):
    job = submit_claimed(daemon, "pxl", corpus["png"], "application/pdf")
    details = wait_finished(daemon, job, "pxl")
    assert details["job-state"] == "aborted"
    assert "document-format-error" in details["job-state-reasons"]
    assert "does not match" in details.get("job-state-message", ""), details
    assert not (daemon.output_dir() / f"pxl-{job}.prn").exists()


def test_an_unprintable_document_aborts_with_document_format_error(daemon, corpus):
    job = submit(daemon, "pxl", corpus["binary"])
    details = wait_finished(daemon, job, "pxl")
    assert details["job-state"] == "aborted"
    assert "document-format-error" in details["job-state-reasons"]


def test_a_broken_pdf_aborts_and_the_daemon_carries_on(daemon, corpus):
    job = submit(daemon, "pxl", corpus["broken_pdf"])
    details = wait_finished(daemon, job, "pxl")
    assert details["job-state"] == "aborted", details
    assert "quire-gs" in details.get("job-state-message", ""), details
    job2, details2, path, data = print_and_check(daemon, "pxl", corpus["eps"])
    assert pclxl_pages(data) == 1


def test_raw_demo_queue_still_passes_bytes_through(daemon, corpus):
    job = submit(daemon, "demo", corpus["binary"])
    assert wait_finished(daemon, job, "demo")["job-state"] == "completed"
    assert output_of(daemon, "demo", job) == corpus["binary"].read_bytes()


def test_standard_job_sheets_print_a_banner_first(daemon, corpus):
    job, details, path, data = print_and_check(daemon, "pxl", corpus["ps_nodsc"], "job-sheets=standard",
                                               "page-ranges=1-2")
    assert pclxl_pages(data) == 3  # the banner, then pages 1-2
    assert details["job-impressions-completed"] == "3"


def test_text_is_typeset_with_the_title_in_the_header(daemon, corpus):
    r = daemon.run("lp", "-d", "ps", "-t", "Quarterly report/draft", str(corpus["text"]))
    job = int(re.search(r"request id is \S+-(\d+)", r.stdout).group(1))
    assert wait_finished(daemon, job, "ps")["job-state"] == "completed"
    data = output_of(daemon, "ps", job)
    assert b"%%Title: Quarterly report_draft" in data[:2000]
    assert postscript_pages(daemon.output_dir() / f"ps-{job}.prn") == 2


def bounding_box(path):
    r = subprocess.run(["/usr/bin/gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=bbox", str(path)],
                       capture_output=True, text=True)
    x0, y0, x1, y1 = map(float, re.search(r"%%HiResBoundingBox: (\S+) (\S+) (\S+) (\S+)", r.stderr).groups())
    return x1 - x0, y1 - y0


@pytest.mark.parametrize("orientation, wide", [("3", True), ("4", False)])
def test_landscape_turns_the_page_content(daemon, tmp_path, orientation, wide):
    band = tmp_path / "band.ps"  # a bar 400 pt wide, 100 pt high
    band.write_text("%!PS-Adobe-3.0\n%%Pages: 1\n%%Page: 1 1\n"
                    "72 72 moveto 400 0 rlineto 0 100 rlineto -400 0 rlineto closepath fill showpage\n")
    job, details, path, data = print_and_check(daemon, "pdf", band, f"orientation-requested={orientation}")
    width, height = bounding_box(path)
    assert (width > height) == wide, (width, height)
