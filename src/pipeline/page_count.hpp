// Page counting without rendering: a document's page count from its DSC comments
// when they can be trusted, from its structure (PDF via qpdf, raster page headers,
// URF's header), and from Ghostscript's null device (interpretation only, no
// rasterising) when nothing cheaper answers. Runs in filter processes, never in the
// daemon: counting parses untrusted documents.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace quire {

struct PageCount {
  int pages = 0;
  std::string method;  // "dsc", "qpdf", "raster", "urf", "gs-nullpage", "image"
};

// The DSC answer for PostScript text: %%Pages: N (header or trailer) matching the
// number of %%Page: comments outside embedded documents, with a %!PS-Adobe- header.
// 0 when the comments are missing or disagree.
int count_dsc_pages(std::string_view postscript);

// Counts `file` of `type`. `gs` and `qpdf` are the programs to use.
std::expected<PageCount, std::string> count_pages(const std::filesystem::path& file, std::string_view type,
                                                  const std::string& gs = "/usr/bin/gs",
                                                  const std::string& qpdf = "/usr/bin/qpdf");

}  // namespace quire
