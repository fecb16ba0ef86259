#include "client/client_config.h"

#include "common/zk/zk_connect_string.h"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/config/json_file.h"

namespace orch::client {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kKnownKeys[] = {"master", "ca", "cert", "key"};

std::string jsonTypeName(const nlohmann::json& value) { return value.type_name(); }

// A relative path in a config file means "next to the config file".
std::string resolveRelative(const std::string& path, const std::string& source) {
  if (path.empty() || source.empty()) return path;
  fs::path p(path);
  if (p.is_absolute()) return path;
  if (path.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    if (home != nullptr && *home != '\0') return (fs::path(home) / path.substr(2)).string();
    return path;
  }
  return (fs::path(source).parent_path() / p).lexically_normal().string();
}

absl::StatusOr<std::string> stringKey(const nlohmann::json& doc, absl::string_view key,
                                      const std::string& source) {
  auto it = doc.find(std::string(key));
  if (it == doc.end()) return std::string();
  if (!it->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("config ", source, ": key \"", key,
                                                   "\" must be a string (a file path), got ",
                                                   jsonTypeName(*it)));
  }
  return it->get<std::string>();
}

}  // namespace

absl::StatusOr<std::string> defaultClientConfigPath() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && *xdg != '\0') {
    return (fs::path(xdg) / "orchestrator" / "orchctl.json").string();
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') {
    return (fs::path(home) / ".config" / "orchestrator" / "orchctl.json").string();
  }
  return absl::InvalidArgumentError(
      "cannot locate orchctl's config file: neither XDG_CONFIG_HOME nor HOME is set "
      "(pass --config FILE)");
}

absl::Status validateHostPort(std::string_view address_in) {
  // Debian's Abseil has its own string_view type.
  const absl::string_view address(address_in.data(), address_in.size());
  if (address.empty()) return absl::InvalidArgumentError("empty address (expected host:port)");
  absl::string_view host;
  absl::string_view port;
  if (address.front() == '[') {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", address, "\" is not [ipv6]:port"));
    }
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", address, "\" has no port (expected host:port)"));
    }
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.find(':') != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", address, "\": write IPv6 hosts in brackets, like [::1]:5050"));
    }
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("address \"", address, "\" has no host"));
  }
  for (char c : host) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          absl::StrCat("address \"", address, "\" has whitespace in its host"));
    }
  }
  int value = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value < 1 ||
      value > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("address \"", address, "\" has an invalid port \"",
                                                   port, "\" (expected 1..65535)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> parseMasterList(std::string_view text_in) {
  const absl::string_view text(text_in.data(), text_in.size());
  std::vector<std::string> out;
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (absl::StartsWith(trimmed, "zk://")) {
    // One ZooKeeper URL naming where the masters elect their leader (commas separate its hosts).
    auto parsed = zk::parseConnectString(trimmed);
    if (!parsed.ok()) return parsed.status();
    out.emplace_back(trimmed);
    return out;
  }
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (part.empty()) continue;
    if (absl::Status s = validateHostPort(std::string_view(part.data(), part.size())); !s.ok()) {
      return s;
    }
    out.emplace_back(part);
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no master address in \"", text, "\" (expected host:port)"));
  }
  return out;
}

absl::StatusOr<ClientConfig> parseClientConfig(std::string_view json_text, const std::string& source) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat("config ", source, " is not valid JSON: ", e.what()));
  }
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("config ", source,
                                                   " must hold a JSON object like {\"master\": "
                                                   "\"127.0.0.1:5050\", ...}, got ",
                                                   jsonTypeName(doc)));
  }
  for (const auto& [key, value] : doc.items()) {
    bool known = false;
    for (std::string_view k : kKnownKeys) known = known || key == k;
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat("config ", source, ": unknown key \"", key,
                                                     "\" (known keys: master, ca, cert, key)"));
    }
  }

  ClientConfig config;
  config.source = source;
  if (auto it = doc.find("master"); it != doc.end()) {
    std::vector<std::string> masters;
    if (it->is_string()) {
      auto parsed = parseMasterList(it->get<std::string>());
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("config ", source, ": key \"master\": ", parsed.status().message()));
      }
      masters = *std::move(parsed);
    } else if (it->is_array()) {
      for (const auto& item : *it) {
        if (!item.is_string()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "config ", source, ": key \"master\" must list strings \"host:port\", found a ",
              jsonTypeName(item)));
        }
        const std::string address = item.get<std::string>();
        if (absl::Status s = validateHostPort(address); !s.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat("config ", source, ": key \"master\": ", s.message()));
        }
        masters.push_back(address);
      }
      if (masters.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("config ", source, ": key \"master\" is an empty list"));
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "config ", source, ": key \"master\" must be a string \"host:port\" (or a list of them), got ",
          jsonTypeName(*it)));
    }
    config.masters = std::move(masters);
  }

  struct PathKey {
    absl::string_view key;
    std::string* target;
  };
  const PathKey paths[] = {{"ca", &config.tls.ca_cert}, {"cert", &config.tls.cert}, {"key", &config.tls.key}};
  for (const PathKey& p : paths) {
    auto value = stringKey(doc, p.key, source);
    if (!value.ok()) return value.status();
    *p.target = resolveRelative(*value, source);
  }
  return config;
}

absl::StatusOr<ClientConfig> loadClientConfig(const std::string& path) {
  auto text = orch::config::readFileToString(path);
  if (!text.ok()) {
    if (absl::IsNotFound(text.status())) {
      return absl::NotFoundError(absl::StrCat("config file ", path, " does not exist"));
    }
    return text.status();
  }
  return parseClientConfig(*text, path);
}

absl::Status writeClientConfig(const std::string& path, const ClientConfig& config) {
  if (config.masters.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot write ", path, ": no master address"));
  }
  for (const std::string& m : config.masters) {
    absl::Status s = absl::StartsWith(m, "zk://") ? zk::parseConnectString(m).status() : validateHostPort(m);
    if (!s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("cannot write ", path, ": ", s.message()));
    }
  }
  nlohmann::json doc = nlohmann::json::object();
  if (config.masters.size() == 1) {
    doc["master"] = config.masters.front();
  } else {
    doc["master"] = config.masters;
  }
  auto absolute = [](const std::string& p) -> std::string {
    if (p.empty()) return p;
    std::error_code ec;
    fs::path abs = fs::absolute(p, ec);
    return ec ? p : abs.lexically_normal().string();
  };
  doc["ca"] = absolute(config.tls.ca_cert);
  doc["cert"] = absolute(config.tls.cert);
  doc["key"] = absolute(config.tls.key);

  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot create directory ", parent.string(), ": ", ec.message()));
    }
  }
  return orch::config::writeJsonFileAtomically(path, doc, 0600);
}

absl::Status validateClientConfig(const ClientConfig& config) {
  const std::string where =
      config.source.empty() ? std::string("no config file") : absl::StrCat("config ", config.source);
  if (config.masters.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no master address: set key \"master\" in ", config.source.empty() ? "the config file" : config.source,
        " or pass --master HOST:PORT"));
  }
  struct Need {
    const std::string* value;
    absl::string_view key;
    absl::string_view flag;
    absl::string_view what;
  };
  const Need needs[] = {{&config.tls.ca_cert, "ca", "--ca", "the cluster CA certificate"},
                        {&config.tls.cert, "cert", "--cert", "this client's certificate"},
                        {&config.tls.key, "key", "--key", "this client's private key"}};
  for (const Need& n : needs) {
    if (n.value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat("missing ", n.what, " (", where, "): set key \"",
                                                     n.key, "\" or pass ", n.flag, " FILE"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ClientConfig> resolveClientConfig(const std::optional<std::string>& explicit_path,
                                                 const ClientConfigOverrides& overrides) {
  ClientConfig config;
  if (explicit_path.has_value()) {
    auto loaded = loadClientConfig(*explicit_path);
    if (!loaded.ok()) return loaded.status();
    config = *std::move(loaded);
  } else {
    auto path = defaultClientConfigPath();
    if (path.ok()) {
      std::error_code ec;
      if (fs::exists(*path, ec)) {
        auto loaded = loadClientConfig(*path);
        if (!loaded.ok()) return loaded.status();
        config = *std::move(loaded);
      }
    }
  }
  if (overrides.master.has_value()) {
    auto masters = parseMasterList(*overrides.master);
    if (!masters.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--master: ", masters.status().message()));
    }
    config.masters = *std::move(masters);
  }
  if (overrides.ca_cert.has_value()) config.tls.ca_cert = *overrides.ca_cert;
  if (overrides.cert.has_value()) config.tls.cert = *overrides.cert;
  if (overrides.key.has_value()) config.tls.key = *overrides.key;

  if (config.source.empty() && config.masters.empty() && config.tls.cert.empty()) {
    auto path = defaultClientConfigPath();
    return absl::NotFoundError(absl::StrCat(
        "no client configuration: ", path.ok() ? *path : std::string("the default config file"),
        " does not exist; start a local cluster with scripts/run (it writes that file), or pass "
        "--master, --ca, --cert and --key"));
  }
  if (absl::Status s = validateClientConfig(config); !s.ok()) return s;
  return config;
}

}  // namespace orch::client
