// orchctl's aligned tables and human units.
#include <QtTest>

#include "ctl/resource_format.h"
#include "ctl/table_printer.h"

using orch::ctl::TablePrinter;
namespace v1 = orchestrator::v1;

namespace {

v1::Resource scalar(const std::string& name, double value, const std::string& role = "") {
  v1::Resource r;
  r.set_name(name);
  r.set_type(v1::Resource::SCALAR);
  r.mutable_scalar()->set_value(value);
  r.set_role(role);
  return r;
}

v1::Resource ranges(const std::string& name, std::vector<std::pair<uint64_t, uint64_t>> rs) {
  v1::Resource r;
  r.set_name(name);
  r.set_type(v1::Resource::RANGES);
  for (auto [b, e] : rs) {
    auto* range = r.mutable_ranges()->add_range();
    range->set_begin(b);
    range->set_end(e);
  }
  return r;
}

}  // namespace

class TablePrinterTest : public QObject {
  Q_OBJECT

 private slots:
  void alignsColumns();
  void headerOnlyWhenEmpty();
  void padsMissingCellsAndDropsExtra();
  void cellsCannotBreakLines();
  void countsUtf8CodePoints();
  void formatsNumbers_data();
  void formatsNumbers();
  void formatsMegabytes_data();
  void formatsMegabytes();
  void formatsDurations_data();
  void formatsDurations();
  void formatsResourceLists();
  void formatsUsage();
  void shortensTaskStates();
};

void TablePrinterTest::alignsColumns() {
  TablePrinter table({{"ID"}, {"CPUS", TablePrinter::Align::kRight}, {"NAME"}});
  table.addRow({"a1", "2.5", "web"});
  table.addRow({"agent-long", "10", "x"});
  const std::string expected =
      "ID           CPUS   NAME\n"
      "a1            2.5   web\n"
      "agent-long     10   x\n";
  QCOMPARE(QString::fromStdString(table.render()), QString::fromStdString(expected));
  QCOMPARE(table.rowCount(), size_t{2});
}

void TablePrinterTest::headerOnlyWhenEmpty() {
  TablePrinter table({{"ID"}, {"STATE"}});
  QCOMPARE(QString::fromStdString(table.render()), QString("ID   STATE\n"));
}

void TablePrinterTest::padsMissingCellsAndDropsExtra() {
  TablePrinter table({{"A"}, {"B"}, {"C"}});
  table.addRow({"1"});
  table.addRow({"1", "2", "3", "4"});
  QCOMPARE(QString::fromStdString(table.render()), QString("A   B   C\n1\n1   2   3\n"));
}

void TablePrinterTest::cellsCannotBreakLines() {
  TablePrinter table({{"MESSAGE"}, {"X"}});
  table.addRow({"line1\nline2\tend", "y"});
  QCOMPARE(QString::fromStdString(table.render()),
           QString("MESSAGE           X\nline1 line2 end   y\n"));
}

void TablePrinterTest::countsUtf8CodePoints() {
  QCOMPARE(orch::ctl::displayWidth("abc"), size_t{3});
  QCOMPARE(orch::ctl::displayWidth("h\xC3\xA9llo"), size_t{5});  // héllo
  TablePrinter table({{"N"}, {"V"}});
  table.addRow({"\xC3\xA9t\xC3\xA9", "1"});  // été
  table.addRow({"abcd", "2"});
  QCOMPARE(QString::fromStdString(table.render()),
           QString::fromUtf8("N      V\n\xC3\xA9t\xC3\xA9    1\nabcd   2\n"));
}

void TablePrinterTest::formatsNumbers_data() {
  QTest::addColumn<double>("value");
  QTest::addColumn<QString>("expected");
  QTest::newRow("integer") << 4.0 << "4";
  QTest::newRow("half") << 2.5 << "2.5";
  QTest::newRow("tenth") << 0.1 << "0.1";
  QTest::newRow("float drift") << 0.1 + 0.2 << "0.3";
  QTest::newRow("three decimals") << 1.234 << "1.234";
  QTest::newRow("rounds fourth") << 1.2346 << "1.235";
  QTest::newRow("zero") << 0.0 << "0";
  QTest::newRow("negative zero") << -0.0001 << "0";
  QTest::newRow("infinite") << std::numeric_limits<double>::infinity() << "?";
}

void TablePrinterTest::formatsNumbers() {
  QFETCH(double, value);
  QFETCH(QString, expected);
  QCOMPARE(QString::fromStdString(orch::ctl::formatNumber(value)), expected);
}

void TablePrinterTest::formatsMegabytes_data() {
  QTest::addColumn<double>("mb");
  QTest::addColumn<QString>("expected");
  QTest::newRow("zero") << 0.0 << "0 MB";
  QTest::newRow("small") << 32.0 << "32 MB";
  QTest::newRow("fraction") << 0.5 << "0.5 MB";
  QTest::newRow("just below GB") << 1023.0 << "1023 MB";
  QTest::newRow("one GB") << 1024.0 << "1 GB";
  QTest::newRow("GB fraction") << 1536.0 << "1.5 GB";
  QTest::newRow("host memory") << 7782.4 << "7.6 GB";
  QTest::newRow("TB") << 2.0 * 1024 * 1024 << "2 TB";
}

void TablePrinterTest::formatsMegabytes() {
  QFETCH(double, mb);
  QFETCH(QString, expected);
  QCOMPARE(QString::fromStdString(orch::ctl::formatMegabytes(mb)), expected);
}

void TablePrinterTest::formatsDurations_data() {
  QTest::addColumn<double>("seconds");
  QTest::addColumn<QString>("expected");
  QTest::newRow("seconds") << 45.7 << "45s";
  QTest::newRow("minutes") << 192.0 << "3m12s";
  QTest::newRow("hours") << 7500.0 << "2h5m";
  QTest::newRow("days") << 3 * 86400.0 + 4 * 3600.0 + 5 << "3d4h";
  QTest::newRow("negative") << -1.0 << "-";
}

void TablePrinterTest::formatsDurations() {
  QFETCH(double, seconds);
  QFETCH(QString, expected);
  QCOMPARE(QString::fromStdString(orch::ctl::formatDuration(seconds)), expected);
}

void TablePrinterTest::formatsResourceLists() {
  orch::ctl::ResourceList list;
  *list.Add() = ranges("ports", {{31000, 32000}, {33000, 33000}});
  *list.Add() = scalar("net_bandwidth", 100);
  *list.Add() = scalar("mem", 1024, "*");
  *list.Add() = scalar("cpus", 1.5);
  *list.Add() = scalar("cpus", 1.0);
  *list.Add() = scalar("cpus", 0.5, "eng");
  QCOMPARE(QString::fromStdString(orch::ctl::formatResources(list)),
           QString("cpus 2.5, cpus 0.5 (eng), mem 1 GB, ports 31000-32000,33000, net_bandwidth 100"));
  QCOMPARE(orch::ctl::scalarTotal(list, "cpus"), 3.0);
  QCOMPARE(QString::fromStdString(orch::ctl::formatResources(orch::ctl::ResourceList())), QString());
}

void TablePrinterTest::formatsUsage() {
  orch::ctl::ResourceList used;
  *used.Add() = scalar("mem", 32);
  orch::ctl::ResourceList total;
  *total.Add() = scalar("mem", 7782.4);
  *total.Add() = scalar("cpus", 4);
  QCOMPARE(QString::fromStdString(orch::ctl::formatUsage("mem", used, total)), QString("32 MB / 7.6 GB"));
  QCOMPARE(QString::fromStdString(orch::ctl::formatUsage("cpus", used, total)), QString("0 / 4"));
}

void TablePrinterTest::shortensTaskStates() {
  QCOMPARE(QString::fromStdString(orch::ctl::taskStateShortName(v1::TASK_RUNNING)), QString("RUNNING"));
  QCOMPARE(QString::fromStdString(orch::ctl::taskStateShortName(v1::TASK_UNREACHABLE)),
           QString("UNREACHABLE"));
  QCOMPARE(QString::fromStdString(orch::ctl::taskStateShortName(static_cast<v1::TaskState>(99))),
           QString("STATE_99"));
}

QTEST_APPLESS_MAIN(TablePrinterTest)
#include "table_printer_test.moc"
