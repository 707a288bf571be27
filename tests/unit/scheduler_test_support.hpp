// A scheduler over a real spool in a temp directory, its io_context on a thread, and
// a recording backend (a small shell script: the seam is the backend search path).
#pragma once

#include "quire/ipp_dispatcher.hpp"
#include "quire/scheduler.hpp"
#include "quire/spool.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

namespace quire::testing {

class SchedulerFixture : public ::testing::Test {
 public:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("quire-sched-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "backend");
    // The "record" backend appends "JOBID TITLE" to DIR/printed and copies the document.
    write_backend("record", "#!/bin/sh\necho \"$1 $3\" >> '" + (dir_ / "printed").string() +
                                "'\ncat \"$6\" > \"" + dir_.string() + "/job-$1.out\"\n");
    write_backend("fail", "#!/bin/sh\necho 'ERROR: paper on fire' >&2\nexit 1\n");
    auto spool = Spool::open({dir_ / "spool"});
    ASSERT_TRUE(spool) << spool.error();
    spool_ = std::move(*spool);
  }

  void TearDown() override {
    stop();
    spool_.reset();
    std::filesystem::remove_all(dir_);
  }

  void write_backend(const std::string& scheme, const std::string& script) {
    auto path = dir_ / "backend" / scheme;
    std::ofstream(path) << script;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  }

  PrinterConfig printer(const std::string& name, const std::string& uri, bool enabled = true) {
    PrinterConfig p;
    p.description.name = name;
    p.description.device_uri = uri;
    p.description.uuid = "urn:uuid:00000000-0000-0000-0000-000000000001";
    p.description.document_formats = {"application/octet-stream", "text/plain", "application/pdf"};
    p.enabled = enabled;
    return p;
  }

  // Builds the scheduler over `printers` and the spool's jobs, and starts the io threads.
  void start(std::vector<PrinterConfig> printers, ServerConfig server = {}) {
    auto jobs = spool_->load_jobs();
    ASSERT_TRUE(jobs);
    scheduler_ = std::make_unique<Scheduler>(io_, *spool_, Scheduler::Options{.server = server, .state_dir = dir_, .backend_dirs = {dir_ / "backend"}, .clock = clock_});
    scheduler_->load(std::move(printers), std::move(*jobs));
    dispatcher_ = std::make_unique<IppDispatcher>(*scheduler_);
    scheduler_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  void stop() {
    if (!thread_.joinable()) return;
    std::promise<void> done;
    boost::asio::post(scheduler_->strand(), [&] {
      scheduler_->shutdown();
      done.set_value();
    });
    done.get_future().wait();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  // Runs `f` on the scheduler strand and returns its result.
  template <typename F>
  auto on_strand(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(scheduler_->strand(), [&task] { task(); });
    return result.get();
  }

  // Enables or disables a printer on the strand and waits until printers.conf holds it.
  bool set_enabled(const std::string& name, bool enabled) {
    std::promise<bool> saved;
    auto future = saved.get_future();
    boost::asio::post(scheduler_->strand(), [&] {
      scheduler_->set_printer_enabled(*scheduler_->find_printer(name), enabled,
                                      [&saved](std::expected<void, std::string> r) { saved.set_value(r.has_value()); });
    });
    return future.get();
  }

  // Sends a request through the dispatcher; a document, when given, goes to the sink.
  IppMessage send(IppMessage request, const std::string& document = {}) {
    std::promise<IppMessage> response;
    dispatcher_->handle(std::move(request), ClientInfo{"127.0.0.1", "localhost:631"}, [&](IppOutcome outcome) {
      if (!outcome.sink) return response.set_value(std::move(outcome.response));
      auto sink = std::shared_ptr<DocumentSink>(std::move(outcome.sink));
      auto bytes = std::as_bytes(std::span(document.data(), document.size()));
      if (!sink->write(bytes)) return response.set_value(sink->error_response());
      sink->finish([&response, sink](IppMessage r) { response.set_value(std::move(r)); });
    });
    return response.get_future().get();
  }

  static IppMessage request(ipp_op_t op, const std::string& printer = "office") {
    IppMessage m = IppMessage::make_request(op, 7);
    m.add_standard_operation_attributes();
    m.add_string(IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", "ipp://localhost/printers/" + printer);
    m.add_string(IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", "alice");
    return m;
  }

  // Waits (bounded) until `predicate` holds on the strand.
  template <typename P>
  bool eventually(P predicate, std::chrono::seconds limit = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (on_strand(predicate)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::filesystem::path dir_;
  std::unique_ptr<Spool> spool_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<IppDispatcher> dispatcher_;
  std::thread thread_;
  const Clock* clock_ = nullptr;  // set before start() to use a fake clock
};

}  // namespace quire::testing
