// Helpers shared by the spool tests: a private temporary directory, job records with
// every field set, and one-call commits of a job with a document.
#pragma once

#include "quire/spool.hpp"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <expected>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace quire::test {

// A fresh directory under TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "quire-spool-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::vector<std::byte> bytes_of(std::string_view text) {
  std::vector<std::byte> bytes(text.size());
  std::transform(text.begin(), text.end(), bytes.begin(), [](char c) { return static_cast<std::byte>(c); });
  return bytes;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Names in `directory`, sorted; "" entries never appear.
inline std::vector<std::string> list_files(const std::filesystem::path& directory) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Document files (d…) in the spool directory.
inline std::vector<std::string> document_files(const std::filesystem::path& directory) {
  auto names = list_files(directory);
  std::erase_if(names, [](const std::string& n) { return !n.starts_with('d'); });
  return names;
}

inline std::unique_ptr<Spool> open_spool(const std::filesystem::path& directory,
                                         std::chrono::microseconds max_batch_delay = {},
                                         std::size_t inline_limit = kInlineDocumentLimit) {
  auto spool = Spool::open({directory, max_batch_delay, inline_limit});
  if (!spool) ADD_FAILURE() << "open: " << spool.error();
  return spool ? std::move(*spool) : nullptr;
}

// A spool whose every document spills to a file (the path of large documents).
inline std::unique_ptr<Spool> open_spilling_spool(const std::filesystem::path& directory) {
  return open_spool(directory, {}, 0);
}

inline JobRecord make_job(std::int32_t id) {
  JobRecord job;
  job.id = id;
  job.printer = "office";
  job.user = "alice";
  job.name = "report " + std::to_string(id);
  job.created = 1700000000 + id;
  return job;
}

// The contents a test writes for job `id`, document `number`.
inline std::string document_text(std::int32_t id, int number = 1) {
  std::ostringstream text;
  for (int line = 0; line < 20; ++line) text << "job " << id << " document " << number << " line " << line << "\n";
  return text.str();
}

// A kPutJob change with document 1 holding document_text(id).
inline std::expected<SpoolChange, std::string> job_with_document(Spool& spool, std::int32_t id) {
  auto writer = spool.create_document(id, 1);
  if (!writer) return std::unexpected(writer.error());
  if (auto written = writer->write(bytes_of(document_text(id))); !written) return std::unexpected(written.error());
  SpoolChange change;
  change.job = make_job(id);
  change.job.documents.push_back({1, "text/plain", "notes.txt", 0, {}});
  change.seal.push_back(std::move(*writer));
  return change;
}

inline std::expected<void, std::string> commit_job_with_document(Spool& spool, std::int32_t id) {
  auto change = job_with_document(spool, id);
  if (!change) return std::unexpected(change.error());
  std::vector<SpoolChange> changes;
  changes.push_back(std::move(*change));
  return spool.commit_and_wait(std::move(changes));
}

// What the scheduler does as it starts jobs: every committed job's files written.
inline void place_all_files(Spool& spool) {
  auto jobs = spool.load_jobs();
  ASSERT_TRUE(jobs) << jobs.error();
  for (const JobRecord& job : *jobs) {
    auto placed = spool.place_document_files(job);
    EXPECT_TRUE(placed) << placed.error();
  }
}

inline std::expected<void, std::string> commit_one(Spool& spool, SpoolChange change) {
  std::vector<SpoolChange> changes;
  changes.push_back(std::move(change));
  return spool.commit_and_wait(std::move(changes));
}

inline SpoolChange removal(SpoolChange::Kind kind, std::int32_t id) {
  SpoolChange change;
  change.kind = kind;
  change.job.id = id;
  return change;
}

}  // namespace quire::test
