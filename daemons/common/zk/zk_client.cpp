#include "common/zk/zk_client.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include <zookeeper/zookeeper.h>

#include "absl/strings/str_cat.h"
#include "common/log/logger.h"
#include "common/zk/event_loop.h"
#include "common/zk/zk_connect_string.h"
#include "common/zk/zk_status.h"

namespace orch::zk {
namespace {

ZkStat toStat(const Stat& s) {
  ZkStat o;
  o.czxid = s.czxid;
  o.mzxid = s.mzxid;
  o.ctime_ms = s.ctime;
  o.mtime_ms = s.mtime;
  o.version = s.version;
  o.cversion = s.cversion;
  o.aversion = s.aversion;
  o.ephemeral_owner = s.ephemeralOwner;
  o.data_length = s.dataLength;
  o.num_children = s.numChildren;
  o.pzxid = s.pzxid;
  return o;
}

AclList toAclList(const ACL_vector* v) {
  AclList out;
  if (v == nullptr) return out;
  out.reserve(v->count);
  for (int i = 0; i < v->count; ++i) {
    const ACL& a = v->data[i];
    out.push_back(AclEntry{a.perms, a.id.scheme ? a.id.scheme : "", a.id.id ? a.id.id : ""});
  }
  return out;
}

// A C ACL_vector pointing into an AclList that must outlive it.
struct CAcl {
  std::vector<ACL> entries;
  ACL_vector vec{0, nullptr};
  explicit CAcl(const AclList& acl) {
    entries.reserve(acl.size());
    for (const AclEntry& e : acl) {
      ACL a;
      a.perms = e.perms;
      a.id.scheme = const_cast<char*>(e.scheme.c_str());
      a.id.id = const_cast<char*>(e.id.c_str());
      entries.push_back(a);
    }
    vec.count = static_cast<int32_t>(entries.size());
    vec.data = entries.data();
  }
};

int cMode(const CreateMode& m) {
  switch (m.kind) {
    case NodeKind::kPersistent: return m.sequential ? ZOO_PERSISTENT_SEQUENTIAL : ZOO_PERSISTENT;
    case NodeKind::kEphemeral: return m.sequential ? ZOO_EPHEMERAL_SEQUENTIAL : ZOO_EPHEMERAL;
    case NodeKind::kContainer: return ZOO_CONTAINER;
    case NodeKind::kTtl:
      return m.sequential ? ZOO_PERSISTENT_SEQUENTIAL_WITH_TTL : ZOO_PERSISTENT_WITH_TTL;
  }
  return ZOO_PERSISTENT;
}

enum class WatchKind { kNone, kData, kExists, kChild };

struct RawResult {
  int rc = ZOK;
  absl::Status status;
  std::string data;
  std::optional<ZkStat> stat;
  std::vector<std::string> children;
  AclList acl;
  std::string path;
  std::vector<ZkOpResult> multi;
};

struct WatchCtx {
  WatchFn fn;
};

// What a multi needs to keep alive until its completion.
struct MultiState {
  std::vector<ZkOp> ops;
  std::vector<std::unique_ptr<CAcl>> acls;
  std::vector<std::vector<char>> path_bufs;
  std::vector<Stat> stats;
  std::vector<zoo_op_t> cops;
  std::vector<zoo_op_result_t> results;
};

}  // namespace

struct OpCtx {
  ZkClient::Impl* impl = nullptr;
  std::string op;
  std::string path;
  bool retryable = false;
  int attempt = 1;
  WatchKind watch_kind = WatchKind::kNone;
  WatchFn watch;
  WatchCtx* wctx = nullptr;
  // Issue the C call with this ctx as completion data; returns the C call's rc.
  std::function<int(zhandle_t*, OpCtx*)> issue;
  std::function<void(RawResult&&)> deliver;
  // Request payload kept alive for the C call.
  std::string data;
  AclList acl;
  CreateMode mode;
  int version = -1;
  std::unique_ptr<MultiState> multi;
};

class ZkClient::Impl {
 public:
  Impl(ZkClientOptions o, ZkConnectString cs, Executor e)
      : opts(std::move(o)), conn(std::move(cs)), exec(std::move(e)), control("zk-control") {
    client_string = conn.clientString();
  }
  ~Impl() { close(); }

  ZkClientOptions opts;
  ZkConnectString conn;
  std::string client_string;
  Executor exec;
  EventLoop control;

  mutable std::shared_mutex zh_mu;
  zhandle_t* zh = nullptr;
  bool started = false;
  std::atomic<bool> closed{false};

  std::mutex state_mu;
  std::condition_variable state_cv;
  std::atomic<SessionState> state{SessionState::kConnecting};
  std::atomic<std::int64_t> session_id{0};
  std::int64_t last_session_id = 0;  // guarded by state_mu
  std::uint64_t connections = 0;     // guarded by state_mu: ZOO_CONNECTED_STATE events so far

  std::mutex listener_mu;
  SessionListener listener;

  std::atomic<std::int64_t> outstanding{0};
  mutable std::mutex watch_mu;
  std::unordered_map<WatchCtx*, std::unique_ptr<WatchCtx>> watches;

  std::mutex rng_mu;
  std::mt19937_64 rng{std::random_device{}()};

  static void logCallback(const char* message) { orch::log::logDebug("zookeeper client", {{"line", message}}); }

  absl::Status openHandle() {
    zhandle_t* h = zookeeper_init2(client_string.c_str(), &Impl::globalWatcher, opts.session_timeout_ms,
                                   nullptr, this, 0, &Impl::logCallback);
    if (h == nullptr) {
      return absl::InternalError(absl::StrCat("zookeeper_init for '", client_string, "' failed: errno ", errno));
    }
    if (zoo_set_servers_resolution_delay(h, opts.resolution_delay_ms) != ZOK) {
      orch::log::logWarn("zookeeper client: resolution delay not applied", {{"delay_ms", opts.resolution_delay_ms}});
    }
    for (const AuthInfo& a : opts.auth) {
      zoo_add_auth(h, a.scheme.c_str(), a.credential.data(), static_cast<int>(a.credential.size()),
                   &Impl::authDone, nullptr);
    }
    std::unique_lock lk(zh_mu);
    zh = h;
    return absl::OkStatus();
  }

  static void authDone(int rc, const void*) {
    if (rc != ZOK) orch::log::logWarn("zookeeper auth failed", {{"rc", rc}, {"error", zerror(rc)}});
  }

  void setState(SessionState s, std::int64_t sid, bool new_session) {
    std::uint64_t connection = 0;
    {
      std::lock_guard lk(state_mu);
      state = s;
      if (s == SessionState::kConnected) {
        session_id = sid;
        connection = ++connections;
      }
    }
    state_cv.notify_all();
    SessionListener l;
    {
      std::lock_guard lk(listener_mu);
      l = listener;
    }
    if (l) {
      SessionEvent ev{s, sid, new_session, connection};
      exec([l, ev] { l(ev); });
    }
  }

  static void globalWatcher(zhandle_t* h, int type, int st, const char*, void* ctx) {
    if (type != ZOO_SESSION_EVENT) return;
    auto* self = static_cast<Impl*>(ctx);
    if (self->closed) return;
    if (st == ZOO_CONNECTED_STATE) {
      const clientid_t* cid = zoo_client_id(h);
      const std::int64_t sid = cid ? cid->client_id : 0;
      bool fresh;
      {
        std::lock_guard lk(self->state_mu);
        fresh = sid != self->last_session_id;
        self->last_session_id = sid;
      }
      self->setState(SessionState::kConnected, sid, fresh);
    } else if (st == ZOO_CONNECTING_STATE || st == ZOO_ASSOCIATING_STATE) {
      if (self->state == SessionState::kConnected) {
        self->setState(SessionState::kSuspended, self->session_id, false);
      }
    } else if (st == ZOO_EXPIRED_SESSION_STATE) {
      self->setState(SessionState::kExpired, self->session_id, false);
      if (self->opts.renew_expired_session) self->control.post([self] { self->renew(); });
    } else if (st == ZOO_AUTH_FAILED_STATE) {
      self->setState(SessionState::kAuthFailed, self->session_id, false);
    }
  }

  static void pathWatcher(zhandle_t* h, int type, int, const char* path, void* ctx) {
    if (type == ZOO_SESSION_EVENT) return;
    auto* self = static_cast<Impl*>(const_cast<void*>(zoo_get_context(h)));
    if (self == nullptr) return;
    std::unique_ptr<WatchCtx> owned;
    {
      std::lock_guard lk(self->watch_mu);
      auto it = self->watches.find(static_cast<WatchCtx*>(ctx));
      if (it == self->watches.end()) return;
      owned = std::move(it->second);
      self->watches.erase(it);
    }
    WatchEvent ev;
    ev.path = path ? path : "";
    if (type == ZOO_CREATED_EVENT) ev.type = WatchEvent::Type::kCreated;
    else if (type == ZOO_DELETED_EVENT) ev.type = WatchEvent::Type::kDeleted;
    else if (type == ZOO_CHANGED_EVENT) ev.type = WatchEvent::Type::kChanged;
    else if (type == ZOO_CHILD_EVENT) ev.type = WatchEvent::Type::kChild;
    else ev.type = WatchEvent::Type::kNotWatching;
    WatchFn fn = std::move(owned->fn);
    self->exec([fn = std::move(fn), ev] { fn(ev); });
  }

  void clearWatches() {
    std::lock_guard lk(watch_mu);
    watches.clear();
  }

  void renew() {
    if (closed) return;
    zhandle_t* old;
    {
      std::unique_lock lk(zh_mu);
      old = zh;
      zh = nullptr;
    }
    if (old) zookeeper_close(old);
    clearWatches();
    {
      std::lock_guard lk(state_mu);
      state = SessionState::kConnecting;
    }
    absl::Status s = openHandle();
    if (!s.ok()) {
      orch::log::logWarn("zookeeper session renewal failed; retrying", {{"error", s.ToString()}});
      control.postDelayed(std::chrono::milliseconds(1000), [this] { renew(); });
    }
  }

  void close() {
    if (closed.exchange(true)) return;
    control.stop();
    zhandle_t* old;
    {
      std::unique_lock lk(zh_mu);
      old = zh;
      zh = nullptr;
    }
    {
      std::lock_guard lk(listener_mu);
      listener = nullptr;  // no session events are scheduled after close()
    }
    if (old) zookeeper_close(old);
    clearWatches();
    setState(SessionState::kClosed, session_id, false);
  }

  void issueOp(std::unique_ptr<OpCtx> ctx) {
    if (closed) {
      finish(ctx.release(), RawResult{ZCLOSING});
      return;
    }
    if (ctx->watch && ctx->wctx == nullptr) {
      auto w = std::make_unique<WatchCtx>();
      w->fn = ctx->watch;
      ctx->wctx = w.get();
      std::lock_guard lk(watch_mu);
      watches.emplace(w.get(), std::move(w));
    }
    std::shared_lock lk(zh_mu);
    if (zh == nullptr) {
      lk.unlock();
      finish(ctx.release(), RawResult{ZCONNECTIONLOSS});
      return;
    }
    OpCtx* raw = ctx.release();
    ++outstanding;
    const int rc = raw->issue(zh, raw);
    lk.unlock();
    if (rc != ZOK) {
      --outstanding;
      finish(raw, RawResult{rc});
    }
  }

  bool shouldRetry(const OpCtx& c, int rc) const {
    if (!c.retryable || closed || c.attempt >= opts.retry.max_attempts) return false;
    if (isRetryableCode(rc)) return true;
    return opts.renew_expired_session && (rc == ZINVALIDSTATE || rc == ZSESSIONEXPIRED);
  }

  // Called once per attempt: on the C completion thread, or on the issuing thread when the call
  // failed synchronously.
  void finish(OpCtx* c, RawResult r) {
    if (c->wctx != nullptr) {
      const bool registered = r.rc == ZOK || (c->watch_kind == WatchKind::kExists && r.rc == ZNONODE);
      if (!registered) {
        std::lock_guard lk(watch_mu);
        watches.erase(c->wctx);
      }
      c->wctx = nullptr;
    }
    if (shouldRetry(*c, r.rc)) {
      ++c->attempt;
      double u;
      {
        std::lock_guard lk(rng_mu);
        u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      }
      const auto delay = opts.retry.delayBefore(c->attempt, u);
      control.postDelayed(delay, [this, c] { issueOp(std::unique_ptr<OpCtx>(c)); });
      return;
    }
    r.status = zkStatus(r.rc, c->op, c->path);
    auto deliver = std::move(c->deliver);
    delete c;
    exec([deliver = std::move(deliver), r = std::move(r)]() mutable { deliver(std::move(r)); });
  }

  // C completions.
  static OpCtx* ctxOf(const void* data) { return static_cast<OpCtx*>(const_cast<void*>(data)); }
  static void done(OpCtx* c, RawResult r) {
    --c->impl->outstanding;
    c->impl->finish(c, std::move(r));
  }
  static void onData(int rc, const char* value, int len, const Stat* st, const void* data) {
    RawResult r{rc};
    if (rc == ZOK) {
      if (value && len > 0) r.data.assign(value, static_cast<size_t>(len));
      if (st) r.stat = toStat(*st);
    }
    done(ctxOf(data), std::move(r));
  }
  static void onStat(int rc, const Stat* st, const void* data) {
    RawResult r{rc};
    if (rc == ZOK && st) r.stat = toStat(*st);
    done(ctxOf(data), std::move(r));
  }
  static void onStringStat(int rc, const char* s, const Stat* st, const void* data) {
    RawResult r{rc};
    if (rc == ZOK) {
      if (s) r.path = s;
      if (st) r.stat = toStat(*st);
    }
    done(ctxOf(data), std::move(r));
  }
  static void onStringsStat(int rc, const String_vector* sv, const Stat* st, const void* data) {
    RawResult r{rc};
    if (rc == ZOK) {
      if (sv) {
        r.children.reserve(sv->count);
        for (int i = 0; i < sv->count; ++i) r.children.emplace_back(sv->data[i]);
      }
      if (st) r.stat = toStat(*st);
    }
    done(ctxOf(data), std::move(r));
  }
  static void onAcl(int rc, ACL_vector* acl, Stat* st, const void* data) {
    RawResult r{rc};
    if (rc == ZOK) {
      r.acl = toAclList(acl);
      if (st) r.stat = toStat(*st);
    }
    done(ctxOf(data), std::move(r));
  }
  static void onVoid(int rc, const void* data) { done(ctxOf(data), RawResult{rc}); }
  static void onString(int rc, const char*, const void* data) { done(ctxOf(data), RawResult{rc}); }
  static void onMulti(int rc, const void* data) {
    OpCtx* c = ctxOf(data);
    RawResult r{rc};
    MultiState& m = *c->multi;
    const bool reached = rc == ZOK || rc <= ZAPIERROR;
    if (reached) {
      r.multi.resize(m.ops.size());
      for (size_t i = 0; i < m.ops.size(); ++i) {
        const zoo_op_result_t& res = m.results[i];
        r.multi[i].status = zkStatus(res.err, "multi op", m.ops[i].path);
        if (res.err == ZOK && m.ops[i].type == ZkOp::Type::kCreate && res.value) {
          r.multi[i].created_path = res.value;
        }
        if (res.err == ZOK && m.ops[i].type == ZkOp::Type::kSet) r.multi[i].stat = toStat(m.stats[i]);
      }
    }
    done(c, std::move(r));
  }
};

ZkClient::ZkClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ZkClient::~ZkClient() { close(); }

absl::StatusOr<std::unique_ptr<ZkClient>> ZkClient::create(ZkClientOptions options, Executor executor) {
  auto cs = parseConnectString(options.connect);
  if (!cs.ok()) return cs.status();
  if (options.session_timeout_ms < 1000 || options.session_timeout_ms > 600000) {
    return absl::InvalidArgumentError(absl::StrCat("zookeeper session timeout ", options.session_timeout_ms,
                                                   " ms is out of range [1000, 600000]"));
  }
  if (options.resolution_delay_ms < -1) {
    return absl::InvalidArgumentError(absl::StrCat("zookeeper resolution delay ", options.resolution_delay_ms,
                                                   " ms is invalid (-1, 0 or a positive window)"));
  }
  if (!executor) return absl::InvalidArgumentError("zookeeper client needs an executor");
  for (const AuthInfo& a : options.auth) {
    if (a.scheme.empty() || a.credential.empty()) {
      return absl::InvalidArgumentError("zookeeper auth entry needs a scheme and a credential");
    }
    if (a.scheme == "digest" && a.credential.find(':') == std::string::npos) {
      return absl::InvalidArgumentError("zookeeper digest credential must be 'user:password'");
    }
  }
  if (options.retry.max_attempts < 1) options.retry.max_attempts = 1;
  static std::once_flag once;
  std::call_once(once, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); });
  auto impl = std::make_shared<Impl>(std::move(options), std::move(*cs), std::move(executor));
  return std::unique_ptr<ZkClient>(new ZkClient(std::move(impl)));
}

void ZkClient::setSessionListener(SessionListener listener) {
  std::lock_guard lk(impl_->listener_mu);
  impl_->listener = std::move(listener);
}

absl::Status ZkClient::start() {
  if (impl_->closed) return absl::FailedPreconditionError("zookeeper client is closed");
  {
    std::unique_lock lk(impl_->zh_mu);
    if (impl_->started) return absl::FailedPreconditionError("zookeeper client already started");
    impl_->started = true;
  }
  return impl_->openHandle();
}

absl::Status ZkClient::waitConnected(std::chrono::milliseconds timeout) {
  std::unique_lock lk(impl_->state_mu);
  const bool ok = impl_->state_cv.wait_for(lk, timeout, [&] {
    const SessionState s = impl_->state;
    return s == SessionState::kConnected || s == SessionState::kAuthFailed || s == SessionState::kClosed;
  });
  const SessionState s = impl_->state;
  if (!ok) {
    return absl::DeadlineExceededError(absl::StrCat("no zookeeper session with ", impl_->conn.hostList(),
                                                    " within ", timeout.count(), " ms"));
  }
  if (s == SessionState::kAuthFailed) {
    return absl::PermissionDeniedError(absl::StrCat("zookeeper authentication failed at ", impl_->conn.hostList()));
  }
  if (s == SessionState::kClosed) return absl::FailedPreconditionError("zookeeper client is closed");
  return absl::OkStatus();
}

absl::Status ZkClient::connect(std::chrono::milliseconds timeout) {
  absl::Status s = start();
  if (!s.ok()) return s;
  return waitConnected(timeout);
}

void ZkClient::close() {
  if (impl_) impl_->close();
}

SessionState ZkClient::state() const { return impl_->state; }
std::int64_t ZkClient::sessionId() const { return impl_->session_id; }
std::uint64_t ZkClient::connections() const {
  std::lock_guard lk(impl_->state_mu);
  return impl_->connections;
}
const std::string& ZkClient::connectString() const { return impl_->client_string; }
const std::string& ZkClient::chroot() const { return impl_->conn.chroot; }
void ZkClient::post(Task task) { impl_->exec(std::move(task)); }
std::int64_t ZkClient::outstanding() const { return impl_->outstanding; }
std::int64_t ZkClient::activeWatches() const {
  std::lock_guard lk(impl_->watch_mu);
  return static_cast<std::int64_t>(impl_->watches.size());
}

namespace {
std::unique_ptr<OpCtx> newCtx(ZkClient::Impl* impl, const char* op, const std::string& path, bool retryable) {
  auto c = std::make_unique<OpCtx>();
  c->impl = impl;
  c->op = op;
  c->path = path;
  c->retryable = retryable;
  return c;
}
}  // namespace

void ZkClient::create(const std::string& path, std::string data, AclList acl, CreateMode mode,
                      Callback<CreateResult> done) {
  auto c = newCtx(impl_.get(), "create", path, false);
  c->data = std::move(data);
  c->acl = acl.empty() ? openAcl() : std::move(acl);
  c->mode = mode;
  c->issue = [](zhandle_t* zh, OpCtx* x) {
    CAcl acl(x->acl);
    const int m = cMode(x->mode);
    if (x->mode.kind == NodeKind::kTtl) {
      return zoo_acreate2_ttl(zh, x->path.c_str(), x->data.data(), static_cast<int>(x->data.size()), &acl.vec,
                              m, x->mode.ttl_ms, &Impl::onStringStat, x);
    }
    return zoo_acreate2(zh, x->path.c_str(), x->data.data(), static_cast<int>(x->data.size()), &acl.vec, m,
                        &Impl::onStringStat, x);
  };
  c->deliver = [done = std::move(done)](RawResult&& r) {
    if (!r.status.ok()) return done(r.status);
    done(CreateResult{std::move(r.path), r.stat});
  };
  impl_->issueOp(std::move(c));
}

void ZkClient::remove(const std::string& path, int version, StatusCallback done) {
  auto c = newCtx(impl_.get(), "delete", path, false);
  c->version = version;
  c->issue = [](zhandle_t* zh, OpCtx* x) { return zoo_adelete(zh, x->path.c_str(), x->version, &Impl::onVoid, x); };
  c->deliver = [done = std::move(done)](RawResult&& r) { done(r.status); };
  impl_->issueOp(std::move(c));
}

void ZkClient::set(const std::string& path, std::string data, int version, Callback<ZkStat> done) {
  auto c = newCtx(impl_.get(), "set", path, version == -1);
  c->data = std::move(data);
  c->version = version;
  c->issue = [](zhandle_t* zh, OpCtx* x) {
    return zoo_aset(zh, x->path.c_str(), x->data.data(), static_cast<int>(x->data.size()), x->version,
                    &Impl::onStat, x);
  };
  c->deliver = [done = std::move(done)](RawResult&& r) {
    if (!r.status.ok()) return done(r.status);
    done(r.stat.value_or(ZkStat{}));
  };
  impl_->issueOp(std::move(c));
}

void ZkClient::get(const std::string& path, WatchFn watch, Callback<GetResult> done) {
  auto c = newCtx(impl_.get(), "get", path, true);
  c->watch = std::move(watch);
  c->watch_kind = c->watch ? WatchKind::kData : WatchKind::kNone;
  c->issue = [](zhandle_t* zh, OpCtx* x) {
    if (x->wctx) return zoo_awget(zh, x->path.c_str(), &Impl::pathWatcher, x->wctx, &Impl::onData, x);
    return zoo_aget(zh, x->path.c_str(), 0, &Impl::onData, x);
  };
  c->deliver = [done = std::move(done)](RawResult&& r) {
    if (!r.status.ok()) return done(r.status);
    done(GetResult{std::move(r.data), r.stat.value_or(ZkStat{})});
  };
  impl_->issueOp(std::move(c));
}

void ZkClient::exists(const std::string& path, WatchFn watch, Callback<std::optional<ZkStat>> done) {
  auto c = newCtx(impl_.get(), "exists", path, true);
  c->watch = std::move(watch);
  c->watch_kind = c->watch ? WatchKind::kExists : WatchKind::kNone;
  c->issue = [](zhandle_t* zh, OpCtx* x) {
    if (x->wctx) return zoo_awexists(zh, x->path.c_str(), &Impl::pathWatcher, x->wctx, &Impl::onStat, x);
    return zoo_aexists(zh, x->path.c_str(), 0, &Impl::onStat, x);
  };
  c->deliver = [done = std::move(done)](RawResult&& r) {
    if (r.rc == ZNONODE) return done(std::optional<ZkStat>());
    if (!r.status.ok()) return done(r.status);
    done(std::optional<ZkStat>(r.stat.value_or(ZkStat{})));
  };
  impl_->issueOp(std::move(c));
}

void ZkClient::getChildren(const std::string& path, WatchFn watch, Callback<ChildrenResult> done) {
  auto c = newCtx(impl_.get(), "get_children", path, true);
  c->watch = std::move(watch);
  c->watch_kind = c->watch ? WatchKind::kChild : WatchKind::kNone;
  c->issue = [](zhandle_t* zh, OpCtx* x) {
    if (x->wctx) {
      return zoo_awget_children2(zh, x->path.c_str(), &Impl::pathWatcher, x->wctx, &Impl::onStringsStat, x);
    }
    return zoo_aget_children2(zh, x->path.c_str(), 0, &Impl::onStringsStat, x);
  };
  c->deliver = [done = std::move(done)](RawResult&& r) {
    if (!r.status.ok()) return done(r.status);
    done(ChildrenResult{std::move(r.children), r.stat.value_or(ZkStat{})});
  };
  impl_->issueOp(std::move(c));
}

void ZkClient::sync(const std::string& path, StatusCallback done) {
  auto c = newCtx(impl_.get(), "sync", path, true);
  c->issue = [](zhandle_t* zh, OpCtx* x) { return zoo_async(zh, x->path.c_str(), &Impl::onString, x); };
  c->deliver = [done = std::move(done)](RawResult&& r) { done(r.status); };
  impl_->issueOp(std::move(c));
}

void ZkClient::getAcl(const std::string& path, Callback<AclResult> done) {
  auto c = newCtx(impl_.get(), "get_acl", path, true);
  c->issue = [](zhandle_t* zh, OpCtx* x) { return zoo_aget_acl(zh, x->path.c_str(), &Impl::onAcl, x); };
  c->deliver = [done = std::move(done)](RawResult&& r) {
    if (!r.status.ok()) return done(r.status);
    done(AclResult{std::move(r.acl), r.stat.value_or(ZkStat{})});
  };
  impl_->issueOp(std::move(c));
}

void ZkClient::setAcl(const std::string& path, int version, AclList acl, StatusCallback done) {
  auto c = newCtx(impl_.get(), "set_acl", path, version == -1);
  c->version = version;
  c->acl = std::move(acl);
  c->issue = [](zhandle_t* zh, OpCtx* x) {
    CAcl acl(x->acl);
    return zoo_aset_acl(zh, x->path.c_str(), x->version, &acl.vec, &Impl::onVoid, x);
  };
  c->deliver = [done = std::move(done)](RawResult&& r) { done(r.status); };
  impl_->issueOp(std::move(c));
}

void ZkClient::multi(std::vector<ZkOp> ops, MultiCallback done) {
  if (ops.empty()) {
    impl_->exec([done = std::move(done)] { done(MultiResult{}); });
    return;
  }
  auto c = newCtx(impl_.get(), "multi", ops.front().path, false);
  auto m = std::make_unique<MultiState>();
  m->ops = std::move(ops);
  const size_t n = m->ops.size();
  m->path_bufs.resize(n);
  m->stats.resize(n);
  m->cops.resize(n);
  m->results.resize(n);
  for (size_t i = 0; i < n; ++i) {
    ZkOp& op = m->ops[i];
    m->results[i] = zoo_op_result_t{ZOK, nullptr, 0, nullptr};
    switch (op.type) {
      case ZkOp::Type::kCreate: {
        if (op.acl.empty()) op.acl = openAcl();
        m->acls.push_back(std::make_unique<CAcl>(op.acl));
        m->path_bufs[i].resize(op.path.size() + 32);
        zoo_create_op_init(&m->cops[i], op.path.c_str(), op.data.data(), static_cast<int>(op.data.size()),
                           &m->acls.back()->vec, cMode(op.mode), m->path_bufs[i].data(),
                           static_cast<int>(m->path_bufs[i].size()));
        break;
      }
      case ZkOp::Type::kDelete:
        zoo_delete_op_init(&m->cops[i], op.path.c_str(), op.version);
        break;
      case ZkOp::Type::kSet:
        zoo_set_op_init(&m->cops[i], op.path.c_str(), op.data.data(), static_cast<int>(op.data.size()), op.version,
                        &m->stats[i]);
        break;
      case ZkOp::Type::kCheck:
        zoo_check_op_init(&m->cops[i], op.path.c_str(), op.version);
        break;
    }
  }
  c->multi = std::move(m);
  c->issue = [](zhandle_t* zh, OpCtx* x) {
    MultiState& ms = *x->multi;
    return zoo_amulti(zh, static_cast<int>(ms.cops.size()), ms.cops.data(), ms.results.data(), &Impl::onMulti, x);
  };
  c->deliver = [done = std::move(done)](RawResult&& r) { done(MultiResult{r.status, std::move(r.multi)}); };
  impl_->issueOp(std::move(c));
}

}  // namespace orch::zk
