// Media sizes and the media attributes of a printer description.
#include "ipp/media.hpp"

#include <cups/pwg.h>

#include <cstdlib>

namespace quire::media {
namespace {

std::optional<MediaSize> from_pwg(const pwg_media_t* m) {
  if (!m || !m->pwg || m->width <= 0 || m->length <= 0) return std::nullopt;
  return MediaSize{m->pwg, m->width, m->length};
}

bool has_size(const std::vector<MediaSize>& sizes, std::string_view name) {
  for (const auto& s : sizes)
    if (s.name == name) return true;
  return false;
}

IppMessage make_size_col(const MediaSize& size) {
  IppMessage col;
  col.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "x-dimension", size.width);
  col.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "y-dimension", size.length);
  return col;
}

// Adds one attribute whose values are the collections in `cols`. ippAddCollections
// takes its own reference on each, so `cols` may die afterwards.
void add_collections(IppMessage& out, std::string_view name, const std::vector<IppMessage>& cols) {
  std::vector<const ipp_t*> values;
  values.reserve(cols.size());
  for (const auto& c : cols) values.push_back(c.get());
  ippAddCollections(out.get(), IPP_TAG_PRINTER, std::string(name).c_str(), static_cast<int>(values.size()),
                    values.data());
}

std::vector<std::string> to_strings(auto const& range) {
  return std::vector<std::string>(range.begin(), range.end());
}

}  // namespace

std::optional<MediaSize> find_size(std::string_view name) {
  if (name.empty()) return std::nullopt;
  std::string key(name);
  // PWG names first: pwgMediaForPPD would also accept some of them with other meanings.
  if (auto m = from_pwg(pwgMediaForPWG(key.c_str()))) return m;
  if (auto m = from_pwg(pwgMediaForLegacy(key.c_str()))) return m;
  return from_pwg(pwgMediaForPPD(key.c_str()));
}

std::vector<MediaSize> supported_sizes(const PrinterDescription& printer) {
  std::vector<MediaSize> sizes;
  for (const auto& name : printer.media_supported) {
    auto size = find_size(name);
    if (size && !has_size(sizes, size->name)) sizes.push_back(std::move(*size));
  }
  if (sizes.empty()) {
    for (auto name : kBuiltInMedia)
      if (auto size = find_size(name)) sizes.push_back(std::move(*size));
  }
  return sizes;
}

MediaSize default_size(const PrinterDescription& printer, const std::vector<MediaSize>& supported) {
  if (auto wanted = find_size(printer.media_default)) {
    for (const auto& s : supported)
      if (s.name == wanted->name) return s;
  }
  return supported.front();
}

const MediaSize* match_size(const std::vector<MediaSize>& supported, int x, int y) {
  for (const auto& s : supported)
    if (std::abs(s.width - x) <= kSizeTolerance && std::abs(s.length - y) <= kSizeTolerance) return &s;
  return nullptr;
}

IppMessage make_media_col(const MediaSize& size) {
  IppMessage col;
  ippAddCollection(col.get(), IPP_TAG_ZERO, "media-size", make_size_col(size).get());
  col.add_string(IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-size-name", size.name);
  col.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "media-bottom-margin", kTopBottomMargin);
  col.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "media-left-margin", kSideMargin);
  col.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "media-right-margin", kSideMargin);
  col.add_integer(IPP_TAG_ZERO, IPP_TAG_INTEGER, "media-top-margin", kTopBottomMargin);
  col.add_string(IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-source", kSourceDefault);
  col.add_string(IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-type", kTypeDefault);
  return col;
}

void add_media_attributes(IppMessage& out, const PrinterDescription& printer) {
  const auto sizes = supported_sizes(printer);
  const auto fallback = default_size(printer, sizes);
  constexpr ipp_tag_t kPrinter = IPP_TAG_PRINTER;

  std::vector<std::string> names;
  std::vector<IppMessage> size_cols;
  std::vector<IppMessage> database;
  for (const auto& s : sizes) {
    names.push_back(s.name);
    size_cols.push_back(make_size_col(s));
    database.push_back(make_media_col(s));
  }
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "media-default", fallback.name);
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "media-supported", names);
  // Nothing reports which media is loaded, so the default is what we call ready.
  out.add_string(kPrinter, IPP_TAG_KEYWORD, "media-ready", fallback.name);

  ippAddCollection(out.get(), kPrinter, "media-col-default", make_media_col(fallback).get());
  ippAddCollection(out.get(), kPrinter, "media-col-ready", make_media_col(fallback).get());
  add_collections(out, "media-col-database", database);
  add_collections(out, "media-size-supported", size_cols);
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "media-col-supported", to_strings(kColMembers));
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "media-source-supported", to_strings(kSources));
  out.add_strings(kPrinter, IPP_TAG_KEYWORD, "media-type-supported", to_strings(kTypes));
  out.add_integer(kPrinter, IPP_TAG_INTEGER, "media-bottom-margin-supported", kTopBottomMargin);
  out.add_integer(kPrinter, IPP_TAG_INTEGER, "media-left-margin-supported", kSideMargin);
  out.add_integer(kPrinter, IPP_TAG_INTEGER, "media-right-margin-supported", kSideMargin);
  out.add_integer(kPrinter, IPP_TAG_INTEGER, "media-top-margin-supported", kTopBottomMargin);
}

}  // namespace quire::media
