// Value types of the ZooKeeper client wrapper: stats, ACLs, create modes, multi ops, events.
// Plain C++ (no zookeeper.h), so callers never see the C client's structs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace orch::zk {

// A znode's metadata as the server reports it (mirror of the C client's struct Stat).
struct ZkStat {
  std::int64_t czxid = 0;
  std::int64_t mzxid = 0;
  std::int64_t ctime_ms = 0;
  std::int64_t mtime_ms = 0;
  std::int32_t version = 0;
  std::int32_t cversion = 0;
  std::int32_t aversion = 0;
  std::int64_t ephemeral_owner = 0;  // session id, or the container/TTL markers (see NodeKind)
  std::int32_t data_length = 0;
  std::int32_t num_children = 0;
  std::int64_t pzxid = 0;
};

// Permission bits, same values as ZOO_PERM_*.
inline constexpr int kPermRead = 1;
inline constexpr int kPermWrite = 2;
inline constexpr int kPermCreate = 4;
inline constexpr int kPermDelete = 8;
inline constexpr int kPermAdmin = 16;
inline constexpr int kPermAll = 31;

struct AclEntry {
  int perms = 0;
  std::string scheme;  // "world", "digest", "ip", "auth", ...
  std::string id;      // "anyone", "user:base64(sha1)", ...
  friend bool operator==(const AclEntry&, const AclEntry&) = default;
};
using AclList = std::vector<AclEntry>;

// world:anyone with all permissions (ZOO_OPEN_ACL_UNSAFE).
AclList openAcl();
// auth:: with all permissions: the creator's authenticated identities (ZOO_CREATOR_ALL_ACL).
AclList creatorAllAcl();

// What kind of node to create. Container and TTL need ZooKeeper >= 3.5.3; TTL also needs the
// server started with -Dzookeeper.extendedTypesEnabled=true.
enum class NodeKind { kPersistent, kEphemeral, kContainer, kTtl };

struct CreateMode {
  NodeKind kind = NodeKind::kPersistent;
  bool sequential = false;
  std::int64_t ttl_ms = 0;  // > 0 for kTtl only
};

// One operation of a multi() transaction. Containers and TTL nodes cannot be created inside a
// multi by the 3.8 C client (it always sends a plain create): create() them on their own.
struct ZkOp {
  enum class Type { kCreate, kDelete, kSet, kCheck };
  Type type = Type::kCheck;
  std::string path;
  std::string data;
  AclList acl;                // kCreate
  CreateMode mode;            // kCreate (persistent or ephemeral, optionally sequential)
  int version = -1;           // kDelete, kSet, kCheck

  static ZkOp create(std::string path, std::string data, AclList acl, CreateMode mode = {});
  static ZkOp remove(std::string path, int version = -1);
  static ZkOp set(std::string path, std::string data, int version = -1);
  static ZkOp check(std::string path, int version);
};

struct ZkOpResult {
  absl::Status status;        // per op; after a failed multi the failing op has the cause
  std::string created_path;   // kCreate
  std::optional<ZkStat> stat; // kSet
};

struct MultiResult {
  absl::Status status;              // OK when the whole transaction committed
  std::vector<ZkOpResult> results;  // one per op (empty if the request never reached a server)
};

struct GetResult {
  std::string data;
  ZkStat stat;
};

struct ChildrenResult {
  std::vector<std::string> children;  // names, not paths
  ZkStat stat;
};

struct AclResult {
  AclList acl;
  ZkStat stat;
};

struct CreateResult {
  std::string path;  // the created path (differs from the request for sequential nodes)
  std::optional<ZkStat> stat;
};

// A fired one-shot watch.
struct WatchEvent {
  enum class Type { kCreated, kDeleted, kChanged, kChild, kNotWatching };
  Type type = Type::kChanged;
  std::string path;  // relative to the chroot
};

// The session as the application should see it.
enum class SessionState {
  kConnecting,  // first connection not yet made
  kConnected,   // session live and connected
  kSuspended,   // connection lost; the session may still be alive (watches kept if it is)
  kExpired,     // the server expired the session: watches and ephemerals are gone
  kAuthFailed,  // credentials rejected
  kClosed,      // close() was called
};

struct SessionEvent {
  SessionState state = SessionState::kConnecting;
  std::int64_t session_id = 0;
  bool new_session = false;  // kConnected with a session different from the previous one
  // kConnected: how many times this client has been connected so far (1: the first time).
  // Events reach the executor later than connect() returns: compare with ZkClient::connections()
  // read at start-up to tell that first connection from a reconnect.
  std::uint64_t connection = 0;
};

const char* sessionStateName(SessionState s);
const char* watchEventName(WatchEvent::Type t);

using Task = std::function<void()>;
// Where completions, watches and session events are delivered (e.g. a daemon's event loop).
using Executor = std::function<void(Task)>;

template <typename T>
using Callback = std::function<void(absl::StatusOr<T>)>;
using StatusCallback = std::function<void(absl::Status)>;
using MultiCallback = std::function<void(MultiResult)>;
using WatchFn = std::function<void(const WatchEvent&)>;
using SessionListener = std::function<void(const SessionEvent&)>;

}  // namespace orch::zk
