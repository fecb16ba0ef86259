#include "common/zk/zk_status.h"

#include <string>

#include <zookeeper/zookeeper.h>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace orch::zk {
namespace {

constexpr absl::string_view kPayloadUrl = "orch.zk/rc";

absl::StatusCode codeFor(int rc) {
  switch (rc) {
    case ZOK: return absl::StatusCode::kOk;
    case ZNONODE: return absl::StatusCode::kNotFound;
    case ZNODEEXISTS: return absl::StatusCode::kAlreadyExists;
    case ZNOAUTH:
    case ZAUTHFAILED:
    case ZSESSIONCLOSEDREQUIRESASLAUTH: return absl::StatusCode::kPermissionDenied;
    case ZBADVERSION: return absl::StatusCode::kAborted;
    case ZNOTEMPTY:
    case ZNOCHILDRENFOREPHEMERALS:
    case ZEPHEMERALONLOCALSESSION: return absl::StatusCode::kFailedPrecondition;
    case ZCONNECTIONLOSS:
    case ZOPERATIONTIMEOUT:
    case ZCLOSING:
    case ZSESSIONMOVED:
    case ZTHROTTLEDOP:
    case ZSESSIONEXPIRED:
    case ZINVALIDSTATE:
    case ZNOTREADONLY: return absl::StatusCode::kUnavailable;
    case ZBADARGUMENTS:
    case ZINVALIDACL: return absl::StatusCode::kInvalidArgument;
    default: return absl::StatusCode::kInternal;
  }
}

}  // namespace

absl::Status zkStatus(int rc, absl::string_view op, absl::string_view path) {
  if (rc == ZOK) return absl::OkStatus();
  absl::Status s(codeFor(rc), absl::StrCat("zookeeper ", op, " ", path, ": ", zerror(rc), " (", rc, ")"));
  s.SetPayload(kPayloadUrl, absl::Cord(std::to_string(rc)));
  return s;
}

int zkCode(const absl::Status& status) {
  if (status.ok()) return ZOK;
  auto p = status.GetPayload(kPayloadUrl);
  if (!p) return kNotZkError;
  int rc = kNotZkError;
  if (!absl::SimpleAtoi(std::string(*p), &rc)) return kNotZkError;
  return rc;
}

bool isRetryableCode(int rc) {
  return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT || rc == ZTHROTTLEDOP;
}

bool isNoNode(const absl::Status& s) { return zkCode(s) == ZNONODE; }
bool isNodeExists(const absl::Status& s) { return zkCode(s) == ZNODEEXISTS; }
bool isNotEmpty(const absl::Status& s) { return zkCode(s) == ZNOTEMPTY; }
bool isConnectionProblem(const absl::Status& s) {
  const int rc = zkCode(s);
  return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT || rc == ZCLOSING ||
         rc == ZSESSIONEXPIRED || rc == ZINVALIDSTATE || rc == ZSESSIONMOVED || rc == ZTHROTTLEDOP;
}

}  // namespace orch::zk
