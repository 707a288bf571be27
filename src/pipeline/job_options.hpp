// JobOptions: a job's print options as filters need them, parsed from CUPS's options
// string (argv[5]: "copies=2 page-ranges=1-3 sides=two-sided-long-edge ...") and the
// IPP attributes that string is built from. Pure values and functions.
#pragma once

#include "quire/ipp_message.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quire {

struct PageRange {
  int first = 1;
  int last = 1;  // inclusive; INT_MAX for "to the end"
  bool operator==(const PageRange&) const = default;
};

struct JobOptions {
  int copies = 1;
  bool collate = true;                  // multiple-document-handling / collate
  std::vector<PageRange> page_ranges;   // empty: all pages
  int number_up = 1;                    // 1, 2, 4, 6, 9, 16
  std::string number_up_layout = "lrtb";
  bool fit_to_page = false;             // fit-to-page or print-scaling=fit/fill
  std::string media;                    // PWG self-describing name, "" = printer default
  double media_width_pt = 0;            // from media, 0 when unknown
  double media_length_pt = 0;
  std::string media_source;             // "tray-1", "" = auto
  std::string sides = "one-sided";      // one-sided, two-sided-long-edge, two-sided-short-edge
  int orientation = 0;                  // 0 none, 3 portrait, 4 landscape, 5 rev-landscape, 6 rev-portrait
  std::string color_mode;               // "monochrome", "color", "" = printer default
  int quality = 4;                      // print-quality: 3 draft, 4 normal, 5 high
  int resolution_dpi = 0;               // printer-resolution, 0 = from quality
  std::string job_sheets = "none";      // first value of job-sheets: none, standard
  bool is_duplex() const { return sides != "one-sided"; }
  bool selects_all_pages() const { return page_ranges.empty(); }
  // Whether page `n` (1-based) is in page_ranges.
  bool selects(int n) const;
  // Whether anything asks for the document itself to change (so a document the
  // printer takes as it is still goes through a filter).
  bool transforms_document() const;
};

// Parses CUPS's options string (cupsParseOptions quoting). Unknown names are ignored;
// bad values keep the defaults. CUPS's legacy names are understood too (Collate,
// PageSize, Duplex, landscape, ...).
JobOptions parse_job_options(std::string_view options, int copies_argument);

// CUPS's options string for a job's attributes (as cupsd builds argv[5]): every
// job-template attribute the client sent, "name=value", values separated by commas,
// control characters replaced by spaces so nothing can fake a status line.
std::string job_options_string(const IppMessage& job_attributes);

// The options string without what changes the document's pages (copies, collate,
// page-ranges, number-up, number-up-layout): for filters after the one that applied them.
std::string options_without_layout(std::string_view options);

// "1-3,5,7-" style text from page-ranges; empty for all pages.
std::string page_list_text(const std::vector<PageRange>& ranges);

// A title, user or option made safe to hand to a child: control characters become
// spaces (a newline in a job name must never become a line of a filter's stderr).
std::string sanitize_for_child(std::string_view text);

// Impressions of one copy of a document of `pages` pages once the ranges and N-up
// apply.
int impressions_per_copy(const JobOptions& options, int pages);

}  // namespace quire
