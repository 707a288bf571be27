// AttributeWriter: adds to a response only the attributes requested-attributes asks
// for, building nothing else. Get-Jobs and CUPS-Get-Printers answer for thousands of
// jobs or printers; every attribute built costs libcups string-pool work (a global
// sorted array) when added and again when freed, wanted or not.
#pragma once

#include "quire/ipp_message.hpp"
#include "quire/printer_attributes.hpp"

#include <algorithm>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

// Writes into one group of `out`; lives for one job or printer. Not thread-safe.
class AttributeWriter {
 public:
  AttributeWriter(IppMessage& out, const RequestedAttributes& wanted, ipp_tag_t group)
      : out_(out), wanted_(wanted), group_(group) {}

  // False when `name` is not wanted; otherwise it counts as written by the caller.
  bool take(std::string_view name) {
    if (!wanted_.wants(name)) return false;
    written_.push_back(name);
    return true;
  }
  bool written(std::string_view name) const {
    return std::find(written_.begin(), written_.end(), name) != written_.end();
  }

  void string(ipp_tag_t tag, const char* name, std::string_view value) {
    if (take(name)) out_.add_string(group_, tag, name, value);
  }
  void strings(ipp_tag_t tag, const char* name, const std::vector<std::string>& values) {
    if (take(name)) out_.add_strings(group_, tag, name, values);
  }
  void integer(ipp_tag_t tag, const char* name, int value) {
    if (take(name)) out_.add_integer(group_, tag, name, value);
  }
  void boolean(const char* name, bool value) {
    if (take(name)) out_.add_boolean(group_, name, value);
  }
  void date(const char* name, std::int64_t t) {
    if (take(name)) ippAddDate(out_.get(), group_, name, ippTimeToDate(static_cast<time_t>(t)));
  }
  void no_value(const char* name) {
    if (take(name)) ippAddOutOfBand(out_.get(), group_, IPP_TAG_NOVALUE, name);
  }
  IppMessage& out() { return out_; }
  ipp_tag_t group() const { return group_; }

 private:
  IppMessage& out_;
  const RequestedAttributes& wanted_;
  ipp_tag_t group_;
  std::vector<std::string_view> written_;  // one job's or printer's names: a few dozen at most
};

}  // namespace quire
