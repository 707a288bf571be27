// The bodies of Quire's filter executables (filters/*.cpp are one-line mains). Each
// follows CUPS's filter convention: argv = queue job-id user title copies options
// [file], input on the file or standard input, output on standard output, status
// lines (PAGE:, INFO:, ERROR:, DEBUG:) on standard error, exit 0 on success.
#pragma once

namespace quire {

// quire-gs: PDF/PostScript/EPS to FINAL_CONTENT_TYPE with one Ghostscript process
// (device from QUIRE_GS_DEVICE, else from the final type), options applied, one
// PAGE: line per impression.
int run_ghostscript_filter(int argc, char** argv);

// quire-texttops: UTF-8 text to PostScript with paps (monospace, headers with title,
// date and page number, wrapped lines).
int run_text_filter(int argc, char** argv);

// quire-pagecount: counts the pages of the document (DSC when trustworthy, qpdf for
// PDF, raster headers, Ghostscript's null device otherwise) and reports them as
// PAGE: lines for the impressions the job's options give. Writes nothing on stdout.
int run_page_count_filter(int argc, char** argv);

}  // namespace quire
