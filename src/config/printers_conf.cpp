// printers.conf: the queues, in CUPS's syntax, read at start and written atomically.
#include "quire/config.hpp"

#include "config/conf_lines.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace quire {
namespace {

std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> out;
  std::stringstream in(value);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto first = item.find_first_not_of(' ');
    if (first != std::string::npos) out.push_back(item.substr(first, item.find_last_not_of(' ') - first + 1));
  }
  return out;
}

// Applies one directive inside <Printer>; returns a problem description on failure.
std::optional<std::string> apply(PrinterConfig& p, const conf::Line& line) {
  const std::string& d = line.directive;
  const std::string& v = line.value;
  auto set_bool = [&](bool& out) -> std::optional<std::string> {
    auto b = conf::parse_bool(v);
    if (!b) return d + ": expected Yes or No, got \"" + v + "\"";
    out = *b;
    return std::nullopt;
  };
  if (d == "Printer" && p.description.is_class) p.members.push_back(v);
  else if (d == "DeviceURI") p.description.device_uri = v;
  else if (d == "AllowUser") p.users_allowed.push_back(v);
  else if (d == "DenyUser") p.users_denied.push_back(v);
  else if (d == "JobPriorityDefault") {
    int priority = std::atoi(v.c_str());
    if (priority < 1 || priority > 100) return "JobPriorityDefault: expected 1 to 100, got \"" + v + "\"";
    p.description.job_priority_default = priority;
  }
  else if (d == "Info") p.description.info = v;
  else if (d == "Location") p.description.location = v;
  else if (d == "MakeModel") p.description.make_and_model = v;
  else if (d == "UUID") p.description.uuid = v;
  else if (d == "StateMessage") p.state_message = v;
  else if (d == "Driver" || d == "PPD") p.driver = v;
  else if (d == "ErrorPolicy") {
    if (v != "abort-job" && v != "retry-current-job" && v != "retry-job" && v != "stop-printer")
      return "ErrorPolicy: expected abort-job, retry-current-job, retry-job or stop-printer, got \"" + v + "\"";
    p.error_policy = v;
  }
  else if (d == "Accepting") return set_bool(p.accepting);
  else if (d == "Shared") return set_bool(p.shared);
  else if (d == "Color") return set_bool(p.description.color);
  else if (d == "Duplex") return set_bool(p.description.duplex);
  else if (d == "DocumentFormats") p.description.document_formats = split_list(v);
  else if (d == "MediaDefault") p.description.media_default = v;
  else if (d == "MediaSupported") p.description.media_supported = split_list(v);
  else if (d == "State") {
    if (v == "Idle") p.enabled = true;
    else if (v == "Stopped") p.enabled = false;
    else return "State: expected Idle or Stopped, got \"" + v + "\"";
  } else if (d == "ConfigTime") p.description.config_change_time = std::atoll(v.c_str());
  else return "unknown directive \"" + d + "\" in <Printer>";
  return std::nullopt;
}

}  // namespace

std::expected<std::vector<PrinterConfig>, ConfigDiagnostic> load_printers_conf(const std::filesystem::path& file) {
  std::vector<PrinterConfig> printers;
  if (!std::filesystem::exists(file)) return printers;
  auto lines = conf::read_lines(file);
  if (!lines) return std::unexpected(lines.error());
  PrinterConfig* current = nullptr;
  for (const auto& line : *lines) {
    auto fail = [&](std::string message) { return std::unexpected(ConfigDiagnostic{file, line.number, std::move(message)}); };
    if (line.opens_section()) {
      const std::string section = line.section_name();
      if (current) return fail("<" + section + "> inside <" + current->description.name + ">");
      if (section != "Printer" && section != "DefaultPrinter" && section != "Class" && section != "DefaultClass")
        return fail("unknown section <" + section + ">");
      if (line.value.empty() || line.value.find_first_of("/ \t#") != std::string::npos)
        return fail("bad printer name \"" + line.value + "\"");
      current = &printers.emplace_back();
      current->description.name = line.value;
      current->is_default = section.rfind("Default", 0) == 0;
      current->description.is_class = section.find("Class") != std::string::npos;
    } else if (line.closes_section()) {
      if (!current) return fail("</" + line.section_name() + "> without an open section");
      current = nullptr;
    } else {
      if (!current) return fail("\"" + line.directive + "\" outside a <Printer> section");
      if (auto err = apply(*current, line)) return fail(*err);
    }
  }
  if (current) return std::unexpected(ConfigDiagnostic{file, 0, "<Printer " + current->description.name + "> is not closed"});
  return printers;
}

std::expected<void, std::string> save_printers_conf(const std::filesystem::path& file,
                                                    const std::vector<PrinterConfig>& printers) {
  std::ostringstream out;
  out << "# Printer configuration file for Quire (CUPS printers.conf syntax).\n"
         "# Written by quired; edit while it is stopped.\n";
  auto yes_no = [](bool b) { return b ? "Yes" : "No"; };
  for (const auto& p : printers) {
    const auto& d = p.description;
    std::string section = std::string(p.is_default ? "Default" : "") + (d.is_class ? "Class" : "Printer");
    out << "<" << section << " " << d.name << ">\n";
    if (!d.uuid.empty()) out << "UUID " << d.uuid << "\n";
    if (!d.info.empty()) out << "Info " << d.info << "\n";
    if (!d.location.empty()) out << "Location " << d.location << "\n";
    if (!d.make_and_model.empty()) out << "MakeModel " << d.make_and_model << "\n";
    if (!d.is_class) out << "DeviceURI " << d.device_uri << "\n";
    for (const auto& member : p.members) out << "Printer " << member << "\n";
    for (const auto& u : p.users_allowed) out << "AllowUser " << u << "\n";
    for (const auto& u : p.users_denied) out << "DenyUser " << u << "\n";
    if (d.job_priority_default != 50) out << "JobPriorityDefault " << d.job_priority_default << "\n";
    if (!p.driver.empty()) out << "Driver " << p.driver << "\n";
    if (p.error_policy != "abort-job") out << "ErrorPolicy " << p.error_policy << "\n";
    out << "State " << (p.enabled ? "Idle" : "Stopped") << "\n";
    if (!p.state_message.empty()) out << "StateMessage " << p.state_message << "\n";
    out << "Accepting " << yes_no(p.accepting) << "\n";
    out << "Shared " << yes_no(p.shared) << "\n";
    out << "Color " << yes_no(d.color) << "\nDuplex " << yes_no(d.duplex) << "\n";
    auto list = [&out](const char* directive, const std::vector<std::string>& values) {
      if (values.empty()) return;
      out << directive << " ";
      for (std::size_t i = 0; i < values.size(); ++i) out << (i ? "," : "") << values[i];
      out << "\n";
    };
    list("DocumentFormats", d.document_formats);
    out << "MediaDefault " << d.media_default << "\n";
    list("MediaSupported", d.media_supported);
    out << "ConfigTime " << d.config_change_time << "\n";
    out << "</" << section << ">\n";
  }
  return write_file_atomically(file, out.str());
}

std::expected<void, std::string> write_file_atomically(const std::filesystem::path& file, std::string_view text) {
  auto temp = file;
  temp += ".N";
  auto fail = [&](const char* what) {
    std::string msg = temp.string() + ": " + what + ": " + std::strerror(errno);
    ::unlink(temp.c_str());
    return std::unexpected(msg);
  };
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return fail("open");
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return fail("write");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("fsync");
  }
  ::close(fd);
  if (::rename(temp.c_str(), file.c_str()) != 0) return fail("rename");
  int dir = ::open(file.parent_path().empty() ? "." : file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

}  // namespace quire
