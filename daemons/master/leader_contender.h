// Leader election among masters through ZooKeeper. Each master creates an ephemeral sequential
// znode under <chroot>/leader holding its address (as Mesos's json.info_ nodes do); the lowest
// sequence number leads. A contender watches only its predecessor, so a leader's death wakes
// one master, not all. Every contender also tracks the leader's address for redirects.
//
// A leader that loses its ZooKeeper session (or even its connection: it cannot know whether
// the session survives) stops leading at once: `onLostLeadership` runs and the master exits,
// to be restarted as a fresh contender. A master never acts as leader without a session.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "common/zk/event_loop.h"
#include "common/zk/zk_client.h"
#include "master/leadership.h"

namespace orch::master {

class LeaderContender final : public Leadership {
 public:
  struct Options {
    std::string zk;              // zk://h1:p1,h2:p2/orchestrator
    int session_timeout_ms = 2000;
    std::string address;         // what clients dial to reach this master
    std::string master_id;
  };

  LeaderContender(Options options, std::function<void()> on_elected,
                  std::function<void(const std::string& why)> on_lost_leadership);
  ~LeaderContender() override;

  // Connects and enters the election. Errors name the ZooKeeper hosts.
  absl::Status start();
  void stop();

  // True once elected AND marked serving (the registry is recovered): only then RPCs are served.
  bool isLeader() const override;
  bool elected() const;
  bool recovering() const override;
  void setServing() { serving_ = true; }
  // Our election znode, e.g. /leader/member_0000000003 (relative to the chroot; "" before
  // the candidacy exists). Registry writes check it exists: a deposed leader cannot write.
  std::string electionNodePath() const;
  // Masters currently in the election (this one included), as last seen.
  int contenders() const;
  // The current leader's address ("" while unknown).
  std::string leaderAddress() const override;

 private:
  void ensureParent();
  void createCandidacy();
  void check();
  void watchLeader(const std::string& node);
  void lose(const std::string& why);

  Options options_;
  std::function<void()> on_elected_;
  std::function<void(const std::string&)> on_lost_;
  zk::EventLoop loop_{"election"};
  std::unique_ptr<zk::ZkClient> client_;
  std::string my_node_;  // name under /leader, e.g. member_0000000003

  mutable std::mutex mu_;
  bool leader_ = false;
  std::atomic<bool> serving_{false};
  int contenders_ = 0;
  std::string leader_address_;
  bool stopped_ = false;
};

}  // namespace orch::master
