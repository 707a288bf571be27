// Checks a job creation request's job template attributes (and the operation
// attributes that shape the job) against what the printer advertises. The value sets
// come from printer_capabilities.hpp and media.hpp, as the advertised ones do.
//
// Outcomes, strongest first: a wrong value tag, a wrong number of values or a malformed
// value (page-ranges out of order, media-col without dimensions) is a bad request and
// ends the check; an unsupported document-format or compression has its own status;
// any other unsupported value is reported in the unsupported group and
// ipp-attribute-fidelity picks between ignoring it and refusing the job.
#include "quire/hold_until.hpp"
#include "quire/printer_attributes.hpp"

#include "ipp/attribute_groups.hpp"
#include "ipp/media.hpp"
#include "ipp/printer_capabilities.hpp"

#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

namespace quire {
namespace {

namespace caps = capabilities;

enum class Verdict { kOk, kUnsupported, kBadRequest };

struct Finding {
  Verdict verdict = Verdict::kOk;
  std::string message;
};

struct Context {
  const PrinterDescription& printer;
  std::vector<media::MediaSize> sizes;
};

Finding ok() { return {}; }

// The values as text, short enough for a status-message (text(255)). libcups cuts at a
// byte count, so a partial UTF-8 sequence at the end is dropped.
std::string value_text(ipp_attribute_t* attr) {
  char buffer[128];
  ippAttributeString(attr, buffer, sizeof(buffer));
  std::string text = buffer;
  if (text.size() + 1 >= sizeof(buffer))
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80)) text.pop_back();
  return text;
}

Finding unsupported(ipp_attribute_t* attr) {
  return {Verdict::kUnsupported,
          "Unsupported " + std::string(attribute_name(attr)) + " value \"" + value_text(attr) + "\"."};
}

Finding bad_request(ipp_attribute_t* attr, std::string_view why) {
  return {Verdict::kBadRequest, "Bad " + std::string(attribute_name(attr)) + ": " + std::string(why) + "."};
}

bool has_tag(ipp_attribute_t* attr, std::initializer_list<ipp_tag_t> tags) {
  ipp_tag_t tag = ippGetValueTag(attr);
  for (ipp_tag_t t : tags)
    if (t == tag) return true;
  return false;
}

// keyword, or also name(WithLanguage) where the syntax is "type2 keyword | name".
bool has_keyword_tag(ipp_attribute_t* attr, bool name_allowed) {
  if (name_allowed) return has_tag(attr, {IPP_TAG_KEYWORD, IPP_TAG_NAME, IPP_TAG_NAMELANG});
  return has_tag(attr, {IPP_TAG_KEYWORD});
}

std::string_view string_at(ipp_attribute_t* attr, int i) {
  const char* s = ippGetString(attr, i, nullptr);
  return s ? std::string_view(s) : std::string_view();
}

// A single keyword (or name) value that must be one of `allowed`.
template <typename Range>
Finding check_one_keyword(ipp_attribute_t* attr, const Range& allowed, bool name_allowed) {
  if (!has_keyword_tag(attr, name_allowed)) return bad_request(attr, "wrong value tag");
  if (ippGetCount(attr) != 1) return bad_request(attr, "expected one value");
  return caps::contains(allowed, string_at(attr, 0)) ? ok() : unsupported(attr);
}

// Enum or integer values that must each be one of `allowed`.
template <typename Range>
Finding check_integers(ipp_attribute_t* attr, ipp_tag_t tag, const Range& allowed, bool multiple) {
  if (!has_tag(attr, {tag})) return bad_request(attr, "wrong value tag");
  if (!multiple && ippGetCount(attr) != 1) return bad_request(attr, "expected one value");
  for (int i = 0, n = ippGetCount(attr); i < n; ++i)
    if (!caps::contains(allowed, ippGetInteger(attr, i))) return unsupported(attr);
  return ok();
}

Finding check_integer_range(ipp_attribute_t* attr, int lower, int upper) {
  if (!has_tag(attr, {IPP_TAG_INTEGER})) return bad_request(attr, "wrong value tag");
  if (ippGetCount(attr) != 1) return bad_request(attr, "expected one value");
  int value = ippGetInteger(attr, 0);
  return value >= lower && value <= upper ? ok() : unsupported(attr);
}

Finding check_job_hold_until(ipp_attribute_t* attr, const Context&) {
  if (!has_keyword_tag(attr, true)) return bad_request(attr, "wrong value tag");
  if (ippGetCount(attr) != 1) return bad_request(attr, "expected one value");
  std::string_view value = string_at(attr, 0);
  return is_valid_hold_until(value) ? ok() : unsupported(attr);
}

// One value, or CUPS's two (start and end banner).
Finding check_job_sheets(ipp_attribute_t* attr, const Context&) {
  if (!has_keyword_tag(attr, true)) return bad_request(attr, "wrong value tag");
  if (ippGetCount(attr) < 1 || ippGetCount(attr) > 2) return bad_request(attr, "expected one or two values");
  for (int i = 0; i < ippGetCount(attr); ++i)
    if (!caps::contains(caps::kJobSheets, string_at(attr, i))) return unsupported(attr);
  return ok();
}

// RFC 8011 5.2.7: ranges must ascend and not overlap, else the request is bad.
Finding check_page_ranges(ipp_attribute_t* attr, const Context&) {
  if (!has_tag(attr, {IPP_TAG_RANGE})) return bad_request(attr, "wrong value tag");
  int next_allowed = 1;
  for (int i = 0, n = ippGetCount(attr); i < n; ++i) {
    int upper = 0;
    int lower = ippGetRange(attr, i, &upper);
    if (lower < next_allowed || lower > upper)
      return bad_request(attr, "ranges must be ascending, non-overlapping and start at 1 or later");
    next_allowed = upper + 1;
  }
  return ok();
}

Finding check_printer_resolution(ipp_attribute_t* attr, const Context& ctx) {
  if (!has_tag(attr, {IPP_TAG_RESOLUTION})) return bad_request(attr, "wrong value tag");
  if (ippGetCount(attr) != 1) return bad_request(attr, "expected one value");
  int yres = 0;
  ipp_res_t units = IPP_RES_PER_INCH;
  int xres = ippGetResolution(attr, 0, &yres, &units);
  if (units == IPP_RES_PER_CM) {
    xres = static_cast<int>(std::lround(xres * 2.54));
    yres = static_cast<int>(std::lround(yres * 2.54));
  }
  return xres == yres && caps::contains(caps::resolutions(ctx.printer), xres) ? ok() : unsupported(attr);
}

// A media keyword names a size (PWG, legacy or PPD name), a source or a type.
bool is_supported_media_keyword(std::string_view value, const Context& ctx) {
  if (caps::contains(media::kSources, value) || caps::contains(media::kTypes, value)) return true;
  auto size = media::find_size(value);
  return size && media::match_size(ctx.sizes, size->width, size->length) != nullptr;
}

// RFC 8011 media is one value; CUPS clients send "size,source,type" as several.
Finding check_media(ipp_attribute_t* attr, const Context& ctx) {
  if (!has_keyword_tag(attr, true)) return bad_request(attr, "wrong value tag");
  int sizes = 0;
  for (int i = 0, n = ippGetCount(attr); i < n; ++i) {
    std::string_view value = string_at(attr, i);
    if (!is_supported_media_keyword(value, ctx)) return unsupported(attr);
    if (media::find_size(value)) ++sizes;
  }
  return sizes <= 1 ? ok() : unsupported(attr);
}

Finding check_media_size(ipp_attribute_t* member, const Context& ctx) {
  if (!has_tag(member, {IPP_TAG_BEGIN_COLLECTION}) || ippGetCount(member) != 1)
    return bad_request(member, "media-size must be one collection");
  ipp_t* size = ippGetCollection(member, 0);
  ipp_attribute_t* x = ippFindAttribute(size, "x-dimension", IPP_TAG_ZERO);
  ipp_attribute_t* y = ippFindAttribute(size, "y-dimension", IPP_TAG_ZERO);
  if (!x || !y || ippGetValueTag(x) != IPP_TAG_INTEGER || ippGetValueTag(y) != IPP_TAG_INTEGER ||
      ippGetCount(x) != 1 || ippGetCount(y) != 1)
    return bad_request(member, "media-size needs integer x-dimension and y-dimension");
  return media::match_size(ctx.sizes, ippGetInteger(x, 0), ippGetInteger(y, 0)) ? ok() : unsupported(member);
}

Finding check_margin(ipp_attribute_t* member, int supported) {
  if (!has_tag(member, {IPP_TAG_INTEGER}) || ippGetCount(member) != 1)
    return bad_request(member, "a margin is one integer");
  return ippGetInteger(member, 0) == supported ? ok() : unsupported(member);
}

Finding check_media_col_member(ipp_attribute_t* member, const Context& ctx) {
  std::string_view name = attribute_name(member);
  if (name == "media-size") return check_media_size(member, ctx);
  if (name == "media-size-name") {
    if (!has_keyword_tag(member, true) || ippGetCount(member) != 1)
      return bad_request(member, "media-size-name is one keyword");
    auto size = media::find_size(string_at(member, 0));
    return size && media::match_size(ctx.sizes, size->width, size->length) ? ok() : unsupported(member);
  }
  if (name == "media-source") return check_one_keyword(member, media::kSources, true);
  if (name == "media-type") return check_one_keyword(member, media::kTypes, true);
  if (name == "media-left-margin" || name == "media-right-margin") return check_margin(member, media::kSideMargin);
  if (name == "media-top-margin" || name == "media-bottom-margin")
    return check_margin(member, media::kTopBottomMargin);
  return unsupported(member);  // a member media-col-supported does not list
}

Finding check_media_col(ipp_attribute_t* attr, const Context& ctx) {
  if (!has_tag(attr, {IPP_TAG_BEGIN_COLLECTION})) return bad_request(attr, "wrong value tag");
  if (ippGetCount(attr) != 1) return bad_request(attr, "expected one value");
  ipp_t* col = ippGetCollection(attr, 0);
  Finding result;
  for (ipp_attribute_t* m = ippFirstAttribute(col); m; m = ippNextAttribute(col)) {
    Finding f = check_media_col_member(m, ctx);
    if (f.verdict == Verdict::kBadRequest) return {f.verdict, "Bad media-col: " + f.message};
    if (f.verdict == Verdict::kUnsupported && result.verdict == Verdict::kOk) result = unsupported(attr);
  }
  return result;
}

using Check = Finding (*)(ipp_attribute_t*, const Context&);

struct Rule {
  std::string_view name;
  Check check;
};

// The job template attributes Quire advertises (job-creation-attributes-supported).
constexpr Rule kJobTemplateRules[] = {
    {"copies", [](ipp_attribute_t* a, const Context&) { return check_integer_range(a, 1, kMaxCopies); }},
    {"finishings",
     [](ipp_attribute_t* a, const Context&) {
       return check_integers(a, IPP_TAG_ENUM, caps::kFinishings, true);
     }},
    {"job-hold-until", check_job_hold_until},
    {"job-priority",
     [](ipp_attribute_t* a, const Context&) {
       return check_integer_range(a, caps::kJobPriorityMin, caps::kJobPriorityMax);
     }},
    {"job-sheets", check_job_sheets},
    {"media", check_media},
    {"media-col", check_media_col},
    {"multiple-document-handling",
     [](ipp_attribute_t* a, const Context&) {
       return check_one_keyword(a, caps::kMultipleDocumentHandling, false);
     }},
    {"number-up",
     [](ipp_attribute_t* a, const Context&) {
       return check_integers(a, IPP_TAG_INTEGER, caps::kNumberUp, false);
     }},
    {"orientation-requested",
     [](ipp_attribute_t* a, const Context&) {
       return check_integers(a, IPP_TAG_ENUM, caps::kOrientations, false);
     }},
    {"output-bin",
     [](ipp_attribute_t* a, const Context&) { return check_one_keyword(a, caps::kOutputBins, true); }},
    {"page-ranges", check_page_ranges},
    {"print-color-mode",
     [](ipp_attribute_t* a, const Context& c) {
       return check_one_keyword(a, caps::color_modes(c.printer), false);
     }},
    {"print-quality",
     [](ipp_attribute_t* a, const Context&) {
       return check_integers(a, IPP_TAG_ENUM, caps::kPrintQuality, false);
     }},
    {"print-scaling",
     [](ipp_attribute_t* a, const Context&) { return check_one_keyword(a, caps::kPrintScaling, false); }},
    {"printer-resolution", check_printer_resolution},
    {"sides",
     [](ipp_attribute_t* a, const Context& c) { return check_one_keyword(a, caps::sides(c.printer), false); }},
};

Finding check_job_attribute(ipp_attribute_t* attr, const Context& ctx) {
  std::string_view name = attribute_name(attr);
  for (const Rule& rule : kJobTemplateRules)
    if (rule.name == name) return rule.check(attr, ctx);
  if (is_job_status_attribute(name))
    return {Verdict::kUnsupported, "The \"" + std::string(name) + "\" attribute cannot be supplied by a client."};
  return ok();  // not ours to judge: a driver option the filters may read
}

// What the operation attributes decide: fidelity, and the statuses that win over it.
struct OperationOutcome {
  bool fidelity = false;
  ipp_status_t status = IPP_STATUS_OK;  // set when something beats the fidelity rule
  Finding finding;
  ipp_attribute_t* offender = nullptr;
};

void record(OperationOutcome& out, ipp_attribute_t* attr, ipp_status_t status, Finding finding) {
  if (out.status != IPP_STATUS_OK && status != IPP_STATUS_ERROR_BAD_REQUEST) return;
  out.status = status;
  out.finding = std::move(finding);
  out.offender = attr;
}

void check_operation_attribute(ipp_attribute_t* attr, const Context& ctx, OperationOutcome& out) {
  std::string_view name = attribute_name(attr);
  const bool one = ippGetCount(attr) == 1;
  if (name == "ipp-attribute-fidelity") {
    if (!has_tag(attr, {IPP_TAG_BOOLEAN}) || !one)
      return record(out, attr, IPP_STATUS_ERROR_BAD_REQUEST, bad_request(attr, "expected one boolean"));
    out.fidelity = ippGetBoolean(attr, 0) != 0;
  } else if (name == "job-name") {
    if (!has_tag(attr, {IPP_TAG_NAME, IPP_TAG_NAMELANG}) || !one)
      return record(out, attr, IPP_STATUS_ERROR_BAD_REQUEST, bad_request(attr, "expected one name"));
  } else if (name == "compression") {
    Finding f = check_one_keyword(attr, caps::kCompression, false);
    if (f.verdict == Verdict::kBadRequest) return record(out, attr, IPP_STATUS_ERROR_BAD_REQUEST, f);
    if (f.verdict == Verdict::kUnsupported) record(out, attr, IPP_STATUS_ERROR_COMPRESSION_NOT_SUPPORTED, f);
  } else if (name == "document-format") {
    if (!has_tag(attr, {IPP_TAG_MIMETYPE}) || !one)
      return record(out, attr, IPP_STATUS_ERROR_BAD_REQUEST, bad_request(attr, "expected one mimeMediaType"));
    if (!caps::contains(caps::document_formats(ctx.printer), std::string(string_at(attr, 0))))
      record(out, attr, IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED, unsupported(attr));
  }
}

// status-message is an operation attribute, and the operation group must come before
// the unsupported group: it is added before the first unsupported attribute and
// rewritten in place when a later problem ends the request.
void set_status_message(IppMessage& response, const std::string& text) {
  if (ipp_attribute_t* existing = response.find("status-message", IPP_TAG_OPERATION))
    ippSetString(response.get(), &existing, 0, text.c_str());
  else
    response.add_status_message(text);
}

// The first problem names the status message, unless a later one ends the request.
void report(IppMessage& unsupported_out, ipp_attribute_t* attr, std::string* message, const Finding& finding,
            bool& message_set) {
  if (!message_set || finding.verdict == Verdict::kBadRequest) {
    set_status_message(unsupported_out, finding.message);
    if (message) *message = finding.message;
    message_set = true;
  }
  unsupported_out.copy_attribute(attr, IPP_TAG_UNSUPPORTED_GROUP);
}

// Both media and media-col: PWG 5100.3 makes that a bad request, not a choice.
ipp_attribute_t* find_media_conflict(const std::vector<ipp_attribute_t*>& job_attrs) {
  ipp_attribute_t* media = nullptr;
  ipp_attribute_t* media_col = nullptr;
  for (ipp_attribute_t* a : job_attrs) {
    if (attribute_name(a) == "media") media = a;
    if (attribute_name(a) == "media-col") media_col = a;
  }
  return media && media_col ? media_col : nullptr;
}

}  // namespace

ipp_status_t check_job_template(const IppMessage& request, const PrinterDescription& printer,
                                IppMessage& unsupported_out, std::string* status_message) {
  if (status_message) status_message->clear();
  const Context ctx{printer, media::supported_sizes(printer)};
  // Collected first: the checks below look at other attributes, which would move the
  // request's libcups cursor under a loop still walking it.
  std::vector<ipp_attribute_t*> operation_attrs;
  std::vector<ipp_attribute_t*> job_attrs;
  for (ipp_attribute_t* a = ippFirstAttribute(request.get()); a; a = ippNextAttribute(request.get())) {
    if (!ippGetName(a)) continue;
    if (ippGetGroupTag(a) == IPP_TAG_OPERATION) operation_attrs.push_back(a);
    if (ippGetGroupTag(a) == IPP_TAG_JOB) job_attrs.push_back(a);
  }

  bool message_set = false;
  OperationOutcome op;
  for (ipp_attribute_t* a : operation_attrs) check_operation_attribute(a, ctx, op);
  if (op.offender) {
    report(unsupported_out, op.offender, status_message, op.finding, message_set);
    if (op.status == IPP_STATUS_ERROR_BAD_REQUEST) return op.status;
  }
  if (ipp_attribute_t* conflict = find_media_conflict(job_attrs)) {
    report(unsupported_out, conflict, status_message,
           {Verdict::kBadRequest, "Bad request: both media and media-col were supplied."}, message_set);
    return IPP_STATUS_ERROR_BAD_REQUEST;
  }

  bool any_unsupported = false;
  for (ipp_attribute_t* a : job_attrs) {
    Finding f = check_job_attribute(a, ctx);
    if (f.verdict == Verdict::kOk) continue;
    report(unsupported_out, a, status_message, f, message_set);
    if (f.verdict == Verdict::kBadRequest) return IPP_STATUS_ERROR_BAD_REQUEST;
    any_unsupported = true;
  }
  if (op.status != IPP_STATUS_OK) return op.status;
  if (!any_unsupported) return IPP_STATUS_OK;
  return op.fidelity ? IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES : IPP_STATUS_OK_IGNORED_OR_SUBSTITUTED;
}

}  // namespace quire
