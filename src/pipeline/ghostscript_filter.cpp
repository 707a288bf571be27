// quire-gs: runs Ghostscript on the job's input and turns its page events into PAGE:
// lines. gs shares this process's standard input and output (no copying through us)
// and its process group (a cancel stops both).
#include "pipeline/filter_programs.hpp"

#include "pipeline/child_process.hpp"
#include "pipeline/ghostscript_command.hpp"
#include "pipeline/ghostscript_worker_client.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include <signal.h>

extern char** environ;

namespace quire {
namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Copies standard input to a private temporary file; "" on failure.
std::string copy_stdin_to_temp() {
  std::string path = env_or("TMPDIR", "/tmp") + "/quire-in-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) return "";
  char buf[65536];
  ssize_t n;
  while ((n = ::read(0, buf, sizeof buf)) > 0)
    if (::write(fd, buf, static_cast<std::size_t>(n)) != n) n = -1;
  ::close(fd);
  if (n < 0) {
    ::unlink(path.c_str());
    return "";
  }
  return path;
}

// Ghostscript reads "-" one byte per read(2) (it must not read past a PostScript
// program's end), three times slower than a file. It cannot reopen our standard input
// by path when that is the daemon's spool file or pipe (we run as lp), so it gets a
// pipe of ours, which it can reopen as /dev/stdin, and a thread pumps into it.
class InputPump {
 public:
  bool start() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read_end_ = fds[0];
    int write_end = fds[1];
    thread_ = std::thread([write_end] {
      char buf[65536];
      for (;;) {
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        bool ok = true;
        for (ssize_t off = 0; off < n && ok;) {
          ssize_t w = ::write(write_end, buf + off, static_cast<std::size_t>(n - off));
          if (w < 0 && errno == EINTR) continue;
          ok = w > 0;
          off += w > 0 ? w : 0;
        }
        if (!ok) break;  // gs stopped reading (it failed or finished early)
      }
      ::close(write_end);
    });
    return true;
  }
  int read_end() const { return read_end_; }
  void close_read_end() {
    if (read_end_ >= 0) ::close(read_end_);
    read_end_ = -1;
  }
  ~InputPump() {
    close_read_end();
    if (thread_.joinable()) thread_.join();
  }

 private:
  int read_end_ = -1;
  std::thread thread_;
};

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  return env;
}

// Reads gs's stderr until it closes: page events become PAGE: lines, anything else is
// passed on as DEBUG: (the last such line explains a failure).
void relay_stderr(int fd, GhostscriptPageCounter& counter, std::string& last_message) {
  int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  std::string line;
  char buf[4096];
  auto emit = [&] {
    if (auto page = counter.feed(line)) {
      if (!page->empty()) std::fprintf(stderr, "%s\n", page->c_str());
    } else if (!line.empty()) {
      std::fprintf(stderr, "DEBUG: gs: %s\n", line.c_str());
      last_message = line;
    }
    std::fflush(stderr);
    line.clear();
  };
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') emit();
      else if (line.size() < 1024) line.push_back(buf[i]);
    }
  }
  if (!line.empty()) emit();
}


// Writes `path` to standard output `copies` times, as the printer language allows:
// stream languages concatenate; PWG raster keeps one sync word; URF's header counts
// all pages; PDF is merged by qpdf.
bool replicate_output(const std::string& path, int copies, const std::string& device) {
  if (device == "pdfwrite") {
    std::vector<std::string> args = {"/usr/bin/qpdf", "--empty", "--pages"};
    for (int i = 0; i < copies; ++i) args.insert(args.end(), {path, "1-z"});  // a range each, or qpdf merges repeats
    args.insert(args.end(), {"--", "-"});
    SpawnSpec spec;
    spec.path = args[0];
    spec.argv = args;
    spec.env = current_environment();
    spec.stdout_fd = 1;
    spec.process_group = ::getpgrp();
    auto qpdf = spawn_process(spec);
    if (!qpdf) return false;
    std::string ignored;
    GhostscriptPageCounter none(JobOptions{}, true, 1);
    relay_stderr(qpdf->stderr_fd, none, ignored);
    ::close(qpdf->stderr_fd);
    ::close(qpdf->pidfd);
    int status = reap_process(qpdf->pid);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  std::string data;
  {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) data.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
  }
  std::size_t skip = 0;  // bytes of each further copy's stream header to leave out
  if (device == "pwgraster" || device == "cups") skip = 4;
  if (device == "urf" && data.size() >= 12) {
    skip = 12;
    auto u = [&](std::size_t i) { return static_cast<unsigned>(static_cast<unsigned char>(data[i])); };
    unsigned pages = (u(8) << 24 | u(9) << 16 | u(10) << 8 | u(11)) * static_cast<unsigned>(copies);
    for (int i = 0; i < 4; ++i) data[8 + i] = static_cast<char>(pages >> (24 - 8 * i));
  }
  auto write_all = [](const char* p, std::size_t n) {
    while (n > 0) {
      ssize_t w = ::write(1, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return false;
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  };
  for (int i = 0; i < copies; ++i) {
    std::size_t from = i == 0 ? 0 : std::min(skip, data.size());
    if (!write_all(data.data() + from, data.size() - from)) return false;
  }
  return true;
}

// One run of the filter: the job, and the temporary files it made.
struct FilterRun {
  GhostscriptJob job;
  std::string output_type;
  int copies = 1;          // copies asked for
  bool replicate = false;  // render once, repeat the output
  int device_copies = 1;   // copies the printer makes (PAGE: lines say so)
  std::string rendered;    // replicate: the rendered copy
  std::vector<std::string> temps;
  ~FilterRun() {
    for (const auto& t : temps) ::unlink(t.c_str());
  }
  std::string temp_file(const char* stem) {
    std::string path = env_or("TMPDIR", "/tmp") + "/" + stem + "-XXXXXX";
    int fd = ::mkstemp(path.data());
    if (fd < 0) return "";
    ::close(fd);
    temps.push_back(path);
    return path;
  }
};

struct RenderResult {
  bool ok = false;
  std::string failure;       // "exit status 1", "the worker died"
  std::string last_message;  // gs's last words
  int impressions = 0;
};

// Ghostscript 10.0 loses the last, partly filled N-up sheet when PageList is also
// given (pdfwrite, ljet4). For PDF, qpdf selects the pages first (no rendering).
bool select_pdf_pages(FilterRun& run) {
  GhostscriptJob& job = run.job;
  std::string source = job.input;
  if (source == "-") {
    source = copy_stdin_to_temp();
    if (source.empty()) return false;
    run.temps.push_back(source);
  }
  std::string selected = run.temp_file("quire-sel");
  std::string ranges = page_list_text(job.options.page_ranges);
  for (std::size_t at = 0; (at = ranges.find('-', at)) != std::string::npos; ++at)
    if (at + 1 == ranges.size() || ranges[at + 1] == ',') ranges.insert(at + 1, "z");
  SpawnSpec q;
  q.path = "/usr/bin/qpdf";
  q.argv = {q.path, "--empty", "--pages", source, ranges, "--", selected};
  q.env = current_environment();
  q.process_group = ::getpgrp();
  auto qpdf = spawn_process(q);
  int status = qpdf ? (::close(qpdf->stderr_fd), ::close(qpdf->pidfd), reap_process(qpdf->pid)) : -1;
  if (selected.empty() || !qpdf || !WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 3)) {
    std::fprintf(stderr, "ERROR: Unable to select pages %s with qpdf\n", ranges.c_str());
    return false;
  }
  job.input = selected;
  job.options.page_ranges.clear();
  return true;
}

// Reads the filter's arguments and environment; false (after an ERROR: line) when
// the job cannot be done.
bool prepare(int argc, char** argv, FilterRun& run) {
  GhostscriptJob& job = run.job;
  job.options = parse_job_options(argv[5], std::atoi(argv[4]));
  job.input_type = env_or("CONTENT_TYPE", "application/postscript");
  // What this step must write: the pipeline says (QUIRE_OUTPUT_TYPE) when it is not
  // the printer's final format; the driver's device applies to the final one only.
  std::string final_type = env_or("FINAL_CONTENT_TYPE", "application/vnd.hp-pclxl");
  run.output_type = env_or("QUIRE_OUTPUT_TYPE", final_type.c_str());
  job.device = ghostscript_device(run.output_type, run.output_type == final_type ? env_or("QUIRE_GS_DEVICE", "") : "",
                                  job.options);
  job.gs = env_or("QUIRE_GS", "/usr/bin/gs");
  if (job.device.empty()) {
    std::fprintf(stderr, "ERROR: Ghostscript cannot write %s\n", run.output_type.c_str());
    return false;
  }
  if (argc == 7) job.input = argv[6];
  if (job.options.number_up > 1 && !job.options.page_ranges.empty() && job.input_type == "application/pdf" &&
      !select_pdf_pages(run))
    return false;
  // Collated copies (and copies a device cannot make) are rendered once and repeated.
  run.copies = job.options.copies;
  run.replicate = run.copies > 1 && (job.options.collate || !device_makes_copies(job.device));
  run.device_copies = run.replicate ? 1 : run.copies;
  job.options.collate = !run.replicate && job.options.collate;
  if (run.replicate) {
    run.rendered = run.temp_file("quire-gs");
    if (run.rendered.empty()) {
      std::fprintf(stderr, "ERROR: Unable to create a temporary file: %s\n", std::strerror(errno));
      return false;
    }
    job.options.copies = 1;
  }
  return true;
}

RenderResult render_fresh(FilterRun& run) {
  GhostscriptJob& job = run.job;
  RenderResult result;
  // A PDF must be seekable: gs would copy standard input to a file itself, a byte per
  // read(2); we copy it in 64 KiB reads.
  if (job.input == "-" && job.input_type == "application/pdf") {
    std::string copy = copy_stdin_to_temp();
    if (copy.empty()) {
      result.failure = std::string("cannot copy the document: ") + std::strerror(errno);
      return result;
    }
    run.temps.push_back(copy);
    job.input = copy;
  }
  InputPump pump;
  bool pumped = job.input == "-" && job.input_type != "application/pdf" && pump.start();
  if (pumped) job.input = "/dev/stdin";
  SpawnSpec spec;
  spec.path = job.gs;
  spec.argv = ghostscript_argv(job);
  if (run.replicate)
    for (auto& a : spec.argv)
      if (a == "-sOutputFile=%stdout") a = "-sOutputFile=" + run.rendered;
  spec.env = current_environment();
  spec.stdin_fd = pumped ? pump.read_end() : 0;
  spec.stdout_fd = 1;
  spec.process_group = ::getpgrp();
  auto gs = spawn_process(spec);
  if (!gs) {
    result.failure = "cannot start: " + gs.error();
    return result;
  }
  if (pumped) pump.close_read_end();
  else ::close(0);  // gs owns the input now; we only relay its messages
  GhostscriptPageCounter counter(job.options, job.input_type == "application/pdf", run.device_copies);
  relay_stderr(gs->stderr_fd, counter, result.last_message);
  ::close(gs->stderr_fd);
  ::close(gs->pidfd);
  int status = reap_process(gs->pid);
  result.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  result.failure = describe_wait_status(status);
  result.impressions = counter.impressions();
  return result;
}

// The warm worker: nullopt when it is absent, busy, or cannot take this job.
std::optional<RenderResult> render_on_worker(FilterRun& run) {
  GhostscriptJob& job = run.job;
  std::string dir = env_or("QUIRE_GS_WORKER", "");
  if (dir.empty() || !worker_can_run(job)) return std::nullopt;
  auto worker = WorkerConnection::open(dir);
  if (!worker) return std::nullopt;
  // The worker (lp, like us) can reopen only what we own: a pipe we pump, or a copy.
  InputPump pump;
  int in_fd = -1;
  bool pumped = job.input == "-" && job.input_type != "application/pdf";
  if (pumped) {
    if (!pump.start()) return std::nullopt;
    in_fd = pump.read_end();
  } else {
    std::string path = job.input == "-" ? copy_stdin_to_temp() : job.input;
    if (path.empty()) return std::nullopt;
    if (job.input == "-") run.temps.push_back(path);
    in_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) return std::nullopt;
  }
  int out_fd = run.replicate ? ::open(run.rendered.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC) : 1;
  int err[2];
  if (out_fd < 0 || ::pipe2(err, O_CLOEXEC) != 0) return std::nullopt;
  std::fprintf(stderr, "DEBUG: quire-gs: running on the warm worker\n");
  int status = -1;
  std::thread job_thread([&] {
    status = worker->run(worker_setup(job), in_fd, out_fd, err[1]);
    ::close(err[1]);  // the worker has closed its copies: the relay below sees the end
  });
  RenderResult result;
  GhostscriptPageCounter counter(job.options, job.input_type == "application/pdf", run.device_copies);
  relay_stderr(err[0], counter, result.last_message);
  job_thread.join();
  ::close(err[0]);
  if (!pumped) ::close(in_fd);
  pump.close_read_end();
  if (out_fd != 1) ::close(out_fd);
  result.ok = status == kWorkerOk;
  result.failure = status < 0 ? "the Ghostscript worker died" : "Ghostscript reported an error";
  result.impressions = counter.impressions();
  return result;
}

}  // namespace

int run_ghostscript_filter(int argc, char** argv) {
  if (argc < 6 || argc > 7) {
    std::fprintf(stderr, "Usage: %s job-id user title copies options [file]\n", argv[0]);
    return 1;
  }
  ::signal(SIGPIPE, SIG_IGN);  // pumps see EPIPE instead
  FilterRun run;
  if (!prepare(argc, argv, run)) return 1;
  std::fprintf(stderr, "DEBUG: quire-gs: %s to %s with -sDEVICE=%s\n", run.job.input_type.c_str(),
               run.output_type.c_str(), run.job.device.c_str());
  auto warm = render_on_worker(run);
  RenderResult result = warm ? std::move(*warm) : render_fresh(run);
  if (result.ok && result.impressions == 0) {
    std::fprintf(stderr, "ERROR: Ghostscript found no pages to print%s%s\n", result.last_message.empty() ? "" : ": ",
                 result.last_message.c_str());
    return 1;
  }
  if (result.ok && run.replicate) {
    for (int c = 2; c <= run.copies; ++c)
      for (int i = 1; i <= result.impressions; ++i)
        std::fprintf(stderr, "PAGE: %d 1\n", (c - 1) * result.impressions + i);
    result.ok = replicate_output(run.rendered, run.copies, run.job.device);
    if (!result.ok) result.last_message = "cannot write the copies";
  }
  if (result.ok) {
    std::fprintf(stderr, "INFO: Ghostscript wrote %d page%s\n", result.impressions, result.impressions == 1 ? "" : "s");
    return 0;
  }
  std::fprintf(stderr, "ERROR: Ghostscript failed (%s)%s%s\n", result.failure.c_str(),
               result.last_message.empty() ? "" : ": ", result.last_message.c_str());
  return 1;
}

}  // namespace quire
