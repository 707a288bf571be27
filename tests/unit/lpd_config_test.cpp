// The LPD settings of cupsd.conf: LPDListen and LPDTimeout, the default that listens on
// localhost:515, and that changing them takes a restart.
#include "quire/config.hpp"
#include "quire/server_settings.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace quire {
namespace {

class LpdConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::filesystem::temp_directory_path() / ("quire-lpd-config-" + std::to_string(::getpid()) + ".conf");
  }
  void TearDown() override { std::filesystem::remove(file_); }
  std::expected<ServerConfig, ConfigDiagnostic> load(const std::string& text) {
    std::ofstream(file_) << text;
    return load_server_config(file_);
  }
  std::filesystem::path file_;
};

TEST_F(LpdConfig, ReadsLpdListenLinesAndTimeout) {
  auto config = load("LPDListen localhost:515\nLPDListen 127.0.0.1:8515\nLPDTimeout 5\n");
  ASSERT_TRUE(config) << config.error().to_string();
  EXPECT_EQ(config->lpd_listen, (std::vector<std::string>{"localhost:515", "127.0.0.1:8515"}));
  EXPECT_EQ(config->lpd_timeout, 5);
}

TEST_F(LpdConfig, WithoutLinesThereIsNoLpdAndTheTimeoutIsAMinute) {
  auto config = load("LogLevel warn\n");
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->lpd_listen.empty());
  EXPECT_EQ(config->lpd_timeout, 60);
}

TEST_F(LpdConfig, RefusesABadTimeout) {
  EXPECT_FALSE(load("LPDTimeout 0\n"));
  EXPECT_FALSE(load("LPDTimeout soon\n"));
}

TEST_F(LpdConfig, DefaultConfigurationListensOnLocalhost515) {
  auto config = load(default_cupsd_conf());
  ASSERT_TRUE(config) << config.error().to_string();
  EXPECT_EQ(config->lpd_listen, std::vector<std::string>{"localhost:515"});
}

TEST(LpdSettings, ChangingWhereLpdListensTakesARestart) {
  ServerConfig before, after;
  after.lpd_listen = {"*:515"};
  EXPECT_EQ(settings_needing_restart(before, after), std::vector<std::string>{"LPDListen/LPDTimeout"});
  after = before;
  after.lpd_timeout = 10;
  EXPECT_EQ(settings_needing_restart(before, after), std::vector<std::string>{"LPDListen/LPDTimeout"});
}

}  // namespace
}  // namespace quire
