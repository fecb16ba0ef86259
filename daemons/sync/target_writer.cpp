#include "sync/target_writer.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "common/zk/zk_status.h"
#include "core/sync/path_filter.h"
#include "sync/znode_convert.h"

namespace orch::sync {

using core::sync::ZnodeKind;
using core::sync::ZnodeRecord;

TargetWriter::TargetWriter(zk::ZkClient& target, Options options, Lookup lookup, Hooks hooks)
    : zk_(target), opts_(options), lookup_(std::move(lookup)), hooks_(std::move(hooks)) {}

TargetWriter::~TargetWriter() { *alive_ = false; }

std::size_t TargetWriter::opBytes(const ZnodeRecord& rec) {
  std::size_t n = rec.path.size() + rec.data.size() + 32;
  for (const auto& a : rec.acl) n += a.scheme.size() + a.id.size() + 16;
  return n;
}

void TargetWriter::upsert(const std::string& path, bool believed_present, bool acl_changed, WriteOrigin origin) {
  auto it = last_upsert_.find(path);
  if (it != last_upsert_.end() && !queue_.empty() && it->second >= queue_.front().seq) {
    Entry& e = queue_[it->second - queue_.front().seq];
    e.believed_present = e.believed_present && believed_present;
    e.acl_changed = e.acl_changed || acl_changed;
    if (!e.origin.observe_lag) e.origin = origin;
    return;
  }
  Entry e;
  e.kind = Kind::kUpsert;
  e.path = path;
  e.believed_present = believed_present;
  e.acl_changed = acl_changed;
  e.origin = origin;
  enqueue(std::move(e));
}

void TargetWriter::remove(const std::string& path, WriteOrigin origin) {
  Entry e;
  e.kind = Kind::kRemove;
  e.path = path;
  e.origin = origin;
  enqueue(std::move(e));
}

void TargetWriter::enqueue(Entry e) {
  e.seq = next_seq_++;
  if (e.kind == Kind::kUpsert) {
    last_upsert_[e.path] = e.seq;
  } else {
    last_upsert_.erase(e.path);
  }
  queue_.push_back(std::move(e));
  scheduleFlush();
}

void TargetWriter::scheduleFlush() {
  // Deferred to the end of the current loop turn: every write decided from the completions and
  // watch events already queued on the loop joins the same multi().
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  zk_.post([this, alive = alive_] {
    if (!*alive) return;
    flush_scheduled_ = false;
    flush();
  });
}

bool TargetWriter::shouldSend() const {
  if (queue_.empty() || inflight_batches_ >= opts_.max_inflight) return false;
  // Pipe idle: send now (lowest latency). Busy: let writes group until a batch completes, unless
  // a well-filled batch is already waiting (keeps a bulk copy pipelined).
  const int queued = static_cast<int>(queue_.size());
  if (bulk_ && !kicked_) return queued >= std::min(opts_.min_bulk_batch, opts_.max_batch_ops);
  return inflight_batches_ < std::max(1, opts_.eager_inflight) || queued >= opts_.min_pipelined_batch;
}

void TargetWriter::setBulk(bool bulk) {
  if (bulk_ == bulk) return;
  bulk_ = bulk;
  if (!bulk_) flush();
}

void TargetWriter::kick() {
  if (bulk_) {
    // Scan writes wait for a full batch (setBulk(false) sends the rest); live changes do not.
    bool live = false;
    for (const Entry& e : queue_) live = live || e.origin.observe_lag;
    if (!live) return;
  }
  kicked_ = true;
  flush();
  kicked_ = false;
}

void TargetWriter::clear() {
  queue_.clear();
  last_upsert_.clear();
}

void TargetWriter::result(const std::string& path, const absl::Status& s, std::size_t bytes, const WriteOrigin& origin) {
  if (s.ok()) {
    ++stats_.ops;
    stats_.bytes += bytes;
    if (hooks_.written) hooks_.written(path, bytes, origin);
  } else if (zk::isConnectionProblem(s)) {
    ++stats_.errors;
    if (hooks_.connection_lost) hooks_.connection_lost(s);
  } else {
    ++stats_.errors;
    if (hooks_.failed) hooks_.failed(path, s);
  }
}

void TargetWriter::flush() {
  while (shouldSend()) {
    std::vector<Entry> batch;
    std::vector<zk::ZkOp> ops;
    std::vector<std::size_t> sizes;
    std::size_t bytes = 0;
    while (!queue_.empty() && static_cast<int>(ops.size()) < opts_.max_batch_ops) {
      Entry& e = queue_.front();
      std::size_t sz = e.path.size() + 16;
      zk::ZkOp op;
      bool single = false;
      if (e.kind == Kind::kUpsert) {
        const ZnodeRecord* rec = lookup_(e.path);
        if (rec == nullptr) {  // gone from the source meanwhile: its delete follows
          if (last_upsert_.count(e.path) && last_upsert_[e.path] == e.seq) last_upsert_.erase(e.path);
          queue_.pop_front();
          continue;
        }
        sz = opBytes(*rec);
        single = rec->kind == ZnodeKind::kContainer || rec->kind == ZnodeKind::kTtl ||
                 static_cast<int>(sz) > opts_.max_batch_bytes;
        if (!single) {
          op = e.believed_present ? zk::ZkOp::set(e.path, rec->data)
                                  : zk::ZkOp::create(e.path, rec->data, toZkAcl(rec->acl));
        }
      } else {
        op = zk::ZkOp::remove(e.path);
      }
      if (!single && !ops.empty() && static_cast<int>(bytes + sz) > opts_.max_batch_bytes) break;
      Entry taken = std::move(e);
      queue_.pop_front();
      if (taken.kind == Kind::kUpsert) {
        auto it = last_upsert_.find(taken.path);
        if (it != last_upsert_.end() && it->second == taken.seq) last_upsert_.erase(it);
      }
      if (single) {
        // Everything queued before it must be sent first to keep the order.
        if (!ops.empty()) {
          queue_.push_front(std::move(taken));
          break;
        }
        sendSingle(std::move(taken));
        continue;
      }
      bytes += sz;
      sizes.push_back(sz);
      ops.push_back(std::move(op));
      batch.push_back(std::move(taken));
    }
    if (ops.empty()) continue;
    ++inflight_batches_;
    ++stats_.batches;
    auto shared = std::make_shared<std::vector<Entry>>(std::move(batch));
    // setAcl for updated nodes whose ACL changed (multi has no setAcl op); sent right after the
    // multi on the same session, so it applies after it.
    zk_.multi(std::move(ops), [this, shared, sizes](zk::MultiResult r) {
      --inflight_batches_;
      if (r.status.ok()) {
        for (std::size_t i = 0; i < shared->size(); ++i) {
          result((*shared)[i].path, absl::OkStatus(), sizes[i], (*shared)[i].origin);
        }
      } else if (zk::isConnectionProblem(r.status) && r.results.empty()) {
        ++stats_.errors;
        if (hooks_.connection_lost) hooks_.connection_lost(r.status);
      } else {
        ++stats_.fallbacks;
        for (auto& e : *shared) fallback(std::move(e));
      }
      flush();
    });
    for (const Entry& e : *shared) {
      if (e.kind != Kind::kUpsert || !e.acl_changed || !e.believed_present) continue;
      const ZnodeRecord* rec = lookup_(e.path);
      if (rec == nullptr) continue;
      ++inflight_single_;
      zk_.setAcl(e.path, -1, toZkAcl(rec->acl), [this, path = e.path](absl::Status s) {
        --inflight_single_;
        if (!s.ok() && !zk::isNoNode(s)) result(path, s, 0, {});
        flush();
      });
    }
  }
}

void TargetWriter::sendSingle(Entry e) {
  ++inflight_single_;
  repairUpsert(e.path, e.origin, 0, [this](bool) {
    --inflight_single_;
    flush();
  });
}

void TargetWriter::fallback(Entry e) {
  ++inflight_single_;
  auto done = [this](bool) {
    --inflight_single_;
    flush();
  };
  if (e.kind == Kind::kUpsert) {
    repairUpsert(e.path, e.origin, 0, done);
  } else {
    repairRemove(e.path, e.origin, done);
  }
}

// create; "exists" → set data + ACL (and recreate if the kind must differ is the engine's call);
// "no parent" → upsert the parent first, then retry once.
void TargetWriter::repairUpsert(const std::string& path, WriteOrigin origin, int depth, std::function<void(bool)> then) {
  const ZnodeRecord* rec = lookup_(path);
  if (rec == nullptr) {
    then(true);
    return;
  }
  const std::size_t sz = opBytes(*rec);
  zk_.create(path, rec->data, toZkAcl(rec->acl), toCreateMode(*rec),
             [this, path, origin, depth, sz, then](absl::StatusOr<zk::CreateResult> c) {
               if (c.ok()) {
                 result(path, absl::OkStatus(), sz, origin);
                 return then(true);
               }
               if (zk::isNodeExists(c.status())) {
                 const ZnodeRecord* rec = lookup_(path);
                 if (rec == nullptr) return then(true);
                 auto acl = toZkAcl(rec->acl);
                 zk_.set(path, rec->data, -1, [this, path, origin, sz, acl, then](absl::StatusOr<zk::ZkStat> s) {
                   if (!s.ok()) {
                     result(path, s.status(), 0, origin);
                     return then(false);
                   }
                   zk_.setAcl(path, -1, acl, [this, path, origin, sz, then](absl::Status a) {
                     result(path, a, sz, origin);
                     then(a.ok());
                   });
                 });
                 return;
               }
               if (zk::isNoNode(c.status()) && depth < 200) {
                 const std::string parent = core::sync::parentPath(path);
                 if (!parent.empty() && parent != "/" && lookup_(parent) != nullptr) {
                   repairUpsert(parent, {}, depth + 1, [this, path, origin, depth, then](bool ok) {
                     if (!ok) return then(false);
                     repairUpsert(path, origin, 200, then);  // one retry only
                   });
                   return;
                 }
               }
               result(path, c.status(), 0, origin);
               then(false);
             });
}

void TargetWriter::repairRemove(const std::string& path, WriteOrigin origin, std::function<void(bool)> then) {
  zk_.remove(path, -1, [this, path, origin, then](absl::Status s) {
    if (s.ok() || zk::isNoNode(s)) {
      result(path, absl::OkStatus(), 0, origin);
      return then(true);
    }
    if (zk::isNotEmpty(s)) {
      removeTree(path, [this, path, origin, then](absl::Status t) {
        result(path, t, 0, origin);
        then(t.ok());
      });
      return;
    }
    result(path, s, 0, origin);
    then(false);
  });
}

// Lists and deletes path's subtree on the target, children first.
void TargetWriter::removeTree(const std::string& path, std::function<void(absl::Status)> then) {
  zk_.getChildren(path, nullptr, [this, path, then](absl::StatusOr<zk::ChildrenResult> c) {
    if (!c.ok()) return then(zk::isNoNode(c.status()) ? absl::OkStatus() : c.status());
    struct Join {
      int pending;
      absl::Status first;
    };
    auto j = std::make_shared<Join>(Join{static_cast<int>(c->children.size()) + 1, absl::OkStatus()});
    auto finishOne = [this, path, j, then](absl::Status s) {
      if (!s.ok() && j->first.ok()) j->first = s;
      if (--j->pending > 0) return;
      if (!j->first.ok()) return then(j->first);
      zk_.remove(path, -1, [then](absl::Status r) { then(r.ok() || zk::isNoNode(r) ? absl::OkStatus() : r); });
    };
    for (const auto& kid : c->children) removeTree(core::sync::childPath(path, kid), finishOne);
    finishOne(absl::OkStatus());
  });
}

void TargetWriter::bumpCversion(const std::string& parent, std::int64_t pairs) {
  const std::string bump = core::sync::childPath(parent, ".orch-sync-seq-bump");
  while (pairs > 0) {
    const std::int64_t n = std::min<std::int64_t>(pairs, 250);
    pairs -= n;
    std::vector<zk::ZkOp> ops;
    for (std::int64_t i = 0; i < n; ++i) {
      ops.push_back(zk::ZkOp::create(bump, "", zk::openAcl()));
      ops.push_back(zk::ZkOp::remove(bump));
    }
    ++inflight_single_;
    zk_.multi(std::move(ops), [this, parent](zk::MultiResult r) {
      --inflight_single_;
      if (!r.status.ok()) result(parent, r.status, 0, {});
      flush();
    });
  }
}

}  // namespace orch::sync
