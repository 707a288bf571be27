// GET /printers/NAME.ppd (see quire/printer_ppd.hpp).
#include "quire/printer_ppd.hpp"

#include "quire/drivers.hpp"
#include "quire/log.hpp"
#include "quire/scheduler.hpp"

#include <boost/asio/post.hpp>

#include <fstream>
#include <sstream>

namespace quire {
namespace {

constexpr std::string_view kPrefix = "/printers/";
constexpr std::string_view kSuffix = ".ppd";

// The queue's PPD file: its own driver's, or none. On the strand.
std::filesystem::path ppd_of(Scheduler& scheduler, std::string_view name) {
  const Printer* printer = scheduler.find_printer(name);
  if (!printer || printer->config.driver.empty()) return {};
  auto driver = find_driver(printer->config.driver);
  return driver ? driver->ppd : std::filesystem::path();
}

WebResponse read_ppd_file(const std::filesystem::path& path, bool head) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    log::error().error("GET PPD: unable to read {}", path.string());
    return WebResponse::text(500, "500 Internal Server Error\n");
  }
  std::ostringstream text;
  text << in.rdbuf();
  WebResponse r;
  r.status = 200;
  r.content_type = "application/vnd.cups-ppd";
  r.body = head ? std::string() : text.str();
  return r;
}

}  // namespace

WebHandler make_printer_ppd_handler(Scheduler& scheduler, WebHandler next) {
  return [&scheduler, next = std::move(next)](WebRequest request, std::move_only_function<void(WebResponse)> reply) {
    std::string_view target = request.target;
    target = target.substr(0, target.find('?'));
    bool is_ppd = (request.method == "GET" || request.method == "HEAD") && target.starts_with(kPrefix) &&
                  target.ends_with(kSuffix) && target.size() > kPrefix.size() + kSuffix.size();
    if (!is_ppd) {
      if (next) return next(std::move(request), std::move(reply));
      return reply(WebResponse::text(404, "404 Not Found\n"));
    }
    std::string name(target.substr(kPrefix.size(), target.size() - kPrefix.size() - kSuffix.size()));
    bool head = request.method == "HEAD";
    boost::asio::post(scheduler.strand(), [&scheduler, name, head, reply = std::move(reply)]() mutable {
      auto path = ppd_of(scheduler, name);
      // PPD files are small: read here rather than hand the path to another thread.
      reply(path.empty() ? WebResponse::text(404, "404 Not Found\n") : read_ppd_file(path, head));
    });
  };
}

}  // namespace quire
