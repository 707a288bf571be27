// RunningJob, starting a document's processes: the filters chained by pipes from the
// spool file, the backend behind the relay (or on the file itself), CUPS's back and
// side channels, and the page counter for documents that pass through unchanged.
#include "pipeline/running_job_impl.hpp"

namespace quire {

std::expected<Process*, std::string> RunningJob::Impl::spawn(std::string name, Role role, SpawnSpec s) {
  s.process_group = group;
  auto started = spawn_process(s);
  if (!started) return std::unexpected("cannot start " + name + ": " + started.error());
  if (group == 0) group = started->pid;
  auto p = std::make_shared<Process>();
  p->name = std::move(name);
  p->role = role;
  p->pid = started->pid;
  p->exit_watch = std::make_unique<Descriptor>(executor, started->pidfd);
  p->stderr_pipe = std::make_unique<Descriptor>(executor, started->stderr_fd);
  processes.push_back(p);
  read_stderr(p);
  watch_exit(p);
  log::error().debug("[Job {}] started {} (pid {})", spec.job_id, p->name, p->pid);
  return p.get();
}


// What one document run's processes share while they are started.
struct RunningJob::Impl::Launch {
  const DocumentPlan& plan;
  const DocumentRecord& doc;
  JobEnvironment env;
  std::vector<std::string> filter_args;  // CUPS's argv for filters
  std::vector<std::string> backend_args;
  // CUPS's back channel (backend → filters, a pipe on fd 3) and side channel (a
  // socket pair on fd 4). Backends such as CUPS's socket wait on both.
  Fd back_read, back_write, side_filters, side_backend;

  std::expected<Fd, std::string> open_document() const {
    int fd = ::open(doc.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::unexpected("spool file " + doc.path.string() + ": " + std::strerror(errno));
    return Fd(fd);
  }
};

std::expected<void, std::string> RunningJob::Impl::start_processes(const DocumentPlan& plan, const DocumentRecord& doc) {
  auto env = JobEnvironment::from(spec, driver, plan, temp_dir);
  if (!env) return std::unexpected(env.error());
  temp_dir = env->temp_dir;
  Launch launch{plan, doc, std::move(*env), {}, {}, {}, {}, {}, {}};
  // A banner is one page whatever the job's copies, ranges and N-up say.
  bool is_banner = !banner.empty() && doc.path == banner;
  std::string options = sanitize_for_child(is_banner ? options_without_layout(spec.options) : spec.options);
  std::string copies = is_banner ? "1" : std::to_string(spec.copies);
  launch.filter_args = {spec.printer, std::to_string(spec.job_id), sanitize_for_child(spec.user),
                        sanitize_for_child(spec.title), copies, options};
  launch.backend_args = launch.filter_args;
  launch.backend_args[0] = spec.device_uri;
  if (is_banner)
    for (auto& e : launch.env.common)
      if (e == "CUPS_FILETYPE=document") e = "CUPS_FILETYPE=job-sheet";
  int back[2], side[2];
  if (::pipe2(back, O_CLOEXEC) != 0 || ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, side) != 0)
    return std::unexpected(std::string("back/side channel: ") + std::strerror(errno));
  launch.back_read.reset(back[0]);
  launch.back_write.reset(back[1]);
  launch.side_backend.reset(side[0]);
  launch.side_filters.reset(side[1]);

  if (plan.steps.empty()) return start_direct(launch);
  auto chain_output = start_filters(launch);
  if (!chain_output) return std::unexpected(chain_output.error());
  return start_relayed_backend(launch, std::move(*chain_output));
}

void RunningJob::Impl::run_as_filter(SpawnSpec& s) const {
  if (auto account = unprivileged_account()) {
    s.uid = account->uid;
    s.gid = account->gid;
  }
  s.working_dir = temp_dir.string();
}

// The filters, chained by pipes from the document; returns the last one's output.
std::expected<Fd, std::string> RunningJob::Impl::start_filters(Launch& launch) {
  const auto& steps = launch.plan.steps;
  // Quire's filters count pages exactly; the last of them in the chain is believed.
  // Filters after quire-gs get a document with the options already applied.
  std::size_t counting_step = steps.size();
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (steps[i].name == "quire-gs" || steps[i].name == "quire-texttops") counting_step = i;
  counting_pid = 0;
  bool options_applied = false;
  auto upstream = launch.open_document();
  if (!upstream) return std::unexpected(upstream.error());
  for (std::size_t index = 0; index < steps.size(); ++index) {
    auto pipe = make_pipe();
    if (!pipe) return std::unexpected(pipe.error());
    SpawnSpec s;
    s.path = steps[index].program.string();
    s.argv = launch.filter_args;
    if (options_applied) {
      s.argv[4] = "1";
      s.argv[5] = sanitize_for_child(options_without_layout(spec.options));
    }
    options_applied = options_applied || steps[index].name == "quire-gs";
    s.env = launch.env.for_filter(steps[index].source_type, steps[index].destination_type);
    s.stdin_fd = upstream->get();
    s.stdout_fd = pipe->second.get();
    s.extra_fds = {{launch.back_read.get(), 3}, {launch.side_filters.get(), 4}};
    run_as_filter(s);
    auto started = spawn(steps[index].name, Role::kFilter, std::move(s));
    if (!started) return std::unexpected(started.error());
    if (index == counting_step) counting_pid = (*started)->pid;
    *upstream = std::move(pipe->first);
  }
  return std::move(*upstream);
}

// The backend reading the chain's output through the relay.
std::expected<void, std::string> RunningJob::Impl::start_relayed_backend(Launch& launch, Fd chain_output) {
  auto pipe = make_pipe();
  if (!pipe) return std::unexpected(pipe.error());
  SpawnSpec backend;
  backend.path = spec.backend.string();
  backend.argv = launch.backend_args;
  backend.env = launch.env.for_backend();
  backend.extra_fds = {{launch.back_write.get(), 3}, {launch.side_backend.get(), 4}};
  backend.stdin_fd = pipe->first.get();
  auto started = spawn(spec.backend.filename().string(), Role::kBackend, std::move(backend));
  if (!started) return std::unexpected(started.error());
  relay_in = std::make_unique<Descriptor>(executor, chain_output.release());
  relay_out = std::make_unique<Descriptor>(executor, pipe->second.release());
  relay_in->non_blocking(true);
  relay_out->non_blocking(true);
  relay_active = true;
  relay_read();
  return {};
}

// No filter: the backend reads the spool file itself; a counter reports its pages.
std::expected<void, std::string> RunningJob::Impl::start_direct(Launch& launch) {
  relay_active = false;
  SpawnSpec backend;
  backend.path = spec.backend.string();
  backend.argv = launch.backend_args;
  backend.argv.push_back(launch.doc.path.string());
  backend.env = launch.env.for_backend();
  backend.extra_fds = {{launch.back_write.get(), 3}, {launch.side_backend.get(), 4}};
  if (auto started = spawn(spec.backend.filename().string(), Role::kBackend, std::move(backend)); !started)
    return std::unexpected(started.error());
  if (!launch.plan.count_separately || launch.plan.raw || !spec.catalog) return {};
  auto counter = spec.catalog->find_filter("quire-pagecount");
  auto document = launch.open_document();
  if (counter.empty() || !document) return {};
  SpawnSpec s;
  s.path = counter.string();
  s.argv = launch.filter_args;
  s.env = launch.env.for_filter(launch.plan.type);
  s.stdin_fd = document->get();
  run_as_filter(s);
  if (auto started = spawn("quire-pagecount", Role::kCounter, std::move(s)); !started)
    log::error().warn("[Job {}] {}", spec.job_id, started.error());  // pages go uncounted; the job prints
  return {};
}

}  // namespace quire
