// Benchmark: the console's event path under load. A producer thread plays the operator stream
// (SUBSCRIBED with N tasks on 20 agents, then task updates at R per second) into an EventInbox,
// exactly as ClusterConnection does; the GUI thread applies batches to ClusterModels behind the
// real MainWindow (Tasks tab showing, sorted and filtered proxies live). Measured: memory (RSS),
// time to apply each batch, the longest gap of a 5 ms UI-thread timer (the stall a user feels),
// and the latency from push to applied. Prints one JSON object.
//
//   bench_console_stream [--tasks 10000] [--rate 1000] [--seconds 20] [--topology] [--quick]
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <sys/resource.h>
#include <thread>
#include <vector>

#include "models/event_inbox.h"
#include "operator_events.h"
#include "views/main_window.h"
#include "views/table_page.h"

using namespace orch::console;
using namespace orch::console::testing;
namespace v1 = orchestrator::v1;
using Clock = std::chrono::steady_clock;

namespace {

double rssMb(const char* field) {
  QFile f(QStringLiteral("/proc/self/status"));
  if (!f.open(QIODevice::ReadOnly)) return -1;
  for (const QByteArray& line : f.readAll().split('\n')) {
    if (line.startsWith(field)) return line.mid(static_cast<int>(strlen(field))).trimmed().split(' ').first().toDouble() / 1024.0;
  }
  return -1;
}

double cpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

double loadAverage() {
  QFile f(QStringLiteral("/proc/loadavg"));
  if (!f.open(QIODevice::ReadOnly)) return -1;
  return f.readAll().split(' ').first().toDouble();
}

double nowMicros() {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count());
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

const v1::TaskState kCycle[] = {v1::TASK_STAGING, v1::TASK_STARTING, v1::TASK_RUNNING, v1::TASK_KILLING,
                                v1::TASK_RUNNING};

}  // namespace

int main(int argc, char** argv) {
  int tasks = 10000;
  int rate = 1000;
  double seconds = 20;
  bool topology = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--tasks" && i + 1 < argc) tasks = std::atoi(argv[++i]);
    else if (a == "--rate" && i + 1 < argc) rate = std::atoi(argv[++i]);
    else if (a == "--seconds" && i + 1 < argc) seconds = std::atof(argv[++i]);
    else if (a == "--topology") topology = true;
    else if (a == "--quick") seconds = 5;
    else {
      std::fprintf(stderr, "bench_console_stream: unknown option '%s'\n", a.c_str());
      return 2;
    }
  }
  if (qEnvironmentVariableIsEmpty("DISPLAY")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  const double rssBaseline = rssMb("VmRSS:");

  MainWindow window(MainWindow::Options{topology});
  window.resize(1400, 860);
  window.show();
  window.tabs()->setCurrentWidget(window.tasksPage());
  window.tasksPage()->view()->sortByColumn(TasksModel::kState, Qt::AscendingOrder);
  ClusterModels& models = window.models();

  // Latency: each update carries its push time (microseconds) in updated_time.
  std::vector<double> latencyMs;
  std::vector<double> applyMs;
  latencyMs.reserve(static_cast<size_t>(rate * seconds) + 16);
  EventInbox inbox;
  QObject::connect(&inbox, &EventInbox::ready, &models, [&] {
    std::vector<v1::OperatorEvent> batch = inbox.take();
    QElapsedTimer t;
    t.start();
    models.applyBatch(batch);
    applyMs.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
    const double now = nowMicros();
    for (const auto& e : batch) {
      if (e.type() == v1::OperatorEvent::TASK_UPDATED) latencyMs.push_back((now - e.task().updated_time()) / 1000.0);
    }
  });

  // UI-thread stall probe.
  std::vector<double> gapsMs;
  QElapsedTimer probeClock;
  qint64 lastTick = -1;
  QTimer probe;
  probe.setTimerType(Qt::PreciseTimer);
  QObject::connect(&probe, &QTimer::timeout, [&] {
    const qint64 now = probeClock.nsecsElapsed();
    if (lastTick >= 0) gapsMs.push_back(static_cast<double>(now - lastTick) / 1e6);
    lastTick = now;
  });

  std::atomic<bool> snapshotPushed{false};
  std::atomic<long> pushed{0};
  std::atomic<double> streamSeconds{0};
  double snapshotApplyMs = 0;
  std::thread producer([&] {
    v1::OperatorEvent sub;
    sub.set_type(v1::OperatorEvent::SUBSCRIBED);
    sub.mutable_state()->set_leader("127.0.0.1:5050");
    for (int a = 0; a < 20; ++a) *sub.mutable_state()->add_agents() = agent("agent-" + std::to_string(a), "host-" + std::to_string(a), v1::AgentState::ACTIVE, 64, 10);
    for (int f = 0; f < 5; ++f) *sub.mutable_state()->add_frameworks() = framework("fw-" + std::to_string(f), "framework-" + std::to_string(f));
    for (int t = 0; t < tasks; ++t) {
      *sub.mutable_state()->add_tasks() = task("task-" + std::to_string(t), "agent-" + std::to_string(t % 20),
                                               "fw-" + std::to_string(t % 5), v1::TASK_RUNNING, 1.7e9);
    }
    inbox.push(std::move(sub));
    snapshotPushed = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // let the snapshot land first
    std::mt19937 rng(7);
    std::vector<int> phase(static_cast<size_t>(tasks), 2);
    const auto start = Clock::now();
    const long total = static_cast<long>(rate * seconds);
    for (long i = 0; i < total; ++i) {
      // Paced to `rate` per second, in 1 ms slices.
      const auto due = start + std::chrono::microseconds(static_cast<long>(1e6 * static_cast<double>(i) / rate));
      std::this_thread::sleep_until(due);
      const int t = static_cast<int>(rng() % static_cast<unsigned>(tasks));
      phase[static_cast<size_t>(t)] = (phase[static_cast<size_t>(t)] + 1) % 5;
      auto record = task("task-" + std::to_string(t), "agent-" + std::to_string(t % 20), "fw-" + std::to_string(t % 5),
                         kCycle[phase[static_cast<size_t>(t)]], 1.7e9);
      record.mutable_latest_status()->set_message("update " + std::to_string(i));
      record.set_updated_time(nowMicros());
      inbox.push(taskEvent(v1::OperatorEvent::TASK_UPDATED, record));
      pushed = i + 1;
    }
    streamSeconds = std::chrono::duration<double>(Clock::now() - start).count();
  });

  // Wait for the snapshot, time its application separately, then start probing.
  while (!snapshotPushed) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  QElapsedTimer snapClock;
  snapClock.start();
  while (models.tasks().rowCount() < tasks) app.processEvents(QEventLoop::AllEvents, 50);
  app.processEvents();
  snapshotApplyMs = static_cast<double>(snapClock.nsecsElapsed()) / 1e6;
  const double rssAfterSnapshot = rssMb("VmRSS:");
  applyMs.clear();
  probeClock.start();
  probe.start(5);

  QTimer done;
  QObject::connect(&done, &QTimer::timeout, [&] {
    if (pushed.load() >= static_cast<long>(rate * seconds) && inbox.pending() == 0) app.quit();
  });
  done.start(50);
  QElapsedTimer wall;
  wall.start();
  const double cpuBefore = cpuSeconds();
  app.exec();
  const double cpuStream = cpuSeconds() - cpuBefore;
  producer.join();
  const double wallS = static_cast<double>(wall.nsecsElapsed()) / 1e9;

  double applySum = 0;
  for (double v : applyMs) applySum += v;
  QJsonObject out{
      {"benchmark", "console_stream"},
      {"tasks", tasks},
      {"agents", 20},
      {"target_updates_per_s", rate},
      {"updates", static_cast<double>(pushed.load())},
      {"stream_seconds", streamSeconds.load()},
      {"wall_seconds", wallS},
      {"achieved_updates_per_s", static_cast<double>(pushed.load()) / streamSeconds.load()},
      {"topology_view", topology},
      {"platform", QGuiApplication::platformName()},
      {"snapshot_apply_ms", snapshotApplyMs},
      {"batches", static_cast<double>(applyMs.size())},
      {"events_per_batch_mean", applyMs.empty() ? 0 : static_cast<double>(pushed.load()) / static_cast<double>(applyMs.size())},
      {"batch_apply_ms_mean", applyMs.empty() ? 0 : applySum / static_cast<double>(applyMs.size())},
      {"batch_apply_ms_max", applyMs.empty() ? 0 : *std::max_element(applyMs.begin(), applyMs.end())},
      {"ui_timer_gap_ms_p50", percentile(gapsMs, 0.5)},
      {"ui_timer_gap_ms_p99", percentile(gapsMs, 0.99)},
      {"ui_stall_max_ms", gapsMs.empty() ? 0 : *std::max_element(gapsMs.begin(), gapsMs.end()) - 5.0},
      {"latency_ms_p50", percentile(latencyMs, 0.5)},
      {"latency_ms_p99", percentile(latencyMs, 0.99)},
      {"latency_ms_max", percentile(latencyMs, 1.0)},
      {"process_cpu_s_during_stream", cpuStream},
      {"load_average_1m", loadAverage()},
      {"rss_mb_baseline", rssBaseline},
      {"rss_mb_after_snapshot", rssAfterSnapshot},
      {"rss_mb_end", rssMb("VmRSS:")},
      {"rss_mb_peak", rssMb("VmHWM:")},
  };
  std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
  return 0;
}
