// Parsing of ZooKeeper connect strings: "zk://h1:p1,h2:p2/chroot" or "h1:p1,h2:p2/chroot".
#pragma once

#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"

namespace orch::zk {

struct ZkHostPort {
  std::string host;
  int port = 2181;
};

struct ZkConnectString {
  std::vector<ZkHostPort> hosts;
  std::string chroot;  // "" for none, else "/a/b" (no trailing slash)

  // "h1:p1,h2:p2" (what zookeeper_init wants before the chroot).
  std::string hostList() const;
  // "h1:p1,h2:p2/chroot" — the C client's full connect string.
  std::string clientString() const;
};

// Accepts an optional "zk://" prefix, a comma-separated host[:port] list (port defaults to 2181;
// IPv6 literals in brackets) and an optional chroot path. InvalidArgument naming the bad part on
// an empty host list, a bad port, or a chroot that is not a valid absolute znode path.
absl::StatusOr<ZkConnectString> parseConnectString(absl::string_view text);

// Validates an absolute znode path: starts with '/', no empty segments, no trailing '/'
// (except "/" itself), no "." or ".." segments, no NUL.
bool isValidZnodePath(absl::string_view path);

}  // namespace orch::zk
