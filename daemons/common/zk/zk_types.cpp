#include "common/zk/zk_types.h"

#include <utility>

namespace orch::zk {

AclList openAcl() { return {AclEntry{kPermAll, "world", "anyone"}}; }
AclList creatorAllAcl() { return {AclEntry{kPermAll, "auth", ""}}; }

ZkOp ZkOp::create(std::string path, std::string data, AclList acl, CreateMode mode) {
  ZkOp op;
  op.type = Type::kCreate;
  op.path = std::move(path);
  op.data = std::move(data);
  op.acl = std::move(acl);
  op.mode = mode;
  return op;
}

ZkOp ZkOp::remove(std::string path, int version) {
  ZkOp op;
  op.type = Type::kDelete;
  op.path = std::move(path);
  op.version = version;
  return op;
}

ZkOp ZkOp::set(std::string path, std::string data, int version) {
  ZkOp op;
  op.type = Type::kSet;
  op.path = std::move(path);
  op.data = std::move(data);
  op.version = version;
  return op;
}

ZkOp ZkOp::check(std::string path, int version) {
  ZkOp op;
  op.type = Type::kCheck;
  op.path = std::move(path);
  op.version = version;
  return op;
}

const char* sessionStateName(SessionState s) {
  switch (s) {
    case SessionState::kConnecting: return "connecting";
    case SessionState::kConnected: return "connected";
    case SessionState::kSuspended: return "suspended";
    case SessionState::kExpired: return "expired";
    case SessionState::kAuthFailed: return "auth_failed";
    case SessionState::kClosed: return "closed";
  }
  return "unknown";
}

const char* watchEventName(WatchEvent::Type t) {
  switch (t) {
    case WatchEvent::Type::kCreated: return "created";
    case WatchEvent::Type::kDeleted: return "deleted";
    case WatchEvent::Type::kChanged: return "changed";
    case WatchEvent::Type::kChild: return "child";
    case WatchEvent::Type::kNotWatching: return "not_watching";
  }
  return "unknown";
}

}  // namespace orch::zk
