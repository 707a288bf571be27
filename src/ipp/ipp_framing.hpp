// Finds where an IPP request's attribute section ends in the bytes of an HTTP body,
// so that the front end can hand exactly the IPP message to the decoder and stream
// the rest (the document) elsewhere. It checks framing only, never values.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace quire {

enum class IppScanStatus { kComplete, kNeedMore, kMalformed };

struct IppScanResult {
  IppScanStatus status = IppScanStatus::kNeedMore;
  std::size_t end = 0;   // kComplete: offset just past the end-of-attributes tag (0x03)
  std::string reason;    // kMalformed: what is wrong and at which offset
};

// Walks RFC 8010 §3 framing the way libcups's ippReadIO reads it (including the 4-byte
// 0x7F extension tag), and stricter where libcups would read on past a broken message:
// delimiter tags inside a collection, unbalanced collections, lengths of 0x8000 or
// more, and collections nested deeper than kMaxCollectionDepth are malformed.
//
// Incremental: each scan() gets everything received so far (the previous bytes plus
// any new ones) and resumes at the last whole record, so a body arriving in many small
// pieces costs linear time. Once complete or malformed, the answer never changes.
// A value, not thread-safe; one per request.
class IppMessageScanner {
 public:
  static constexpr int kMaxCollectionDepth = 32;

  IppScanResult scan(std::span<const std::byte> bytes);

 private:
  enum class Step { kRecord, kNeedMore, kDone };
  Step scan_record(std::span<const std::byte> bytes);
  Step fail(std::string reason);

  std::size_t offset_ = 0;      // start of the next unread record
  int depth_ = 0;               // open begCollection values
  bool has_attribute_ = false;  // an attribute since the last delimiter (for additional values)
  IppScanResult result_;
};

// One-shot form for a complete buffer.
IppScanResult scan_ipp_message(std::span<const std::byte> bytes);

}  // namespace quire
