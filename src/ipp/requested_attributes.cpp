// requested-attributes: which attributes a Get-* response carries, and the copy that
// filters a printer's or job's attributes down to them.
#include "quire/printer_attributes.hpp"

#include "ipp/attribute_copy.hpp"
#include "ipp/attribute_groups.hpp"

#include <vector>

namespace quire {
namespace {

ipp_t* copy_collection_deeply(ipp_t* source);

}  // namespace

void copy_attribute_deeply(ipp_t* dest, ipp_attribute_t* attr, ipp_tag_t group) {
  if (ippGetValueTag(attr) != IPP_TAG_BEGIN_COLLECTION) {
    ipp_attribute_t* copy = ippCopyAttribute(dest, attr, 0);
    if (copy && group != IPP_TAG_ZERO) ippSetGroupTag(dest, &copy, group);
    return;
  }
  const int count = ippGetCount(attr);
  std::vector<ipp_t*> values;
  values.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) values.push_back(copy_collection_deeply(ippGetCollection(attr, i)));
  ippAddCollections(dest, group == IPP_TAG_ZERO ? ippGetGroupTag(attr) : group, ippGetName(attr), count,
                    const_cast<const ipp_t**>(values.data()));
  for (ipp_t* v : values) ippDelete(v);  // the attribute holds its own reference now
}

namespace {

ipp_t* copy_collection_deeply(ipp_t* source) {
  ipp_t* copy = ippNew();
  if (!source) return copy;
  for (ipp_attribute_t* a = ippFirstAttribute(source); a; a = ippNextAttribute(source)) {
    if (ippGetName(a)) copy_attribute_deeply(copy, a, IPP_TAG_ZERO);
  }
  return copy;
}

}  // namespace

RequestedAttributes RequestedAttributes::from_list(std::string_view names) {
  RequestedAttributes r;
  while (!names.empty()) {
    std::size_t comma = names.find(',');
    r.add(names.substr(0, comma));
    names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
  }
  return r;
}

RequestedAttributes RequestedAttributes::from_request(const IppMessage& request, std::string_view default_group) {
  ipp_attribute_t* attr = request.find("requested-attributes", IPP_TAG_OPERATION);
  if (!attr || ippGetValueTag(attr) != IPP_TAG_KEYWORD) return from_list(default_group);
  RequestedAttributes r;
  for (const auto& keyword : attribute_strings(attr)) r.add(keyword);
  return r;
}

void RequestedAttributes::add(std::string_view keyword) {
  if (keyword.empty()) return;
  if (keyword == "all") {
    all_ = true;
  } else if (unsigned bit = attribute_group_bit(keyword)) {
    groups_ |= bit;
  } else {
    names_.emplace(keyword);
  }
}

bool RequestedAttributes::wants(std::string_view name) const {
  if (names_.contains(name)) return true;
  if (all_) return !is_explicit_only_attribute(name);
  return groups_ != 0 && is_in_attribute_groups(groups_, name);
}

void copy_requested(const IppMessage& source, IppMessage& dest, const RequestedAttributes& requested,
                    ipp_tag_t group) {
  ipp_t* from = source.get();
  for (ipp_attribute_t* a = ippFirstAttribute(from); a; a = ippNextAttribute(from)) {
    const char* name = ippGetName(a);
    if (name && requested.wants(name)) copy_attribute_deeply(dest.get(), a, group);
  }
}

}  // namespace quire
