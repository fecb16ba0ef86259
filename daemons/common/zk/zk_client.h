// Asynchronous ZooKeeper client over libzookeeper_mt.
//
// Every completion, watch and session event is handed to the caller's Executor (e.g. the
// daemon's event loop), never run on the C client's threads. Reads (get, exists, children, ACL)
// and unconditional set/setAcl are retried with backoff after connection loss while the session
// lives; create, remove and multi are not (their outcome is unknown after a connection loss —
// callers re-read). An expired session is replaced by a new one automatically (when
// renew_expired_session), announced as kExpired followed by kConnected with new_session=true;
// watches of the old session are gone by then.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/zk/retry_policy.h"
#include "common/zk/zk_types.h"

namespace orch::zk {

struct AuthInfo {
  std::string scheme = "digest";
  std::string credential;  // "user:password" for digest
};

struct ZkClientOptions {
  std::string connect;               // "zk://h:p,h:p/chroot" or "h:p,h:p/chroot"
  int session_timeout_ms = 10000;
  std::vector<AuthInfo> auth;
  RetryPolicy retry;
  bool renew_expired_session = true;
  // How often, at most, the C client re-resolves the server host names while connected (it
  // always does on a connection loss). The C client's default is on every I/O loop turn: a
  // getaddrinfo per turn, which took half the sync engine's CPU in a bulk copy (zk_sync_bench).
  // 0 keeps that default; -1 never re-resolves while connected.
  int resolution_delay_ms = 30000;
};

class ZkClient {
 public:
  // Validates options (connect string, timeout) without connecting. InvalidArgument on bad input.
  static absl::StatusOr<std::unique_ptr<ZkClient>> create(ZkClientOptions options, Executor executor);
  ~ZkClient();  // close()s
  ZkClient(const ZkClient&) = delete;
  ZkClient& operator=(const ZkClient&) = delete;

  // Called (on the executor) on every session state change. Set before start().
  void setSessionListener(SessionListener listener);

  // Starts connecting (asynchronous). FailedPrecondition if already started or closed; Internal
  // if the C client cannot create a handle.
  absl::Status start();
  // Blocks the calling thread (never the executor's!) until connected, auth failed or timeout.
  // DeadlineExceeded naming the hosts on timeout, PermissionDenied on auth failure.
  absl::Status waitConnected(std::chrono::milliseconds timeout);
  // start() + waitConnected().
  absl::Status connect(std::chrono::milliseconds timeout);
  // Closes the session (ephemerals go away now). Pending requests complete with Unavailable.
  // The session listener is dropped: no session event is scheduled after close() (events
  // already handed to the executor still run).
  void close();

  SessionState state() const;
  std::int64_t sessionId() const;
  // How many times the client has been connected (SessionEvent::connection of the latest).
  std::uint64_t connections() const;
  const std::string& connectString() const;
  // The chroot from the connect string ("" if none).
  const std::string& chroot() const;

  void create(const std::string& path, std::string data, AclList acl, CreateMode mode,
              Callback<CreateResult> done);
  void remove(const std::string& path, int version, StatusCallback done);
  void set(const std::string& path, std::string data, int version, Callback<ZkStat> done);
  // watch (optional) fires once on the next change or deletion of the node.
  void get(const std::string& path, WatchFn watch, Callback<GetResult> done);
  // nullopt when the node does not exist; watch (optional) fires on create/delete/change.
  void exists(const std::string& path, WatchFn watch, Callback<std::optional<ZkStat>> done);
  // watch (optional) fires once when the child list changes or the node is deleted.
  void getChildren(const std::string& path, WatchFn watch, Callback<ChildrenResult> done);
  void getAcl(const std::string& path, Callback<AclResult> done);
  // Brings the member this session is connected to up to date with the leader (as of the
  // call) before the session's next reads: a read after it sees every write that preceded it.
  void sync(const std::string& path, StatusCallback done);
  void setAcl(const std::string& path, int version, AclList acl, StatusCallback done);
  // All-or-nothing transaction (empty ops complete OK at once).
  void multi(std::vector<ZkOp> ops, MultiCallback done);

  // Runs task on the executor (to start work on the same thread completions use).
  void post(Task task);

  // Requests sent and not yet completed (for flow control).
  std::int64_t outstanding() const;
  // One-shot watches registered and not yet fired.
  std::int64_t activeWatches() const;

  class Impl;

 private:
  explicit ZkClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace orch::zk
