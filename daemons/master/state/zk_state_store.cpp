#include "master/state/zk_state_store.h"

#include <condition_variable>
#include <future>

#include "absl/strings/str_cat.h"
#include "common/zk/zk_status.h"

namespace orch::master {

namespace {

constexpr char kRoot[] = "/state";
constexpr const char* kKinds[] = {"agents", "frameworks", "tasks", "roles"};
constexpr int kBuckets = 64;
constexpr size_t kReadWindow = 2000;

std::string bucketOf(const std::string& name) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char c : name) {
    h ^= c;
    h *= 16777619u;
  }
  char buf[4];
  snprintf(buf, sizeof buf, "%02x", h % kBuckets);
  return buf;
}

// Counts outstanding asynchronous calls and lets a non-loop thread wait for them.
struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  size_t outstanding = 0;
  absl::Status first_error;

  void add(size_t n = 1) {
    std::lock_guard<std::mutex> lock(mu);
    outstanding += n;
  }
  void finish(const absl::Status& s) {
    std::lock_guard<std::mutex> lock(mu);
    if (!s.ok() && first_error.ok()) first_error = s;
    if (--outstanding == 0) cv.notify_all();
  }
  absl::Status wait() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return outstanding == 0; });
    return first_error;
  }
};

}  // namespace

struct ZkStateStore::Job {
  size_t chunks_left = 0;
  absl::Status status;
  std::function<void(absl::Status)> done;

  void chunkDone(const absl::Status& s) {
    if (!s.ok() && status.ok()) status = s;
    if (--chunks_left == 0 && done) done(status);
  }
};

ZkStateStore::ZkStateStore(Options options) : options_(std::move(options)) {}

ZkStateStore::~ZkStateStore() {
  if (client_) client_->close();
  loop_.stop();
}

std::string ZkStateStore::describe() const {
  return absl::StrCat("ZooKeeper ", options_.zk, kRoot);
}

std::string ZkStateStore::pathOf(const std::string& key) {
  const size_t slash = key.find('/');
  if (slash == std::string::npos) return absl::StrCat(kRoot, "/", key);
  const std::string name = key.substr(slash + 1);
  return absl::StrCat(kRoot, "/", key.substr(0, slash), "/", bucketOf(name), "/", name);
}

std::string ZkStateStore::locate(const std::string& key) const {
  return absl::StrCat("znode ", client_ ? client_->chroot() : std::string(), pathOf(key));
}

absl::Status ZkStateStore::connect() {
  zk::ZkClientOptions zk_options;
  zk_options.connect = options_.zk;
  zk_options.session_timeout_ms = options_.session_timeout_ms;
  auto client = zk::ZkClient::create(zk_options, loop_.executor());
  if (!client.ok()) return client.status();
  client_ = *std::move(client);
  if (auto s = client_->connect(std::chrono::milliseconds(options_.session_timeout_ms * 5)); !s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot reach ZooKeeper at ", options_.zk, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status ZkStateStore::ensureLayout() {
  std::vector<std::string> paths = {kRoot};
  for (const char* kind : kKinds) {
    paths.push_back(absl::StrCat(kRoot, "/", kind));
    for (int b = 0; b < kBuckets; ++b) {
      char buf[4];
      snprintf(buf, sizeof buf, "%02x", b);
      paths.push_back(absl::StrCat(kRoot, "/", kind, "/", buf));
    }
  }
  // Requests of one session are applied in order: parents are created before their children.
  Waiter waiter;
  waiter.add(paths.size());
  for (const std::string& path : paths) {
    client_->create(path, "", zk::openAcl(), zk::CreateMode{},
                    [&waiter](absl::StatusOr<zk::CreateResult> r) {
                      waiter.finish(r.ok() || zk::isNodeExists(r.status()) ? absl::OkStatus()
                                                                           : r.status());
                    });
  }
  if (auto s = waiter.wait(); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("cannot create the registry layout under ",
                                               client_->chroot(), kRoot, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<LoadedRegistry> ZkStateStore::load() {
  if (!client_) {
    if (auto s = connect(); !s.ok()) return s;
  }
  if (auto s = ensureLayout(); !s.ok()) return s;

  std::mutex mu;
  std::vector<std::string> keys;
  LoadedRegistry out;
  {
    Waiter waiter;
    waiter.add(kBuckets * std::size(kKinds));
    for (const char* kind : kKinds) {
      for (int b = 0; b < kBuckets; ++b) {
        char buf[4];
        snprintf(buf, sizeof buf, "%02x", b);
        const std::string kind_name = kind;
        client_->getChildren(absl::StrCat(kRoot, "/", kind, "/", buf), nullptr,
                             [&, kind_name](absl::StatusOr<zk::ChildrenResult> r) {
                               if (r.ok()) {
                                 std::lock_guard<std::mutex> lock(mu);
                                 for (const auto& child : r->children) {
                                   keys.push_back(absl::StrCat(kind_name, "/", child));
                                 }
                               }
                               waiter.finish(r.status());
                             });
      }
    }
    if (auto s = waiter.wait(); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("cannot list the registry: ", s.message()));
    }
  }
  keys.push_back("meta");

  // Reads pipelined with a bounded window.
  Waiter waiter;
  waiter.add(keys.size());
  std::atomic<size_t> next{0};
  std::function<void()> issueNext;
  issueNext = [&]() {
    const size_t i = next.fetch_add(1);
    if (i >= keys.size()) return;
    const std::string key = keys[i];
    const std::string path = pathOf(key);
    client_->get(path, nullptr, [&, key, path](absl::StatusOr<zk::GetResult> r) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (r.ok()) {
          out.entries[key] = std::move(r->data);
        } else if (!zk::isNoNode(r.status())) {
          out.problems.push_back(absl::StrCat(client_->chroot(), path, ": cannot read: ",
                                              r.status().message()));
        }
      }
      issueNext();
      waiter.finish(absl::OkStatus());
    });
  };
  client_->post([&] {
    for (size_t i = 0; i < kReadWindow; ++i) issueNext();
  });
  waiter.wait().IgnoreError();  // read errors are recorded per entry
  loop_.runSync([&] {
    known_.clear();
    for (const auto& [key, value] : out.entries) known_.insert(key);
  });
  return out;
}

void ZkStateStore::write(std::vector<StoreWrite> writes, std::function<void(absl::Status)> done) {
  loop_.post([this, writes = std::move(writes), done = std::move(done)]() mutable {
    if (!client_) {
      done(absl::FailedPreconditionError("the ZooKeeper store is not loaded"));
      return;
    }
    auto job = std::make_shared<Job>();
    job->done = std::move(done);
    std::vector<std::vector<StoreWrite>> chunks(1);
    size_t bytes = 0;
    for (StoreWrite& w : writes) {
      const size_t size = w.key.size() + (w.value ? w.value->size() : 0) + 64;
      if (!chunks.back().empty() &&
          (bytes + size > options_.max_batch_bytes || chunks.back().size() >= options_.max_batch_ops)) {
        chunks.emplace_back();
        bytes = 0;
      }
      bytes += size;
      chunks.back().push_back(std::move(w));
    }
    job->chunks_left = chunks.size();
    for (auto& chunk : chunks) issue(job, std::move(chunk));
  });
}

void ZkStateStore::issue(std::shared_ptr<Job> job, std::vector<StoreWrite> chunk) {
  std::vector<zk::ZkOp> ops;
  ops.reserve(chunk.size() + 1);
  if (!options_.fence_path.empty()) ops.push_back(zk::ZkOp::check(options_.fence_path, -1));
  for (const StoreWrite& w : chunk) {
    const std::string path = pathOf(w.key);
    const bool exists = known_.count(w.key) > 0;
    if (w.value) {
      ops.push_back(exists ? zk::ZkOp::set(path, *w.value, -1)
                           : zk::ZkOp::create(path, *w.value, zk::openAcl()));
    } else if (exists) {
      ops.push_back(zk::ZkOp::remove(path, -1));
    }
  }
  // Assume success for the view of what exists; a failure redoes the chunk as upserts.
  for (const StoreWrite& w : chunk) {
    if (w.value) {
      known_.insert(w.key);
    } else {
      known_.erase(w.key);
    }
  }
  const size_t fenced = options_.fence_path.empty() ? 0 : 1;
  if (ops.size() == fenced) {
    job->chunkDone(absl::OkStatus());
    return;
  }
  transactions_++;
  auto writes = std::make_shared<std::vector<StoreWrite>>(std::move(chunk));
  client_->multi(std::move(ops), [this, job, writes, fenced](zk::MultiResult result) {
    if (result.status.ok()) {
      job->chunkDone(absl::OkStatus());
      return;
    }
    if (fenced && !result.results.empty() && !result.results[0].status.ok()) {
      job->chunkDone(absl::FailedPreconditionError(absl::StrCat(
          "this master no longer leads: its election znode ", options_.fence_path, " is gone")));
      return;
    }
    upsertOneByOne(job, writes, 0, 0);
  });
}

void ZkStateStore::upsertOneByOne(std::shared_ptr<Job> job,
                                  std::shared_ptr<std::vector<StoreWrite>> writes, size_t index,
                                  int attempt) {
  if (index >= writes->size()) {
    job->chunkDone(absl::OkStatus());
    return;
  }
  slow_path_++;
  const StoreWrite& w = (*writes)[index];
  const std::string path = pathOf(w.key);
  const bool fenced = !options_.fence_path.empty();
  auto retry = [this, job, writes, index, attempt](const absl::Status& why) {
    if (attempt >= 50) {  // ~10 s of trying
      job->chunkDone(absl::Status(why.code(), absl::StrCat("cannot write the registry: ", why.message())));
      return;
    }
    loop_.postDelayed(std::chrono::milliseconds(200), [this, job, writes, index, attempt] {
      upsertOneByOne(job, writes, index, attempt + 1);
    });
  };
  auto next = [this, job, writes, index] { upsertOneByOne(job, writes, index + 1, 0); };
  auto run = [this, fenced](zk::ZkOp op, std::function<void(zk::MultiResult)> cb) {
    std::vector<zk::ZkOp> ops;
    if (fenced) ops.push_back(zk::ZkOp::check(options_.fence_path, -1));
    ops.push_back(std::move(op));
    client_->multi(std::move(ops), std::move(cb));
  };
  // The status of the written op (not the fence), or the fence failure.
  auto outcome = [this, fenced](const zk::MultiResult& r) -> std::pair<bool, absl::Status> {
    if (r.status.ok()) return {false, absl::OkStatus()};
    if (r.results.empty()) return {false, r.status};  // never reached a server
    if (fenced && !r.results[0].status.ok()) return {true, r.results[0].status};
    return {false, r.results.back().status.ok() ? r.status : r.results.back().status};
  };
  auto fencedOut = [this, job] {
    job->chunkDone(absl::FailedPreconditionError(absl::StrCat(
        "this master no longer leads: its election znode ", options_.fence_path, " is gone")));
  };
  if (!w.value) {
    run(zk::ZkOp::remove(path, -1), [=, this](zk::MultiResult r) {
      auto [fence, s] = outcome(r);
      if (fence) return fencedOut();
      if (s.ok() || zk::isNoNode(s)) {
        known_.erase(w.key);
        return next();
      }
      retry(s);
    });
    return;
  }
  run(zk::ZkOp::create(path, *w.value, zk::openAcl()), [=, this](zk::MultiResult r) {
    auto [fence, s] = outcome(r);
    if (fence) return fencedOut();
    if (s.ok()) {
      known_.insert(w.key);
      return next();
    }
    if (!zk::isNodeExists(s)) return retry(s);
    run(zk::ZkOp::set(path, *w.value, -1), [=, this](zk::MultiResult r2) {
      auto [fence2, s2] = outcome(r2);
      if (fence2) return fencedOut();
      if (s2.ok()) {
        known_.insert(w.key);
        return next();
      }
      retry(s2);  // deleted meanwhile? the next attempt creates it
    });
  });
}

}  // namespace orch::master
