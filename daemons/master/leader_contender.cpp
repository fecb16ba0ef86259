#include "master/leader_contender.h"

#include <algorithm>
#include <future>

#include "absl/strings/str_cat.h"
#include "common/log/logger.h"
#include "common/zk/zk_status.h"
#include "nlohmann/json.hpp"

namespace orch::master {

namespace {

constexpr char kElection[] = "/leader";
constexpr char kPrefix[] = "member_";

}  // namespace

LeaderContender::LeaderContender(Options options, std::function<void()> on_elected,
                                 std::function<void(const std::string&)> on_lost_leadership)
    : options_(std::move(options)),
      on_elected_(std::move(on_elected)),
      on_lost_(std::move(on_lost_leadership)) {}

LeaderContender::~LeaderContender() { stop(); }

namespace {

// Creates the chroot of `connect` (e.g. /orchestrator in zk://h:p/orchestrator) if missing:
// ZooKeeper does not create it, and nothing under it can be created without it.
absl::Status ensureChroot(const std::string& connect, int session_timeout_ms) {
  std::string hosts = connect;
  if (hosts.rfind("zk://", 0) == 0) hosts = hosts.substr(5);
  const size_t slash = hosts.find('/');
  if (slash == std::string::npos || slash + 1 >= hosts.size()) return absl::OkStatus();
  const std::string chroot = hosts.substr(slash);
  hosts = hosts.substr(0, slash);
  zk::EventLoop loop("chroot");
  zk::ZkClientOptions options;
  options.connect = hosts;
  options.session_timeout_ms = session_timeout_ms;
  auto client = zk::ZkClient::create(options, loop.executor());
  if (!client.ok()) return client.status();
  if (auto s = (*client)->connect(std::chrono::milliseconds(session_timeout_ms * 5)); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot reach ZooKeeper at ", hosts, ": ", s.message()));
  }
  std::string path;
  size_t pos = 1;
  while (pos <= chroot.size()) {
    size_t next = chroot.find('/', pos);
    if (next == std::string::npos) next = chroot.size();
    path = chroot.substr(0, next);
    pos = next + 1;
    std::promise<absl::Status> done;
    (*client)->create(path, "", zk::openAcl(), zk::CreateMode{},
                      [&done](absl::StatusOr<zk::CreateResult> r) {
                        done.set_value(r.ok() || zk::isNodeExists(r.status()) ? absl::OkStatus()
                                                                              : r.status());
                      });
    if (auto s = done.get_future().get(); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("cannot create chroot ", path, ": ", s.message()));
    }
  }
  (*client)->close();
  return absl::OkStatus();
}

}  // namespace

absl::Status LeaderContender::start() {
  if (auto s = ensureChroot(options_.zk, options_.session_timeout_ms); !s.ok()) return s;
  zk::ZkClientOptions zk_options;
  zk_options.connect = options_.zk;
  zk_options.session_timeout_ms = options_.session_timeout_ms;
  // A new session means a new candidacy, which this process does not attempt: it exits.
  zk_options.renew_expired_session = false;
  auto client = zk::ZkClient::create(zk_options, loop_.executor());
  if (!client.ok()) return client.status();
  client_ = *std::move(client);
  client_->setSessionListener([this](const zk::SessionEvent& event) {
    switch (event.state) {
      case zk::SessionState::kSuspended:
        lose("lost the connection to ZooKeeper");
        break;
      case zk::SessionState::kExpired:
        lose("the ZooKeeper session expired");
        break;
      case zk::SessionState::kAuthFailed:
        lose("ZooKeeper rejected the credentials");
        break;
      default:
        break;
    }
  });
  if (auto s = client_->connect(std::chrono::milliseconds(options_.session_timeout_ms * 5)); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot reach ZooKeeper at ", options_.zk, ": ", s.message()));
  }
  loop_.post([this] { ensureParent(); });
  return absl::OkStatus();
}

void LeaderContender::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (client_) client_->close();  // our ephemeral node goes at once: a standby takes over
  loop_.stop();
}

bool LeaderContender::isLeader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leader_ && serving_;
}

int LeaderContender::contenders() const {
  std::lock_guard<std::mutex> lock(mu_);
  return contenders_;
}

bool LeaderContender::recovering() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leader_ && !serving_;
}

bool LeaderContender::elected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leader_;
}

std::string LeaderContender::electionNodePath() const {
  std::lock_guard<std::mutex> lock(mu_);
  return my_node_.empty() ? std::string() : absl::StrCat(kElection, "/", my_node_);
}

std::string LeaderContender::leaderAddress() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leader_address_;
}

void LeaderContender::lose(const std::string& why) {
  bool was_leader;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    was_leader = leader_;
    leader_ = false;
    leader_address_.clear();
  }
  orch::log::logWarn("leader election interrupted", {{"reason", why}, {"was_leader", was_leader}});
  on_lost_(why);
}

void LeaderContender::ensureParent() {
  client_->create(kElection, "", zk::openAcl(), zk::CreateMode{}, [this](auto result) {
    if (!result.ok() && !zk::isNodeExists(result.status())) {
      lose(absl::StrCat("cannot create ", kElection, ": ", result.status().message()));
      return;
    }
    createCandidacy();
  });
}

void LeaderContender::createCandidacy() {
  nlohmann::json info = {{"address", options_.address}, {"id", options_.master_id}};
  zk::CreateMode mode;
  mode.kind = zk::NodeKind::kEphemeral;
  mode.sequential = true;
  client_->create(absl::StrCat(kElection, "/", kPrefix), info.dump(), zk::openAcl(), mode,
                  [this](absl::StatusOr<zk::CreateResult> result) {
                    if (!result.ok()) {
                      lose(absl::StrCat("cannot enter the election: ", result.status().message()));
                      return;
                    }
                    {
                      std::lock_guard<std::mutex> lock(mu_);
                      my_node_ = result->path.substr(result->path.rfind('/') + 1);
                    }
                    orch::log::logInfo("entered the leader election", {{"node", my_node_}});
                    check();
                  });
}

void LeaderContender::check() {
  // The child watch keeps every master's view of who is in the election current (for
  // --quorum-masters); it also makes a standby look again when any member joins or leaves.
  client_->getChildren(kElection, [this](const zk::WatchEvent&) { check(); },
                       [this](absl::StatusOr<zk::ChildrenResult> result) {
    if (!result.ok()) {
      lose(absl::StrCat("cannot list ", kElection, ": ", result.status().message()));
      return;
    }
    std::vector<std::string> members;
    for (const auto& child : result->children) {
      if (child.rfind(kPrefix, 0) == 0) members.push_back(child);
    }
    // Sequence suffixes are zero-padded, so names sort by sequence.
    std::sort(members.begin(), members.end());
    {
      std::lock_guard<std::mutex> lock(mu_);
      contenders_ = static_cast<int>(members.size());
    }
    auto mine = std::find(members.begin(), members.end(), my_node_);
    if (mine == members.end()) {
      lose("our election node vanished");
      return;
    }
    watchLeader(members.front());
    if (mine == members.begin()) {
      bool newly;
      {
        std::lock_guard<std::mutex> lock(mu_);
        newly = !leader_;
        leader_ = true;
        leader_address_ = options_.address;
      }
      if (newly) {
        orch::log::logInfo("elected leader", {{"node", my_node_}, {"address", options_.address}});
        on_elected_();
      }
      return;
    }
    // Watch the predecessor only; when it goes, look again.
    const std::string predecessor = *(mine - 1);
    client_->exists(absl::StrCat(kElection, "/", predecessor),
                    [this](const zk::WatchEvent&) { check(); },
                    [this](absl::StatusOr<std::optional<zk::ZkStat>> stat) {
                      if (stat.ok() && !stat->has_value()) check();  // gone meanwhile
                    });
  });
}

void LeaderContender::watchLeader(const std::string& node) {
  // The watch makes every standby look again when the leader goes, so each knows the next one.
  client_->get(absl::StrCat(kElection, "/", node), [this](const zk::WatchEvent&) { check(); },
               [this](absl::StatusOr<zk::GetResult> result) {
                 if (!result.ok()) return;
                 auto info = nlohmann::json::parse(result->data, nullptr, false);
                 if (info.is_discarded() || !info.contains("address") || !info["address"].is_string()) {
                   orch::log::logWarn("unreadable leader record", {{"data", result->data}});
                   return;
                 }
                 std::lock_guard<std::mutex> lock(mu_);
                 leader_address_ = info["address"].get<std::string>();
               });
}

}  // namespace orch::master
