#include "model/topology_generator.h"

#include <algorithm>
#include <vector>

namespace orch::graphview {
namespace {

NodeStatus randomStatus(std::mt19937& rng) {
  const int roll = std::uniform_int_distribution<int>(0, 99)(rng);
  if (roll < 85) return NodeStatus::Healthy;
  if (roll < 93) return NodeStatus::Warning;
  if (roll < 97) return NodeStatus::Critical;
  if (roll < 99) return NodeStatus::Stopped;
  return NodeStatus::Unknown;
}

}  // namespace

TopologyGenerator::TopologyGenerator(TopologySpec spec) : spec_(spec), rng_(spec.seed) {}

QString TopologyGenerator::newId(const char* prefix) {
  return QStringLiteral("%1-%2").arg(QLatin1String(prefix)).arg(nextId_++);
}

GraphDelta TopologyGenerator::generate() {
  GraphDelta delta;
  std::uniform_real_distribution<float> metric(0.0f, 1.0f);
  std::vector<QString> processes;
  std::vector<int> processHost;
  std::vector<QString> containers;
  int count = 0;
  int host = 0;
  while (count < spec_.targetNodes) {
    const QString hostId = newId("host");
    delta.addNode({hostId, QStringLiteral("host-%1").arg(host), NodeKind::Host, randomStatus(rng_),
                   metric(rng_), {}});
    ++count;
    if (count < spec_.targetNodes) {
      delta.addNode({newId("agent"), QStringLiteral("agent-%1").arg(host), NodeKind::Agent,
                     NodeStatus::Healthy, 0.2f, hostId});
      ++count;
    }
    const int nContainers = std::uniform_int_distribution<int>(spec_.containersPerHostMin,
                                                               spec_.containersPerHostMax)(rng_);
    for (int c = 0; c < nContainers && count < spec_.targetNodes; ++c) {
      const QString containerId = newId("ctr");
      delta.addNode({containerId, QStringLiteral("ctr-%1-%2").arg(host).arg(c), NodeKind::Container,
                     randomStatus(rng_), metric(rng_), hostId});
      containers.push_back(containerId);
      ++count;
      const int nProcs = std::uniform_int_distribution<int>(spec_.processesPerContainerMin,
                                                            spec_.processesPerContainerMax)(rng_);
      for (int p = 0; p < nProcs && count < spec_.targetNodes; ++p) {
        const QString procId = newId("proc");
        delta.addNode({procId, QStringLiteral("proc-%1").arg(nextId_), NodeKind::Process,
                       randomStatus(rng_), metric(rng_), containerId});
        processes.push_back(procId);
        processHost.push_back(host);
        ++count;
      }
    }
    ++host;
  }
  // Connections between processes: some stay on the host, most cross hosts.
  if (processes.size() > 1) {
    std::uniform_int_distribution<size_t> anyProcess(0, processes.size() - 1);
    std::poisson_distribution<int> fanOut(spec_.connectionsPerProcess);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::uniform_real_distribution<float> traffic(0.0f, 1.0f);
    for (size_t i = 0; i < processes.size(); ++i) {
      const int k = fanOut(rng_);
      for (int j = 0; j < k; ++j) {
        size_t target = anyProcess(rng_);
        if (unit(rng_) < spec_.sameHostConnectionShare) {
          // Pick a neighbour in generation order, which is usually on the same host.
          const size_t lo = i >= 8 ? i - 8 : 0;
          target = std::min(processes.size() - 1,
                            lo + std::uniform_int_distribution<size_t>(0, 16)(rng_));
        }
        if (target == i) {
          continue;
        }
        EdgeData edge;
        edge.source = processes[i];
        edge.target = processes[target];
        edge.id = GraphDelta::edgeKey(edge.source, edge.target);
        edge.traffic = unit(rng_) < 0.3 ? traffic(rng_) : 0.0f;
        delta.addEdge(edge);
      }
    }
  }
  // A deduplicating pass: random choice may repeat a pair.
  GraphDelta unique;
  QSet<QString> seen;
  for (const NodeData& n : delta.addedNodes()) unique.addNode(n);
  for (const EdgeData& e : delta.addedEdges()) {
    if (!seen.contains(e.id)) {
      seen.insert(e.id);
      unique.addEdge(e);
    }
  }
  return unique;
}

GraphDelta TopologyGenerator::liveUpdate(const GraphModel& model, double fraction) {
  GraphDelta delta;
  const auto& nodes = model.nodes();
  if (nodes.empty()) {
    return delta;
  }
  const int touches = std::max(1, static_cast<int>(nodes.size() * fraction));
  std::uniform_int_distribution<size_t> anyNode(0, nodes.size() - 1);
  std::uniform_int_distribution<int> roll(0, 99);
  std::uniform_real_distribution<float> metric(0.0f, 1.0f);
  QSet<QString> touched;
  QSet<QString> removed;
  std::vector<EdgeData> newEdges;
  for (int t = 0; t < touches; ++t) {
    const NodeData& n = nodes[anyNode(rng_)];
    if (touched.contains(n.id)) {
      continue;
    }
    touched.insert(n.id);
    const int r = roll(rng_);
    if (n.kind == NodeKind::Process && r < 10 && !n.parentId.isEmpty()) {
      // Process restart: the old one goes, a new one appears in the same container.
      delta.removeNode(n.id);
      removed.insert(n.id);
      NodeData fresh{newId("proc"), QStringLiteral("proc-%1").arg(nextId_), NodeKind::Process,
                     NodeStatus::Healthy, metric(rng_), n.parentId};
      delta.addNode(fresh);
      const NodeData& peer = nodes[anyNode(rng_)];
      if (peer.kind == NodeKind::Process && peer.id != n.id) {
        newEdges.push_back({{}, fresh.id, peer.id, 1.0f, metric(rng_)});
      }
    } else {
      NodeData updated = n;
      updated.status = randomStatus(rng_);
      updated.metric = metric(rng_);
      delta.updateNode(updated);
    }
  }
  for (EdgeData& e : newEdges) {
    if (!removed.contains(e.target)) {
      delta.addEdge(std::move(e));
    }
  }
  return delta;
}

}  // namespace orch::graphview
