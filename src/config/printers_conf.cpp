// printers.conf: the queues, in CUPS's syntax, read at start and written atomically.
#include "quire/config.hpp"

#include "config/conf_lines.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <string_view>

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

std::string printers_conf_header() {
  return "# Printer configuration file for Quire (CUPS printers.conf syntax).\n"
         "# Written by quired; edit while it is stopped.\n";
}

void append_printer_entry(std::string& out, const PrinterConfig& p, bool is_default, std::string_view state_message) {
  const auto& d = p.description;
  auto line = [&out](std::string_view directive, std::string_view value) {
    out.append(directive).append(" ").append(value).append("\n");
  };
  auto yes_no = [](bool b) { return b ? "Yes" : "No"; };
  const std::string section = std::string(is_default ? "Default" : "") + (d.is_class ? "Class" : "Printer");
  out.append("<").append(section).append(" ").append(d.name).append(">\n");
  if (!d.uuid.empty()) line("UUID", d.uuid);
  if (!d.info.empty()) line("Info", d.info);
  if (!d.location.empty()) line("Location", d.location);
  if (!d.make_and_model.empty()) line("MakeModel", d.make_and_model);
  if (!d.is_class) line("DeviceURI", d.device_uri);
  for (const auto& member : p.members) line("Printer", member);
  for (const auto& u : p.users_allowed) line("AllowUser", u);
  for (const auto& u : p.users_denied) line("DenyUser", u);
  if (d.job_priority_default != 50) line("JobPriorityDefault", std::to_string(d.job_priority_default));
  if (!p.driver.empty()) line("Driver", p.driver);
  if (p.error_policy != "abort-job") line("ErrorPolicy", p.error_policy);
  line("State", p.enabled ? "Idle" : "Stopped");
  if (!state_message.empty()) line("StateMessage", state_message);
  line("Accepting", yes_no(p.accepting));
  line("Shared", yes_no(p.shared));
  line("Color", yes_no(d.color));
  line("Duplex", yes_no(d.duplex));
  auto list = [&out](std::string_view directive, const std::vector<std::string>& values) {
    if (values.empty()) return;
    out.append(directive).append(" ");
    for (std::size_t i = 0; i < values.size(); ++i) out.append(i ? "," : "").append(values[i]);
    out.append("\n");
  };
  list("DocumentFormats", d.document_formats);
  line("MediaDefault", d.media_default);
  list("MediaSupported", d.media_supported);
  line("ConfigTime", std::to_string(d.config_change_time));
  out.append("</").append(section).append(">\n");
}

std::expected<void, std::string> save_printers_conf(const std::filesystem::path& file,
                                                    const std::vector<PrinterConfig>& printers) {
  std::string text = printers_conf_header();
  for (const auto& p : printers) append_printer_entry(text, p, p.is_default, p.state_message);
  return write_file_atomically(file, text);
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
