// Job options: CUPS's options string both ways (attributes → argv[5] → JobOptions).
#include "pipeline/job_options.hpp"

#include <cups/cups.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace quire {
namespace {

// Job attributes that are not print options (cupsd leaves the same out of argv[5]).
bool is_option_attribute(std::string_view name) {
  static const char* const kSkip[] = {
      "job-name", "job-originating-user-name", "job-originating-host-name", "job-uuid", "job-id", "job-uri",
      "job-state", "job-state-reasons", "job-k-octets", "job-impressions", "job-media-sheets", "document-name",
      "ipp-attribute-fidelity", "job-priority", "job-hold-until", "job-printer-uri", "time-at-creation",
      "document-format", "compression", "job-password", "job-password-encryption", "attributes-charset",
      "attributes-natural-language", "requesting-user-name", "job-authorization-uri"};
  return std::none_of(std::begin(kSkip), std::end(kSkip), [&](const char* s) { return name == s; });
}

bool is_true(const char* v) {
  return v && (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") || !*v);
}

std::vector<PageRange> parse_ranges(const char* text) {
  std::vector<PageRange> out;
  const char* p = text;
  while (p && *p) {
    char* end = nullptr;
    long first = std::strtol(p, &end, 10);
    if (end == p) first = 1;  // "-5"
    long last = first;
    p = end;
    if (*p == '-') {
      ++p;
      last = std::strtol(p, &end, 10);
      if (end == p) last = INT_MAX;
      p = end;
    }
    if (first < 1 || last < first) return {};
    out.push_back({static_cast<int>(first), static_cast<int>(std::min<long>(last, INT_MAX))});
    if (*p == ',') ++p;
    else if (*p) return {};
  }
  return out;
}

void apply_media(JobOptions& o, const char* value) {
  // "media" may carry size, source and type, comma-separated (CUPS style).
  std::string all(value);
  std::size_t start = 0;
  while (start <= all.size()) {
    auto comma = all.find(',', start);
    std::string part = all.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? all.size() + 1 : comma + 1;
    if (part.empty()) continue;
    pwg_media_t* m = pwgMediaForPWG(part.c_str());
    if (!m) m = pwgMediaForLegacy(part.c_str());
    if (!m) m = pwgMediaForPPD(part.c_str());
    if (m) {
      o.media = m->pwg;
      o.media_width_pt = m->width * 72.0 / 2540.0;
      o.media_length_pt = m->length * 72.0 / 2540.0;
    } else if (part.rfind("tray", 0) == 0 || part == "auto" || part == "manual" || part.find("-") != std::string::npos) {
      o.media_source = part;
    }
  }
}

void apply_option(JobOptions& o, const char* name, const char* v) {
  std::string_view n = name;
  if (n == "copies") o.copies = std::clamp(std::atoi(v), 1, 9999);
  else if (n == "multiple-document-handling") o.collate = std::strcmp(v, "separate-documents-uncollated-copies") != 0;
  else if (n == "collate" || n == "Collate") o.collate = is_true(v);
  else if (n == "page-ranges") o.page_ranges = parse_ranges(v);
  else if (n == "number-up") {
    int up = std::atoi(v);
    if (up == 1 || up == 2 || up == 4 || up == 6 || up == 9 || up == 16) o.number_up = up;
  } else if (n == "number-up-layout") o.number_up_layout = v;
  else if (n == "fit-to-page") o.fit_to_page = is_true(v);
  else if (n == "print-scaling") o.fit_to_page = !std::strcmp(v, "fit") || !std::strcmp(v, "fill");
  else if (n == "media" || n == "PageSize") apply_media(o, v);
  else if (n == "media-source" || n == "InputSlot") o.media_source = v;
  else if (n == "sides") o.sides = v;
  else if (n == "Duplex") o.sides = !strcasecmp(v, "DuplexNoTumble") ? "two-sided-long-edge"
                                    : !strcasecmp(v, "DuplexTumble") ? "two-sided-short-edge" : "one-sided";
  else if (n == "orientation-requested") o.orientation = std::atoi(v) ? std::atoi(v) : ippEnumValue("orientation-requested", v);
  else if (n == "landscape") o.orientation = is_true(v) ? 4 : o.orientation;
  else if (n == "print-color-mode") o.color_mode = v;
  else if (n == "ColorModel") o.color_mode = !strcasecmp(v, "Gray") ? "monochrome" : "color";
  else if (n == "print-quality") o.quality = std::atoi(v) ? std::atoi(v) : ippEnumValue("print-quality", v);
  else if (n == "printer-resolution" || n == "Resolution") o.resolution_dpi = std::atoi(v);
  else if (n == "job-sheets") {
    std::string s = v;
    o.job_sheets = s.substr(0, s.find(','));
  }
}

std::string attribute_text(ipp_attribute_t* a) {
  std::string name = ippGetName(a);
  ipp_tag_t tag = ippGetValueTag(a);
  int count = ippGetCount(a);
  if (name == "media-col" && tag == IPP_TAG_BEGIN_COLLECTION) {
    ipp_t* col = ippGetCollection(a, 0);
    std::string out;
    if (ipp_attribute_t* size = ippFindAttribute(col, "media-size", IPP_TAG_BEGIN_COLLECTION)) {
      ipp_t* s = ippGetCollection(size, 0);
      ipp_attribute_t* x = ippFindAttribute(s, "x-dimension", IPP_TAG_INTEGER);
      ipp_attribute_t* y = ippFindAttribute(s, "y-dimension", IPP_TAG_INTEGER);
      if (x && y)
        if (pwg_media_t* m = pwgMediaForSize(ippGetInteger(x, 0), ippGetInteger(y, 0))) out = m->pwg;
    }
    if (ipp_attribute_t* src = ippFindAttribute(col, "media-source", IPP_TAG_ZERO)) {
      if (!out.empty()) out += ",";
      out += ippGetString(src, 0, nullptr);
    }
    return out;
  }
  std::string out;
  for (int i = 0; i < count; ++i) {
    if (i) out += ",";
    char buf[256];
    switch (tag) {
      case IPP_TAG_INTEGER:
      case IPP_TAG_ENUM:
        out += std::to_string(ippGetInteger(a, i));
        break;
      case IPP_TAG_BOOLEAN:
        out += ippGetBoolean(a, i) ? "true" : "false";
        break;
      case IPP_TAG_RANGE: {
        int upper = 0;
        int lower = ippGetRange(a, i, &upper);
        out += std::to_string(lower) + "-" + std::to_string(upper);
        break;
      }
      case IPP_TAG_RESOLUTION: {
        ipp_res_t units;
        int y = 0;
        int x = ippGetResolution(a, i, &y, &units);
        out += std::to_string(x) + (x == y ? "" : "x" + std::to_string(y)) + (units == IPP_RES_PER_INCH ? "dpi" : "dpcm");
        break;
      }
      case IPP_TAG_BEGIN_COLLECTION:
        ippAttributeString(a, buf, sizeof buf);
        return buf;
      default:
        if (const char* s = ippGetString(a, i, nullptr)) out += s;
    }
  }
  return out;
}

// Quotes a value for cupsParseOptions when it holds spaces, quotes or backslashes.
std::string quote_value(const std::string& v) {
  if (v.find_first_of(" \t'\"\\") == std::string::npos) return v;
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

bool JobOptions::selects(int n) const {
  if (page_ranges.empty()) return true;
  return std::any_of(page_ranges.begin(), page_ranges.end(), [n](const PageRange& r) { return n >= r.first && n <= r.last; });
}

bool JobOptions::transforms_document() const {
  return copies > 1 || !page_ranges.empty() || number_up > 1 || fit_to_page || orientation > 3 ||
         job_sheets != "none" || color_mode == "monochrome";
}

JobOptions parse_job_options(std::string_view text, int copies_argument) {
  JobOptions o;
  o.copies = std::clamp(copies_argument, 1, 9999);
  cups_option_t* options = nullptr;
  std::string copy(text);
  int n = cupsParseOptions(copy.c_str(), 0, &options);
  for (int i = 0; i < n; ++i) apply_option(o, options[i].name, options[i].value);
  cupsFreeOptions(n, options);
  return o;
}

std::string job_options_string(const IppMessage& job_attributes) {
  std::string out;
  if (!job_attributes) return out;
  for (ipp_attribute_t* a = ippFirstAttribute(job_attributes.get()); a; a = ippNextAttribute(job_attributes.get())) {
    const char* name = ippGetName(a);
    if (!name || ippGetGroupTag(a) != IPP_TAG_JOB || !is_option_attribute(name)) continue;
    std::string value = sanitize_for_child(attribute_text(a));
    std::string key = ippGetName(a) == std::string("media-col") ? "media" : name;
    if (!out.empty()) out += ' ';
    out += key + "=" + quote_value(value);
  }
  return out;
}

std::string options_without_layout(std::string_view text) {
  cups_option_t* options = nullptr;
  std::string copy(text);
  int n = cupsParseOptions(copy.c_str(), 0, &options);
  std::string out;
  for (int i = 0; i < n; ++i) {
    std::string_view name = options[i].name;
    if (name == "copies" || name == "collate" || name == "Collate" || name == "page-ranges" || name == "number-up" ||
        name == "number-up-layout" || name == "multiple-document-handling")
      continue;
    if (!out.empty()) out += ' ';
    out += std::string(name) + "=" + quote_value(options[i].value);
  }
  cupsFreeOptions(n, options);
  return out;
}

std::string page_list_text(const std::vector<PageRange>& ranges) {
  std::string out;
  for (const auto& r : ranges) {
    if (!out.empty()) out += ',';
    out += std::to_string(r.first);
    if (r.last != r.first) out += "-" + (r.last == INT_MAX ? std::string() : std::to_string(r.last));
  }
  return out;
}

std::string sanitize_for_child(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

int impressions_per_copy(const JobOptions& options, int pages) {
  int selected = 0;
  for (int p = 1; p <= pages; ++p)
    if (options.selects(p)) ++selected;
  return (selected + options.number_up - 1) / options.number_up;
}

}  // namespace quire
