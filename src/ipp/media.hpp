// Media sizes for the printer description: PWG 5101.1 names and their dimensions (via
// libcups's pwg tables), the media-col collections built from them, and the media
// attributes a printer advertises. Pure functions; safe from any thread.
#pragma once

#include "quire/ipp_message.hpp"
#include "quire/printer_attributes.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quire::media {

// One media size: its PWG self-describing name and dimensions in hundredths of mm.
struct MediaSize {
  std::string name;  // "iso_a4_210x297mm"
  int width = 0;
  int length = 0;
};

// Printable-area margins in hundredths of mm (1/4" sides, 1/2" top and bottom, like
// CUPS's generic drivers). Not configurable yet.
inline constexpr int kSideMargin = 635;
inline constexpr int kTopBottomMargin = 1270;

// How far (hundredths of mm) a requested media-size may be from a supported one and
// still match it: libcups's own tolerance.
inline constexpr int kSizeTolerance = 50;

inline constexpr std::string_view kSourceDefault = "auto";
inline constexpr std::array<std::string_view, 1> kSources = {"auto"};
inline constexpr std::string_view kTypeDefault = "stationery";
inline constexpr std::array<std::string_view, 2> kTypes = {"auto", "stationery"};

// The member attributes of media-col this printer understands (media-col-supported).
inline constexpr std::array<std::string_view, 8> kColMembers = {
    "media-bottom-margin", "media-left-margin", "media-right-margin", "media-size",
    "media-size-name",     "media-source",      "media-top-margin",   "media-type"};

// Used when a printer's configuration names no media.
inline constexpr std::array<std::string_view, 8> kBuiltInMedia = {
    "iso_a4_210x297mm", "na_letter_8.5x11in",       "na_legal_8.5x14in",       "iso_a5_148x210mm",
    "na_executive_7.25x10.5in", "iso_dl_110x220mm", "na_number-10_4.125x9.5in", "na_index-4x6_4x6in"};

// Looks up a media size by PWG name ("iso_a4_210x297mm"), legacy IPP name ("iso-a4")
// or PPD name ("A4"); the result always carries the PWG name.
std::optional<MediaSize> find_size(std::string_view name);

// The printer's media-supported, as PWG names, in configured order, without duplicates.
// Names libcups cannot size are left out (media-supported must be self-describing).
// Never empty: kBuiltInMedia when nothing usable is configured.
std::vector<MediaSize> supported_sizes(const PrinterDescription& printer);

// media-default: the configured default when it is supported, else the first supported.
MediaSize default_size(const PrinterDescription& printer, const std::vector<MediaSize>& supported);

// The supported size within kSizeTolerance of x by y, or nullptr.
const MediaSize* match_size(const std::vector<MediaSize>& supported, int x, int y);

// A media-col value: media-size (and media-size-name), margins, source and type.
IppMessage make_media_col(const MediaSize& size);

// Adds media-default/-supported/-ready, media-col-default/-ready/-database/-supported,
// media-size-supported, media-{source,type}-supported and the margin -supported
// attributes, in IPP_TAG_PRINTER.
void add_media_attributes(IppMessage& out, const PrinterDescription& printer);

}  // namespace quire::media
