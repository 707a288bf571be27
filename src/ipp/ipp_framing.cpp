// IPP framing scanner: walks tag, name-length, name, value-length, value records with
// every read bounds-checked against the bytes received so far.
#include "ipp/ipp_framing.hpp"

#include <cstdint>
#include <spdlog/fmt/fmt.h>

namespace quire {
namespace {

constexpr std::size_t kHeaderBytes = 8;  // version 2, operation 2, request-id 4
constexpr std::uint32_t kReservedDelimiter = 0x00;
constexpr std::uint32_t kEndOfAttributes = 0x03;
constexpr std::uint32_t kFirstValueTag = 0x10;
constexpr std::uint32_t kExtension = 0x7F;
constexpr std::uint32_t kBeginCollection = 0x34;
constexpr std::uint32_t kEndCollection = 0x37;
constexpr std::uint32_t kMemberAttrName = 0x4A;
constexpr std::uint32_t kMaxLength = 0x7FFF;  // libcups refuses names and values of 32768 bytes or more

// Reads big-endian integers from a span; every read says whether the bytes were there.
class Cursor {
 public:
  Cursor(std::span<const std::byte> bytes, std::size_t offset) : bytes_(bytes), offset_(offset) {}

  bool read(std::uint32_t& out, std::size_t width) {
    if (bytes_.size() - offset_ < width) return false;
    out = 0;
    for (std::size_t i = 0; i < width; ++i) out = (out << 8) | std::to_integer<std::uint32_t>(bytes_[offset_ + i]);
    offset_ += width;
    return true;
  }

  bool skip(std::size_t n) {
    if (bytes_.size() - offset_ < n) return false;
    offset_ += n;
    return true;
  }

  std::size_t offset() const { return offset_; }

 private:
  std::span<const std::byte> bytes_;
  std::size_t offset_;
};

}  // namespace

IppScanResult IppMessageScanner::scan(std::span<const std::byte> bytes) {
  if (result_.status != IppScanStatus::kNeedMore) return result_;
  if (offset_ == 0) {
    if (bytes.size() < kHeaderBytes) return result_;
    offset_ = kHeaderBytes;
  }
  while (scan_record(bytes) == Step::kRecord) {
  }
  return result_;
}

// Reads one whole record at offset_; only a whole record moves offset_ on, so a later
// call with more bytes starts again at the same record.
IppMessageScanner::Step IppMessageScanner::scan_record(std::span<const std::byte> bytes) {
  const std::size_t start = offset_;
  Cursor cursor(bytes, offset_);
  std::uint32_t tag = 0;
  if (!cursor.read(tag, 1)) return Step::kNeedMore;
  if (tag == kExtension) {
    if (!cursor.read(tag, 4)) return Step::kNeedMore;
    if (tag > 0x7FFFFFFF) return fail(fmt::format("at byte {}: extension tag {:#x} is larger than 0x7fffffff", start, tag));
  }
  if (tag == kEndOfAttributes) {
    if (depth_ > 0) return fail(fmt::format("at byte {}: end-of-attributes inside a collection", start));
    result_ = {IppScanStatus::kComplete, cursor.offset(), {}};
    return Step::kDone;
  }
  if (tag < kFirstValueTag) {
    if (tag == kReservedDelimiter) return fail(fmt::format("at byte {}: reserved delimiter tag 0x00", start));
    if (depth_ > 0) return fail(fmt::format("at byte {}: delimiter tag {:#04x} inside a collection", start, tag));
    has_attribute_ = false;
    offset_ = cursor.offset();
    return Step::kRecord;
  }

  std::uint32_t name_length = 0;
  if (!cursor.read(name_length, 2)) return Step::kNeedMore;
  if (name_length > kMaxLength) return fail(fmt::format("at byte {}: name length {} is too large", start, name_length));
  if (!cursor.skip(name_length)) return Step::kNeedMore;
  std::uint32_t value_length = 0;
  if (!cursor.read(value_length, 2)) return Step::kNeedMore;
  if (value_length > kMaxLength) return fail(fmt::format("at byte {}: value length {} is too large", start, value_length));
  if (!cursor.skip(value_length)) return Step::kNeedMore;

  const bool names_attribute = name_length > 0 || tag == kMemberAttrName;
  if (!names_attribute && tag != kEndCollection && !has_attribute_)
    return fail(fmt::format("at byte {}: additional value with no attribute before it", start));
  has_attribute_ = has_attribute_ || names_attribute;
  if (tag == kBeginCollection && ++depth_ > kMaxCollectionDepth)
    return fail(fmt::format("at byte {}: collections nested more than {} deep", start, kMaxCollectionDepth));
  if (tag == kEndCollection && depth_-- == 0)
    return fail(fmt::format("at byte {}: endCollection outside a collection", start));
  offset_ = cursor.offset();
  return Step::kRecord;
}

IppMessageScanner::Step IppMessageScanner::fail(std::string reason) {
  result_ = {IppScanStatus::kMalformed, 0, std::move(reason)};
  return Step::kDone;
}

IppScanResult scan_ipp_message(std::span<const std::byte> bytes) {
  return IppMessageScanner().scan(bytes);
}

}  // namespace quire
