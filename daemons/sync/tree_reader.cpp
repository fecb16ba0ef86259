#include "sync/tree_reader.h"

#include <deque>
#include <future>
#include <memory>

#include "core/sync/path_filter.h"
#include "sync/node_reader.h"
#include "sync/znode_convert.h"

namespace orch::sync {
namespace {

struct Walk : std::enable_shared_from_this<Walk> {
  zk::ZkClient* client;
  core::sync::PathFilter filter;
  core::sync::NodeKindHints hints;
  int max_inflight;
  std::function<void(absl::StatusOr<core::sync::ZnodeTree>)> done;
  core::sync::ZnodeTree tree;
  std::deque<std::string> queue;
  int inflight = 0;
  absl::Status error;
  bool finished = false;

  Walk(zk::ZkClient* c, core::sync::PathFilter f, core::sync::NodeKindHints h, int m)
      : client(c), filter(std::move(f)), hints(std::move(h)), max_inflight(m) {}

  void pump() {
    auto self = shared_from_this();
    while (error.ok() && inflight < max_inflight && !queue.empty()) {
      std::string path = std::move(queue.front());
      queue.pop_front();
      ++inflight;
      readNode(*client, path, nullptr, nullptr, [self, path](NodeRead r) {
        --self->inflight;
        if (!r.status.ok()) {
          if (self->error.ok()) self->error = r.status;
        } else if (r.exists) {
          if (self->filter.includes(path)) {
            self->tree.emplace(path, toRecord(path, std::move(r.data), r.acl, r.stat, self->hints));
          }
          for (const auto& c : r.children) {
            const std::string cp = core::sync::childPath(path, c);
            if (self->filter.includes(cp) || self->filter.leadsToRoot(cp)) self->queue.push_back(cp);
          }
        }
        self->pump();
      });
    }
    if ((inflight == 0 && queue.empty()) || (!error.ok() && inflight == 0)) {
      if (finished) return;
      finished = true;
      if (!error.ok()) {
        done(error);
      } else {
        done(std::move(tree));
      }
    }
  }
};

}  // namespace

void readTreeAsync(zk::ZkClient& client, const core::sync::PathFilter& filter, const core::sync::NodeKindHints& hints,
                   int max_inflight, std::function<void(absl::StatusOr<core::sync::ZnodeTree>)> done) {
  auto w = std::make_shared<Walk>(&client, filter, hints, max_inflight < 1 ? 1 : max_inflight);
  w->done = std::move(done);
  for (const auto& r : filter.roots()) w->queue.push_back(r);
  client.post([w] { w->pump(); });
}

absl::StatusOr<core::sync::ZnodeTree> readTree(zk::ZkClient& client, const core::sync::PathFilter& filter,
                                               const core::sync::NodeKindHints& hints,
                                               std::chrono::milliseconds timeout, int max_inflight) {
  auto p = std::make_shared<std::promise<absl::StatusOr<core::sync::ZnodeTree>>>();
  auto f = p->get_future();
  readTreeAsync(client, filter, hints, max_inflight,
                [p](absl::StatusOr<core::sync::ZnodeTree> t) { p->set_value(std::move(t)); });
  if (f.wait_for(timeout) != std::future_status::ready) {
    return absl::DeadlineExceededError("reading the znode tree timed out");
  }
  return f.get();
}

}  // namespace orch::sync
