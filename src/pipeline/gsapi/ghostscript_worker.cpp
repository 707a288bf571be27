// quire-gsd: libgs kept warm between jobs.
#include "pipeline/gsapi/ghostscript_worker.hpp"

#include "pipeline/ghostscript_worker_client.hpp"

#include <ghostscript/iapi.h>
#include <ghostscript/ierrors.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace quire {
namespace {

int g_job_stderr = 2;  // where PostScript's %stderr goes during a job

int GSDLLCALL read_nothing(void*, char*, int) { return 0; }
int GSDLLCALL write_out(void*, const char* buf, int len) {
  // PostScript's own stdout goes to the job's stderr: it must never join the output.
  return static_cast<int>(::write(g_job_stderr, buf, static_cast<std::size_t>(len)));
}
int GSDLLCALL write_err(void*, const char* buf, int len) {
  ssize_t n = ::write(g_job_stderr, buf, static_cast<std::size_t>(len));
  return n < 0 ? len : static_cast<int>(n);  // a vanished client must not stop the interpreter
}

// Receives one job: setup text and three descriptors. False when the message is bad.
bool receive_job(int conn, std::string& setup, int fds[3]) {
  std::vector<char> buf(65536);
  char control[CMSG_SPACE(3 * sizeof(int))] = {};
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  cmsghdr* c = n > 0 ? CMSG_FIRSTHDR(&msg) : nullptr;
  if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(3 * sizeof(int))) return false;
  std::memcpy(fds, CMSG_DATA(c), 3 * sizeof(int));
  setup.assign(buf.data(), static_cast<std::size_t>(n));
  return true;
}

int listen_on(const std::string& dir) {
  std::string path = dir + "/" + kWorkerSocket;
  ::unlink(path.c_str());
  int s = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (s < 0 || path.size() >= sizeof addr.sun_path) return -1;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(s, 4) != 0) return -1;
  ::chmod(path.c_str(), 0600);
  int lock = ::open((dir + "/" + kWorkerLock).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock >= 0) ::close(lock);
  return s;
}

}  // namespace

int run_ghostscript_worker(const std::string& dir) {
  int listener = listen_on(dir);
  if (listener < 0) {
    std::fprintf(stderr, "ERROR: quire-gsd: cannot listen in %s: %s\n", dir.c_str(), std::strerror(errno));
    return 1;
  }
  void* gs = nullptr;
  if (gsapi_new_instance(&gs, nullptr) < 0) return 1;
  gsapi_set_stdio(gs, read_nothing, write_out, write_err);
  gsapi_set_arg_encoding(gs, GS_ARG_ENCODING_UTF8);
  const char* args[] = {"quire-gsd", "-q", "-dSAFER", "-dNOPAUSE", "-dNODISPLAY", "-dNOINTERPOLATE",
                        "--permit-file-read=/proc/self/fd/", "--permit-file-write=/dev/null"};
  int code = gsapi_init_with_args(gs, static_cast<int>(std::size(args)), const_cast<char**>(args));
  if (code < 0) {
    std::fprintf(stderr, "ERROR: quire-gsd: Ghostscript did not start (%d)\n", code);
    return 1;
  }
  std::fprintf(stderr, "INFO: quire-gsd: ready in %s\n", dir.c_str());
  std::fflush(stderr);
  int result = 0;
  for (;;) {
    int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      if (errno == EINTR) continue;
      result = 1;
      break;
    }
    std::string setup;
    int fds[3];
    if (!receive_job(conn, setup, fds)) {
      ::close(conn);
      continue;
    }
    // The output descriptor becomes our stdout for the job: gs's %stdout is fd 1.
    int saved_stdout = ::dup(1);
    ::dup2(fds[1], 1);
    g_job_stderr = fds[2];
    // The document runs between a save and its restore; a mark lets what it leaves on
    // the stacks be swept away first. The output is complete (the device's file is
    // closed by switching it to /dev/null) before any clean-up can fail.
    std::string job = "save mark " + setup + " (/proc/self/fd/" + std::to_string(fds[0]) +
                      ") run << /OutputFile (/dev/null) >> setpagedevice nulldevice\n";
    int exit_code = 0;
    code = gsapi_run_string(gs, job.c_str(), 0, &exit_code);
    bool clean = code >= 0 && gsapi_run_string(gs, "cleartomark cleardictstack restore\n", 0, &exit_code) >= 0;
    ::dup2(saved_stdout, 1);  // the client's output pipe must close when it does
    ::close(saved_stdout);
    int status = code < 0 ? kWorkerDocumentError : kWorkerOk;
    ::send(conn, &status, sizeof status, MSG_NOSIGNAL);
    for (int fd : fds) ::close(fd);
    g_job_stderr = 2;
    ::close(conn);
    if (status != kWorkerOk || !clean) {
      result = 2;  // an interpreter that failed, or could not be cleaned, is not reused
      break;
    }
  }
  gsapi_exit(gs);
  gsapi_delete_instance(gs);
  return result;
}

}  // namespace quire
