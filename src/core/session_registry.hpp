// SessionRegistry: the table of open connections a network front end (HTTP, LPD) keeps:
// connection ids, a connection limit, and the sessions to close at shutdown. And
// spawn_session(): a session's coroutine started on its strand, its escape logged.
// Thread-safe; front ends' contexts derive from it.
#pragma once

#include "quire/log.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>

#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace quire {

template <typename Session>
class SessionRegistry {
 public:
  explicit SessionRegistry(std::size_t max_connections) : max_connections_(max_connections) {}

  int next_connection_id() {
    std::lock_guard lock(mutex_);
    return ++last_id_;
  }

  // Admits a connection unless the server is stopping or max_connections are open.
  bool add_session(int id, std::weak_ptr<Session> session) {
    std::lock_guard lock(mutex_);
    if (stopping_ || sessions_.size() >= max_connections_) return false;
    sessions_.emplace(id, std::move(session));
    return true;
  }

  void remove_session(int id) {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
  }

  // From now on add_session() refuses; returns the sessions still open.
  std::vector<std::shared_ptr<Session>> begin_stop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    std::vector<std::shared_ptr<Session>> open;
    for (auto& [id, weak] : sessions_)
      if (auto session = weak.lock()) open.push_back(std::move(session));
    return open;
  }

  bool is_stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

 private:
  const std::size_t max_connections_;
  mutable std::mutex mutex_;
  std::unordered_map<int, std::weak_ptr<Session>> sessions_;
  int last_id_ = 0;
  bool stopping_ = false;
};

// Runs a session's coroutine on `executor`; an exception that escapes it is logged as
// "[<label> <id>] Connection dropped: ..." and ends only that connection.
template <typename Executor>
void spawn_session(const Executor& executor, boost::asio::awaitable<void> run, std::string_view label, int id) {
  boost::asio::co_spawn(executor, std::move(run), [label, id](std::exception_ptr failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      log::error().error("[{} {}] Connection dropped: {}", label, id, e.what());
    } catch (...) {
      log::error().error("[{} {}] Connection dropped: unknown exception", label, id);
    }
  });
}

}  // namespace quire
