// Tests for the IPP framing scanner: hand-built byte sequences, truncation at every
// offset, bad tags and lengths, and real messages encoded by libcups.
#include "ipp/ipp_framing.hpp"

#include "quire/ipp_message.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace quire {
namespace {

// Builds IPP bytes by hand, big-endian as on the wire.
class Bytes {
 public:
  Bytes& u8(unsigned v) {
    bytes_.push_back(std::byte(v & 0xFF));
    return *this;
  }
  Bytes& u16(unsigned v) { return u8(v >> 8).u8(v); }
  Bytes& u32(std::uint32_t v) { return u16(v >> 16).u16(v); }
  Bytes& text(std::string_view s) {
    for (char c : s) u8(static_cast<unsigned char>(c));
    return *this;
  }
  // One attribute record: tag, name-length, name, value-length, value.
  Bytes& record(unsigned tag, std::string_view name, std::string_view value) {
    return u8(tag).u16(name.size()).text(name).u16(value.size()).text(value);
  }
  Bytes& header() { return u16(0x0200).u16(0x0002).u32(1); }
  const std::vector<std::byte>& get() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }

 private:
  std::vector<std::byte> bytes_;
};

IppMessage make_print_job() {
  IppMessage m = IppMessage::make_request(IPP_OP_PRINT_JOB, 7);
  m.add_standard_operation_attributes();
  m.add_string(IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", "ipp://localhost/printers/demo");
  m.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", "alice");
  m.add_strings(IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                {"job-id", "job-state", "job-state-reasons"});
  m.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", 2);
  ipp_t* media_col = ippNew();
  ipp_t* media_size = ippNew();
  ippAddInteger(media_size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "x-dimension", 21000);
  ippAddInteger(media_size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "y-dimension", 29700);
  ippAddCollection(media_col, IPP_TAG_ZERO, "media-size", media_size);
  ippAddString(media_col, IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-source", nullptr, "tray-1");
  ippAddCollection(m.get(), IPP_TAG_JOB, "media-col", media_col);
  ippDelete(media_size);
  ippDelete(media_col);
  return m;
}

IppScanStatus status_of(const Bytes& b) { return scan_ipp_message(b.get()).status; }

TEST(IppFraming, MinimalMessageIsCompleteAfterEndTag) {
  Bytes b;
  b.header().u8(0x01).record(0x47, "attributes-charset", "utf-8").u8(0x03);
  IppScanResult r = scan_ipp_message(b.get());
  ASSERT_EQ(r.status, IppScanStatus::kComplete);
  EXPECT_EQ(r.end, b.size());
}

TEST(IppFraming, ShortHeaderNeedsMore) {
  Bytes b;
  EXPECT_EQ(status_of(b), IppScanStatus::kNeedMore);
  b.u16(0x0200).u16(0x0002).u16(0);
  EXPECT_EQ(status_of(b), IppScanStatus::kNeedMore);
}

TEST(IppFraming, EveryTruncationOfARealMessageNeedsMore) {
  std::vector<std::byte> full = make_print_job().encode();
  for (std::size_t n = 0; n < full.size(); ++n) {
    IppScanResult r = scan_ipp_message(std::span(full).first(n));
    ASSERT_EQ(r.status, IppScanStatus::kNeedMore) << "prefix of " << n << " bytes: " << r.reason;
  }
  IppScanResult r = scan_ipp_message(full);
  ASSERT_EQ(r.status, IppScanStatus::kComplete) << r.reason;
  EXPECT_EQ(r.end, full.size());
}

TEST(IppFraming, DocumentAfterTheMessageIsNotPartOfIt) {
  std::vector<std::byte> body = make_print_job().encode();
  const std::size_t message_size = body.size();
  for (char c : std::string_view("%PDF-1.7\x03\x03 not IPP")) body.push_back(std::byte(c));

  IppScanResult r = scan_ipp_message(body);
  ASSERT_EQ(r.status, IppScanStatus::kComplete) << r.reason;
  ASSERT_EQ(r.end, message_size);
  std::size_t consumed = 0;
  auto decoded = IppMessage::decode(std::span(body).first(r.end), &consumed);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(consumed, r.end);
  EXPECT_EQ(decoded->operation(), IPP_OP_PRINT_JOB);
  EXPECT_EQ(decoded->find_string("media-source"), std::nullopt);  // member, not top-level
  EXPECT_NE(decoded->find("media-col", IPP_TAG_JOB), nullptr);
}

TEST(IppFraming, IncrementalScanCompletesExactlyWhenTheLastByteArrives) {
  std::vector<std::byte> full = make_print_job().encode();
  const std::size_t message_size = full.size();
  full.push_back(std::byte{0x25});
  IppMessageScanner scanner;
  for (std::size_t n = 1; n <= full.size(); ++n) {
    IppScanResult r = scanner.scan(std::span(full).first(n));
    IppScanStatus expected = n < message_size ? IppScanStatus::kNeedMore : IppScanStatus::kComplete;
    ASSERT_EQ(r.status, expected) << "after " << n << " bytes";
  }
  EXPECT_EQ(scanner.scan(full).end, message_size);
}

TEST(IppFraming, AnswerNeverChangesOnceComplete) {
  Bytes b;
  b.header().u8(0x01).u8(0x03);
  IppMessageScanner scanner;
  ASSERT_EQ(scanner.scan(b.get()).end, 10u);
  b.u8(0x00).u8(0xFF);
  EXPECT_EQ(scanner.scan(b.get()).status, IppScanStatus::kComplete);
  EXPECT_EQ(scanner.scan(b.get()).end, 10u);
}

TEST(IppFraming, ReservedDelimiterTagIsMalformed) {
  Bytes b;
  b.header().u8(0x00);
  IppScanResult r = scan_ipp_message(b.get());
  EXPECT_EQ(r.status, IppScanStatus::kMalformed);
  EXPECT_NE(r.reason.find("at byte 8"), std::string::npos) << r.reason;
}

TEST(IppFraming, ExtensionTagReadsFourByteTag) {
  Bytes b;
  b.header().u8(0x01).u8(0x7F).u32(0x00001000).u16(4).text("name").u16(2).text("ab").u8(0x03);
  IppScanResult r = scan_ipp_message(b.get());
  ASSERT_EQ(r.status, IppScanStatus::kComplete) << r.reason;
  EXPECT_EQ(r.end, b.size());
}

TEST(IppFraming, ExtensionTagWithHighBitIsMalformed) {
  Bytes b;
  b.header().u8(0x01).u8(0x7F).u32(0x80000010);
  EXPECT_EQ(status_of(b), IppScanStatus::kMalformed);
}

TEST(IppFraming, TruncatedExtensionTagNeedsMore) {
  Bytes b;
  b.header().u8(0x01).u8(0x7F).u16(0);
  EXPECT_EQ(status_of(b), IppScanStatus::kNeedMore);
}

TEST(IppFraming, AbsurdLengthsAreMalformedBeforeTheirBytesArrive) {
  Bytes name;
  name.header().u8(0x01).u8(0x44).u16(0xFFFF);
  EXPECT_EQ(status_of(name), IppScanStatus::kMalformed);
  Bytes value;
  value.header().u8(0x01).u8(0x44).u16(1).text("x").u16(0x8000);
  EXPECT_EQ(status_of(value), IppScanStatus::kMalformed);
  Bytes largest_allowed;
  largest_allowed.header().u8(0x01).u8(0x44).u16(1).text("x").u16(0x7FFF);
  EXPECT_EQ(status_of(largest_allowed), IppScanStatus::kNeedMore);
}

TEST(IppFraming, AllOnesIsMalformedAtTheFirstRecord) {
  std::vector<std::byte> ones(1 << 20, std::byte{0xFF});
  IppScanResult r = scan_ipp_message(ones);
  EXPECT_EQ(r.status, IppScanStatus::kMalformed);
  EXPECT_NE(r.reason.find("at byte 8"), std::string::npos) << r.reason;
}

TEST(IppFraming, AdditionalValueNeedsAnAttributeInItsGroup) {
  Bytes first;
  first.header().u8(0x01).record(0x44, "", "value").u8(0x03);
  EXPECT_EQ(status_of(first), IppScanStatus::kMalformed);
  Bytes after_group;
  after_group.header().u8(0x01).record(0x44, "a", "1").u8(0x02).record(0x44, "", "2").u8(0x03);
  EXPECT_EQ(status_of(after_group), IppScanStatus::kMalformed);
  Bytes fine;
  fine.header().u8(0x01).record(0x44, "a", "1").record(0x44, "", "2").u8(0x03);
  EXPECT_EQ(status_of(fine), IppScanStatus::kComplete);
}

TEST(IppFraming, HandBuiltCollectionIsComplete) {
  Bytes b;
  b.header().u8(0x02).record(0x34, "media-col", "");
  b.record(0x4A, "", "media-source").record(0x44, "", "tray-1");
  b.record(0x4A, "", "media-size").record(0x34, "", "");
  b.record(0x4A, "", "x-dimension").u8(0x21).u16(0).u16(4).u32(21000);
  b.record(0x37, "", "").record(0x37, "", "").u8(0x03);
  IppScanResult r = scan_ipp_message(b.get());
  ASSERT_EQ(r.status, IppScanStatus::kComplete) << r.reason;
  EXPECT_EQ(r.end, b.size());
  EXPECT_TRUE(IppMessage::decode(b.get()).has_value());
}

TEST(IppFraming, UnbalancedCollectionsAreMalformed) {
  Bytes stray_end;
  stray_end.header().u8(0x02).record(0x37, "", "");
  EXPECT_EQ(status_of(stray_end), IppScanStatus::kMalformed);
  Bytes end_inside;
  end_inside.header().u8(0x02).record(0x34, "media-col", "").u8(0x03);
  EXPECT_EQ(status_of(end_inside), IppScanStatus::kMalformed);
  Bytes group_inside;
  group_inside.header().u8(0x02).record(0x34, "media-col", "").u8(0x01);
  EXPECT_EQ(status_of(group_inside), IppScanStatus::kMalformed);
}

TEST(IppFraming, DeepCollectionNestingIsMalformed) {
  Bytes ok;
  ok.header().u8(0x02).record(0x34, "c", "");
  for (int i = 1; i < IppMessageScanner::kMaxCollectionDepth; ++i) ok.record(0x4A, "", "m").record(0x34, "", "");
  EXPECT_EQ(status_of(ok), IppScanStatus::kNeedMore);
  Bytes too_deep = ok;
  too_deep.record(0x4A, "", "m").record(0x34, "", "");
  EXPECT_EQ(status_of(too_deep), IppScanStatus::kMalformed);
}

// Random bytes and random corruptions of a real message: the scanner must answer
// without reading outside the span (the sanitizer build checks), and any end it
// reports lies inside the bytes.
TEST(IppFraming, RandomInputNeverEscapesTheBuffer) {
  std::mt19937 rng(1234);
  std::vector<std::byte> real = make_print_job().encode();
  for (int round = 0; round < 20000; ++round) {
    std::vector<std::byte> bytes = real;
    if (round % 2) {
      bytes.resize(rng() % 200);
      for (auto& b : bytes) b = std::byte(rng() & 0xFF);
    } else {
      for (int flips = 1 + rng() % 4; flips > 0; --flips) bytes[rng() % bytes.size()] = std::byte(rng() & 0xFF);
      bytes.resize(rng() % (bytes.size() + 1));
    }
    IppScanResult r = scan_ipp_message(bytes);
    if (r.status == IppScanStatus::kComplete) {
      ASSERT_LE(r.end, bytes.size());
    }
    if (r.status == IppScanStatus::kMalformed) {
      ASSERT_FALSE(r.reason.empty());
    }
  }
}

}  // namespace
}  // namespace quire
