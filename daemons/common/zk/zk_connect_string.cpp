#include "common/zk/zk_connect_string.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace orch::zk {

std::string ZkConnectString::hostList() const {
  return absl::StrJoin(hosts, ",", [](std::string* out, const ZkHostPort& h) {
    if (absl::StrContains(h.host, ':')) {
      absl::StrAppend(out, "[", h.host, "]:", h.port);
    } else {
      absl::StrAppend(out, h.host, ":", h.port);
    }
  });
}

std::string ZkConnectString::clientString() const { return hostList() + chroot; }

bool isValidZnodePath(absl::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path == "/") return true;
  if (path.back() == '/') return false;
  if (path.find('\0') != absl::string_view::npos) return false;
  for (absl::string_view seg : absl::StrSplit(path.substr(1), '/')) {
    if (seg.empty() || seg == "." || seg == "..") return false;
  }
  return true;
}

absl::StatusOr<ZkConnectString> parseConnectString(absl::string_view text) {
  absl::string_view rest = text;
  if (absl::StartsWith(rest, "zk://")) rest.remove_prefix(5);
  ZkConnectString out;
  // The chroot starts at the first '/' outside an IPv6 bracket.
  size_t slash = absl::string_view::npos;
  bool in_bracket = false;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '[') in_bracket = true;
    if (rest[i] == ']') in_bracket = false;
    if (rest[i] == '/' && !in_bracket) {
      slash = i;
      break;
    }
  }
  absl::string_view hosts = rest.substr(0, slash);
  if (slash != absl::string_view::npos) {
    absl::string_view chroot = rest.substr(slash);
    if (chroot != "/") {
      if (!isValidZnodePath(chroot)) {
        return absl::InvalidArgumentError(
            absl::StrCat("zookeeper connect string '", text, "': chroot '", chroot,
                         "' is not a valid znode path"));
      }
      out.chroot = std::string(chroot);
    }
  }
  if (hosts.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("zookeeper connect string '", text, "': no hosts (want host:port[,host:port][/chroot])"));
  }
  for (absl::string_view item : absl::StrSplit(hosts, ',')) {
    if (item.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("zookeeper connect string '", text, "': empty host entry"));
    }
    ZkHostPort hp;
    absl::string_view port_text;
    if (item.front() == '[') {
      const size_t close = item.find(']');
      if (close == absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("zookeeper connect string '", text, "': unterminated '[' in '", item, "'"));
      }
      hp.host = std::string(item.substr(1, close - 1));
      absl::string_view after = item.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') {
          return absl::InvalidArgumentError(
              absl::StrCat("zookeeper connect string '", text, "': junk after ']' in '", item, "'"));
        }
        port_text = after.substr(1);
      }
    } else {
      const size_t colon = item.rfind(':');
      hp.host = std::string(item.substr(0, colon));
      if (colon != absl::string_view::npos) port_text = item.substr(colon + 1);
    }
    if (hp.host.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("zookeeper connect string '", text, "': empty host in '", item, "'"));
    }
    if (!port_text.empty() || item.back() == ':') {
      int port = 0;
      if (!absl::SimpleAtoi(port_text, &port) || port < 1 || port > 65535) {
        return absl::InvalidArgumentError(absl::StrCat("zookeeper connect string '", text,
                                                       "': bad port '", port_text, "' in '", item, "'"));
      }
      hp.port = port;
    }
    out.hosts.push_back(std::move(hp));
  }
  return out;
}

}  // namespace orch::zk
