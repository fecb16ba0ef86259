#include "agent/containerizer/docker_client.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace orch::agent {

using json = nlohmann::json;

namespace {

constexpr const char *kApi = "/v1.41";

absl::StatusOr<json> parseJson(const std::string &what,
                               const std::string &body) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::InternalError(
        absl::StrCat(what, ": the Docker daemon answered with invalid JSON: ",
                     body.substr(0, 200)));
  }
  return parsed;
}

std::map<std::string, std::string> labelsOf(const json &labels) {
  std::map<std::string, std::string> out;
  if (!labels.is_object())
    return out;
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    if (it.value().is_string())
      out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

std::string str(const json &j, const char *key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>()
                                          : std::string();
}

} // namespace

std::string dockerErrorMessage(const std::string &body) {
  json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object()) {
    if (auto m = str(parsed, "message"); !m.empty())
      return m;
  }
  return std::string(absl::StripAsciiWhitespace(body));
}

std::string urlEncode(const std::string &value) {
  static const char *hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

DockerClient::DockerClient(std::string socket_path)
    : http_(std::move(socket_path)) {}

absl::StatusOr<HttpResponse>
DockerClient::call(const std::string &what, const std::string &method,
                   const std::string &path, const std::string &body,
                   std::chrono::milliseconds timeout,
                   HttpCancel *cancel) const {
  auto response =
      http_.request(method, absl::StrCat(kApi, path), body, timeout, cancel);
  if (!response.ok()) {
    if (absl::IsUnavailable(response.status())) {
      return absl::UnavailableError(
          absl::StrCat(what, ": the Docker daemon is unreachable (",
                       response.status().message(), ")"));
    }
    return absl::Status(response.status().code(),
                        absl::StrCat(what, ": ", response.status().message()));
  }
  // 304: nothing to do (start of a running container, stop of a stopped one).
  if ((response->status >= 200 && response->status < 300) ||
      response->status == 304) {
    return response;
  }
  const std::string message =
      absl::StrCat(what, ": ", dockerErrorMessage(response->body));
  switch (response->status) {
  case 400:
    return absl::InvalidArgumentError(message);
  case 404:
    return absl::NotFoundError(message);
  case 409:
    return absl::AlreadyExistsError(message);
  default:
    return absl::InternalError(
        absl::StrCat(message, " (HTTP ", response->status, ")"));
  }
}

absl::Status DockerClient::ping(std::chrono::milliseconds timeout) const {
  auto response = http_.request("GET", "/_ping", {}, timeout);
  if (!response.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the Docker daemon is unreachable at ", socketPath(), ": ",
                     response.status().message()));
  }
  if (response->status != 200) {
    return absl::UnavailableError(absl::StrCat(
        "the Docker daemon at ", socketPath(), " answered /_ping with HTTP ",
        response->status, ": ", dockerErrorMessage(response->body)));
  }
  return absl::OkStatus();
}

absl::StatusOr<DockerVersion> DockerClient::version() const {
  auto response = call("docker version", "GET", "/version");
  if (!response.ok())
    return response.status();
  auto parsed = parseJson("docker version", response->body);
  if (!parsed.ok())
    return parsed.status();
  DockerVersion v;
  v.version = str(*parsed, "Version");
  v.api_version = str(*parsed, "ApiVersion");
  if (auto it = parsed->find("Components");
      it != parsed->end() && it->is_array()) {
    for (const json &c : *it) {
      if (str(c, "Name") == "docker-init")
        v.has_init = true;
    }
  }
  return v;
}

absl::StatusOr<DockerImage>
DockerClient::inspectImage(const std::string &image) const {
  auto response = call(absl::StrCat("image ", image), "GET",
                       absl::StrCat("/images/", image, "/json"), {},
                       std::chrono::seconds(30));
  if (!response.ok()) {
    if (absl::IsNotFound(response.status())) {
      return absl::NotFoundError(
          absl::StrCat("image ", image, " not found on this agent"));
    }
    return response.status();
  }
  auto parsed = parseJson(absl::StrCat("image ", image), response->body);
  if (!parsed.ok())
    return parsed.status();
  DockerImage out;
  out.id = str(*parsed, "Id");
  if (auto it = parsed->find("RepoTags");
      it != parsed->end() && it->is_array()) {
    for (const json &t : *it) {
      if (t.is_string())
        out.tags.push_back(t.get<std::string>());
    }
  }
  if (auto it = parsed->find("Size"); it != parsed->end() && it->is_number()) {
    out.size = it->get<int64_t>();
  }
  return out;
}

absl::Status DockerClient::pullImage(const std::string &image) const {
  // repo[:tag][@digest]: a tag is a ':' after the last '/'. Without a tag the
  // API would pull every tag, so name "latest" as docker pull does.
  std::string repo = image, tag;
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  if (image.find('@') == std::string::npos && colon != std::string::npos &&
      (slash == std::string::npos || colon > slash)) {
    repo = image.substr(0, colon);
    tag = image.substr(colon + 1);
  } else if (image.find('@') == std::string::npos) {
    tag = "latest";
  }
  std::string path = absl::StrCat("/images/create?fromImage=", urlEncode(repo));
  if (!tag.empty())
    absl::StrAppend(&path, "&tag=", urlEncode(tag));
  const std::string what = absl::StrCat("pulling image ", image);
  auto response = call(what, "POST", path, {}, std::chrono::minutes(10));
  if (!response.ok()) {
    return absl::UnavailableError(std::string(response.status().message()));
  }
  // The answer is a stream of JSON progress objects; a failure mid-way is an
  // {"error": ...}.
  for (absl::string_view line :
       absl::StrSplit(response->body, '\n', absl::SkipWhitespace())) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("error")) {
      return absl::UnavailableError(absl::StrCat(what, ": ", str(j, "error")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string>
DockerClient::createContainer(const DockerContainerSpec &spec) const {
  json body;
  body["Image"] = spec.image;
  if (!spec.entrypoint.empty())
    body["Entrypoint"] = spec.entrypoint;
  if (!spec.cmd.empty())
    body["Cmd"] = spec.cmd;
  json env = json::array();
  for (const auto &[k, v] : spec.env)
    env.push_back(absl::StrCat(k, "=", v));
  body["Env"] = env;
  body["Labels"] = spec.labels;
  if (!spec.working_dir.empty())
    body["WorkingDir"] = spec.working_dir;
  body["AttachStdout"] = false;
  body["AttachStderr"] = false;
  body["Tty"] = false;
  json host;
  if (spec.cpu_shares > 0)
    host["CpuShares"] = spec.cpu_shares;
  if (spec.nano_cpus > 0)
    host["NanoCpus"] = spec.nano_cpus;
  if (spec.memory_bytes > 0) {
    host["Memory"] = spec.memory_bytes;
    host["MemorySwap"] = spec.memory_bytes; // no swap beyond the limit
  }
  if (!spec.binds.empty())
    host["Binds"] = spec.binds;
  host["NetworkMode"] = spec.network_mode;
  if (spec.init)
    host["Init"] = true;
  json log_config;
  log_config["Type"] = "json-file";
  json log_opts = json::object();
  if (spec.log_max_bytes > 0) {
    log_opts["max-size"] = std::to_string(spec.log_max_bytes);
    log_opts["max-file"] = std::to_string(std::max(1, spec.log_max_files));
  }
  log_config["Config"] = log_opts;
  host["LogConfig"] = log_config;
  body["HostConfig"] = host;

  const std::string what = absl::StrCat("creating container ", spec.name,
                                        " from image ", spec.image);
  auto response =
      call(what, "POST",
           absl::StrCat("/containers/create?name=", urlEncode(spec.name)),
           body.dump());
  if (!response.ok())
    return response.status();
  auto parsed = parseJson(what, response->body);
  if (!parsed.ok())
    return parsed.status();
  std::string id = str(*parsed, "Id");
  if (id.empty())
    return absl::InternalError(absl::StrCat(what, ": the answer has no Id"));
  return id;
}

absl::Status DockerClient::startContainer(const std::string &container) const {
  auto response = call(absl::StrCat("starting container ", container), "POST",
                       absl::StrCat("/containers/", container, "/start"));
  return response.status();
}

absl::StatusOr<DockerContainerState>
DockerClient::inspectContainer(const std::string &container) const {
  const std::string what = absl::StrCat("container ", container);
  auto response =
      call(what, "GET", absl::StrCat("/containers/", container, "/json"), {},
           std::chrono::seconds(30));
  if (!response.ok())
    return response.status();
  auto parsed = parseJson(what, response->body);
  if (!parsed.ok())
    return parsed.status();
  DockerContainerState out;
  out.id = str(*parsed, "Id");
  out.name = std::string(absl::StripPrefix(str(*parsed, "Name"), "/"));
  if (auto cfg = parsed->find("Config");
      cfg != parsed->end() && cfg->is_object()) {
    out.image = str(*cfg, "Image");
    if (auto l = cfg->find("Labels"); l != cfg->end())
      out.labels = labelsOf(*l);
  }
  if (auto st = parsed->find("State"); st != parsed->end() && st->is_object()) {
    out.status = str(*st, "Status");
    out.running = st->value("Running", false);
    out.oom_killed = st->value("OOMKilled", false);
    out.exit_code = st->value("ExitCode", 0);
    out.pid = st->value("Pid", 0);
    out.error = str(*st, "Error");
  }
  if (auto hc = parsed->find("HostConfig");
      hc != parsed->end() && hc->is_object()) {
    out.memory_limit = hc->value("Memory", int64_t{0});
  }
  return out;
}

absl::Status DockerClient::stopContainer(const std::string &container,
                                         int grace_seconds) const {
  auto response =
      call(absl::StrCat("stopping container ", container), "POST",
           absl::StrCat("/containers/", container,
                        "/stop?t=", std::max(0, grace_seconds)),
           {}, std::chrono::seconds(std::max(0, grace_seconds) + 30));
  return response.status(); // 304 (already stopped) is a success
}

absl::Status DockerClient::killContainer(const std::string &container,
                                         const std::string &signal) const {
  auto response = call(
      absl::StrCat("sending ", signal, " to container ", container), "POST",
      absl::StrCat("/containers/", container,
                   "/kill?signal=", urlEncode(signal)));
  if (absl::IsAlreadyExists(response.status())) { // 409: not running
    return absl::FailedPreconditionError(
        std::string(response.status().message()));
  }
  return response.status();
}

absl::Status DockerClient::removeContainer(const std::string &container,
                                           bool force) const {
  auto response = call(absl::StrCat("removing container ", container), "DELETE",
                       absl::StrCat("/containers/", container,
                                    "?v=1&force=", force ? "1" : "0"));
  if (absl::IsNotFound(response.status()))
    return absl::OkStatus();
  return response.status();
}

absl::StatusOr<std::vector<DockerContainerSummary>>
DockerClient::listContainers(const std::vector<std::string> &labels) const {
  json filters;
  filters["label"] = labels;
  auto response = call(
      absl::StrCat("listing containers labelled ", absl::StrJoin(labels, ",")),
      "GET",
      absl::StrCat("/containers/json?all=1&filters=",
                   urlEncode(filters.dump())));
  if (!response.ok())
    return response.status();
  auto parsed = parseJson("listing containers", response->body);
  if (!parsed.ok())
    return parsed.status();
  std::vector<DockerContainerSummary> out;
  if (!parsed->is_array())
    return out;
  for (const json &c : *parsed) {
    DockerContainerSummary s;
    s.id = str(c, "Id");
    if (auto n = c.find("Names");
        n != c.end() && n->is_array() && !n->empty() && (*n)[0].is_string()) {
      s.name = std::string(absl::StripPrefix((*n)[0].get<std::string>(), "/"));
    }
    s.state = str(c, "State");
    if (auto l = c.find("Labels"); l != c.end())
      s.labels = labelsOf(*l);
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<DockerLogs>
DockerClient::logs(const std::string &container) const {
  const std::string what = absl::StrCat("logs of container ", container);
  auto response =
      call(what, "GET",
           absl::StrCat("/containers/", container, "/logs?stdout=1&stderr=1"));
  if (!response.ok())
    return response.status();
  DockerLogs out;
  DockerStreamDemuxer demux(
      [&](DockerStreamDemuxer::Stream s, absl::string_view data) {
        (s == DockerStreamDemuxer::Stream::kStderr ? out.err : out.out)
            .append(data.data(), data.size());
      });
  if (auto s = demux.feed(response->body); !s.ok()) {
    return absl::DataLossError(absl::StrCat(what, ": ", s.message()));
  }
  return out;
}

absl::Status DockerClient::followLogs(const std::string &container,
                                      const DockerStreamDemuxer::Sink &sink,
                                      HttpCancel *cancel) const {
  const std::string what =
      absl::StrCat("following the logs of container ", container);
  DockerStreamDemuxer demux(sink);
  absl::Status demux_status;
  auto response = http_.stream(
      "GET",
      absl::StrCat(kApi, "/containers/", container,
                   "/logs?follow=1&stdout=1&stderr=1"),
      {},
      [&](absl::string_view data) {
        demux_status = demux.feed(data);
        return demux_status.ok();
      },
      std::chrono::milliseconds(0), cancel);
  if (!response.ok())
    return absl::Status(response.status().code(),
                        absl::StrCat(what, ": ", response.status().message()));
  if (response->status == 404) {
    return absl::NotFoundError(absl::StrCat(what, ": no such container"));
  }
  if (response->status < 200 || response->status >= 300) {
    return absl::InternalError(absl::StrCat(what, ": HTTP ", response->status));
  }
  if (!demux_status.ok())
    return absl::DataLossError(
        absl::StrCat(what, ": ", demux_status.message()));
  return absl::OkStatus();
}

absl::StatusOr<int> DockerClient::waitContainer(const std::string &container,
                                                HttpCancel *cancel) const {
  const std::string what = absl::StrCat("waiting for container ", container);
  auto response =
      call(what, "POST", absl::StrCat("/containers/", container, "/wait"), {},
           std::chrono::milliseconds(0), cancel);
  if (!response.ok())
    return response.status();
  auto parsed = parseJson(what, response->body);
  if (!parsed.ok())
    return parsed.status();
  if (auto e = parsed->find("Error"); e != parsed->end() && e->is_object()) {
    if (auto m = str(*e, "Message"); !m.empty())
      return absl::InternalError(absl::StrCat(what, ": ", m));
  }
  return parsed->value("StatusCode", 0);
}

} // namespace orch::agent
