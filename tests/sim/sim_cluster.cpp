#include "sim_cluster.h"

#include <algorithm>
#include <variant>

#include "absl/strings/str_cat.h"

namespace orch::sim {
namespace {

void addScalars(std::map<std::string, int64_t>& into, const Resources& resources) {
  for (const auto& [key, entry] : resources.entries()) {
    if (entry.kind == Resources::Kind::kScalar) into[entry.name] += entry.scalar.milli();
  }
}

}  // namespace

SimCluster::SimCluster(SimOptions options)
    : options_(std::move(options)), rng_(options_.seed), engine_(options_.master) {
  addAgents(options_.agents);
  deliverEffects();
}

const core::HierarchicalAllocator& SimCluster::allocator() const {
  // The engine builds its allocator with makeHierarchicalDrfAllocator.
  return dynamic_cast<const core::HierarchicalAllocator&>(engine_.allocator());
}

void SimCluster::mix(const std::string& text) {
  for (unsigned char c : text) {
    hash_ ^= c;
    hash_ *= 1099511628211ULL;
  }
  hash_ ^= 0xff;
  hash_ *= 1099511628211ULL;
}

void SimCluster::check(const absl::Status& status, const std::string& what) {
  if (status.ok()) return;
  mix("error " + what);
  if (errors_.size() < 100) errors_.push_back(absl::StrCat(what, ": ", status.message()));
}

Duration SimCluster::jittered(Duration base) {
  std::uniform_real_distribution<double> spread(1.0 - options_.duration_jitter,
                                                1.0 + options_.duration_jitter);
  return std::chrono::duration_cast<Duration>(base * spread(rng_));
}

// ---- agents --------------------------------------------------------------------------------

void SimCluster::addAgents(int count) {
  for (int i = 0; i < count; ++i) {
    core::AgentDescription description;
    description.hostname = "sim-agent" + std::to_string(next_agent_++);
    description.endpoint = description.hostname + ":5051";
    description.resources = options_.agent_resources;
    const AgentId id = engine_.registerAgent(description, now_);
    agents_[id] = Agent{};
    live_agents_.push_back(id);
    mix("+agent " + id.value());
  }
}

void SimCluster::loseRandomAgents(int count) {
  for (int i = 0; i < count && !live_agents_.empty(); ++i) {
    const size_t index = rng_() % live_agents_.size();
    const AgentId id = live_agents_[index];
    live_agents_.erase(live_agents_.begin() + static_cast<std::ptrdiff_t>(index));
    agents_.at(id).alive = false;
    engine_.agentDisconnected(id, now_);
    mix("-agent " + id.value());
  }
}

void SimCluster::agentReports(const AgentId& agent, const TaskId& task, core::TaskState state) {
  core::TaskStatus status;
  status.task = task;
  status.framework = tasks_.at(task).framework;
  status.agent = agent;
  status.state = state;
  status.source = core::StatusSource::kExecutor;
  status.time = now_;
  status.uuid = "sim-u" + std::to_string(next_update_++);
  check(engine_.statusUpdate(agent, status, now_), "statusUpdate " + task.value());
}

void SimCluster::startTasks(const core::SendRunTasks& run) {
  auto agent = agents_.find(run.agent);
  if (agent == agents_.end() || !agent->second.alive) return;  // the master learns by timeout
  for (const core::TaskSpec& spec : run.tasks) {
    auto it = tasks_.find(spec.id);
    if (it == tasks_.end()) {
      check(absl::NotFoundError("the master launched a task no framework asked for"),
            "run " + spec.id.value());
      continue;
    }
    Task& task = it->second;
    task.started = true;
    agent->second.tasks.insert(spec.id);
    mix("run " + spec.id.value() + "@" + run.agent.value());
    agentReports(run.agent, spec.id, core::TaskState::kRunning);
    if (task.duration > Duration::zero()) {
      endings_.emplace(now_ + task.duration, next_ending_++, spec.id);
    }
  }
}

void SimCluster::killTask(const core::SendKillTask& kill) {
  auto agent = agents_.find(kill.agent);
  if (agent == agents_.end() || !agent->second.alive) return;
  auto it = tasks_.find(kill.task);
  if (it == tasks_.end() || it->second.ended || it->second.agent != kill.agent) return;
  it->second.ended = true;
  agent->second.tasks.erase(kill.task);
  mix("kill " + kill.task.value());
  agentReports(kill.agent, kill.task, core::TaskState::kKilled);
}

void SimCluster::finishDueTasks() {
  while (!endings_.empty() && std::get<0>(endings_.top()) <= now_) {
    const TaskId id = std::get<2>(endings_.top());
    endings_.pop();
    auto it = tasks_.find(id);
    if (it == tasks_.end() || it->second.ended) continue;
    Agent& agent = agents_.at(it->second.agent);
    if (!agent.alive) continue;  // lost with its agent
    it->second.ended = true;
    agent.tasks.erase(id);
    mix("end " + id.value());
    agentReports(it->second.agent, id, core::TaskState::kFinished);
  }
}

// ---- frameworks ----------------------------------------------------------------------------

FrameworkId SimCluster::addFramework(const SimFrameworkSpec& spec) {
  core::FrameworkDescription description;
  description.name = spec.name;
  description.user = "sim";
  description.principal = "sim";
  description.roles = {spec.role};
  description.gpu_resources = spec.gpu;
  description.failover_timeout = std::chrono::hours(1);
  absl::StatusOr<FrameworkId> id = engine_.subscribe(description, now_);
  if (!id.ok()) {
    check(id.status(), "subscribe " + spec.name);
    return FrameworkId();
  }
  Framework& fw = frameworks_[*id];
  fw.spec = spec;
  fw.description = description;
  fw.description.id = *id;
  fw.pending = spec.profile == Profile::kBursty ? 0 : spec.demand;
  mix("+framework " + spec.name + " " + id->value());
  return *id;
}

void SimCluster::disconnect(const FrameworkId& framework) {
  auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return;
  it->second.connected = false;
  engine_.frameworkDisconnected(framework, now_);
  mix("disconnect " + framework.value());
}

void SimCluster::reconnect(const FrameworkId& framework) {
  auto it = frameworks_.find(framework);
  if (it == frameworks_.end()) return;
  absl::StatusOr<FrameworkId> id = engine_.subscribe(it->second.description, now_);
  check(id.status(), "resubscribe " + framework.value());
  it->second.connected = true;
  revive(framework);
  it->second.suppressed = false;
  mix("reconnect " + framework.value());
}

int64_t SimCluster::wanted(const Framework& fw) const {
  if (!fw.connected) return 0;
  switch (fw.spec.profile) {
    case Profile::kGreedy:
      return -1;
    case Profile::kService:
      return std::max<int64_t>(0, fw.pending);
    case Profile::kBatch:
    case Profile::kBursty:
      return fw.pending;
  }
  return 0;
}

void SimCluster::addDemand(const FrameworkId& id, Framework& fw, int64_t tasks) {
  if (fw.pending >= 0) fw.pending += tasks;
  if (fw.suppressed && fw.connected) {
    revive(id);
    fw.suppressed = false;
  }
}

void SimCluster::revive(const FrameworkId& id) {
  check(engine_.revive(id, now_), "revive " + id.value());
  // REVIVE clears the framework's decline filters.
  auto it = refused_until_.lower_bound({id, AgentId()});
  while (it != refused_until_.end() && it->first.first == id) it = refused_until_.erase(it);
}

void SimCluster::answerOffers(const core::SendOffers& offers) {
  auto it = frameworks_.find(offers.framework);
  if (it == frameworks_.end()) return;
  last_offers_ += offers.offers.size();
  for (const core::OfferRecord& offer : offers.offers)
    answerOffer(offers.framework, it->second, offer);
}

void SimCluster::answerOffer(const FrameworkId& id, Framework& fw, const core::OfferRecord& offer) {
  mix("offer " + fw.spec.name + "@" + offer.agent.value() + " " + offer.role.value() + " " +
      offer.resources.toString());
  // The engine must honour refuse_seconds: no offer of a declined agent inside the filter.
  if (auto f = refused_until_.find({id, offer.agent}); f != refused_until_.end()) {
    if (now_ < f->second) {
      check(absl::FailedPreconditionError("offered inside its refuse filter"),
            "offer " + offer.id.value() + " to " + id.value() + " on " + offer.agent.value());
    }
    refused_until_.erase(f);
  }
  std::vector<core::LaunchOperation> operations;
  Resources left = offer.resources;
  auto launch = [&](const Resources& resources, Duration duration) {
    const TaskId task(fw.spec.name + "-" + std::to_string(fw.next_task++));
    tasks_.emplace(task, Task{id, offer.agent, offer.role, resources, duration});
    core::LaunchOperation op;
    op.tasks.push_back(core::TaskSpec{task, fw.spec.name, resources, std::chrono::seconds(3), ""});
    operations.push_back(std::move(op));
    ++fw.stats.launched;
  };
  if (fw.connected && fw.spec.profile == Profile::kGreedy) {
    launch(left, Duration::zero());  // never ends
    left = Resources{};
  } else {
    int64_t want = wanted(fw);
    while (want != 0 && left.contains(fw.spec.task)) {
      launch(fw.spec.task, jittered(fw.spec.task_duration));
      left -= fw.spec.task;
      if (want > 0) --want;
      if (fw.pending > 0) --fw.pending;
    }
  }
  // Wanting nothing more: the rest is declined with a filter; otherwise it was just too small.
  const Duration refuse = wanted(fw) == 0 ? options_.decline_refuse : Duration::zero();
  if (refuse > Duration::zero() && !left.empty()) {  // the engine filters what comes back
    TimePoint& until = refused_until_[{id, offer.agent}];
    until = std::max(until, now_ + refuse);
  }
  if (operations.empty()) {
    ++fw.stats.declined;
    check(engine_.decline(id, {offer.id}, refuse, now_), "decline " + offer.id.value());
  } else {
    check(engine_.accept(id, {offer.id}, operations, refuse, now_), "accept " + offer.id.value());
  }
  if (fw.spec.profile == Profile::kService && fw.pending == 0 && !fw.suppressed) {
    check(engine_.suppress(id, now_), "suppress " + id.value());
    fw.suppressed = true;
  }
}

void SimCluster::frameworkUpdate(const core::SendStatusToFramework& update) {
  auto fw_it = frameworks_.find(update.framework);
  if (fw_it == frameworks_.end()) return;
  Framework& fw = fw_it->second;
  const core::TaskStatus& status = update.status;
  mix(absl::StrCat("status ", status.task.value(), " ",
                   std::string(core::taskStateName(status.state))));
  if (!status.uuid.empty()) {
    check(engine_.acknowledge(update.framework, status.task, status.uuid, now_),
          "acknowledge " + status.task.value());
  }
  auto it = tasks_.find(status.task);
  if (it == tasks_.end()) return;
  Task& task = it->second;
  if (status.state == core::TaskState::kRunning) {
    if (!task.counted_running) {
      task.counted_running = true;
      ++fw.stats.running;
    }
    return;
  }
  const bool terminal = core::isTerminal(status.state);
  if (!terminal && status.state != core::TaskState::kUnreachable) return;
  if (task.counted_running) {
    task.counted_running = false;
    --fw.stats.running;
  }
  if (status.state == core::TaskState::kFinished) {
    ++fw.stats.finished;
    if (fw.spec.profile == Profile::kService) addDemand(update.framework, fw, 1);  // replace it
  } else if (!task.written_off) {
    // Lost with its agent (unreachable) or killed by the master: run the work again.
    task.written_off = true;
    ++fw.stats.lost;
    if (fw.spec.profile != Profile::kGreedy) addDemand(update.framework, fw, 1);
  }
  if (terminal) {
    auto agent = agents_.find(task.agent);
    if (agent != agents_.end()) agent->second.tasks.erase(status.task);
    tasks_.erase(it);
  }
}

// ---- the cycle -----------------------------------------------------------------------------

void SimCluster::deliver(core::Effect& effect) {
  if (auto* offers = std::get_if<core::SendOffers>(&effect)) {
    answerOffers(*offers);
  } else if (auto* rescind = std::get_if<core::SendRescind>(&effect)) {
    mix("rescind " + rescind->offer.value());
  } else if (auto* update = std::get_if<core::SendStatusToFramework>(&effect)) {
    frameworkUpdate(*update);
  } else if (auto* error = std::get_if<core::SendFrameworkError>(&effect)) {
    check(absl::InternalError(error->message), "framework error " + error->framework.value());
  } else if (auto* run = std::get_if<core::SendRunTasks>(&effect)) {
    startTasks(*run);
  } else if (auto* kill = std::get_if<core::SendKillTask>(&effect)) {
    killTask(*kill);
  } else if (auto* shutdown = std::get_if<core::SendShutdownAgent>(&effect)) {
    mix("shutdown " + shutdown->agent.value());
  }
  // Acks to agents and operator-stream events need no answer here.
}

void SimCluster::deliverEffects() {
  for (;;) {
    std::vector<core::Effect> effects = engine_.takeEffects();
    if (effects.empty()) break;
    for (core::Effect& effect : effects) deliver(effect);
  }
  (void)engine_.takeRegistryDelta();  // the shell would persist it
}

void SimCluster::step() {
  finishDueTasks();
  for (const AgentId& agent : live_agents_) {
    check(engine_.heartbeat(agent, now_), "heartbeat " + agent.value());
  }
  for (auto& [id, fw] : frameworks_) {
    if (fw.spec.profile == Profile::kBursty && cycles_ % fw.spec.burst_every == 0) {
      fw.pending += fw.spec.demand;
      if (fw.connected) {
        revive(id);
        fw.suppressed = false;
      }
    }
  }
  last_offers_ = 0;
  deliverEffects();
  engine_.tick(now_);
  deliverEffects();
  ++cycles_;
  now_ += options_.cycle;
}

void SimCluster::run(int cycles) {
  for (int i = 0; i < cycles; ++i) step();
}

// ---- measurements --------------------------------------------------------------------------

double SimCluster::utilisation(const std::string& resource) const {
  const double total = static_cast<double>(options_.agent_resources.scalar(resource).milli()) *
                       static_cast<double>(live_agents_.size());
  if (total <= 0) return 0.0;
  int64_t used = 0;
  for (const auto& [id, task] : tasks_) {
    if (task.ended || !agents_.at(task.agent).alive) continue;
    used += task.resources.scalar(resource).milli();
  }
  return static_cast<double>(used) / total;
}

double SimCluster::dominantShare(const RoleName& role) const {
  std::map<std::string, int64_t> held;
  for (const auto& [id, task] : tasks_) {
    if (task.ended || task.role != role || !agents_.at(task.agent).alive) continue;
    addScalars(held, task.resources);
  }
  std::map<std::string, int64_t> total;
  addScalars(total, options_.agent_resources);
  double best = 0.0;
  for (const auto& [name, value] : held) {
    const double all = static_cast<double>(total[name]) * static_cast<double>(live_agents_.size());
    if (all > 0) best = std::max(best, static_cast<double>(value) / all);
  }
  return best;
}

std::map<std::string, int64_t> SimCluster::heldByTasks() const {
  std::map<std::string, int64_t> held;
  for (const auto& [id, task] : tasks_) {
    if (!task.ended) addScalars(held, task.resources);
  }
  return held;
}

const SimFrameworkStats& SimCluster::stats(const FrameworkId& framework) const {
  return frameworks_.at(framework).stats;
}

std::vector<FrameworkId> SimCluster::frameworkIds() const {
  std::vector<FrameworkId> out;
  for (const auto& [id, fw] : frameworks_) out.push_back(id);
  return out;
}

FrameworkId SimCluster::frameworkNamed(const std::string& name) const {
  for (const auto& [id, fw] : frameworks_) {
    if (fw.spec.name == name) return id;
  }
  return FrameworkId();
}

}  // namespace orch::sim
