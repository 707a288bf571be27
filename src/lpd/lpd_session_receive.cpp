// Session: "receive a printer job" (RFC 1179 §5.2, §6). Files may come in either order
// and several jobs may share a connection:
//   - a control file with no data file staged yet waits for the data files it names;
//     when it names one document, that data file streams straight into a Print-Job's
//     sink, otherwise each data file is staged until the last one has come;
//   - a control file after data files finds every file it names already staged;
//   - the job is submitted only when it arrived whole, and the ack of its last file
//     reports the outcome. A client that goes away or stalls before that leaves
//     nothing queued: the sink and the staged files die with the connection.
#include "lpd/lpd_session.hpp"

#include "quire/log.hpp"
#include "quire/spool.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>

// g++ 12 inlines one coroutine's frame into another here and then reports Asio's
// recycling frame allocator as a mismatched new/delete pair: a known false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace quire::lpd {
namespace {

constexpr std::uint64_t kYieldEveryBytes = 4 * 1024 * 1024;  // let other sessions run during a big copy
// Staged data files of one connection are held in memory up to this many bytes in all
// (the spool keeps documents this small in memory too); the rest go to unnamed files.
constexpr std::size_t kStagedMemoryBytes = kInlineDocumentLimit;

Step halt(Refusal refusal, std::string detail, ipp_status_t status = IPP_STATUS_OK) {
  return std::unexpected(Halt{LpdError{refusal, std::move(detail), status}});
}
Step halt(LpdError error) { return std::unexpected(Halt{std::move(error)}); }
Step gone() { return std::unexpected(Halt{}); }

bool has_all_files(const PendingJob& job, const Reception& r) {
  const auto files = job.control.data_files();
  return std::all_of(files.begin(), files.end(), [&](const std::string& f) { return r.staged.contains(f); });
}

}  // namespace

asio::awaitable<void> Session::receive_job(const CommandLine& command) {
  auto queue = co_await look_up_queue(command.queue);
  if (queue && !queue->accepting)
    queue = std::unexpected(LpdError{Refusal::kServiceRefused, queue->name + " is not accepting jobs",
                                     IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS});
  if (!queue) {
    co_await refuse(queue.error());
    co_return;
  }
  const bool acknowledged = co_await send_ack(Ack::kOk);
  if (!acknowledged) co_return;
  Reception reception;
  for (;;) {
    auto [status, line] = co_await read_line();
    if (status == Read::kTooLong) {
      const LpdError too_long{Refusal::kBadCommand, "subcommand line too long"};
      co_await refuse(too_long);
    }
    if (status != Read::kOk) {
      if (reception.pending || !reception.staged.empty())
        log::error().info("[LPD client {}] Connection {} with a job unfinished: discarded, nothing queued", id_,
                          status == Read::kTimedOut ? "timed out" : "ended");
      co_return;
    }
    auto sub = parse_subcommand(line);
    if (!sub) {
      co_await refuse(sub.error());
      co_return;
    }
    Step step;
    if (sub->subcommand == Subcommand::kAbort) {
      log::error().debug("[LPD client {}] Client aborted the job", id_);
      reception = Reception{};  // BSD lpd sends no ack for an abort
    } else if (sub->subcommand == Subcommand::kControlFile) {
      step = co_await receive_control_file(*sub, *queue, reception);
    } else {
      step = co_await receive_data_file(*sub, *queue, reception);
    }
    if (!step) {
      if (step.error().refusal) co_await refuse(*step.error().refusal);
      co_return;
    }
  }
}

asio::awaitable<Step> Session::receive_control_file(const SubcommandLine& sub, const QueueInfo& queue, Reception& r) {
  if (r.pending)
    co_return halt(Refusal::kMissingDataFile, "control file " + sub.name + " came before the data files of the last one");
  auto file_name = parse_control_file_name(sub.name);
  if (!file_name) co_return halt(file_name.error());
  if (sub.count > context_->limits().max_control_file_bytes)
    co_return halt(Refusal::kTooLarge, fmt::format("control file of {} bytes is over the limit", sub.count));
  const bool acknowledged = co_await send_ack(Ack::kOk);
  if (!acknowledged) co_return gone();
  std::string text;
  const Consumer collect = [&text](std::span<const std::byte> bytes) -> std::expected<void, LpdError> {
    text.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return {};
  };
  Step received = co_await receive_file(sub.count, collect);
  if (!received) co_return received;
  auto control = parse_control_file(text);
  if (!control) co_return halt(control.error());
  PendingJob job{std::move(*control), std::move(*file_name), {}};
  job.plan = plan_job(job.control);
  if (r.staged.empty()) {  // control file first: its data files follow
    r.pending = std::move(job);
    co_return co_await finish_step(Ack::kOk);
  }
  for (const std::string& file : job.control.data_files())
    if (!r.staged.contains(file))
      co_return halt(Refusal::kMissingDataFile, "data file " + file + " named by " + sub.name + " never came");
  const Ack ack = co_await submit_staged(queue, job, r);
  co_return co_await finish_step(ack);
}

asio::awaitable<Step> Session::receive_data_file(const SubcommandLine& sub, const QueueInfo& queue, Reception& r) {
  const LpdLimits& limits = context_->limits();
  if (r.staged.contains(sub.name)) co_return halt(Refusal::kBadFileName, "data file " + sub.name + " sent twice");
  if (r.staged.size() >= limits.max_data_files)
    co_return halt(Refusal::kTooLarge, fmt::format("more than {} data files", limits.max_data_files));
  if (limits.max_job_bytes != 0 && r.staged_bytes() + sub.count > limits.max_job_bytes)
    co_return halt(Refusal::kTooLarge, fmt::format("data file {} of {} bytes takes the job over the limit of {} bytes",
                                                   sub.name, sub.count, limits.max_job_bytes));
  if (r.pending && !r.pending->control.names(sub.name))
    co_return halt(Refusal::kUnexpectedDataFile, "data file " + sub.name + " is not in the control file");
  if (r.pending && r.pending->plan.documents.size() == 1) co_return co_await stream_single_document(sub, queue, r);
  Step staged = co_await stage_data_file(sub, r);
  if (!staged) co_return staged;
  if (!r.pending || !has_all_files(*r.pending, r)) co_return co_await finish_step(Ack::kOk);
  PendingJob job = std::move(*r.pending);
  r.pending.reset();
  const Ack ack = co_await submit_staged(queue, job, r);
  co_return co_await finish_step(ack);
}

// The common case (control file first, one document): no staging. The Print-Job is
// asked for before the data is ack'ed, so a refusal costs the client nothing.
asio::awaitable<Step> Session::stream_single_document(const SubcommandLine& sub, const QueueInfo& queue, Reception& r) {
  const PendingJob& job = *r.pending;
  IppMessage request = make_print_job(queue, job.control, job.plan);
  const ClientInfo client = client_info(queue.name, job.control.host);
  IppOutcome outcome = co_await call(std::move(request), client);
  if (!outcome.sink)
    co_return halt(Refusal::kServiceRefused, describe_status(outcome.response), outcome.response.status());
  const bool acknowledged = co_await send_ack(Ack::kOk);
  if (!acknowledged) co_return gone();
  DocumentSink& sink = *outcome.sink;
  const Consumer stream = [&sink](std::span<const std::byte> bytes) -> std::expected<void, LpdError> {
    if (auto written = sink.write(bytes); !written)
      return std::unexpected(LpdError{Refusal::kServiceRefused, written.error(), sink.error_response().status()});
    return {};
  };
  Step received = co_await receive_file(sub.count, stream);
  if (!received) co_return received;  // the sink goes with this frame: nothing is queued
  IppMessage response = co_await finish(sink);
  log_queued(queue, job, response);
  r.pending.reset();
  co_return co_await finish_step(ack_for(response.status()));
}

asio::awaitable<Step> Session::stage_data_file(const SubcommandLine& sub, Reception& r) {
  std::size_t in_memory = 0;
  for (const auto& [name, staged] : r.staged) in_memory += staged.bytes_in_memory();
  const std::size_t memory_left = kStagedMemoryBytes - std::min(in_memory, kStagedMemoryBytes);
  auto file = StagedFile::create(context_->limits().temp_dir, memory_left);
  if (!file) {
    log::error().error("[LPD client {}] Unable to stage data file: {}", id_, file.error());
    co_return halt(Refusal::kServiceRefused, file.error(), IPP_STATUS_ERROR_INTERNAL);
  }
  const bool acknowledged = co_await send_ack(Ack::kOk);
  if (!acknowledged) co_return gone();
  const Consumer stage = [&file](std::span<const std::byte> bytes) -> std::expected<void, LpdError> {
    if (auto appended = file->append(bytes); !appended)
      return std::unexpected(LpdError{Refusal::kServiceRefused, appended.error(), IPP_STATUS_ERROR_INTERNAL});
    return {};
  };
  Step received = co_await receive_file(sub.count, stage);
  if (!received) co_return received;
  r.staged.emplace(sub.name, std::move(*file));
  co_return Step{};
}

// A file's bytes and the NUL after them. Fewer bytes than the count look like a stall
// (the client waits for our ack): the timeout refuses them.
asio::awaitable<Step> Session::receive_file(std::uint64_t count, const Consumer& consume) {
  std::optional<LpdError> refused;
  Read status = co_await read_exactly(count, consume, refused);
  if (refused) co_return halt(std::move(*refused));
  int terminator = 0;
  if (status == Read::kOk) std::tie(status, terminator) = co_await read_byte();
  if (status == Read::kTimedOut)
    co_return halt(Refusal::kTimeout, "no data for a timeout in the middle of a file (short count?)");
  if (status != Read::kOk) {
    log::error().info("[LPD client {}] Connection ended in the middle of a file: nothing queued", id_);
    co_return gone();
  }
  if (terminator != 0)
    co_return halt(Refusal::kCountMismatch, "the byte after a file is not its terminating NUL: count and bytes differ");
  co_return Step{};
}

asio::awaitable<Ack> Session::submit_staged(const QueueInfo& queue, const PendingJob& job, Reception& r) {
  Ack ack = Ack::kOk;
  if (job.plan.documents.size() == 1) {
    IppMessage request = make_print_job(queue, job.control, job.plan);
    const ClientInfo client = client_info(queue.name, job.control.host);
    IppOutcome outcome = co_await call(std::move(request), client);
    IppMessage response = std::move(outcome.response);
    if (outcome.sink) response = co_await send_staged(*outcome.sink, r.staged.at(job.plan.documents.front().data_file));
    ack = ack_for(response.status());
    if (ack == Ack::kOk) log_queued(queue, job, response);
    else log::error().info("[LPD client {}] Job refused: {}", id_, describe_status(response));
  } else {
    ack = co_await submit_documents(queue, job, r);
  }
  for (const std::string& file : job.control.data_files()) r.staged.erase(file);
  co_return ack;
}

// Create-Job, then one Send-Document per planned document. The job exists before its
// last document is in; if any document fails the job is canceled.
asio::awaitable<Ack> Session::submit_documents(const QueueInfo& queue, const PendingJob& job, Reception& r) {
  const ClientInfo client = client_info(queue.name, job.control.host);
  IppMessage create = make_create_job(queue, job.control, job.plan);
  IppOutcome created = co_await call(std::move(create), client);
  const int job_id = job_id_of(created.response);
  if (ack_for(created.response.status()) != Ack::kOk || job_id == 0) {
    log::error().info("[LPD client {}] Job refused: {}", id_, describe_status(created.response));
    const Ack ack = ack_for(created.response.status());
    co_return ack == Ack::kOk ? Ack::kRetryLater : ack;
  }
  const std::size_t count = job.plan.documents.size();
  IppMessage response;
  for (std::size_t i = 0; i < count; ++i) {
    const PlannedDocument& document = job.plan.documents[i];
    IppMessage send = make_send_document(queue, job.control, job_id, document, i + 1 == count);
    IppOutcome sent = co_await call(std::move(send), client);
    response = std::move(sent.response);
    if (sent.sink) response = co_await send_staged(*sent.sink, r.staged.at(document.data_file));
    if (ack_for(response.status()) != Ack::kOk) {
      log::error().warn("[LPD client {}] [Job {}] Document {} refused ({}): canceling the job", id_, job_id, i + 1,
                        describe_status(response));
      IppMessage cancel = make_cancel_job(queue.name, job_id, job.control.user);
      co_await call(std::move(cancel), client);
      co_return ack_for(response.status());
    }
  }
  log_queued(queue, job, created.response);
  co_return Ack::kOk;
}

// Copies a staged file into a sink and finishes it: the response once it is durable,
// or the refusal.
asio::awaitable<IppMessage> Session::send_staged(DocumentSink& sink, const StagedFile& file) {
  std::vector<std::byte> piece(kReadBufferBytes);
  std::uint64_t offset = 0;
  while (offset < file.size()) {
    auto n = file.read_at(offset, piece);
    if (!n || *n == 0) {
      log::error().error("[LPD client {}] {}", id_, n ? "staged data file ended early" : n.error());
      co_return IppMessage::make_response(IppMessage(nullptr), IPP_STATUS_ERROR_INTERNAL);
    }
    if (auto written = sink.write(std::span<const std::byte>(piece).first(*n)); !written) co_return sink.error_response();
    offset += *n;
    if (offset % kYieldEveryBytes < *n) co_await asio::post(socket_.get_executor(), asio::use_awaitable);
  }
  co_return co_await finish(sink);
}

asio::awaitable<Step> Session::finish_step(Ack ack) {
  const bool sent = co_await send_ack(ack);
  if (!sent || ack != Ack::kOk) co_return gone();  // a refusal said: the connection ends
  co_return Step{};
}

void Session::log_queued(const QueueInfo& queue, const PendingJob& job, const IppMessage& response) const {
  if (ack_for(response.status()) != Ack::kOk) {
    log::error().info("[LPD client {}] Job refused: {}", id_, describe_status(response));
    return;
  }
  log::error().info("[LPD client {}] [Job {}] Queued on {} for {}@{} (LPD job {:03} from {})", id_,
                    job_id_of(response), queue.name, job.control.user, job.control.host, job.file_name.number,
                    job.file_name.host);
}

}  // namespace quire::lpd
