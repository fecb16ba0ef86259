// The registry in ZooKeeper, sharded per object: <chroot>/state/meta and
// <chroot>/state/<kind>/<bucket>/<name> for agents, frameworks, tasks and roles (64 buckets a
// kind, so no child list nears jute.maxbuffer even with 100,000 tasks). Each write() becomes
// multi() transactions of at most ~256 KB, pipelined; every transaction first checks that this
// master's election znode still exists, so a deposed leader can never write.
//
// If a transaction fails because the store's view of which znodes exist was wrong, its writes
// are redone one by one as upserts (create, or set when it exists; delete ignoring absence).
// After a connection loss the outcome is unknown: the writes are redone the same way, since
// they set whole values and are idempotent.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "common/zk/event_loop.h"
#include "common/zk/zk_client.h"
#include "master/state/state_store.h"

namespace orch::master {

class ZkStateStore final : public StateStore {
 public:
  struct Options {
    std::string zk;  // zk://h1:p1,h2:p2/orchestrator (the chroot must exist)
    int session_timeout_ms = 10000;
    std::string fence_path;  // e.g. /leader/member_0000000003 ("" = no fence, for tools/tests)
    size_t max_batch_bytes = 256 * 1024;
    size_t max_batch_ops = 500;
  };
  explicit ZkStateStore(Options options);
  ~ZkStateStore() override;

  std::string describe() const override;
  std::string locate(const std::string& key) const override;  // the znode path
  absl::StatusOr<LoadedRegistry> load() override;
  void write(std::vector<StoreWrite> writes, std::function<void(absl::Status)> done) override;

  // The znode path of a key (relative to the chroot).
  static std::string pathOf(const std::string& key);
  uint64_t transactions() const { return transactions_.load(); }
  uint64_t slowPathWrites() const { return slow_path_.load(); }

 private:
  struct Job;
  absl::Status connect();
  absl::Status ensureLayout();
  void issue(std::shared_ptr<Job> job, std::vector<StoreWrite> chunk);
  void upsertOneByOne(std::shared_ptr<Job> job, std::shared_ptr<std::vector<StoreWrite>> writes,
                      size_t index, int attempt);

  Options options_;
  zk::EventLoop loop_{"registry"};
  std::unique_ptr<zk::ZkClient> client_;
  std::unordered_set<std::string> known_;  // keys whose znode exists (loop thread after load)
  std::atomic<uint64_t> transactions_{0};
  std::atomic<uint64_t> slow_path_{0};
};

}  // namespace orch::master
