// initLogging + log helpers write one well-formed JSON object per line.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/log/logger.h"

namespace {

std::vector<nlohmann::json> readLines(const std::string& path, bool* all_valid) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  std::string line;
  *all_valid = true;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) *all_valid = false;
    out.push_back(j);
  }
  return out;
}

}  // namespace

class LoggerTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void writesJsonLinesWithFields() {
    QTemporaryDir tmp;
    const std::string path = tmp.path().toStdString() + "/master.log";
    orch::log::initLogging("master", "info", path);
    orch::log::logInfo("agent registered", {{"agent_id", "a-1"}, {"host", "h1"}, {"cpus", 4}});
    orch::log::logDebug("hidden at info level");
    orch::log::logWarn("quote \" and newline \n inside", {{"msg", "clash"}});
    orch::log::logError("plain");
    spdlog::info("plain spdlog {} {{braces}}", 42);
    orch::log::logInfo("non-object fields", nlohmann::json::array({1, 2}));
    orch::log::flushLogs();

    bool valid = false;
    auto lines = readLines(path, &valid);
    QVERIFY(valid);
    QCOMPARE(lines.size(), size_t{5});
    const auto& first = lines[0];
    QCOMPARE(first["level"], nlohmann::json("info"));
    QCOMPARE(first["component"], nlohmann::json("master"));
    QCOMPARE(first["msg"], nlohmann::json("agent registered"));
    QCOMPARE(first["agent_id"], nlohmann::json("a-1"));
    QCOMPARE(first["cpus"], nlohmann::json(4));
    const std::string ts = first["ts"].get<std::string>();
    QVERIFY2(QRegularExpression("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$")
                 .match(QString::fromStdString(ts)).hasMatch(), ts.c_str());
    QCOMPARE(lines[1]["level"], nlohmann::json("warn"));
    QCOMPARE(lines[1]["msg"], nlohmann::json("quote \" and newline \n inside"));
    QCOMPARE(lines[1]["field_msg"], nlohmann::json("clash"));
    QCOMPARE(lines[2]["level"], nlohmann::json("error"));
    QVERIFY(!lines[2].contains("agent_id"));  // fields do not leak into later lines
    QCOMPARE(lines[3]["msg"], nlohmann::json("plain spdlog 42 {braces}"));
    QCOMPARE(lines[4]["fields"], nlohmann::json::array({1, 2}));
  }

  void levelsAreHonoured_data() {
    QTest::addColumn<QString>("level");
    QTest::addColumn<int>("expected");  // of trace, debug, info, warn, error
    QTest::newRow("trace") << "trace" << 5;
    QTest::newRow("debug") << "DEBUG" << 4;
    QTest::newRow("info") << "info" << 3;
    QTest::newRow("warning") << "warning" << 2;
    QTest::newRow("error") << "error" << 1;
    QTest::newRow("off") << "off" << 0;
  }
  void levelsAreHonoured() {
    QFETCH(QString, level);
    QFETCH(int, expected);
    QTemporaryDir tmp;
    const std::string path = tmp.path().toStdString() + "/x.log";
    orch::log::initLogging("agent", level.toStdString(), path);
    orch::log::logTrace("t");
    orch::log::logDebug("d");
    orch::log::logInfo("i");
    orch::log::logWarn("w");
    orch::log::logError("e");
    orch::log::flushLogs();
    bool valid = false;
    QCOMPARE(static_cast<int>(readLines(path, &valid).size()), expected);
    QVERIFY(valid);
  }

  void unknownLevelFallsBackToInfoWithWarning() {
    QTemporaryDir tmp;
    const std::string path = tmp.path().toStdString() + "/x.log";
    orch::log::initLogging("agent", "loud", path);
    orch::log::logDebug("d");
    orch::log::logInfo("i");
    orch::log::flushLogs();
    bool valid = false;
    auto lines = readLines(path, &valid);
    QVERIFY(valid);
    QCOMPARE(lines.size(), size_t{2});
    QCOMPARE(lines[0]["level"], nlohmann::json("warn"));
    QVERIFY(lines[0]["msg"].get<std::string>().find("loud") != std::string::npos);
  }

  void unopenableFileFallsBackToStderr() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    std::ofstream(dir + "/plain-file") << "x";
    const std::string bad = dir + "/plain-file/sub/x.log";  // parent is a file: cannot be created
    const std::string captured = dir + "/stderr.txt";
    // Point fd 2 at a file for the duration of the test.
    std::fflush(stderr);
    int saved = ::dup(2);
    int fd = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    QVERIFY(saved >= 0 && fd >= 0);
    ::dup2(fd, 2);
    ::close(fd);
    orch::log::initLogging("agent", "info", bad);
    orch::log::logInfo("still alive");
    orch::log::flushLogs();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    bool valid = false;
    auto lines = readLines(captured, &valid);
    QVERIFY(valid);
    QCOMPARE(lines.size(), size_t{2});
    QCOMPARE(lines[0]["level"], nlohmann::json("warn"));
    QVERIFY(lines[0]["msg"].get<std::string>().find(bad) != std::string::npos);
    QCOMPARE(lines[1]["msg"], nlohmann::json("still alive"));
    QVERIFY(!std::filesystem::exists(bad));
  }
};

QTEST_APPLESS_MAIN(LoggerTest)
#include "common_logger_test.moc"
