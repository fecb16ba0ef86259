// bench_graphview: prints one JSON object with layout and (when a display is available) frame
// figures. --quick runs smaller sizes and shorter frame loops.
#include "bench_layout.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSysInfo>

#include <cstdio>
#include <thread>

#include "bench_render.h"

#include <QApplication>

int main(int argc, char** argv) {
  bool quick = false;
  bool render = true;
  bool layout = true;
  for (int i = 1; i < argc; ++i) {
    const QByteArray arg(argv[i]);
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--no-render") {
      render = false;
    } else if (arg == "--render-only") {
      layout = false;
    } else {
      std::fprintf(stderr, "bench_graphview: unknown argument '%s' (use --quick, --no-render, --render-only)\n",
                   argv[i]);
      return 2;
    }
  }
  if (!render && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
      qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
    qputenv("QT_QPA_PLATFORM", "offscreen");  // layout figures still run; render reports skipped
  }
  QApplication app(argc, argv);
  QJsonObject out;
  out["benchmark"] = "graphview";
  out["quick"] = quick;
  out["hardware_threads"] = static_cast<int>(std::thread::hardware_concurrency());
  out["cpu"] = QSysInfo::currentCpuArchitecture();

  if (layout) {
    QJsonArray layouts;
    const std::vector<int> sizes = quick ? std::vector<int>{1000, 10000} : std::vector<int>{1000, 10000, 50000};
    for (int n : sizes) layouts.append(benchLayout(n, quick ? 1500 : 5000));
    out["layout"] = layouts;
  }

  if (render) out["render"] = benchRender(quick);
  std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
  return 0;
}
