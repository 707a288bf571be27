// GET and PUT of /admin/conf/cupsd.conf, as cupsd serves them to cupsctl
// (cupsAdminGetServerSettings / cupsAdminSetServerSettings in libcups).
#include "quire/admin_conf.hpp"

#include "quire/access_control.hpp"
#include "quire/log.hpp"
#include "quire/server_settings.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

namespace quire {
namespace {

constexpr std::string_view kCupsdConf = "/admin/conf/cupsd.conf";

using Reply = std::move_only_function<void(WebResponse)>;

struct AdminConf {
  std::shared_ptr<ServerSettings> settings;
  std::shared_ptr<const AccessControl> access;
  WebHandler next;
  boost::asio::thread_pool files{1};

  // Tasks on `files` use `this`: joining here means none outlives it.
  ~AdminConf() { files.join(); }

  void serve(WebRequest request, Reply reply);
  std::optional<WebResponse> refusal(const WebRequest& request) const;
  WebResponse get() const;
  WebResponse put(const WebRequest& request) const;
};

// Administrators only, whatever the <Location> rules say: this file decides who they are.
std::optional<WebResponse> AdminConf::refusal(const WebRequest& request) const {
  const std::string& user = request.client.authenticated_user;
  if (user.empty()) {
    WebResponse r = WebResponse::text(401, "401 Unauthorized\n");
    r.challenge = AuthChallenge{.try_root_certificate = true};
    return r;
  }
  if (!access->is_admin(user)) return WebResponse::text(403, "403 Forbidden: " + user + " is not an administrator\n");
  return std::nullopt;
}

WebResponse AdminConf::get() const {
  auto text = settings->read_text();
  if (!text) {
    log::error().error("GET {}: {}", kCupsdConf, text.error());
    return WebResponse::text(500, "500 Internal Server Error\n");
  }
  return WebResponse::text(200, std::move(*text));
}

WebResponse AdminConf::put(const WebRequest& request) const {
  auto replaced = settings->replace(request.body);
  if (!replaced) {
    log::error().error("[Client {}] cupsd.conf not replaced: {}", request.client.connection_id,
                       replaced.error().message);
    return WebResponse::text(replaced.error().invalid ? 400 : 500, replaced.error().message + "\n");
  }
  std::string body = "cupsd.conf updated.\n";
  for (const auto& w : replaced->warnings) {
    log::error().warn("{}", w.to_string());
    body += "warning: " + w.to_string() + "\n";
  }
  for (const auto& name : replaced->needs_restart) {
    log::error().info("cupsd.conf: the new {} takes effect when quired restarts", name);
    body += name + " takes effect when quired restarts.\n";
  }
  log::error().info("[Client {}] cupsd.conf replaced by {}", request.client.connection_id,
                    request.client.authenticated_user);
  return WebResponse::text(201, std::move(body));
}

void AdminConf::serve(WebRequest request, Reply reply) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  if (path != kCupsdConf) {
    if (path.starts_with("/admin/conf/")) return reply(WebResponse::text(404, "404 Not Found\n"));
    if (next && settings->current().web_interface) return next(std::move(request), std::move(reply));
    if (request.method == "POST") return reply(WebResponse::text(415, "415 Unsupported Media Type\n"));
    return reply(WebResponse::text(404, "404 Not Found\n"));
  }
  if (request.method != "GET" && request.method != "HEAD" && request.method != "PUT") {
    WebResponse r = WebResponse::text(405, "405 Method Not Allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD, PUT");
    return reply(std::move(r));
  }
  if (auto refused = refusal(request)) return reply(std::move(*refused));
  boost::asio::post(files, [this, request = std::move(request), reply = std::move(reply)]() mutable {
    reply(request.method == "PUT" ? put(request) : get());
  });
}

}  // namespace

WebHandler make_admin_conf_handler(std::shared_ptr<ServerSettings> settings,
                                   std::shared_ptr<const AccessControl> access, WebHandler next) {
  auto state = std::make_shared<AdminConf>();
  state->settings = std::move(settings);
  state->access = std::move(access);
  state->next = std::move(next);
  return [state](WebRequest request, Reply reply) { state->serve(std::move(request), std::move(reply)); };
}

}  // namespace quire
