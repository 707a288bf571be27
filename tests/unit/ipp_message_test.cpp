// IppMessage: the RAII codec wrapper round-trips messages and rejects broken bytes.
#include "quire/ipp_message.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

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

// An error response that already lists unsupported attributes still gets its
// status-message in the operation group: libcups (lp) refuses groups out of order.
TEST(IppMessage, StatusMessageGoesIntoTheOperationGroupBeforeUnsupportedOnes) {
  IppMessage request = sample_request();
  IppMessage response = IppMessage::make_response(request, IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED);
  response.add_string(IPP_TAG_UNSUPPORTED_GROUP, IPP_TAG_MIMETYPE, "document-format", "application/x-foo");
  response.add_status_message("Unsupported document-format \"application/x-foo\".");
  std::vector<ipp_tag_t> groups;
  for (ipp_attribute_t* a = ippFirstAttribute(response.get()); a; a = ippNextAttribute(response.get()))
    groups.push_back(ippGetGroupTag(a));
  EXPECT_TRUE(std::is_sorted(groups.begin(), groups.end())) << "groups out of order";
  auto bytes = response.encode();
  ipp_t* read = ippNew();  // libcups's own reader, as a client uses it
  std::size_t offset = 0;
  auto reader = [](void* ctx, ipp_uchar_t* buffer, size_t n) -> ssize_t {
    auto* state = static_cast<std::pair<const std::vector<std::byte>*, std::size_t*>*>(ctx);
    std::size_t left = state->first->size() - *state->second;
    n = std::min(n, left);
    std::memcpy(buffer, state->first->data() + *state->second, n);
    *state->second += n;
    return static_cast<ssize_t>(n);
  };
  std::pair<const std::vector<std::byte>*, std::size_t*> state{&bytes, &offset};
  EXPECT_EQ(ippReadIO(&state, reader, 1, nullptr, read), IPP_STATE_DATA);
  ipp_attribute_t* message = ippFindAttribute(read, "status-message", IPP_TAG_TEXT);
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(ippGetGroupTag(message), IPP_TAG_OPERATION);
  EXPECT_NE(ippFindAttribute(read, "document-format", IPP_TAG_MIMETYPE), nullptr);
  ippDelete(read);
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
