// ZooKeeper C client return codes as absl::Status values.
//
// Each Status carries the original code as a payload, so callers can tell ZNONODE from ZNOAUTH
// without parsing messages: zkCode(status) returns it (0 for OK, kNotZkError when absent).
#pragma once

#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace orch::zk {

inline constexpr int kNotZkError = 1;

// Maps a ZOO_ERRORS code to a Status whose message names the operation and path.
//   ZNONODE → NotFound, ZNODEEXISTS → AlreadyExists, ZNOAUTH/ZAUTHFAILED → PermissionDenied,
//   ZBADVERSION → Aborted, ZNOTEMPTY/ZNOCHILDRENFOREPHEMERALS → FailedPrecondition,
//   ZCONNECTIONLOSS/ZOPERATIONTIMEOUT/ZCLOSING/ZSESSIONMOVED/ZTHROTTLEDOP → Unavailable,
//   ZSESSIONEXPIRED/ZINVALIDSTATE → Unavailable, ZBADARGUMENTS/ZINVALIDACL → InvalidArgument,
//   other → Internal.
absl::Status zkStatus(int rc, absl::string_view op, absl::string_view path);

// The ZOO_ERRORS code carried by a Status made by zkStatus (0 for OK, kNotZkError otherwise).
int zkCode(const absl::Status& status);

// Connection loss, operation timeout or throttling: worth retrying on the same session.
bool isRetryableCode(int rc);

bool isNoNode(const absl::Status& s);
bool isNodeExists(const absl::Status& s);
bool isNotEmpty(const absl::Status& s);
// Connection-level failure (the request may or may not have been applied).
bool isConnectionProblem(const absl::Status& s);

}  // namespace orch::zk
