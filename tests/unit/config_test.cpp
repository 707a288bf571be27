// cupsd.conf and printers.conf: parsing, diagnostics with file and line, round trips.
#include "quire/config.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace quire {
namespace {

class ConfigFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("quire-config-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    auto path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigFiles, ServerConfigReadsKnownDirectives) {
  auto config = load_server_config(write("cupsd.conf",
                                         "# comment\nListen 127.0.0.1:8631\nPort 9631\nLogLevel debug\nMaxJobs 20\n"
                                         "PreserveJobHistory No\nPreserveJobFiles Yes\n<Location />\n  Order allow,deny\n"
                                         "</Location>\nBrowsing Off\n"));
  ASSERT_TRUE(config) << config.error().to_string();
  EXPECT_EQ(config->listen, (std::vector<std::string>{"127.0.0.1:8631", "*:9631"}));
  EXPECT_EQ(config->log_level, "debug");
  EXPECT_EQ(config->max_jobs, 20);
  EXPECT_FALSE(config->preserve_job_history);
  EXPECT_EQ(config->preserve_job_files, ServerConfig::kForever);
  EXPECT_TRUE(config->warnings.empty());
}

TEST_F(ConfigFiles, BadValueNamesFileAndLine) {
  auto path = write("cupsd.conf", "LogLevel warn\n\nMaxJobs lots\n");
  auto config = load_server_config(path);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().line, 3);
  EXPECT_EQ(config.error().to_string().rfind(path.string() + ":3: MaxJobs:", 0), 0u) << config.error().to_string();
}

TEST_F(ConfigFiles, UnknownDirectiveIsAWarningWithLine) {
  auto config = load_server_config(write("cupsd.conf", "LogLevel warn\nLisen localhost:631\n"));
  ASSERT_TRUE(config);
  ASSERT_EQ(config->warnings.size(), 1u);
  EXPECT_EQ(config->warnings[0].line, 2);
  EXPECT_FALSE(config->warnings[0].fatal);
}

TEST_F(ConfigFiles, UnclosedSectionIsFatal) {
  EXPECT_FALSE(load_server_config(write("cupsd.conf", "<Location />\nOrder allow,deny\n")));
}

TEST_F(ConfigFiles, PrintersConfRoundTrip) {
  PrinterConfig p;
  p.description.name = "office";
  p.description.info = "Second floor";
  p.description.device_uri = "socket://127.0.0.1:9100";
  p.description.document_formats = {"application/pdf", "text/plain"};
  p.description.color = false;
  p.accepting = false;
  p.enabled = false;
  p.is_default = true;
  auto path = dir_ / "printers.conf";
  ASSERT_TRUE(save_printers_conf(path, {p}));
  auto loaded = load_printers_conf(path);
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  ASSERT_EQ(loaded->size(), 1u);
  const auto& q = loaded->front();
  EXPECT_EQ(q.description.name, "office");
  EXPECT_EQ(q.description.info, "Second floor");
  EXPECT_EQ(q.description.device_uri, "socket://127.0.0.1:9100");
  EXPECT_EQ(q.description.document_formats, p.description.document_formats);
  EXPECT_FALSE(q.description.color);
  EXPECT_FALSE(q.accepting);
  EXPECT_FALSE(q.enabled);
  EXPECT_TRUE(q.is_default);
}

TEST_F(ConfigFiles, PrintersConfErrorsNameTheLine) {
  auto loaded = load_printers_conf(write("printers.conf", "<Printer a>\nDeviceURI file:///dev/null\nAccepting Maybe\n</Printer>\n"));
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().line, 3);
  auto outside = load_printers_conf(write("p2.conf", "DeviceURI file:///dev/null\n"));
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().line, 1);
}

}  // namespace
}  // namespace quire
