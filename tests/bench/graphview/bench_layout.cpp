#include "bench_layout.h"

#include "layout/force_directed_layout.h"
#include "layout/node_positions.h"
#include "model/graph_model.h"
#include "model/topology_generator.h"

#include <QElapsedTimer>

#include <ctime>

using namespace orch::graphview;

QJsonObject benchLayout(int nodes, int maxIterations) {
  TopologySpec spec;
  spec.targetNodes = nodes;
  TopologyGenerator generator(spec);
  GraphModel model;
  model.apply(generator.generate());
  auto graph = model.project();

  ForceDirectedLayout layout;
  NodePositions positions;
  QElapsedTimer total;
  total.start();
  const std::clock_t cpuStart = std::clock();
  AdoptResult adopted = positions.adopt(nullptr, *graph, 40.0f);
  layout.remap(adopted.oldIndexOf);
  layout.reheat(*graph, adopted.changed);
  const double placeMs = total.nsecsElapsed() / 1e6;

  QElapsedTimer firstIterations;
  firstIterations.start();
  int iterations = 0;
  double firstTenMs = 0.0;
  while (!layout.finished() && iterations < maxIterations) {
    layout.step(*graph, positions);
    ++iterations;
    if (iterations == 10) firstTenMs = firstIterations.nsecsElapsed() / 1e6;
  }
  const double settleMs = total.nsecsElapsed() / 1e6;
  const double settleCpuMs = 1000.0 * static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
  if (iterations < 10) firstTenMs = firstIterations.nsecsElapsed() / 1e6;

  // A 1% live update after settling: time until settled again.
  const auto before = graph;
  model.apply(generator.liveUpdate(model, 0.01));
  graph = model.project();
  QElapsedTimer update;
  update.start();
  adopted = positions.adopt(before.get(), *graph, 40.0f);
  layout.remap(adopted.oldIndexOf);
  layout.reheat(*graph, adopted.changed);
  int updateIterations = 0;
  while (!layout.finished() && updateIterations < maxIterations) {
    layout.step(*graph, positions);
    ++updateIterations;
  }
  const double updateMs = update.nsecsElapsed() / 1e6;

  QJsonObject result;
  result["nodes"] = graph->nodeCount();
  result["edges"] = graph->edgeCount();
  result["initial_placement_ms"] = placeMs;
  result["iteration_ms_all_active"] = firstTenMs / std::max(1, std::min(iterations, 10));
  result["settle_iterations"] = iterations;
  result["settle_ms"] = settleMs;
  result["settle_cpu_ms"] = settleCpuMs;  // process CPU time (both layout threads), load-independent
  result["settled"] = layout.finished();
  result["live_update_1pct_iterations"] = updateIterations;
  result["live_update_1pct_settle_ms"] = updateMs;
  return result;
}
