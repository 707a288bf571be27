// IppMessage: the RAII codec wrapper round-trips messages and rejects broken bytes.
#include "quire/ipp_message.hpp"

#include <gtest/gtest.h>

namespace quire {
namespace {

IppMessage sample_request() {
  IppMessage m = IppMessage::make_request(IPP_OP_PRINT_JOB, 42);
  m.add_standard_operation_attributes();
  m.add_string(IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", "ipp://localhost/printers/demo");
  m.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", "alice");
  m.add_boolean(IPP_TAG_OPERATION, "ipp-attribute-fidelity", true);
  m.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", 3);
  m.add_strings(IPP_TAG_JOB, IPP_TAG_KEYWORD, "finishings-col-names", {"a", "b"});
  return m;
}

std::span<const std::byte> as_span(const std::vector<std::byte>& v) { return {v.data(), v.size()}; }

TEST(IppMessage, EncodeDecodeRoundTrip) {
  auto bytes = sample_request().encode();
  std::size_t consumed = 0;
  auto decoded = IppMessage::decode(as_span(bytes), &consumed);
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(consumed, bytes.size());
  EXPECT_EQ(decoded->operation(), IPP_OP_PRINT_JOB);
  EXPECT_EQ(decoded->request_id(), 42);
  EXPECT_EQ(decoded->version_major(), 2);
  EXPECT_EQ(decoded->find_string("requesting-user-name"), "alice");
  EXPECT_EQ(decoded->find_integer("copies", IPP_TAG_JOB), 3);
  EXPECT_FALSE(decoded->find_integer("copies", IPP_TAG_OPERATION));
  EXPECT_EQ(decoded->find_boolean("ipp-attribute-fidelity"), true);
  EXPECT_EQ(attribute_strings(decoded->find("finishings-col-names")), (std::vector<std::string>{"a", "b"}));
}

TEST(IppMessage, DecodeStopsAtEndOfAttributesAndReportsConsumed) {
  auto bytes = sample_request().encode();
  std::size_t header_size = bytes.size();
  for (char c : std::string("document data")) bytes.push_back(static_cast<std::byte>(c));
  std::size_t consumed = 0;
  ASSERT_TRUE(IppMessage::decode(as_span(bytes), &consumed));
  EXPECT_EQ(consumed, header_size);
}

TEST(IppMessage, EveryTruncationIsAnError) {
  auto bytes = sample_request().encode();
  for (std::size_t n = 0; n + 1 < bytes.size(); ++n)
    EXPECT_FALSE(IppMessage::decode(as_span(bytes).first(n))) << "prefix of " << n << " bytes decoded";
}

TEST(IppMessage, ResponseCopiesVersionAndRequestId) {
  IppMessage request = sample_request();
  request.set_version(1, 1);
  IppMessage response = IppMessage::make_response(request, IPP_STATUS_ERROR_NOT_FOUND);
  EXPECT_EQ(response.version_major(), 1);
  EXPECT_EQ(response.version_minor(), 1);
  EXPECT_EQ(response.request_id(), 42);
  EXPECT_EQ(response.status(), IPP_STATUS_ERROR_NOT_FOUND);
  EXPECT_EQ(response.find_string("attributes-charset"), "utf-8");
}

TEST(IppMessage, CloneIsIndependent) {
  IppMessage a = sample_request();
  IppMessage b = a.clone();
  b.add_integer(IPP_TAG_JOB, IPP_TAG_INTEGER, "job-priority", 10);
  EXPECT_FALSE(a.find("job-priority"));
  EXPECT_TRUE(b.find("job-priority"));
  EXPECT_EQ(b.find_string("printer-uri"), "ipp://localhost/printers/demo");
}

TEST(IppMessage, CopyAttributeMovesIntoGroup) {
  IppMessage src = sample_request();
  IppMessage dst;
  dst.copy_attribute(src.find("copies"), IPP_TAG_UNSUPPORTED_GROUP);
  ASSERT_TRUE(dst.find("copies", IPP_TAG_UNSUPPORTED_GROUP));
}

}  // namespace
}  // namespace quire
