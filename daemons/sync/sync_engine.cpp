#include "sync/sync_engine.h"

#include <algorithm>
#include <future>

#include "absl/strings/str_cat.h"
#include "common/log/logger.h"
#include "common/zk/zk_status.h"
#include "core/sync/node_decision.h"
#include "core/sync/sequence_counter.h"
#include "sync/znode_convert.h"

namespace orch::sync {

using core::sync::NodeAction;
using core::sync::ZnodeKind;
using core::sync::ZnodeRecord;

namespace {

std::int64_t wallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<zk::AuthInfo> authOf(const std::string& cred) {
  if (cred.empty()) return {};
  return {zk::AuthInfo{"digest", cred}};
}

constexpr std::size_t kLagRing = 20000;

}  // namespace

absl::StatusOr<std::unique_ptr<SyncEngine>> SyncEngine::create(SyncEngineOptions options) {
  if (auto s = validateSyncConfig(options.config); !s.ok()) return s;
  if (options.config.bidirectional) {
    return absl::InvalidArgumentError("SyncEngine syncs one way; mode: bidirectional runs BidiSyncEngine (makeSyncJob)");
  }
  auto filter = core::sync::PathFilter::create(options.config.paths_to_sync, options.config.exclude_paths);
  if (!filter.ok()) return filter.status();
  auto hints = core::sync::NodeKindHints::create(options.config.kind_hints);
  if (!hints.ok()) return hints.status();
  return std::unique_ptr<SyncEngine>(new SyncEngine(std::move(options), std::move(*filter), std::move(*hints)));
}

SyncEngine::SyncEngine(SyncEngineOptions options, core::sync::PathFilter filter, core::sync::NodeKindHints hints)
    : opts_(std::move(options)),
      filter_(std::move(filter)),
      hints_(std::move(hints)),
      own_registry_(opts_.registry ? nullptr : std::make_unique<metrics::MetricsRegistry>()),
      registry_(opts_.registry ? opts_.registry : own_registry_.get()),
      metrics_(*registry_),
      loop_("zk-sync") {}

SyncEngine::~SyncEngine() { stop(); }

absl::Status SyncEngine::start(std::chrono::milliseconds connect_timeout) {
  const SyncConfig& cfg = opts_.config;
  auto make = [&](const std::string& connect, const std::string& auth, const char* side)
      -> absl::StatusOr<std::unique_ptr<zk::ZkClient>> {
    zk::ZkClientOptions o;
    o.connect = connect;
    o.session_timeout_ms = cfg.session_timeout_ms;
    o.auth = authOf(auth);
    o.retry.max_attempts = 6;
    auto c = zk::ZkClient::create(o, loop_.executor());
    if (!c.ok()) return absl::InvalidArgumentError(absl::StrCat(side, ": ", c.status().message()));
    return c;
  };
  auto a = make(cfg.source_zk, cfg.source_auth, "source");
  if (!a.ok()) return a.status();
  auto b = make(cfg.target_zk, cfg.target_auth, "target");
  if (!b.ok()) return b.status();
  // Session events before the loop has taken both sessions' states (started_, set there) are
  // in those states already; handling them earlier would race with this thread, which is still
  // setting up the writer and the extra read sessions.
  (*a)->setSessionListener([this](const zk::SessionEvent& e) {
    if (started_) onSourceSession(0, e);
  });
  (*b)->setSessionListener([this](const zk::SessionEvent& e) {
    if (started_) onTargetSession(e);
  });
  if (auto s = (*a)->connect(connect_timeout); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("source ensemble ", cfg.source_zk, ": ", s.message()));
  }
  if (auto s = (*b)->connect(connect_timeout); !s.ok()) {
    (*a)->close();
    return absl::UnavailableError(absl::StrCat("target ensemble ", cfg.target_zk, ": ", s.message()));
  }
  a_ = std::move(*a);
  b_ = std::move(*b);
  // Extra read sessions are a speed-up, not a requirement: one that cannot connect is left out.
  // Their number is fixed from here on (it decides which session reads, and watches, each path).
  for (int i = 1; i < opts_.read_sessions; ++i) {
    auto r = make(cfg.source_zk, cfg.source_auth, "source");
    if (!r.ok()) break;
    const std::size_t route = a_readers_.size() + 1;
    (*r)->setSessionListener([this, route](const zk::SessionEvent& e) {
      if (started_) onSourceSession(route, e);
    });
    if (auto s = (*r)->connect(connect_timeout); !s.ok()) {
      log::logWarn("an extra source read session did not connect; reading with fewer",
                   {{"source", cfg.source_zk}, {"error", std::string(s.message())}});
      (*r)->close();
      break;
    }
    a_readers_.push_back(std::move(*r));
  }
  TargetWriter::Options wo;
  wo.max_batch_ops = cfg.max_batch_ops;
  wo.max_batch_bytes = cfg.max_batch_bytes;
  wo.max_inflight = opts_.max_inflight_batches;
  wo.min_pipelined_batch = opts_.min_pipelined_batch;
  wo.eager_inflight = opts_.eager_inflight;
  TargetWriter::Hooks hooks;
  hooks.written = [this](const std::string&, std::size_t bytes, const WriteOrigin& o) {
    metrics_.znodes_synced.inc();
    metrics_.bytes.inc(static_cast<double>(bytes));
    if (o.observe_lag && o.origin_ms > 0) recordLag(static_cast<double>(std::max<std::int64_t>(0, wallMs() - o.origin_ms)));
  };
  hooks.failed = [this](const std::string& path, const absl::Status& s) { fail(absl::StrCat("write ", path), s); };
  hooks.connection_lost = [this](const absl::Status& s) {
    fail("write batch", s);
    dirty_ = true;
    writer_->clear();
  };
  writer_ = std::make_unique<TargetWriter>(
      *b_, wo,
      [this](const std::string& path) -> const ZnodeRecord* {
        auto it = mirror_.find(path);
        if (it == mirror_.end() || it->second.rec.kind == ZnodeKind::kEphemeral) return nullptr;
        return &it->second.rec;
      },
      std::move(hooks));
  loop_.runSync([this] {
    started_ = true;
    source_state_.assign(1 + a_readers_.size(), zk::SessionState::kConnecting);  // on the loop, as all its uses
    source_connections_seen_.assign(1 + a_readers_.size(), 0);
    for (std::size_t route = 0; route < source_state_.size(); ++route) {
      source_state_[route] = sourceClient(route).state();
      source_connections_seen_[route] = sourceClient(route).connections();
    }
    b_state_ = b_->state();
    b_connections_seen_ = b_->connections();
    ensureTargetAncestors();
    startFullScan("initial snapshot");
    loop_.postDelayed(std::chrono::milliseconds(50), [this] { tick(); });
  });
  log::logInfo("sync engine started", {{"source", cfg.source_zk}, {"target", cfg.target_zk}});
  return absl::OkStatus();
}

void SyncEngine::stop() {
  if (!a_ && !b_) {
    loop_.stop();
    return;
  }
  loop_.runSync([this] { stopping_ = true; });
  if (a_) a_->close();
  for (auto& r : a_readers_) r->close();
  if (b_) b_->close();
  loop_.stop();
}

void SyncEngine::requestFullResync() {
  loop_.post([this] {
    dirty_ = true;
    startFullScan("requested");
  });
}

bool SyncEngine::isRoot(const std::string& path) const {
  const auto& r = filter_.roots();
  return std::find(r.begin(), r.end(), path) != r.end();
}

void SyncEngine::ensureTargetAncestors() {
  // Roots like /mesos/x need /mesos on B; those ancestors are outside the synced scope and are
  // created empty if missing. Same-session ordering puts them before any snapshot write.
  std::set<std::string> anc;
  for (const auto& r : filter_.roots()) {
    for (std::string p = core::sync::parentPath(r); !p.empty() && p != "/"; p = core::sync::parentPath(p)) {
      anc.insert(p);
    }
  }
  std::vector<std::string> ordered(anc.begin(), anc.end());
  std::sort(ordered.begin(), ordered.end(), [](const std::string& x, const std::string& y) {
    return core::sync::pathDepth(x) < core::sync::pathDepth(y);
  });
  for (const auto& p : ordered) {
    b_->create(p, "", zk::openAcl(), {}, [this, p](absl::StatusOr<zk::CreateResult> r) {
      if (!r.ok() && !zk::isNodeExists(r.status())) fail(absl::StrCat("create ancestor ", p, " on target"), r.status());
    });
  }
}

void SyncEngine::fail(const std::string& what, const absl::Status& s) {
  ++errors_;
  metrics_.errors.inc();
  last_error_ = absl::StrCat(what, ": ", s.message());
  log::logWarn("sync error", {{"what", what}, {"error", s.ToString()}});
}

void SyncEngine::recordLag(double ms) {
  metrics_.lag_ms.observe(ms);
  if (lag_ring_.size() < kLagRing) {
    lag_ring_.push_back(ms);
  } else {
    lag_ring_[lag_next_] = ms;
  }
  lag_next_ = (lag_next_ + 1) % kLagRing;
  ++lag_count_;
}

// Every source session by the same rules, for the paths it reads and watches (route 0 is a_).
void SyncEngine::onSourceSession(std::size_t route, const zk::SessionEvent& e) {
  if (stopping_ || route >= source_state_.size()) return;
  source_state_[route] = e.state;
  const bool reconnect = e.state == zk::SessionState::kConnected && e.connection > source_connections_seen_[route];
  if (reconnect) source_connections_seen_[route] = e.connection;
  if (e.state == zk::SessionState::kExpired || (e.new_session && reconnect)) forgetWatches(route);
  if (e.state == zk::SessionState::kSuspended || e.state == zk::SessionState::kExpired) dirty_ = true;
  if (reconnect && started_) {
    log::logInfo("source session connected", {{"session", route}, {"new_session", e.new_session}});
    dirty_ = true;
    startFullScan(e.new_session ? "source session renewed" : "source reconnected");
  }
}

std::size_t SyncEngine::routeOf(const std::string& path) const {
  if (a_readers_.empty()) return 0;
  return std::hash<std::string>{}(path) % (a_readers_.size() + 1);
}

zk::ZkClient& SyncEngine::sourceClient(std::size_t route) { return route == 0 ? *a_ : *a_readers_[route - 1]; }

zk::ZkClient& SyncEngine::sourceFor(const std::string& path) { return sourceClient(routeOf(path)); }

bool SyncEngine::sourceConnected() const {
  if (source_state_.empty()) return false;  // not started
  for (zk::SessionState s : source_state_) {
    if (s != zk::SessionState::kConnected) return false;
  }
  return true;
}

void SyncEngine::forgetWatches(std::size_t route) {
  for (auto& [path, n] : mirror_) {
    if (a_readers_.empty() || routeOf(path) == route) n.data_watch = n.child_watch = false;
  }
}

std::int64_t SyncEngine::sourceWatches() const {
  std::int64_t n = a_ ? a_->activeWatches() : 0;
  for (const auto& r : a_readers_) n += r->activeWatches();
  return n;
}

void SyncEngine::onTargetSession(const zk::SessionEvent& e) {
  if (stopping_) return;
  b_state_ = e.state;
  if (e.state == zk::SessionState::kSuspended || e.state == zk::SessionState::kExpired) {
    dirty_ = true;
    if (writer_) writer_->clear();
  }
  const bool reconnect = e.state == zk::SessionState::kConnected && e.connection > b_connections_seen_;
  if (reconnect) b_connections_seen_ = e.connection;
  if (reconnect && started_) {
    log::logInfo("target session connected", {{"new_session", e.new_session}});
    dirty_ = true;
    startFullScan(e.new_session ? "target session renewed" : "target reconnected");
  }
}

void SyncEngine::startFullScan(const std::string& reason) {
  if (stopping_) return;
  if (scan_running_ || !sourceConnected() || b_state_ != zk::SessionState::kConnected) {
    rescan_pending_ = true;
    rescan_reason_ = reason;
    return;
  }
  rescan_pending_ = false;
  scan_running_ = true;
  scan_writes_pending_ = true;
  dirty_ = false;
  ++gen_;
  scan_started_ = std::chrono::steady_clock::now();
  scan_nodes_ = 0;
  metrics_.full_resyncs.inc();
  writer_->setBulk(true);
  log::logInfo("full sync started", {{"reason", reason}, {"generation", gen_}});
  for (const auto& r : filter_.roots()) enqueueVisit(Visit{r, true, false, gen_});
}

void SyncEngine::enqueueVisit(Visit v) {
  visits_.push_back(std::move(v));
  pumpReads();
}

zk::WatchFn SyncEngine::dataWatchFor(const std::string& path, bool want) {
  if (!opts_.continuous || !want) return nullptr;
  return [this, path](const zk::WatchEvent& ev) { onDataWatch(path, ev); };
}

zk::WatchFn SyncEngine::childWatchFor(const std::string& path, bool want) {
  if (!opts_.continuous || !want) return nullptr;
  return [this, path](const zk::WatchEvent& ev) { onChildWatch(path, ev); };
}

void SyncEngine::pumpReads() {
  if (scan_running_ && visits_.empty() && reads_inflight_ == 0) {
    scan_running_ = false;  // every node read: what is queued goes out now
    writer_->setBulk(false);
  }
  while (!stopping_ && reads_inflight_ < opts_.max_inflight_reads && !visits_.empty()) {
    Visit v = std::move(visits_.front());
    visits_.pop_front();
    ++reads_inflight_;
    auto it = mirror_.find(v.path);
    const bool known = it != mirror_.end() && !it->second.rec.path.empty();
    const bool want_data = it == mirror_.end() || !it->second.data_watch;
    const bool want_child = it == mirror_.end() || !it->second.child_watch;
    struct Join {
      int pending;
      NodeRead a, b;
    };
    auto j = std::make_shared<Join>();
    j->pending = v.read_target ? 2 : 1;
    auto step = [this, j, v]() {
      if (--j->pending > 0) return;
      --reads_inflight_;
      if (!stopping_) onVisited(v, std::move(j->a), std::move(j->b));
      pumpReads();
    };
    NodeReadPlan plan;
    plan.data_watch = dataWatchFor(v.path, want_data);
    plan.child_watch = childWatchFor(v.path, want_child);
    plan.children = true;
    if (known && it->second.acl_aversion >= 0) plan.cached_acl_aversion = it->second.acl_aversion;
    readNode(sourceFor(v.path), v.path, std::move(plan),
             [j, step, want_data, want_child, this, path = v.path](NodeRead r) {
               source_reads_ += static_cast<std::uint64_t>(r.requests);
               if (r.exists && !stopping_) {
                 // Watches registered by this read (mirror entry created in onVisited if new).
                 auto& n = mirror_[path];
                 n.data_watch = n.data_watch || (want_data && opts_.continuous);
                 n.child_watch = n.child_watch || (want_child && opts_.continuous);
               }
               j->a = std::move(r);
               step();
             });
    if (v.read_target) {
      NodeReadPlan bplan;
      bplan.children = true;
      readNode(*b_, v.path, std::move(bplan), [j, step, this](NodeRead r) {
        target_reads_ += static_cast<std::uint64_t>(r.requests);
        j->b = std::move(r);
        step();
      });
    }
  }
}

void SyncEngine::onVisited(const Visit& v, NodeRead a, NodeRead b) {
  const bool scan = v.read_target;
  if (scan) ++scan_nodes_;
  if (!a.status.ok() || (scan && !b.status.ok())) {
    fail(absl::StrCat("read ", v.path), a.status.ok() ? b.status : a.status);
    dirty_ = true;  // the next re-diff repairs it
    auto it = mirror_.find(v.path);
    if (it != mirror_.end() && it->second.rec.path.empty()) mirror_.erase(it);
    return;
  }
  const WriteOrigin now_origin{v.live, wallMs()};
  if (!a.exists && !v.synced && !isRoot(v.path) && routeOf(v.path) != routeOf(core::sync::parentPath(v.path))) {
    // Its parent's session listed it, but its own session's member may not have caught up
    // yet: read it again once that member has (sync), before taking it for deleted. Counted as
    // a read in flight, so the scan is not over meanwhile.
    ++reads_inflight_;
    ++source_reads_;
    sourceFor(v.path).sync(v.path, [this, v](absl::Status st) {
      --reads_inflight_;
      if (stopping_) return;
      if (!st.ok()) {
        fail(absl::StrCat("sync ", v.path), st);
        dirty_ = true;
        pumpReads();
        return;
      }
      Visit again = v;
      again.synced = true;
      enqueueVisit(std::move(again));
    });
    return;
  }
  if (!a.exists) {
    removeFromMirror(v.path, false, now_origin);
    if (!scan || b.exists) {
      // A lacks it: B must too (recursively; B's ephemerals under it go with it).
      if (!scan || (b.stat.ephemeral_owner == 0)) writer_->remove(v.path, now_origin);
    }
    if (isRoot(v.path) && opts_.continuous) {
      sourceFor(v.path).exists(v.path, [this, p = v.path](const zk::WatchEvent&) { onRootExists(p); },
                 [this, p = v.path](absl::StatusOr<std::optional<zk::ZkStat>> s) {
                   if (s.ok() && s->has_value() && !stopping_) onRootExists(p);
                 });
    }
    return;
  }
  if (!isRoot(v.path)) {
    // The parent's latest listing decides: a read through another session can answer after
    // a newer listing of the parent without this child was handled (deleted meanwhile, and that
    // member lags). Were it re-created, the parent's child watch brings it back.
    auto parent = mirror_.find(core::sync::parentPath(v.path));
    if (parent == mirror_.end() ||
        !parent->second.children.count(std::string(core::sync::baseName(v.path)))) {
      auto it = mirror_.find(v.path);
      if (it != mirror_.end() && it->second.rec.path.empty()) mirror_.erase(it);  // made by the read
      return;
    }
  }
  MirrorNode& node = mirror_[v.path];
  const bool fresh = node.rec.path.empty();
  ZnodeRecord rec = toRecord(v.path, std::move(a.data), a.acl, a.stat, hints_);
  if (!a.acl_read) rec.acl = node.rec.acl;  // unchanged since the cached aversion
  if (fresh || rec.mzxid >= node.rec.mzxid) {
    node.rec = rec;
    node.acl_aversion = a.acl_aversion;
  }
  if (node.rec.kind == ZnodeKind::kEphemeral) {  // the record kept, not an older read's
    ephemerals_.insert(v.path);
    node.children.clear();
    return;
  }
  ephemerals_.erase(v.path);
  std::set<std::string> a_children;
  for (const auto& c : a.children) {
    if (filter_.includes(core::sync::childPath(v.path, c))) a_children.insert(c);
  }
  // Only a listing at least as new as the mirror's: a new entry can already hold a newer one
  // (its child watch fired and was handled while this read waited for B). A new node's pzxid is
  // above 0.
  if (a.child_stat.pzxid >= node.pzxid) {
    // Children that vanished since the mirror last saw them.
    for (const auto& old : node.children) {
      if (!a_children.count(old)) removeFromMirror(core::sync::childPath(v.path, old), true, now_origin);
    }
    node.children = a_children;
    node.pzxid = a.child_stat.pzxid;
    node.cversion = a.child_stat.cversion;
    node.num_children = a.child_stat.num_children;
  }
  noteSequential(v.path, node);

  std::optional<ZnodeRecord> brec;
  if (scan && b.exists) brec = toRecord(v.path, std::move(b.data), b.acl, b.stat, hints_);
  const NodeAction act = core::sync::decideOneWay(node.rec, brec);
  const WriteOrigin origin{v.live, v.live ? node.rec.mtime_ms : 0};
  switch (act.type) {
    case NodeAction::Type::kCreate: writer_->upsert(v.path, false, false, origin); break;
    case NodeAction::Type::kUpdate: writer_->upsert(v.path, true, act.set_acl, origin); break;
    case NodeAction::Type::kRecreate:
      writer_->remove(v.path, origin);
      writer_->upsert(v.path, false, false, origin);
      break;
    default: break;
  }
  std::set<std::string> b_children;
  if (scan && b.exists) {
    for (const auto& c : b.children) {
      if (filter_.includes(core::sync::childPath(v.path, c))) b_children.insert(c);
    }
  }
  const bool recreated = act.type == NodeAction::Type::kRecreate;
  for (const auto& c : node.children) {
    enqueueVisit(Visit{core::sync::childPath(v.path, c), scan && !recreated && b_children.count(c) > 0, v.live, v.gen});
  }
  for (const auto& c : b_children) {
    if (!node.children.count(c) && !recreated) writer_->remove(core::sync::childPath(v.path, c), origin);
  }
}

void SyncEngine::removeFromMirror(const std::string& path, bool delete_on_target, const WriteOrigin& origin) {
  auto it = mirror_.find(path);
  if (it == mirror_.end()) {
    if (delete_on_target) writer_->remove(path, origin);
    return;
  }
  // Children first, so target deletes go deepest-first.
  const std::set<std::string> kids = it->second.children;
  for (const auto& c : kids) removeFromMirror(core::sync::childPath(path, c), delete_on_target, origin);
  const bool ephemeral = it->second.rec.kind == ZnodeKind::kEphemeral;
  mirror_.erase(path);
  ephemerals_.erase(path);
  seq_parents_.erase(path);
  if (delete_on_target && !ephemeral) writer_->remove(path, origin);
}

// B's parent must hand out sequence numbers above every copied name and not below A's counter
// (core/sync/sequence_counter.h: counter = (cversion + numChildren) / 2, not the cversion).
void SyncEngine::noteSequential(const std::string& parent, const MirrorNode& node) {
  std::vector<std::string> names(node.children.begin(), node.children.end());
  if (!core::sync::highestSequenceSuffix(names)) return;  // no sequential child: no bump
  auto a_next = core::sync::nextSequenceNumber(node.cversion, node.num_children);
  if (!a_next.ok()) {
    fail(absl::StrCat("sequence counter of ", parent, " on A"), a_next.status());
    return;
  }
  auto req = core::sync::requiredNextSequence(names, *a_next);
  if (!req) return;
  auto& cur = seq_parents_[parent];
  if (*req > cur) {
    cur = *req;
    seq_pass_needed_ = true;
  }
}

void SyncEngine::runSequencePass() {
  seq_pass_needed_ = false;
  for (const auto& [parent, required] : seq_parents_) {
    ++seq_checks_inflight_;
    b_->exists(parent, nullptr, [this, parent = parent, required = required](absl::StatusOr<std::optional<zk::ZkStat>> s) {
      --seq_checks_inflight_;
      if (stopping_) return;
      if (!s.ok()) {  // the rescan ends with another pass
        fail(absl::StrCat("sequence counter of ", parent, " on B"), s.status());
        dirty_ = true;
        return;
      }
      if (!s->has_value()) return;
      auto b_next = core::sync::nextSequenceNumber((*s)->cversion, (*s)->num_children);
      if (!b_next.ok()) {
        fail(absl::StrCat("sequence counter of ", parent, " on B"), b_next.status());
        return;
      }
      const std::int64_t pairs = core::sync::bumpPairsNeeded(*b_next, required);
      if (pairs > 0) writer_->bumpCversion(parent, pairs);
    });
  }
}

void SyncEngine::onRootExists(const std::string& path) {
  if (stopping_ || mirror_.count(path)) return;
  enqueueVisit(Visit{path, false, true, gen_});
}

void SyncEngine::onDataWatch(const std::string& path, const zk::WatchEvent& ev) {
  if (stopping_) return;
  auto it = mirror_.find(path);
  if (it == mirror_.end()) return;
  it->second.data_watch = false;
  it->second.watch_fired_ms = wallMs();
  if (ev.type == zk::WatchEvent::Type::kDeleted) {
    if (isRoot(path)) {
      removeFromMirror(path, true, WriteOrigin{true, wallMs()});
      onVisited(Visit{path, false, true, gen_}, NodeRead{}, NodeRead{});  // arms the exists watch
      return;
    }
    // The parent's child watch handles a deletion; but a node deleted and re-created between
    // two listings of its parent looks unchanged there, so read it again: gone, it is removed
    // (twice is harmless); back, its data and watches are taken anew.
    enqueueVisit(Visit{path, false, true, gen_});
    return;
  }
  reReadData(path);
}

void SyncEngine::reReadData(const std::string& path) {
  auto it = mirror_.find(path);
  if (it == mirror_.end()) return;
  NodeReadPlan plan;
  plan.data_watch = dataWatchFor(path, true);
  plan.children = false;
  if (it->second.acl_aversion >= 0) plan.cached_acl_aversion = it->second.acl_aversion;
  readNode(sourceFor(path), path, std::move(plan), [this, path](NodeRead r) {
    source_reads_ += static_cast<std::uint64_t>(r.requests);
    if (stopping_) return;
    auto it = mirror_.find(path);
    if (it == mirror_.end()) return;
    if (!r.status.ok()) {
      fail(absl::StrCat("re-read ", path), r.status);
      dirty_ = true;
      return;
    }
    if (!r.exists) return;  // deleted meanwhile: the parent's child watch handles it
    it->second.data_watch = true;
    ZnodeRecord rec = toRecord(path, std::move(r.data), r.acl, r.stat, hints_);
    if (!r.acl_read) rec.acl = it->second.rec.acl;
    if (rec.mzxid < it->second.rec.mzxid) return;  // an older answer than what we have
    const bool data_changed = rec.data != it->second.rec.data;
    const bool acl_changed = rec.acl != it->second.rec.acl;
    it->second.rec = std::move(rec);
    it->second.acl_aversion = r.acl_aversion;
    if (data_changed && it->second.watch_fired_ms > 0) {
      const double notify = static_cast<double>(std::max<std::int64_t>(0, it->second.watch_fired_ms - it->second.rec.mtime_ms));
      if (notify_ring_.size() < kLagRing) notify_ring_.push_back(notify);
      else notify_ring_[lag_count_ % kLagRing] = notify;
    }
    if (data_changed || acl_changed) {
      writer_->upsert(path, true, acl_changed, WriteOrigin{true, it->second.rec.mtime_ms});
    }
  });
}

void SyncEngine::onChildWatch(const std::string& path, const zk::WatchEvent& ev) {
  if (stopping_) return;
  auto it = mirror_.find(path);
  if (it == mirror_.end()) return;
  it->second.child_watch = false;
  if (ev.type == zk::WatchEvent::Type::kDeleted) return;
  reReadChildren(path);
}

void SyncEngine::reReadChildren(const std::string& path) {
  sourceFor(path).getChildren(path, childWatchFor(path, true), [this, path](absl::StatusOr<zk::ChildrenResult> c) {
    if (stopping_) return;
    auto it = mirror_.find(path);
    if (it == mirror_.end()) return;
    if (!c.ok()) {
      if (!zk::isNoNode(c.status())) {
        fail(absl::StrCat("re-read children ", path), c.status());
        dirty_ = true;
      }
      return;
    }
    MirrorNode& node = it->second;
    node.child_watch = true;
    if (c->stat.pzxid < node.pzxid) return;
    std::set<std::string> now;
    for (const auto& n : c->children) {
      if (filter_.includes(core::sync::childPath(path, n))) now.insert(n);
    }
    const WriteOrigin origin{true, wallMs()};
    const std::set<std::string> before = node.children;
    node.children = now;
    node.pzxid = c->stat.pzxid;
    node.cversion = c->stat.cversion;
    node.num_children = c->stat.num_children;
    noteSequential(path, node);
    for (const auto& old : before) {
      if (!now.count(old)) removeFromMirror(core::sync::childPath(path, old), true, origin);
    }
    for (const auto& n : now) {
      if (!before.count(n)) enqueueVisit(Visit{core::sync::childPath(path, n), false, true, gen_});
    }
  });
}

void SyncEngine::tick() {
  if (stopping_) return;
  if (scan_running_ && visits_.empty() && reads_inflight_ == 0) scan_running_ = false;
  writer_->setBulk(scan_running_);
  writer_->kick();  // bulk mode: nothing waits longer than one tick
  if (!scan_running_ && scan_writes_pending_ && writer_->idle()) {
    scan_writes_pending_ = false;
    ++full_syncs_;
    last_full_sync_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - scan_started_).count();
    last_full_sync_nodes_ = scan_nodes_;
    log::logInfo("full sync done", {{"nodes", scan_nodes_}, {"ms", last_full_sync_ms_}, {"dirty", dirty_}});
    seq_pass_needed_ = seq_pass_needed_ || !seq_parents_.empty();
  }
  if (seq_pass_needed_ && !scan_running_ && writer_->idle()) runSequencePass();
  if ((rescan_pending_ || dirty_) && !scan_running_ && !scan_writes_pending_) {
    startFullScan(rescan_pending_ ? rescan_reason_ : "stale after an error");
  }
  std::uint64_t znodes = mirror_.size() - ephemerals_.size();
  metrics_.mirrored_znodes.set(static_cast<double>(znodes));
  metrics_.watches.set(static_cast<double>(sourceWatches()));
  metrics_.pending_writes.set(static_cast<double>(writer_->queued()));
  metrics_.ephemerals_skipped.set(static_cast<double>(ephemerals_.size()));
  const bool in_sync = !scan_running_ && !scan_writes_pending_ && !dirty_ && !rescan_pending_ && writer_->idle() &&
                       visits_.empty() && reads_inflight_ == 0 && !seq_pass_needed_ && seq_checks_inflight_ == 0;
  metrics_.in_sync.set(in_sync ? 1 : 0);
  loop_.postDelayed(std::chrono::milliseconds(opts_.continuous ? 20 : 10), [this] { tick(); });
}

SyncStatus SyncEngine::statusOnLoop() {
  SyncStatus s;
  const bool in_sync = started_ && !scan_running_ && !scan_writes_pending_ && !dirty_ && !rescan_pending_ &&
                       writer_->idle() && visits_.empty() && reads_inflight_ == 0 && !seq_pass_needed_ &&
                       seq_checks_inflight_ == 0;
  s.in_sync = in_sync;
  if (stopping_) s.phase = "stopped";
  else if (!started_) s.phase = "connecting";
  else if (!sourceConnected() || b_state_ != zk::SessionState::kConnected) s.phase = "paused";
  else if ((scan_running_ || scan_writes_pending_) && full_syncs_ == 0) s.phase = "snapshot";
  else if (scan_running_ || scan_writes_pending_ || dirty_) s.phase = "resyncing";
  else s.phase = "syncing";
  s.znodes = mirror_.size() - ephemerals_.size();
  s.ephemerals.assign(ephemerals_.begin(), ephemerals_.end());
  if (writer_) {
    s.writes = writer_->stats().ops;
    s.bytes = writer_->stats().bytes;
    s.pending_writes = writer_->queued();
    s.batches = writer_->stats().batches;
  }
  s.source_reads = source_reads_;
  s.target_reads = target_reads_;
  s.errors = errors_;
  s.full_syncs = full_syncs_;
  s.last_full_sync_ms = last_full_sync_ms_;
  s.last_full_sync_nodes = last_full_sync_nodes_;
  s.watches = sourceWatches();
  s.source_session = zk::sessionStateName(source_state_.empty() ? zk::SessionState::kConnecting : source_state_[0]);
  s.source_read_sessions = 1 + static_cast<int>(a_readers_.size());
  s.target_session = zk::sessionStateName(b_state_);
  if (!lag_ring_.empty()) {
    std::vector<double> v = lag_ring_;
    std::sort(v.begin(), v.end());
    auto pct = [&](double p) { return v[std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5))]; };
    s.lag_p50_ms = pct(0.50);
    s.lag_p99_ms = pct(0.99);
  }
  s.lag_samples = lag_count_;
  if (!notify_ring_.empty()) {
    std::vector<double> v = notify_ring_;
    std::sort(v.begin(), v.end());
    s.source_notify_p50_ms = v[v.size() / 2];
    s.source_notify_p99_ms = v[std::min(v.size() - 1, static_cast<std::size_t>(0.99 * (v.size() - 1) + 0.5))];
  }
  s.last_error = last_error_;
  return s;
}

absl::StatusOr<core::sync::HeldConflict> SyncEngine::resolveConflict(std::uint64_t id, ConflictWinner) {
  return absl::FailedPreconditionError(
      absl::StrCat("conflict ", id, ": this job syncs one way (mode: one-way) and holds no conflicts"));
}

void SyncEngine::resetLagWindow() {
  loop_.runSync([this] {
    lag_ring_.clear();
    notify_ring_.clear();
    lag_next_ = 0;
  });
}

SyncStatus SyncEngine::status() {
  SyncStatus s;
  s.phase = "stopped";
  loop_.runSync([&] { s = statusOnLoop(); });
  return s;
}

absl::Status SyncEngine::waitInSync(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (status().in_sync) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  SyncStatus s = status();
  return absl::DeadlineExceededError(absl::StrCat("not in sync after ", timeout.count(), " ms (phase ", s.phase,
                                                  ", pending writes ", s.pending_writes, ", last error: ",
                                                  s.last_error.empty() ? "none" : s.last_error, ")"));
}

}  // namespace orch::sync
