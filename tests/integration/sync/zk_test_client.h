// Blocking helpers over ZkClient for populating and inspecting ensembles in sync tests.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "common/zk/event_loop.h"
#include "common/zk/zk_client.h"
#include "common/zk/zk_status.h"

namespace orch::sync::testing {

class BlockingZk {
 public:
  static std::unique_ptr<BlockingZk> open(const std::string& connect, const std::string& digest = "") {
    auto b = std::unique_ptr<BlockingZk>(new BlockingZk);
    zk::ZkClientOptions o;
    o.connect = connect;
    o.session_timeout_ms = 6000;
    o.retry.max_attempts = 50;
    if (!digest.empty()) o.auth = {zk::AuthInfo{"digest", digest}};
    auto c = zk::ZkClient::create(o, b->loop_.executor());
    if (!c.ok() || !(*c)->connect(std::chrono::seconds(30)).ok()) return nullptr;
    b->c_ = std::move(*c);
    return b;
  }
  ~BlockingZk() { if (c_) c_->close(); }

  zk::ZkClient& client() { return *c_; }

  template <typename T, typename F>
  T wait(F start) {
    auto p = std::make_shared<std::promise<T>>();
    auto f = p->get_future();
    start([p](T v) { p->set_value(std::move(v)); });
    if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready) return T(absl::DeadlineExceededError("timeout"));
    return f.get();
  }

  absl::StatusOr<std::string> create(const std::string& path, const std::string& data = "",
                                     zk::AclList acl = {}, zk::CreateMode mode = {}) {
    auto r = wait<absl::StatusOr<zk::CreateResult>>(
        [&](auto cb) { c_->create(path, data, std::move(acl), mode, cb); });
    if (!r.ok()) return r.status();
    return r->path;
  }
  absl::Status set(const std::string& path, const std::string& data) {
    return wait<absl::StatusOr<zk::ZkStat>>([&](auto cb) { c_->set(path, data, -1, cb); }).status();
  }
  absl::Status remove(const std::string& path) {
    return wait<absl::Status>([&](auto cb) { c_->remove(path, -1, cb); });
  }
  absl::StatusOr<zk::GetResult> get(const std::string& path) {
    return wait<absl::StatusOr<zk::GetResult>>([&](auto cb) { c_->get(path, nullptr, cb); });
  }
  absl::StatusOr<std::vector<std::string>> children(const std::string& path) {
    auto r = wait<absl::StatusOr<zk::ChildrenResult>>([&](auto cb) { c_->getChildren(path, nullptr, cb); });
    if (!r.ok()) return r.status();
    return r->children;
  }
  absl::StatusOr<zk::AclList> acl(const std::string& path) {
    auto r = wait<absl::StatusOr<zk::AclResult>>([&](auto cb) { c_->getAcl(path, cb); });
    if (!r.ok()) return r.status();
    return r->acl;
  }
  bool exists(const std::string& path) {
    auto r = wait<absl::StatusOr<std::optional<zk::ZkStat>>>([&](auto cb) { c_->exists(path, nullptr, cb); });
    return r.ok() && r->has_value();
  }
  absl::StatusOr<zk::ZkStat> stat(const std::string& path) {
    auto r = wait<absl::StatusOr<std::optional<zk::ZkStat>>>([&](auto cb) { c_->exists(path, nullptr, cb); });
    if (!r.ok()) return r.status();
    if (!r->has_value()) return absl::NotFoundError(path);
    return **r;
  }
  // Pipelined creates (parents must come before children in `paths`); an existing node is not an
  // error; first other error returned.
  absl::Status createMany(const std::vector<std::string>& paths, const std::string& data) {
    return pipelined(paths, "createMany", [this, &data](const std::string& path, auto settle) {
      c_->create(path, data, {}, {}, [settle](absl::StatusOr<zk::CreateResult> r) {
        settle(r.ok() || zk::isNodeExists(r.status()) ? absl::OkStatus() : r.status());
      });
    });
  }
  // Pipelined deletes (children must come before their parents in `paths`); a missing node is
  // not an error; first other error returned.
  absl::Status removeMany(const std::vector<std::string>& paths) {
    return pipelined(paths, "removeMany", [this](const std::string& path, auto settle) {
      c_->remove(path, -1, [settle](absl::Status s) { settle(zk::isNoNode(s) ? absl::OkStatus() : s); });
    });
  }

 private:
  // Sends one request per path (at most ~2,000 outstanding); send(path, settle) must call
  // settle(status) once when its request completes. Waits for all; first error returned.
  template <typename Send>
  absl::Status pipelined(const std::vector<std::string>& paths, const char* what, Send send) {
    if (paths.empty()) return absl::OkStatus();
    struct St {
      std::atomic<std::size_t> left;
      std::mutex mu;
      absl::Status first;
      std::promise<absl::Status> done;
    };
    auto st = std::make_shared<St>();
    st->left = paths.size();
    auto f = st->done.get_future();
    auto settle = [st](const absl::Status& s) {
      if (!s.ok()) {
        std::lock_guard lk(st->mu);
        if (st->first.ok()) st->first = s;
      }
      if (--st->left == 0) st->done.set_value(st->first);
    };
    for (const auto& path : paths) {
      while (c_->outstanding() > 2000) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      send(path, settle);
    }
    if (f.wait_for(std::chrono::seconds(300)) != std::future_status::ready) return absl::DeadlineExceededError(what);
    return f.get();
  }

  BlockingZk() : loop_("test-zk") {}
  zk::EventLoop loop_;
  std::unique_ptr<zk::ZkClient> c_;
};

}  // namespace orch::sync::testing
