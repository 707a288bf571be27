// PAM conversation for Basic authentication: the password answers every hidden prompt.
#include "auth/pam_password.hpp"

#include <security/pam_appl.h>

#include <cstdlib>
#include <cstring>

namespace quire::auth {
namespace {

struct Conversation {
  const std::string* user;
  const std::string* password;
};

int converse(int count, const pam_message** messages, pam_response** responses, void* data) {
  if (count <= 0 || count > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  const auto* conversation = static_cast<const Conversation*>(data);
  auto* replies = static_cast<pam_response*>(std::calloc(static_cast<std::size_t>(count), sizeof(pam_response)));
  if (!replies) return PAM_BUF_ERR;
  for (int i = 0; i < count; ++i) {
    switch (messages[i]->msg_style) {
      case PAM_PROMPT_ECHO_OFF:
        replies[i].resp = ::strdup(conversation->password->c_str());
        break;
      case PAM_PROMPT_ECHO_ON:
        replies[i].resp = ::strdup(conversation->user->c_str());
        break;
      default:  // PAM_ERROR_MSG, PAM_TEXT_INFO: nothing to answer
        break;
    }
  }
  *responses = replies;
  return PAM_SUCCESS;
}

}  // namespace

std::expected<void, std::string> check_password(const PamOptions& options, const std::string& user,
                                                const std::string& password, const std::string& remote_host) {
  Conversation conversation{&user, &password};
  const pam_conv conv{converse, &conversation};
  pam_handle_t* handle = nullptr;
  int status = options.config_dir
                   ? pam_start_confdir(options.service.c_str(), user.c_str(), &conv, options.config_dir->c_str(), &handle)
                   : pam_start(options.service.c_str(), user.c_str(), &conv, &handle);
  if (status != PAM_SUCCESS) return std::unexpected(std::string("pam_start: ") + pam_strerror(handle, status));
  pam_set_item(handle, PAM_RHOST, remote_host.c_str());
  pam_set_item(handle, PAM_TTY, "quire");
  status = pam_authenticate(handle, PAM_SILENT);
  if (status == PAM_SUCCESS) status = pam_acct_mgmt(handle, PAM_SILENT);
  std::string reason = status == PAM_SUCCESS ? std::string() : pam_strerror(handle, status);
  pam_end(handle, status);
  if (!reason.empty()) return std::unexpected(reason);
  return {};
}

}  // namespace quire::auth
