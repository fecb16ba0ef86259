#include "sync/node_reader.h"

#include <memory>

#include "common/zk/zk_status.h"

namespace orch::sync {
namespace {

struct Join {
  NodeRead r;
  int pending = 1;
  bool missing = false;
  bool children_read = false;
  std::function<void(NodeRead)> done;
  void note(const absl::Status& s) {
    if (s.ok()) return;
    if (zk::isNoNode(s)) {
      missing = true;
    } else if (r.status.ok()) {
      r.status = s;
    }
  }
  void step() {
    if (--pending > 0) return;
    r.exists = !missing && r.status.ok();
    if (!children_read) r.child_stat = r.stat;
    done(std::move(r));
  }
};

void sendAcl(zk::ZkClient& client, const std::string& path, const std::shared_ptr<Join>& j) {
  ++j->pending;
  ++j->r.requests;
  j->r.acl_read = true;
  client.getAcl(path, [j](absl::StatusOr<zk::AclResult> a) {
    if (a.ok()) {
      j->r.acl = std::move(a->acl);
      j->r.acl_aversion = a->stat.aversion;
    } else {
      j->note(a.status());
    }
    j->step();
  });
}

void sendChildren(zk::ZkClient& client, const std::string& path, zk::WatchFn watch, const std::shared_ptr<Join>& j) {
  ++j->pending;
  ++j->r.requests;
  j->children_read = true;
  client.getChildren(path, std::move(watch), [j](absl::StatusOr<zk::ChildrenResult> c) {
    if (c.ok()) {
      j->r.children = std::move(c->children);
      j->r.child_stat = c->stat;
    } else {
      j->note(c.status());
    }
    j->step();
  });
}

}  // namespace

void readNode(zk::ZkClient& client, const std::string& path, NodeReadPlan plan, std::function<void(NodeRead)> done) {
  auto j = std::make_shared<Join>();
  j->done = std::move(done);
  const bool children_now = static_cast<bool>(plan.child_watch);
  const bool children_later = !children_now && plan.children;
  const std::optional<std::int32_t> cached = plan.cached_acl_aversion;
  ++j->r.requests;
  ++j->pending;
  client.get(path, std::move(plan.data_watch), [&client, path, j, children_later, cached](absl::StatusOr<zk::GetResult> g) {
    if (g.ok()) {
      j->r.data = std::move(g->data);
      j->r.stat = g->stat;
      // Follow-up reads, sent from the completion (same session, so ordered after get).
      if (cached && g->stat.aversion != *cached) sendAcl(client, path, j);
      if (cached && g->stat.aversion == *cached) j->r.acl_aversion = *cached;
      if (children_later && g->stat.num_children > 0) sendChildren(client, path, nullptr, j);
    } else {
      j->note(g.status());
    }
    j->step();
  });
  if (!cached) sendAcl(client, path, j);
  if (children_now) sendChildren(client, path, std::move(plan.child_watch), j);
  j->step();  // drops the initial hold
}

void readNode(zk::ZkClient& client, const std::string& path, zk::WatchFn data_watch, zk::WatchFn child_watch,
              std::function<void(NodeRead)> done) {
  NodeReadPlan plan;
  plan.data_watch = std::move(data_watch);
  plan.child_watch = std::move(child_watch);
  plan.children = true;
  readNode(client, path, std::move(plan), std::move(done));
}

}  // namespace orch::sync
