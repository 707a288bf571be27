// Get-Printer-Attributes answered from pre-encoded bytes (HTTP front ends) says exactly
// what the ipp_t-built response says (LPD and other front ends), before and after the
// printer's state changes.
#include "scheduler_test_support.hpp"

#include <functional>
#include <future>

namespace quire {
namespace {

class PrinterQuery : public testing::SchedulerFixture {
 protected:
  void SetUp() override {
    SchedulerFixture::SetUp();
    start({printer("office", "record://x", /*enabled=*/true)});
  }

  // The response as the front end gets it: bytes when it takes them, else a message.
  IppOutcome ask(IppMessage request, bool takes_encoded) {
    std::promise<IppOutcome> outcome;
    ClientInfo client{"127.0.0.1", "localhost:631"};
    client.takes_encoded_response = takes_encoded;
    dispatcher_->handle(std::move(request), client, [&](IppOutcome o) { outcome.set_value(std::move(o)); });
    return outcome.get_future().get();
  }

  // Every attribute of `message` as "group name tag=values" lines, in order. The two
  // clock readings are named without their values: the two answers compared are built
  // a few milliseconds apart, and a second may tick between them.
  static std::vector<std::string> describe(const IppMessage& message) {
    std::vector<std::string> lines;
    for (ipp_attribute_t* a = ippFirstAttribute(message.get()); a; a = ippNextAttribute(message.get())) {
      const std::string name(attribute_name(a));
      char values[8192];
      ippAttributeString(a, values, sizeof values);
      const bool clock = name == "printer-up-time" || name == "printer-current-time";
      lines.push_back(std::string(ippTagString(ippGetGroupTag(a))) + " " + name + " " +
                      ippTagString(ippGetValueTag(a)) + "=" + (clock ? "(clock)" : values));
    }
    return lines;
  }

  // Asks both ways and checks that the encoded answer decodes to the built one.
  void expect_same_answer(const std::function<IppMessage()>& make_request) {
    IppOutcome built = ask(make_request(), false);
    IppOutcome encoded = ask(make_request(), true);
    ASSERT_TRUE(built.response);
    ASSERT_FALSE(encoded.encoded.empty());
    std::size_t consumed = 0;
    auto decoded = IppMessage::decode(encoded.encoded, &consumed);
    ASSERT_TRUE(decoded) << decoded.error();
    EXPECT_EQ(consumed, encoded.encoded.size());
    EXPECT_EQ(decoded->status(), built.response.status());
    EXPECT_EQ(decoded->request_id(), built.response.request_id());
    EXPECT_EQ(decoded->version_major(), built.response.version_major());
    EXPECT_EQ(decoded->version_minor(), built.response.version_minor());
    EXPECT_EQ(describe(*decoded), describe(built.response));
  }

  static IppMessage get_printer_attributes(std::vector<std::string> requested = {}) {
    IppMessage rq = request(IPP_OP_GET_PRINTER_ATTRIBUTES);
    rq.set_request_id(4242);
    if (!requested.empty()) rq.add_strings(IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", requested);
    return rq;
  }
};

TEST_F(PrinterQuery, EncodedAllAttributesMatchTheBuiltResponse) {
  expect_same_answer([] { return get_printer_attributes(); });
  expect_same_answer([] { return get_printer_attributes(); });  // the second comes from the cache
}

TEST_F(PrinterQuery, EncodedRequestedAttributesMatchTheBuiltResponse) {
  expect_same_answer([] { return get_printer_attributes({"printer-name", "printer-state", "printer-type"}); });
  expect_same_answer([] { return get_printer_attributes({"printer-state", "queued-job-count"}); });  // state only
  expect_same_answer([] { return get_printer_attributes({"printer-uri-supported"}); });               // static only
  expect_same_answer([] { return get_printer_attributes({"job-template", "printer-description"}); });
  expect_same_answer([] { return get_printer_attributes({"no-such-attribute"}); });                   // nothing
}

TEST_F(PrinterQuery, EncodedAnswerFollowsStateChanges) {
  expect_same_answer([] { return get_printer_attributes(); });
  on_strand([&] {
    Printer* office = scheduler_->find_printer("office");
    office->config.accepting = false;  // printer-type gains the rejecting bit
    office->config.shared = false;
    office->reasons.push_back("media-empty");
    office->message = "Out of paper";
    // What a backend reported with ATTR: lines (copied, not rebuilt, into each answer).
    office->device_attributes.add_strings(IPP_TAG_PRINTER, IPP_TAG_NAME, "marker-names", {"Black", "Cyan"});
    office->device_attributes.add_integer(IPP_TAG_PRINTER, IPP_TAG_INTEGER, "marker-levels", 42);
  });
  expect_same_answer([] { return get_printer_attributes(); });
  auto rejecting = ask(get_printer_attributes({"printer-is-accepting-jobs"}), true);
  auto decoded = IppMessage::decode(rejecting.encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->find_boolean("printer-is-accepting-jobs"), false);
}

TEST_F(PrinterQuery, EncodedAnswerEchoesAnIpp11Version) {
  expect_same_answer([] {
    IppMessage rq = get_printer_attributes();
    rq.set_version(1, 1);
    return rq;
  });
}

}  // namespace
}  // namespace quire
