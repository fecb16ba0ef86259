// A small Docker Engine API client (API v1.41, Docker 20.10+) over the daemon's
// unix socket: the calls the Docker containerizer needs and nothing more. Every
// error names the container or image it concerns and carries the daemon's own
// message.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/containerizer/docker_stream_demuxer.h"
#include "agent/containerizer/unix_http_client.h"

namespace orch::agent {

struct DockerVersion {
  std::string version;     // e.g. "20.10.24+dfsg1"
  std::string api_version; // e.g. "1.41"
  bool has_init = false;   // docker-init is installed (HostConfig.Init works)
};

struct DockerImage {
  std::string id;
  std::vector<std::string> tags;
  int64_t size = 0;
};

struct DockerContainerSpec {
  std::string name; // [a-zA-Z0-9][a-zA-Z0-9_.-]*
  std::string image;
  // Both empty: the image's own entrypoint and command.
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> labels;
  std::string working_dir;
  int64_t cpu_shares =
      0;                 // relative weight (1024 = one cpu); 0 = daemon default
  int64_t nano_cpus = 0; // hard cap in 1e-9 cpus (CFS quota); 0 = none
  int64_t memory_bytes = 0;       // hard limit, swap included; 0 = none
  std::vector<std::string> binds; // "host:container[:ro]"
  std::string network_mode = "host";
  bool init = false; // docker-init as pid 1: forwards signals, reaps zombies
  int64_t log_max_bytes =
      0; // json-file log driver cap per file; 0 = daemon default
  int log_max_files = 1;
};

struct DockerContainerState {
  std::string id;
  std::string name; // without the leading '/'
  std::string image;
  std::string
      status; // created, running, paused, restarting, removing, exited, dead
  bool running = false;
  bool oom_killed = false;
  int exit_code = 0;
  int pid = 0;
  std::string error; // the daemon's error for a container that failed to start
  int64_t memory_limit = 0; // HostConfig.Memory in bytes; 0 = none
  std::map<std::string, std::string> labels;
};

struct DockerContainerSummary {
  std::string id;
  std::string name;
  std::string state; // created, running, exited, ...
  std::map<std::string, std::string> labels;
};

struct DockerLogs {
  std::string out;
  std::string err;
};

class DockerClient {
public:
  static constexpr const char *kDefaultSocket = "/var/run/docker.sock";

  explicit DockerClient(std::string socket_path = kDefaultSocket);

  const std::string &socketPath() const { return http_.socketPath(); }

  // GET /_ping; UnavailableError saying the daemon is unreachable at the
  // socket.
  absl::Status
  ping(std::chrono::milliseconds timeout = std::chrono::seconds(3)) const;
  absl::StatusOr<DockerVersion> version() const;

  // NotFoundError "image X not found on this agent" when the image is not
  // local.
  absl::StatusOr<DockerImage> inspectImage(const std::string &image) const;
  // Pulls from the image's registry; the daemon's error (e.g. no registry
  // reachable) is returned as UnavailableError naming the image.
  absl::Status pullImage(const std::string &image) const;

  // Returns the new container's id. AlreadyExistsError when the name is taken.
  absl::StatusOr<std::string>
  createContainer(const DockerContainerSpec &spec) const;
  absl::Status startContainer(const std::string &container) const;
  absl::StatusOr<DockerContainerState>
  inspectContainer(const std::string &container) const;
  // SIGTERM, then SIGKILL after `grace_seconds` (the daemon does both). OK when
  // already stopped.
  absl::Status stopContainer(const std::string &container,
                             int grace_seconds) const;
  // Sends one signal ("SIGTERM", "SIGKILL", ...). FailedPreconditionError when
  // not running.
  absl::Status killContainer(const std::string &container,
                             const std::string &signal) const;
  // OK when the container does not exist.
  absl::Status removeContainer(const std::string &container,
                               bool force = false) const;
  // Containers (running and stopped) carrying every label in `labels` ("key" or
  // "key=value").
  absl::StatusOr<std::vector<DockerContainerSummary>>
  listContainers(const std::vector<std::string> &labels) const;
  // Everything logged so far, split into stdout and stderr.
  absl::StatusOr<DockerLogs> logs(const std::string &container) const;
  // Streams the container's output from the start, following it until the
  // container stops (OK), `cancel` is cancelled (CancelledError), or the daemon
  // goes away.
  absl::Status followLogs(const std::string &container,
                          const DockerStreamDemuxer::Sink &sink,
                          HttpCancel *cancel) const;
  // Blocks until the container stops (at once when it has) and returns its exit
  // code.
  absl::StatusOr<int> waitContainer(const std::string &container,
                                    HttpCancel *cancel) const;

private:
  // Issues a request; maps a non-2xx answer to a Status whose message starts
  // with `what`.
  absl::StatusOr<HttpResponse>
  call(const std::string &what, const std::string &method,
       const std::string &path, const std::string &body = {},
       std::chrono::milliseconds timeout = std::chrono::seconds(60),
       HttpCancel *cancel = nullptr) const;

  UnixHttpClient http_;
};

// The daemon's "message" from an error body, or the body itself when it is not
// JSON.
std::string dockerErrorMessage(const std::string &body);
// Percent-encodes a query parameter value.
std::string urlEncode(const std::string &value);

} // namespace orch::agent
