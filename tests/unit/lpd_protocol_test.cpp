// RFC 1179 framing: daemon command lines, receive-job subcommands, names, ack bytes.
#include "lpd/lpd_protocol.hpp"

#include <gtest/gtest.h>

namespace quire::lpd {
namespace {

TEST(LpdCommandLine, ReceiveJobNamesItsQueue) {
  auto line = parse_command_line("\x02" "office");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->command, DaemonCommand::kReceiveJob);
  EXPECT_EQ(line->queue, "office");
}

TEST(LpdCommandLine, QueueStateCarriesItsListAndAcceptsCrLf) {
  auto line = parse_command_line("\x04" "office alice 12  bob\r");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->command, DaemonCommand::kQueueStateLong);
  EXPECT_EQ(line->list, (std::vector<std::string>{"alice", "12", "bob"}));
}

TEST(LpdCommandLine, RemoveJobsNeedsAnAgent) {
  auto line = parse_command_line("\x05" "office root 7");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->agent, "root");
  EXPECT_EQ(line->list, std::vector<std::string>{"7"});
  auto no_agent = parse_command_line("\x05" "office");
  ASSERT_FALSE(no_agent);
  EXPECT_EQ(no_agent.error().refusal, Refusal::kBadCommand);
}

TEST(LpdCommandLine, RefusesUnknownCommandBytesAndBadQueueNames) {
  EXPECT_EQ(parse_command_line("\x06" "office").error().refusal, Refusal::kBadCommand);
  EXPECT_EQ(parse_command_line("").error().refusal, Refusal::kBadCommand);
  EXPECT_EQ(parse_command_line("\x02").error().refusal, Refusal::kUnknownQueue);
  EXPECT_EQ(parse_command_line("\x02" "../etc").error().refusal, Refusal::kUnknownQueue);
  EXPECT_EQ(parse_command_line("\x02" "a\x01" "b").error().refusal, Refusal::kBadCommand);
  EXPECT_EQ(parse_command_line("\x02" "office extra").error().refusal, Refusal::kBadCommand);
}

TEST(LpdSubcommand, ParsesCountAndName) {
  auto control = parse_subcommand("\x02" "123 cfA001host");
  ASSERT_TRUE(control);
  EXPECT_EQ(control->subcommand, Subcommand::kControlFile);
  EXPECT_EQ(control->count, 123u);
  EXPECT_EQ(control->name, "cfA001host");
  auto data = parse_subcommand("\x03" "0 dfA001host");
  ASSERT_TRUE(data);
  EXPECT_EQ(data->count, 0u);
  EXPECT_EQ(parse_subcommand("\x01")->subcommand, Subcommand::kAbort);
}

TEST(LpdSubcommand, RefusesBadCountsNamesAndBytes) {
  EXPECT_EQ(parse_subcommand("\x03" "-5 dfA001host").error().refusal, Refusal::kBadCommand);
  EXPECT_EQ(parse_subcommand("\x03" "12x dfA001host").error().refusal, Refusal::kBadCommand);
  EXPECT_EQ(parse_subcommand("\x03" "99999999999999999999 dfA").error().refusal, Refusal::kBadCommand);
  EXPECT_EQ(parse_subcommand("\x03" "12").error().refusal, Refusal::kBadCommand);
  EXPECT_EQ(parse_subcommand("\x03" "12 /etc/passwd").error().refusal, Refusal::kBadFileName);
  EXPECT_EQ(parse_subcommand("\x03" "12 dfA..host").error().refusal, Refusal::kBadFileName);
  EXPECT_EQ(parse_subcommand("\x04" "12 dfA001host").error().refusal, Refusal::kBadCommand);
}

TEST(LpdNames, SafeFileNames) {
  EXPECT_TRUE(is_safe_file_name("dfA001host.example.com"));
  EXPECT_FALSE(is_safe_file_name(""));
  EXPECT_FALSE(is_safe_file_name("df/A"));
  EXPECT_FALSE(is_safe_file_name(".."));
  EXPECT_FALSE(is_safe_file_name("a b"));
  EXPECT_FALSE(is_safe_file_name("a\\b"));
  EXPECT_FALSE(is_safe_file_name(std::string(256, 'a')));
}

TEST(LpdNames, ControlFileNameGivesTheJobNumberAndHost) {
  auto name = parse_control_file_name("cfA042client.example");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->number, 42);
  EXPECT_EQ(name->host, "client.example");
  EXPECT_FALSE(parse_control_file_name("dfA042client"));
  EXPECT_FALSE(parse_control_file_name("cfA4x2client"));
  EXPECT_FALSE(parse_control_file_name("cf1042client"));
  EXPECT_FALSE(parse_control_file_name("cfA-12client"));
}

TEST(LpdAck, RefusalsAndStatusesMapToLprngBytes) {
  EXPECT_EQ(ack_for(LpdError{Refusal::kUnknownQueue, ""}), Ack::kQueueRefuses);
  EXPECT_EQ(ack_for(LpdError{Refusal::kMalformedControlFile, ""}), Ack::kRejected);
  EXPECT_EQ(ack_for(LpdError{Refusal::kServiceRefused, "", IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS}), Ack::kQueueRefuses);
  EXPECT_EQ(ack_for(LpdError{Refusal::kServiceRefused, "", IPP_STATUS_ERROR_INTERNAL}), Ack::kRetryLater);
  EXPECT_EQ(ack_for(LpdError{Refusal::kServiceRefused, "", IPP_STATUS_OK}), Ack::kRetryLater);
  EXPECT_EQ(ack_for(IPP_STATUS_OK_IGNORED_OR_SUBSTITUTED), Ack::kOk);
  EXPECT_EQ(ack_for(IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED), Ack::kRejected);
  EXPECT_EQ(ack_for(IPP_STATUS_ERROR_REQUEST_ENTITY), Ack::kRejected);
  EXPECT_EQ(ack_for(IPP_STATUS_ERROR_FORBIDDEN), Ack::kQueueRefuses);
}

}  // namespace
}  // namespace quire::lpd
