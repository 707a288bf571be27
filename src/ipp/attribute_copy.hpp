// Copying one IPP attribute into another message so that the copy shares nothing with
// its source (requested_attributes.cpp): libcups shares collection values between
// messages through a reference count that is not thread-safe, so collections (and
// collections inside them) are rebuilt value by value.
#pragma once

#include <cups/ipp.h>

namespace quire {

// Appends a copy of `attr` to `dest`, in group `group` (IPP_TAG_ZERO keeps its own).
void copy_attribute_deeply(ipp_t* dest, ipp_attribute_t* attr, ipp_tag_t group);

}  // namespace quire
