#include "sync/node_reader.h"

#include <memory>

#include "common/zk/zk_status.h"

namespace orch::sync {

void readNode(zk::ZkClient& client, const std::string& path, zk::WatchFn data_watch, zk::WatchFn child_watch,
              std::function<void(NodeRead)> done) {
  struct Join {
    NodeRead r;
    int pending = 3;
    bool missing = false;
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
      done(std::move(r));
    }
  };
  auto j = std::make_shared<Join>();
  j->done = std::move(done);
  client.get(path, std::move(data_watch), [j](absl::StatusOr<zk::GetResult> g) {
    if (g.ok()) {
      j->r.data = std::move(g->data);
      j->r.stat = g->stat;
    } else {
      j->note(g.status());
    }
    j->step();
  });
  client.getAcl(path, [j](absl::StatusOr<zk::AclResult> a) {
    if (a.ok()) {
      j->r.acl = std::move(a->acl);
    } else {
      j->note(a.status());
    }
    j->step();
  });
  client.getChildren(path, std::move(child_watch), [j](absl::StatusOr<zk::ChildrenResult> c) {
    if (c.ok()) {
      j->r.children = std::move(c->children);
      j->r.child_stat = c->stat;
    } else {
      j->note(c.status());
    }
    j->step();
  });
}

}  // namespace orch::sync
