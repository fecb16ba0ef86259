#include "sync/bidi_sync_engine.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/log/logger.h"
#include "common/zk/zk_status.h"
#include "core/sync/path_filter.h"
#include "core/sync/sequence_counter.h"
#include "core/sync/tree_digest.h"
#include "sync/znode_convert.h"

namespace orch::sync {

using core::sync::BidiAction;
using core::sync::ZnodeKind;
using core::sync::ZnodeRecord;

namespace {

std::int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr std::size_t kLagRing = 20000;
const char* sideName(int s) { return s == 0 ? "source" : "target"; }

}  // namespace

absl::StatusOr<std::unique_ptr<BidiSyncEngine>> BidiSyncEngine::create(Options options) {
  if (auto s = validateSyncConfig(options.config); !s.ok()) return s;
  auto filter = core::sync::PathFilter::create(options.config.paths_to_sync, options.config.exclude_paths);
  if (!filter.ok()) return filter.status();
  auto hints = core::sync::NodeKindHints::create(options.config.kind_hints);
  if (!hints.ok()) return hints.status();
  auto e = std::unique_ptr<BidiSyncEngine>(new BidiSyncEngine(std::move(options), std::move(*filter), std::move(*hints)));
  if (auto s = e->audit_.open(e->opts_.config.audit_log); !s.ok()) return absl::InvalidArgumentError(s.message());
  if (auto s = e->openBaselines(); !s.ok()) return s;
  return e;
}

absl::Status BidiSyncEngine::openBaselines() {
  const SyncConfig& cfg = opts_.config;
  const std::string dir = effectiveBaselineDir(cfg);
  if (dir.empty()) {
    store_ = BidiBaselineStore::inMemory();
    log::logWarn("bidirectional baselines are kept in memory only (no baseline_dir or audit_log configured): "
                 "after a restart, deletions made meanwhile are undone and differing nodes are conflicts");
    return absl::OkStatus();
  }
  BidiBaselineStore::Options so;
  so.dir = dir;
  so.identity = {cfg.source_zk, cfg.target_zk, cfg.paths_to_sync};
  auto st = BidiBaselineStore::open(so);
  if (!st.ok() && absl::IsDataLoss(st.status())) {
    log::logError("BASELINE STATE IS CORRUPT: starting WITHOUT baselines; deletions made while the engine was down "
                  "will be undone and differing nodes will be conflicts",
                  {{"dir", dir}, {"error", st.status().ToString()}});
    auto moved = BidiBaselineStore::discardFiles(dir, so.identity);
    if (!moved.ok()) return absl::InvalidArgumentError(moved.status().message());
    log::logWarn("corrupt baseline state moved aside", {{"files", *moved}});
    st = BidiBaselineStore::open(so);
  }
  if (!st.ok()) return st.status();  // another pair's file, or the directory cannot be written
  store_ = std::move(*st);
  for (const auto& w : store_->loadWarnings()) log::logWarn("baseline state: damaged tail ignored", {{"detail", w}});
  baseline_ = store_->acknowledged();
  log::logInfo("bidirectional baselines loaded", {{"file", store_->file()}, {"paths", baseline_.size()}});
  return absl::OkStatus();
}

BidiSyncEngine::BidiSyncEngine(Options options, core::sync::PathFilter filter, core::sync::NodeKindHints hints)
    : opts_(std::move(options)),
      filter_(std::move(filter)),
      hints_(std::move(hints)),
      own_registry_(opts_.registry ? nullptr : std::make_unique<metrics::MetricsRegistry>()),
      registry_(opts_.registry ? opts_.registry : own_registry_.get()),
      metrics_(*registry_),
      loop_("zk-bidi"),
      rate_(opts_.config.conflict_alert_per_min) {}

BidiSyncEngine::~BidiSyncEngine() { stop(); }

absl::Status BidiSyncEngine::start(std::chrono::milliseconds connect_timeout) {
  const SyncConfig& cfg = opts_.config;
  auto make = [&](const std::string& connect, const std::string& auth) -> absl::StatusOr<std::unique_ptr<zk::ZkClient>> {
    zk::ZkClientOptions o;
    o.connect = connect;
    o.session_timeout_ms = cfg.session_timeout_ms;
    if (!auth.empty()) o.auth = {zk::AuthInfo{"digest", auth}};
    o.retry.max_attempts = 6;
    return zk::ZkClient::create(o, loop_.executor());
  };
  auto a = make(cfg.source_zk, cfg.source_auth);
  if (!a.ok()) return absl::InvalidArgumentError(absl::StrCat("source: ", a.status().message()));
  auto b = make(cfg.target_zk, cfg.target_auth);
  if (!b.ok()) return absl::InvalidArgumentError(absl::StrCat("target: ", b.status().message()));
  (*a)->setSessionListener([this](const zk::SessionEvent& e) { onSession(kA, e); });
  (*b)->setSessionListener([this](const zk::SessionEvent& e) { onSession(kB, e); });
  if (auto s = (*a)->connect(connect_timeout); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("source ensemble ", cfg.source_zk, ": ", s.message()));
  }
  if (auto s = (*b)->connect(connect_timeout); !s.ok()) {
    (*a)->close();
    return absl::UnavailableError(absl::StrCat("target ensemble ", cfg.target_zk, ": ", s.message()));
  }
  a_ = std::move(*a);
  b_ = std::move(*b);
  TargetWriter::Options wo;
  wo.max_batch_ops = cfg.max_batch_ops;
  wo.max_batch_bytes = cfg.max_batch_bytes;
  for (Side to : {kA, kB}) {
    TargetWriter::Hooks hooks;
    hooks.written = [this, to](const std::string& path, std::size_t bytes, const WriteOrigin& o) {
      wrote(to, path, true);
      metrics_.znodes_synced.inc();
      metrics_.bytes.inc(static_cast<double>(bytes));
      if (o.observe_lag && o.origin_ms > 0) recordLag(static_cast<double>(std::max<std::int64_t>(0, wallMs() - o.origin_ms)));
    };
    hooks.failed = [this, to](const std::string& path, const absl::Status& s) {
      fail(absl::StrCat("write ", path, " on ", sideName(to)), s);
      dirty_ = true;
      wrote(to, path, false);
    };
    hooks.connection_lost = [this, to](const absl::Status& s) {
      fail(absl::StrCat("write batch to ", sideName(to)), s);
      dirty_ = true;
      writer(to).clear();
    };
    auto w = std::make_unique<TargetWriter>(
        client(to), wo,
        [this, to](const std::string& path) -> const ZnodeRecord* {
          auto it = desired_[to].find(path);
          return it == desired_[to].end() ? nullptr : &it->second;
        },
        std::move(hooks));
    (to == kA ? wa_ : wb_) = std::move(w);
  }
  loop_.runSync([this] {
    started_ = true;
    state_[kA] = a_->state();
    state_[kB] = b_->state();
    connections_seen_[kA] = a_->connections();
    connections_seen_[kB] = b_->connections();
    startFullScan("initial sync");
    loop_.postDelayed(std::chrono::milliseconds(20), [this] { tick(); });
  });
  log::logInfo("bidirectional sync started", {{"source", opts_.config.source_zk}, {"target", opts_.config.target_zk},
                                              {"strategy", core::sync::conflictStrategyName(opts_.config.conflict_resolution)}});
  return absl::OkStatus();
}

void BidiSyncEngine::stop() {
  if (!a_ && !b_) {
    loop_.stop();
    if (store_) (void)store_->close();
    return;
  }
  loop_.runSync([this] { stopping_ = true; });
  a_->close();
  b_->close();
  loop_.stop();
  if (store_) {
    if (auto s = store_->close(); !s.ok()) log::logWarn("baseline state not fully written", {{"error", s.ToString()}});
  }
}

void BidiSyncEngine::requestFullResync() {
  loop_.post([this] {
    dirty_ = true;
    startFullScan("requested");
  });
}

bool BidiSyncEngine::isRoot(const std::string& path) const {
  const auto& r = filter_.roots();
  return std::find(r.begin(), r.end(), path) != r.end();
}

void BidiSyncEngine::fail(const std::string& what, const absl::Status& s) {
  ++errors_;
  metrics_.errors.inc();
  last_error_ = absl::StrCat(what, ": ", s.message());
  log::logWarn("sync error", {{"what", what}, {"error", s.ToString()}});
}

void BidiSyncEngine::recordLag(double ms) {
  metrics_.lag_ms.observe(ms);
  if (lag_ring_.size() < kLagRing) {
    lag_ring_.push_back(ms);
  } else {
    lag_ring_[lag_next_] = ms;
  }
  lag_next_ = (lag_next_ + 1) % kLagRing;
  ++lag_count_;
}

void BidiSyncEngine::onSession(Side side, const zk::SessionEvent& e) {
  if (stopping_) return;
  state_[side] = e.state;
  const bool reconnect = e.state == zk::SessionState::kConnected && e.connection > connections_seen_[side];
  if (reconnect) connections_seen_[side] = e.connection;
  if (e.state == zk::SessionState::kExpired || (e.new_session && reconnect)) {
    for (auto& [_, v] : views_[side]) v.data_watch = v.child_watch = v.exists_watch = false;
  }
  if (e.state == zk::SessionState::kSuspended || e.state == zk::SessionState::kExpired) dirty_ = true;
  if (reconnect && started_) startFullScan(absl::StrCat(sideName(side), " reconnected"));
}

void BidiSyncEngine::startFullScan(const std::string& reason) {
  if (stopping_) return;
  if (scan_running_ || state_[kA] != zk::SessionState::kConnected || state_[kB] != zk::SessionState::kConnected) {
    rescan_pending_ = true;
    rescan_reason_ = reason;
    return;
  }
  rescan_pending_ = false;
  scan_running_ = true;
  scan_writes_pending_ = true;
  dirty_ = false;
  scan_started_ = std::chrono::steady_clock::now();
  scan_nodes_ = 0;
  metrics_.full_resyncs.inc();
  wa_->setBulk(true);
  wb_->setBulk(true);
  log::logInfo("full bidirectional scan started", {{"reason", reason}});
  for (const auto& r : filter_.roots()) enqueue(r, true);
}

void BidiSyncEngine::enqueue(const std::string& path, bool scan) {
  auto [it, fresh] = queued_.emplace(path, scan);
  if (!fresh) {
    it->second = it->second || scan;
  } else {
    queue_.push_back(path);
  }
  pump();
}

void BidiSyncEngine::pump() {
  while (!stopping_ && static_cast<int>(inflight_.size()) < opts_.max_inflight && !queue_.empty()) {
    std::string path = std::move(queue_.front());
    queue_.pop_front();
    auto q = queued_.find(path);
    const bool scan = q != queued_.end() && q->second;
    if (q != queued_.end()) queued_.erase(q);
    auto in = inflight_.find(path);
    if (in != inflight_.end()) {  // read again once the running read is done
      in->second.rerun = std::max(in->second.rerun, scan ? 2 : 1);
      continue;
    }
    inflight_.emplace(path, Inflight{0, write_gen_});
    reconcile(path, scan);
  }
  if (scan_running_ && queue_.empty() && inflight_.empty()) {
    scan_running_ = false;
    if (!dirty_) pruneUnseenBaselines();
    scan_seen_.clear();
    wa_->setBulk(false);
    wb_->setBulk(false);
  }
}

// After a clean full scan: a baseline of a path found on neither side (deleted on both while the
// engine was down, or no longer synced) is dropped, so a later create there is a plain copy.
void BidiSyncEngine::pruneUnseenBaselines() {
  std::vector<std::string> gone;
  auto unseen = [&](const std::string& p) {
    return !scan_seen_.count(p) && !pending_[kA].count(p) && !pending_[kB].count(p) && !unacked_[kA].count(p) &&
           !unacked_[kB].count(p);
  };
  for (const auto& [p, _] : baseline_) {
    if (unseen(p)) gone.push_back(p);
  }
  for (const auto& [p, _] : store_->acknowledged()) {
    if (unseen(p) && !baseline_.count(p)) gone.push_back(p);
  }
  for (const auto& p : gone) {
    baseline_.erase(p);
    store_->erase(p);
  }
  if (!gone.empty()) log::logInfo("baselines of vanished paths dropped", {{"paths", gone.size()}});
}

void BidiSyncEngine::reconcile(const std::string& path, bool scan) {
  struct Join {
    int pending = 2;
    NodeRead r[2];
  };
  auto j = std::make_shared<Join>();
  for (Side side : {kA, kB}) {
    auto it = views_[side].find(path);
    const View* v = it == views_[side].end() ? nullptr : &it->second;
    const bool want_data = !v || !v->data_watch;
    const bool want_child = !v || !v->child_watch;
    NodeReadPlan plan;
    if (want_data) plan.data_watch = [this, side, path](const zk::WatchEvent&) { watchFired(side, path, true); };
    if (want_child) plan.child_watch = [this, side, path](const zk::WatchEvent&) { watchFired(side, path, false); };
    plan.children = true;
    if (v && v->exists && v->acl_aversion >= 0) plan.cached_acl_aversion = v->acl_aversion;
    readNode(client(side), path, std::move(plan), [this, j, side, path, scan, want_data, want_child](NodeRead r) {
      if (r.exists && !stopping_) {
        View& v = views_[side][path];
        v.data_watch = v.data_watch || want_data;
        v.child_watch = v.child_watch || want_child;
      }
      j->r[side] = std::move(r);
      if (--j->pending > 0) return;
      if (stopping_) return;
      onRead(path, scan, std::move(j->r[kA]), std::move(j->r[kB]));
    });
  }
}

void BidiSyncEngine::wrote(Side to, const std::string& path, bool acked) {
  pending_[to].erase(path);
  ++write_gen_;
  written_at_[path] = write_gen_;
  if (pending_deletes_[to].erase(path)) deleted_at_[path] = write_gen_;
  if (auto u = unacked_[to].find(path); u != unacked_[to].end()) {
    const std::optional<Baseline> b = u->second;
    unacked_[to].erase(u);
    if (!acked) {
      revertBaseline(path, !b.has_value());
    } else if (b) {
      store_->put(path, *b);
    } else {
      store_->eraseSubtree(path);
    }
  }
  // Decisions that waited for this write (at path, or below a deletion of it) run on a fresh read.
  std::vector<std::string> ready;
  core::sync::forEachAtOrBelow(deferred_, path, [&](const std::string& p) {
    if (!writePendingOver(p)) ready.push_back(p);
  });
  for (const auto& p : ready) {
    deferred_.erase(p);
    enqueue(p, false);
  }
}

bool BidiSyncEngine::writePendingOver(const std::string& path) const {
  if (pending_[kA].count(path) || pending_[kB].count(path)) return true;
  for (std::string p = core::sync::parentPath(path); !p.empty(); p = core::sync::parentPath(p)) {
    if (pending_deletes_[kA].count(p) || pending_deletes_[kB].count(p)) return true;
  }
  return false;
}

bool BidiSyncEngine::writtenSince(const std::string& path, std::uint64_t read_gen) const {
  if (write_gen_ == read_gen) return false;
  if (auto it = written_at_.find(path); it != written_at_.end() && it->second > read_gen) return true;
  for (std::string p = core::sync::parentPath(path); !p.empty(); p = core::sync::parentPath(p)) {
    if (auto it = deleted_at_.find(p); it != deleted_at_.end() && it->second > read_gen) return true;
  }
  return false;
}

void BidiSyncEngine::watchFired(Side side, const std::string& path, bool data) {
  if (stopping_) return;
  auto it = views_[side].find(path);
  if (it != views_[side].end()) (data ? it->second.data_watch : it->second.child_watch) = false;
  enqueue(path, false);
}

// Refreshes side's view of path from r; returns the child names added or removed since.
std::vector<std::string> BidiSyncEngine::updateView(Side side, const std::string& path, NodeRead& r, bool scan) {
  View& v = views_[side][path];
  std::set<std::string> now;
  if (r.exists) {
    ZnodeRecord rec = toRecord(path, std::move(r.data), r.acl, r.stat, hints_);
    if (!r.acl_read) rec.acl = v.rec.acl;
    v.rec = std::move(rec);
    v.acl_aversion = r.acl_aversion;
    for (const auto& c : r.children) {
      if (filter_.includes(core::sync::childPath(path, c))) now.insert(c);
    }
  } else {
    v.data_watch = v.child_watch = false;  // no watch is left on a missing node
    if (isRoot(path) && !v.exists_watch) {
      v.exists_watch = true;
      client(side).exists(path, [this, side, path](const zk::WatchEvent&) {
        if (stopping_) return;
        views_[side][path].exists_watch = false;
        enqueue(path, true);
      }, [](absl::StatusOr<std::optional<zk::ZkStat>>) {});
    }
  }
  v.exists = r.exists;
  std::vector<std::string> changed;
  if (scan) {
    changed.assign(now.begin(), now.end());
  } else {
    std::set_symmetric_difference(now.begin(), now.end(), v.children.begin(), v.children.end(),
                                  std::back_inserter(changed));
  }
  v.children = std::move(now);
  return changed;
}

void BidiSyncEngine::onRead(const std::string& path, bool scan, NodeRead ra, NodeRead rb) {
  int rerun = 0;
  std::uint64_t read_gen = write_gen_;
  if (auto in = inflight_.find(path); in != inflight_.end()) {
    rerun = in->second.rerun;
    read_gen = in->second.gen;
    inflight_.erase(in);
  }
  if (scan) ++scan_nodes_;
  if (scan_running_) scan_seen_.insert(path);
  if (!ra.status.ok() || !rb.status.ok()) {
    fail(absl::StrCat("read ", path), ra.status.ok() ? rb.status : ra.status);
    dirty_ = true;
  } else {
    std::vector<std::string> kids = updateView(kA, path, ra, scan);
    std::vector<std::string> kb = updateView(kB, path, rb, scan);
    kids.insert(kids.end(), kb.begin(), kb.end());
    const View& va = views_[kA][path];
    const View& vb = views_[kB][path];
    const bool eph = (va.exists && va.rec.kind == ZnodeKind::kEphemeral) || (vb.exists && vb.rec.kind == ZnodeKind::kEphemeral);
    if (writePendingOver(path)) {
      deferred_.insert(path);  // decided again once our write is acknowledged
    } else if (writtenSince(path, read_gen)) {
      // One side may have been read before our write there landed (each session is FIFO, but the
      // two sides answer independently): deciding on it would undo the write. Read again.
      rerun = std::max(rerun, scan ? 2 : 1);
    } else if (!eph) {
      core::sync::SideView sa{va.exists, va.exists ? core::sync::contentDigest(va.rec) : core::sync::Digest{},
                              va.rec.mtime_ms};
      core::sync::SideView sb{vb.exists, vb.exists ? core::sync::contentDigest(vb.rec) : core::sync::Digest{},
                              vb.rec.mtime_ms};
      core::sync::SyncBaseline base;
      if (auto b = baseline_.find(path); b != baseline_.end()) base = {true, b->second.existed, b->second.content};
      core::sync::BidiDecision d;
      auto forced = forced_.find(path);
      if (forced != forced_.end()) {
        d.action = forced->second == ConflictWinner::kSource ? BidiAction::kCopyAToB : BidiAction::kCopyBToA;
        d.reason = "resolved manually";
        if ((sa.exists == sb.exists) && (!sa.exists || sa.content == sb.content)) d.action = BidiAction::kNone;
        forced_.erase(forced);
      } else {
        d = core::sync::decideBidirectional(sa, sb, base, opts_.config.conflict_resolution);
      }
      if (d.conflict) {
        onConflict(path, d);
      } else if (conflicts_.isHeld(path)) {
        conflicts_.release(path);  // the sides settled it themselves
      }
      apply(path, d.action, !scan || full_syncs_ > 0);
      const bool deleted_somewhere = (d.action == BidiAction::kCopyAToB && !sa.exists) ||
                                     (d.action == BidiAction::kCopyBToA && !sb.exists);
      if (deleted_somewhere) kids.clear();  // the subtree goes with its root
    }
    std::sort(kids.begin(), kids.end());
    kids.erase(std::unique(kids.begin(), kids.end()), kids.end());
    for (const auto& c : kids) enqueue(core::sync::childPath(path, c), scan);
  }
  if (rerun > 0) enqueue(path, rerun == 2);
  pump();
}

void BidiSyncEngine::apply(const std::string& path, BidiAction action, bool live) {
  const View& va = views_[kA][path];
  switch (action) {
    case BidiAction::kNone:  // both sides read equal: the in-sync state, acknowledged as it is
      if (va.exists) {
        const Baseline b{true, core::sync::contentDigest(va.rec)};
        baseline_[path] = b;
        store_->put(path, b);
      } else {
        core::sync::eraseAtOrBelow(baseline_, path);
        store_->eraseSubtree(path);
      }
      break;
    case BidiAction::kCopyAToB: copy(path, kA, kB, live); break;
    case BidiAction::kCopyBToA: copy(path, kB, kA, live); break;
    case BidiAction::kHold: break;
  }
}

void BidiSyncEngine::copy(const std::string& path, Side from, Side to, bool live) {
  const View& f = views_[from][path];
  const View& t = views_[to][path];
  if (f.exists) {
    desired_[to][path] = f.rec;
    baseline_[path] = Baseline{true, core::sync::contentDigest(f.rec)};
    unacked_[to][path] = baseline_[path];
    pending_[to].insert(path);
    if (!t.exists) noteSequentialCopy(to, path, from);
    const WriteOrigin origin{live, live ? f.rec.mtime_ms : 0};
    if (t.exists && t.rec.kind != f.rec.kind) {
      writer(to).remove(path, origin);
      writer(to).upsert(path, false, false, origin);
    } else {
      auto sa = f.rec.acl, sb = t.rec.acl;
      std::sort(sa.begin(), sa.end());
      std::sort(sb.begin(), sb.end());
      writer(to).upsert(path, t.exists, t.exists && sa != sb, origin);
    }
  } else {
    for (auto it = desired_[to].begin(); it != desired_[to].end();) {
      it = core::sync::isAtOrBelow(it->first, path) ? desired_[to].erase(it) : std::next(it);
    }
    // Writes queued below path are superseded by the deletion: their acks establish nothing.
    for (auto it = unacked_[to].begin(); it != unacked_[to].end();) {
      it = core::sync::isAtOrBelow(it->first, path) ? unacked_[to].erase(it) : std::next(it);
    }
    core::sync::eraseAtOrBelow(baseline_, path);
    unacked_[to][path] = std::nullopt;
    pending_[to].insert(path);
    pending_deletes_[to].insert(path);
    writer(to).remove(path, WriteOrigin{live, live ? wallMs() : 0});
  }
}

// A write failed or was dropped: the optimistic baseline goes back to the acknowledged one, so
// the re-diff still sees the copied side as the changed one.
void BidiSyncEngine::revertBaseline(const std::string& path, bool subtree) {
  if (subtree) {
    core::sync::eraseAtOrBelow(baseline_, path);
    core::sync::forEachAtOrBelow(store_->acknowledged(), path,
                                 [&](const std::string& p, const Baseline& b) { baseline_[p] = b; });
    return;
  }
  if (auto b = store_->find(path)) {
    baseline_[path] = *b;
  } else {
    baseline_.erase(path);
  }
}

// A sequential-looking child was created on `to` by a copy: `to`'s parent counter must pass it.
// The other side's counter is read when the pass runs (it needs cversion and numChildren from
// one stat, see core/sync/sequence_counter.h).
void BidiSyncEngine::noteSequentialCopy(Side to, const std::string& path, Side /*from*/) {
  const std::string name(core::sync::baseName(path));
  const auto suffix = core::sync::sequenceSuffix(name);
  if (!suffix) return;
  auto& cur = seq_parents_[to][core::sync::parentPath(path)];
  cur = std::max(cur, *suffix + 1);
}

// Once side's writer is idle (the copied children exist there): read each noted parent's stat on
// the other side (its sequence counter) and on side, and bump side's counter with create+delete
// pairs where it is below max(copied suffix + 1, other side's counter).
void BidiSyncEngine::runSequencePass(Side side) {
  std::map<std::string, std::int64_t> todo;
  todo.swap(seq_parents_[side]);
  const Side from = side == kA ? kB : kA;
  for (const auto& [parent, past_copies] : todo) {
    ++seq_checks_inflight_;
    client(from).exists(parent, nullptr, [this, side, from, parent = parent, past_copies = past_copies](
                                             absl::StatusOr<std::optional<zk::ZkStat>> f) {
      if (stopping_) {
        --seq_checks_inflight_;
        return;
      }
      if (!f.ok()) {  // read failed: note the parent again and rescan; a pass follows the scan
        --seq_checks_inflight_;
        fail(absl::StrCat("sequence counter of ", parent, " on ", sideName(from)), f.status());
        auto& again = seq_parents_[side][parent];
        again = std::max(again, past_copies);
        dirty_ = true;
        return;
      }
      std::int64_t required = past_copies;
      if (f->has_value()) {
        auto from_next = core::sync::nextSequenceNumber((*f)->cversion, (*f)->num_children);
        if (!from_next.ok()) {  // the server counts differently: no safe bump
          --seq_checks_inflight_;
          fail(absl::StrCat("sequence counter of ", parent, " on ", sideName(from)), from_next.status());
          return;
        }
        required = std::max(required, *from_next);
      }
      client(side).exists(parent, nullptr, [this, side, parent, past_copies, required](
                                               absl::StatusOr<std::optional<zk::ZkStat>> s) {
        --seq_checks_inflight_;
        if (stopping_) return;
        if (!s.ok()) {
          fail(absl::StrCat("sequence counter of ", parent, " on ", sideName(side)), s.status());
          auto& again = seq_parents_[side][parent];
          again = std::max(again, past_copies);
          dirty_ = true;
          return;
        }
        if (!s->has_value()) return;  // parent gone meanwhile
        auto next = core::sync::nextSequenceNumber((*s)->cversion, (*s)->num_children);
        if (!next.ok()) {
          fail(absl::StrCat("sequence counter of ", parent, " on ", sideName(side)), next.status());
          return;
        }
        const std::int64_t pairs = core::sync::bumpPairsNeeded(*next, required);
        if (pairs > 0) writer(side).bumpCversion(parent, pairs);
      });
    });
  }
}

core::sync::ConflictSideView BidiSyncEngine::conflictSide(Side side, const std::string& path) {
  const View& v = views_[side][path];
  if (!v.exists) return {};
  return core::sync::ConflictSideView{true, v.rec.data, v.rec.mtime_ms, v.rec.version, v.rec.mzxid};
}

nlohmann::json BidiSyncEngine::auditSide(Side side, const std::string& path) {
  const View& v = views_[side][path];
  if (!v.exists) return {{"exists", false}};
  return {{"exists", true},
          {"mtime_ms", v.rec.mtime_ms},
          {"version", v.rec.version},
          {"mzxid", v.rec.mzxid},
          {"data_bytes", v.rec.data.size()},
          {"digest", core::sync::toHex(core::sync::contentDigest(v.rec))}};
}

void BidiSyncEngine::onConflict(const std::string& path, const core::sync::BidiDecision& d) {
  const bool again = d.action == BidiAction::kHold && conflicts_.isHeld(path);
  std::uint64_t id = 0;
  if (d.action == BidiAction::kHold) {
    id = conflicts_.hold(path, conflictSide(kA, path), conflictSide(kB, path), d.reason, wallMs());
  }
  if (again) return;  // still the same held conflict: counted and audited once
  ++conflicts_seen_;
  metrics_.conflicts.inc();
  rate_.record(wallMs());
  nlohmann::json rec = {{"ts_ms", wallMs()},
                        {"event", "conflict"},
                        {"path", path},
                        {"strategy", core::sync::conflictStrategyName(opts_.config.conflict_resolution)},
                        {"action", core::sync::bidiActionName(d.action)},
                        {"reason", d.reason},
                        {"source", auditSide(kA, path)},
                        {"target", auditSide(kB, path)}};
  if (id) rec["conflict_id"] = id;
  if (auto s = audit_.append(rec); !s.ok()) fail("audit log", s);
  log::logWarn("sync conflict", {{"path", path}, {"action", core::sync::bidiActionName(d.action)}, {"reason", d.reason}});
}

absl::StatusOr<core::sync::HeldConflict> BidiSyncEngine::resolveConflict(std::uint64_t id, ConflictWinner winner) {
  absl::StatusOr<core::sync::HeldConflict> out = absl::NotFoundError(absl::StrCat("no held conflict with id ", id));
  loop_.runSync([&] {
    auto c = conflicts_.take(id);
    if (!c) return;
    forced_[c->path] = winner;
    nlohmann::json rec = {{"ts_ms", wallMs()},
                          {"event", "resolved"},
                          {"path", c->path},
                          {"conflict_id", id},
                          {"winner", winner == ConflictWinner::kSource ? "source" : "target"}};
    if (auto s = audit_.append(rec); !s.ok()) fail("audit log", s);
    enqueue(c->path, false);
    out = std::move(*c);
  });
  return out;
}

std::vector<core::sync::HeldConflict> BidiSyncEngine::listConflicts() {
  std::vector<core::sync::HeldConflict> out;
  loop_.runSync([&] { out = conflicts_.list(); });
  return out;
}

bool BidiSyncEngine::inSyncOnLoop() const {
  return started_ && !scan_running_ && !scan_writes_pending_ && !dirty_ && !rescan_pending_ && wa_->idle() &&
         wb_->idle() && queue_.empty() && inflight_.empty() && deferred_.empty() && seq_parents_[kA].empty() &&
         seq_parents_[kB].empty() && seq_checks_inflight_ == 0;
}

// Write numbers only matter to reads issued before them: forget those older than every read in
// flight (all of them when none is).
void BidiSyncEngine::pruneWriteNumbers() {
  if (written_at_.empty() && deleted_at_.empty()) return;
  if (inflight_.empty()) {
    written_at_.clear();
    deleted_at_.clear();
    return;
  }
  if (written_at_.size() + deleted_at_.size() < 4096) return;
  std::uint64_t oldest = write_gen_;
  for (const auto& [_, in] : inflight_) oldest = std::min(oldest, in.gen);
  std::erase_if(written_at_, [&](const auto& e) { return e.second <= oldest; });
  std::erase_if(deleted_at_, [&](const auto& e) { return e.second <= oldest; });
}

void BidiSyncEngine::tick() {
  if (stopping_) return;
  if (scan_running_ && queue_.empty() && inflight_.empty()) pump();
  pruneWriteNumbers();
  wa_->kick();
  wb_->kick();
  // Safety net: an idle writer has nothing in flight, whatever was not acknowledged.
  for (Side side : {kA, kB}) {
    if (writer(side).idle() && !pending_[side].empty()) {
      const std::vector<std::string> left(pending_[side].begin(), pending_[side].end());
      for (const auto& p : left) wrote(side, p, false);
    }
    if (!seq_parents_[side].empty() && writer(side).idle() && !scan_running_) runSequencePass(side);
  }
  if (!scan_running_ && scan_writes_pending_ && wa_->idle() && wb_->idle()) {
    scan_writes_pending_ = false;
    ++full_syncs_;
    last_full_sync_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - scan_started_).count();
    last_full_sync_nodes_ = scan_nodes_;
    log::logInfo("full bidirectional scan done", {{"nodes", scan_nodes_}, {"ms", last_full_sync_ms_}});
  }
  if ((rescan_pending_ || dirty_) && !scan_running_ && !scan_writes_pending_) {
    startFullScan(rescan_pending_ ? rescan_reason_ : "stale after an error");
  }
  std::uint64_t znodes = 0;
  for (const auto& [_, b] : baseline_) znodes += b.existed ? 1 : 0;
  metrics_.mirrored_znodes.set(static_cast<double>(znodes));
  metrics_.watches.set(static_cast<double>(a_->activeWatches() + b_->activeWatches()));
  metrics_.pending_writes.set(static_cast<double>(wa_->queued() + wb_->queued()));
  metrics_.in_sync.set(inSyncOnLoop() ? 1 : 0);
  metrics_.conflict_rate_alert.set(rate_.alerting(wallMs()) ? 1 : 0);
  const auto health = store_->health();
  metrics_.baseline_failing.set(health.failing ? 1 : 0);
  metrics_.baseline_entries.set(static_cast<double>(store_->acknowledged().size()));
  if (health.failing && !baseline_alarm_) {
    log::logError("baseline state file cannot be written: a restart now would undo recent deletions",
                  {{"file", health.file}, {"error", health.last_error}});
  }
  baseline_alarm_ = health.failing;
  loop_.postDelayed(std::chrono::milliseconds(20), [this] { tick(); });
}

SyncStatus BidiSyncEngine::status() {
  SyncStatus s;
  s.phase = "stopped";
  loop_.runSync([&] {
    s.in_sync = inSyncOnLoop() && conflicts_.size() == 0;
    if (stopping_) s.phase = "stopped";
    else if (!started_) s.phase = "connecting";
    else if (state_[kA] != zk::SessionState::kConnected || state_[kB] != zk::SessionState::kConnected) s.phase = "paused";
    else if ((scan_running_ || scan_writes_pending_) && full_syncs_ == 0) s.phase = "snapshot";
    else if (scan_running_ || scan_writes_pending_ || dirty_) s.phase = "resyncing";
    else s.phase = "syncing";
    for (const auto& [_, b] : baseline_) s.znodes += b.existed ? 1 : 0;
    for (Side side : {kA, kB}) {
      for (const auto& [p, v] : views_[side]) {
        if (v.exists && v.rec.kind == ZnodeKind::kEphemeral) s.ephemerals.push_back(p);
      }
    }
    if (wb_) {
      s.writes = wb_->stats().ops;
      s.writes_to_source = wa_->stats().ops;
      s.bytes = wa_->stats().bytes + wb_->stats().bytes;
      s.batches = wa_->stats().batches + wb_->stats().batches;
      s.pending_writes = wa_->queued() + wb_->queued();
      s.watches = a_->activeWatches() + b_->activeWatches();
    }
    s.errors = errors_;
    s.full_syncs = full_syncs_;
    s.last_full_sync_ms = last_full_sync_ms_;
    s.last_full_sync_nodes = last_full_sync_nodes_;
    s.source_session = zk::sessionStateName(state_[kA]);
    s.target_session = zk::sessionStateName(state_[kB]);
    if (!lag_ring_.empty()) {
      std::vector<double> v = lag_ring_;
      std::sort(v.begin(), v.end());
      auto pct = [&](double p) { return v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5))]; };
      s.lag_p50_ms = pct(0.50);
      s.lag_p99_ms = pct(0.99);
    }
    s.lag_samples = lag_count_;
    s.last_error = last_error_;
    s.conflicts = conflicts_seen_;
    s.conflicts_held = conflicts_.size();
    s.conflict_rate_alert = rate_.alerting(wallMs());
    if (store_) {
      const auto h = store_->health();
      s.baseline_file = h.persistent ? h.file : "";
      s.baseline_entries = store_->acknowledged().size();
      s.baseline_write_failures = h.write_failures;
      s.baseline_failing = h.failing;
      s.baseline_error = h.last_error;
    }
  });
  return s;
}

absl::Status BidiSyncEngine::waitInSync(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (status().in_sync) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  SyncStatus s = status();
  return absl::DeadlineExceededError(absl::StrCat("not in sync after ", timeout.count(), " ms (phase ", s.phase,
                                                  ", conflicts held ", s.conflicts_held, ", last error: ",
                                                  s.last_error.empty() ? "none" : s.last_error, ")"));
}

}  // namespace orch::sync
