// The standard banner page.
#include "pipeline/banner_page.hpp"

#include "quire/config.hpp"

#include <sys/stat.h>

#include <ctime>

namespace quire {
namespace {

std::string ps_string(std::string_view s) {
  std::string out = "(";
  for (char c : s.substr(0, 200)) {
    auto u = static_cast<unsigned char>(c);
    if (c == '(' || c == ')' || c == '\\') out += '\\', out += c;
    else if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", u);
      out += buf;
    } else out += c;
  }
  return out + ")";
}

}  // namespace

std::string banner_postscript(const BannerInfo& info) {
  std::time_t when = info.submitted ? static_cast<std::time_t>(info.submitted) : std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&when));
  std::string ps =
      "%!PS-Adobe-3.0\n%%Title: Banner\n%%Pages: 1\n%%EndComments\n%%Page: 1 1\n"
      "/Helvetica-Bold findfont 32 scalefont setfont 72 700 moveto (Job " + std::to_string(info.job_id) + ") show\n"
      "/Helvetica findfont 14 scalefont setfont\n";
  int y = 660;
  for (auto [label, value] : {std::pair<const char*, std::string>{"Title: ", info.title}, {"User: ", info.user},
                              {"Printer: ", info.printer}, {"Submitted: ", date}}) {
    ps += "72 " + std::to_string(y) + " moveto (" + label + ") show " + ps_string(value) + " show\n";
    y -= 22;
  }
  return ps + "showpage\n%%EOF\n";
}

std::expected<void, std::string> write_banner(const std::filesystem::path& file, const BannerInfo& info) {
  auto written = write_file_atomically(file, banner_postscript(info));
  if (!written) return written;
  ::chmod(file.c_str(), 0644);
  return {};
}

}  // namespace quire
