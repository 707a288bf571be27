// seed_history: fills a stopped daemon's state with completed jobs for the scale
// benchmark (bench/scale.sh), by cloning one job that really printed.
//
//   seed_history quire DIR N    DIR: a stopped quired's --state-dir
//   seed_history cups DIR N     DIR: a stopped private cupsd's directory (bench/cupsd.sh)
//
// quire: the newest completed job in DIR/spool is the template; N copies with fresh ids
// (taken through the Spool, so ids never repeat), completed, spread round-robin over the
// queues of DIR/printers.conf, are committed through quired's own Spool in batches of
// 1,000. cups: the newest completed job's control file DIR/spool/cNNNNN is the
// template; N copies are written as CUPS writes them (an IPP message per file), with
// job-id, job-uuid and job-printer-uri changed, and CUPS's job.cache is removed so cupsd
// rebuilds it from the control files on its next start.
// Each copy keeps the template's attributes (its size, options, user), so a restart
// reads the same records it would after N real jobs.
#include "quire/ipp_message.hpp"
#include "quire/spool.hpp"

#include <cups/cups.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

int fail(const std::string& message) {
  std::fprintf(stderr, "seed_history: %s\n", message.c_str());
  return 1;
}

// The queues of a printers.conf, quired's or cupsd's: the <Printer NAME> and
// <DefaultPrinter NAME> lines (cupsd's files have directives quired does not read).
std::vector<std::string> queue_names(const fs::path& printers_conf) {
  std::vector<std::string> names;
  std::ifstream in(printers_conf);
  std::string line;
  while (std::getline(in, line)) {
    for (std::string_view open : {"<Printer ", "<DefaultPrinter "}) {
      if (line.starts_with(open) && line.ends_with(">"))
        names.push_back(line.substr(open.size(), line.size() - open.size() - 1));
    }
  }
  return names;
}

std::string make_uuid(const std::string& queue, int id) {
  char uuid[64];
  httpAssembleUUID("localhost", 0, queue.c_str(), id, uuid, sizeof uuid);
  return uuid;
}

void set_string(ipp_t* ipp, const char* name, ipp_tag_t group, ipp_tag_t tag, const std::string& value) {
  if (ipp_attribute_t* a = ippFindAttribute(ipp, name, IPP_TAG_ZERO)) ippDeleteAttribute(ipp, a);
  ippAddString(ipp, group, tag, name, nullptr, value.c_str());
}

int seed_quire(const fs::path& dir, int count) {
  auto queues = queue_names(dir / "printers.conf");
  if (queues.empty()) return fail((dir / "printers.conf").string() + ": no queues");
  auto spool = quire::Spool::open({dir / "spool"});
  if (!spool) return fail(spool.error());
  auto jobs = (*spool)->load_jobs();
  if (!jobs) return fail(jobs.error());
  auto completed =
      std::find_if(jobs->rbegin(), jobs->rend(), [](const auto& j) { return j.state == IPP_JSTATE_COMPLETED; });
  if (completed == jobs->rend()) return fail("no completed job in " + (dir / "spool").string() + " to clone");
  const quire::JobRecord model = *completed;
  auto attributes = quire::IppMessage::decode(model.attributes);
  if (!attributes) return fail("template job " + std::to_string(model.id) + ": " + attributes.error());
  std::int64_t t0 = model.created;
  std::vector<quire::SpoolChange> batch;
  for (int i = 0; i < count; ++i) {
    quire::SpoolChange change;
    quire::JobRecord& r = change.job;
    r = model;
    r.documents.clear();
    r.id = (*spool)->reserve_job_id();
    r.printer = queues[static_cast<std::size_t>(i) % queues.size()];
    r.state = IPP_JSTATE_COMPLETED;
    r.state_reasons = "job-completed-successfully";
    r.created = r.processing = r.completed = t0 - count + i;
    set_string(attributes->get(), "job-uuid", IPP_TAG_JOB, IPP_TAG_URI, make_uuid(r.printer, r.id));
    r.attributes = attributes->encode();
    batch.push_back(std::move(change));
    if (batch.size() == 1000 || i + 1 == count) {
      if (auto done = (*spool)->commit_and_wait(std::move(batch)); !done) return fail(done.error());
      batch.clear();
    }
  }
  std::printf("seed_history: %d completed jobs added to %s (template job %d, %zu queues)\n", count,
              dir.string().c_str(), model.id, queues.size());
  return 0;
}

ipp_t* read_ipp_file(const fs::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  ipp_t* ipp = ippNew();
  ipp_state_t state = ippReadIO(&fd, [](void* ctx, ipp_uchar_t* buf, size_t n) -> ssize_t {
    return ::read(*static_cast<int*>(ctx), buf, n);
  }, 1, nullptr, ipp);
  ::close(fd);
  if (state != IPP_STATE_DATA) {
    ippDelete(ipp);
    return nullptr;
  }
  return ipp;
}

bool write_ipp_file(const fs::path& file, ipp_t* ipp) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  ippSetState(ipp, IPP_STATE_IDLE);
  ipp_state_t state = ippWriteIO(&fd, [](void* ctx, ipp_uchar_t* buf, size_t n) -> ssize_t {
    return ::write(*static_cast<int*>(ctx), buf, n);
  }, 1, nullptr, ipp);
  bool ok = state == IPP_STATE_DATA && ::close(fd) == 0;
  return ok;
}

// CUPS's control files (cNNNNN), highest id first.
std::vector<std::pair<int, fs::path>> control_files(const fs::path& spool) {
  std::vector<std::pair<int, fs::path>> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(spool, ec)) {
    auto name = entry.path().filename().string();
    if (name.size() < 2 || name[0] != 'c' || name.find_first_not_of("0123456789", 1) != std::string::npos) continue;
    files.emplace_back(std::stoi(name.substr(1)), entry.path());
  }
  std::sort(files.rbegin(), files.rend());
  return files;
}

int seed_cups(const fs::path& dir, int count) {
  auto queues = queue_names(dir / "etc" / "printers.conf");
  if (queues.empty()) return fail((dir / "etc" / "printers.conf").string() + ": no queues");
  auto files = control_files(dir / "spool");
  if (files.empty()) return fail("no control file in " + (dir / "spool").string());
  const int highest = files.front().first;
  ipp_t* model = nullptr;
  fs::path model_file;
  for (const auto& [id, file] : files) {  // the newest completed job
    model = read_ipp_file(file);
    ipp_attribute_t* state = model ? ippFindAttribute(model, "job-state", IPP_TAG_ENUM) : nullptr;
    if (state && ippGetInteger(state, 0) == IPP_JSTATE_COMPLETED) {
      model_file = file;
      break;
    }
    ippDelete(model);
    model = nullptr;
  }
  if (!model) return fail("no completed job's control file in " + (dir / "spool").string() + " to clone");
  ipp_attribute_t* id_attr = ippFindAttribute(model, "job-id", IPP_TAG_INTEGER);
  ipp_attribute_t* printer_uri = ippFindAttribute(model, "job-printer-uri", IPP_TAG_URI);
  if (!id_attr || !printer_uri) return fail(model_file.string() + ": no job-id or job-printer-uri");
  int first = highest + 1;
  std::string uri_base = ippGetString(printer_uri, 0, nullptr);
  uri_base = uri_base.substr(0, uri_base.rfind('/') + 1);
  for (int i = 0; i < count; ++i) {
    int id = first + i;
    const std::string& queue = queues[static_cast<std::size_t>(i) % queues.size()];
    ippSetInteger(model, &id_attr, 0, id);
    ippSetString(model, &printer_uri, 0, (uri_base + queue).c_str());
    set_string(model, "job-uuid", IPP_TAG_JOB, IPP_TAG_URI, make_uuid(queue, id));
    id_attr = ippFindAttribute(model, "job-id", IPP_TAG_INTEGER);
    printer_uri = ippFindAttribute(model, "job-printer-uri", IPP_TAG_URI);
    char name[32];
    std::snprintf(name, sizeof name, "c%05d", id);
    if (!write_ipp_file(dir / "spool" / name, model)) return fail((dir / "spool" / name).string() + ": write failed");
  }
  ippDelete(model);
  std::error_code ec;
  fs::remove(dir / "cache" / "job.cache", ec);
  fs::remove(dir / "cache" / "job.cache.O", ec);
  std::printf("seed_history: %d completed control files added to %s (template %s, %zu queues)\n", count,
              (dir / "spool").string().c_str(), model_file.filename().c_str(), queues.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return fail("usage: seed_history quire|cups DIR N");
  std::string kind = argv[1];
  fs::path dir = argv[2];
  int count = std::atoi(argv[3]);
  if (count < 1) return fail("N must be at least 1");
  if (kind == "quire") return seed_quire(dir, count);
  if (kind == "cups") return seed_cups(dir, count);
  return fail("unknown kind " + kind + " (quire or cups)");
}
