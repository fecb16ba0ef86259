// Unit tests for Scalar and Resources: exact arithmetic, parsing, ranges and sets, containment.
#include "core/resources.h"

#include <QtTest>
#include <string>

using orch::core::Range;
using orch::core::Resources;
using orch::core::Scalar;

namespace {

Resources mustParse(const char* text) {
  auto parsed = Resources::parse(text);
  if (!parsed.ok()) qFatal("test fixture does not parse: %s", text);
  return *parsed;
}

}  // namespace

class ResourcesTest : public QObject {
  Q_OBJECT

 private slots:
  void parseValid_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("scalars") << "cpus:4;mem:1024"
                             << "cpus:4;mem:1024";
    QTest::newRow("whitespace and fractions") << "  cpus : 0.5 ;\tmem:1024.25 "
                                              << "cpus:0.5;mem:1024.25";
    QTest::newRow("three decimals") << "cpus:0.125"
                                    << "cpus:0.125";
    QTest::newRow("trailing zeros dropped") << "cpus:2.500"
                                            << "cpus:2.5";
    QTest::newRow("reserved") << "cpus(eng):2;cpus:1"
                              << "cpus:1;cpus(eng):2";
    QTest::newRow("hierarchical role") << "disk(eng/ml):100"
                                       << "disk(eng/ml):100";
    QTest::newRow("same key merges") << "cpus:1;cpus:2.5"
                                     << "cpus:3.5";
    QTest::newRow("ranges") << "ports:[31000-32000,33000-33100]"
                            << "ports:[31000-32000,33000-33100]";
    QTest::newRow("ranges sorted and coalesced") << "ports:[5-10,1-4,12,11-11]"
                                                 << "ports:[1-12]";
    QTest::newRow("overlapping ranges") << "ports:[1-10,5-20];ports:[30-40]"
                                        << "ports:[1-20,30-40]";
    QTest::newRow("set") << "zones:{b, a ,c}"
                         << "zones:{a,b,c}";
    QTest::newRow("set union") << "zones:{a};zones:{b}"
                               << "zones:{a,b}";
    QTest::newRow("empty text") << ""
                                << "";
    QTest::newRow("only spaces") << "   "
                                 << "";
    QTest::newRow("zero is dropped") << "cpus:0;mem:1"
                                     << "mem:1";
    QTest::newRow("empty ranges dropped") << "ports:[]"
                                          << "";
    QTest::newRow("empty set dropped") << "zones:{}"
                                       << "";
    QTest::newRow("trailing separator") << "cpus:1;"
                                        << "cpus:1";
    QTest::newRow("custom names") << "gpus:1;fpga.count:2;x_y-z:3"
                                  << "fpga.count:2;gpus:1;x_y-z:3";
    QTest::newRow("large") << "mem:123456789012345"
                           << "mem:123456789012345";
  }
  void parseValid() {
    QFETCH(QString, text);
    QFETCH(QString, canonical);
    auto parsed = Resources::parse(text.toStdString());
    QVERIFY2(parsed.ok(), std::string(parsed.status().message()).c_str());
    QCOMPARE(QString::fromStdString(parsed->toString()), canonical);
  }

  void parseInvalid_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("entry");     // the entry the message must name
    QTest::addColumn<QString>("fragment");  // and what it must say about it
    QTest::newRow("no colon") << "cpus"
                              << "cpus"
                              << "name:value";
    QTest::newRow("missing value") << "cpus:"
                                   << "cpus:"
                                   << "missing";
    QTest::newRow("not a number") << "cpus:abc"
                                  << "cpus:abc"
                                  << "'abc' is not a number";
    QTest::newRow("negative") << "mem:-1"
                              << "mem:-1"
                              << "negative";
    QTest::newRow("four decimals") << "cpus:0.0001"
                                   << "cpus:0.0001"
                                   << "three decimal";
    QTest::newRow("dangling dot") << "cpus:1."
                                  << "cpus:1."
                                  << "not a number";
    QTest::newRow("exponent") << "cpus:1e3"
                              << "cpus:1e3"
                              << "not a number";
    QTest::newRow("too large") << "mem:12345678901234567"
                               << "mem:12345678901234567"
                               << "too large";
    QTest::newRow("inverted range") << "ports:[10-5]"
                                    << "ports:[10-5]"
                                    << "inverted";
    QTest::newRow("bad bound") << "ports:[a-5]"
                               << "ports:[a-5]"
                               << "'a' is not a number";
    QTest::newRow("unclosed range") << "ports:[1-5"
                                    << "ports:[1-5"
                                    << "']'";
    QTest::newRow("unclosed set") << "zones:{a,b"
                                  << "zones:{a,b"
                                  << "'}'";
    QTest::newRow("empty set item") << "zones:{a,,b}"
                                    << "zones:{a,,b}"
                                    << "set item";
    QTest::newRow("unclosed role") << "cpus(eng:1"
                                   << "cpus(eng:1"
                                   << "role";
    QTest::newRow("empty role") << "cpus():1"
                                << "cpus():1"
                                << "role";
    QTest::newRow("bad role") << "cpus(a b):1"
                              << "cpus(a b):1"
                              << "role 'a b'";
    QTest::newRow("bad name") << "cp us:1"
                              << "cp us:1"
                              << "name 'cp us'";
    QTest::newRow("empty name") << ":1"
                                << ":1"
                                << "name ''";
    QTest::newRow("kind clash") << "cpus:1;cpus:[1-2]"
                                << "cpus:[1-2]"
                                << "clashes";
    QTest::newRow("kind clash across roles") << "cpus:1;cpus(eng):{a}"
                                             << "cpus(eng):{a}"
                                             << "clashes";
    QTest::newRow("second entry named") << "mem:1;cpus:x"
                                        << "cpus:x"
                                        << "not a number";
  }
  void parseInvalid() {
    QFETCH(QString, text);
    QFETCH(QString, entry);
    QFETCH(QString, fragment);
    auto parsed = Resources::parse(text.toStdString());
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    const QString message = QString::fromStdString(std::string(parsed.status().message()));
    QVERIFY2(message.contains("'" + entry + "'"), qPrintable(message));
    QVERIFY2(message.contains(fragment), qPrintable(message));
  }

  void scalarToString_data() {
    QTest::addColumn<qlonglong>("milli");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << 0LL << "0";
    QTest::newRow("half") << 500LL << "0.5";
    QTest::newRow("two") << 2000LL << "2";
    QTest::newRow("one and a quarter") << 1250LL << "1.25";
    QTest::newRow("thousandth") << 1LL << "0.001";
    QTest::newRow("negative") << -1500LL << "-1.5";
  }
  void scalarToString() {
    QFETCH(qlonglong, milli);
    QFETCH(QString, text);
    QCOMPARE(QString::fromStdString(Scalar::fromMilli(milli).toString()), text);
  }

  void scalarArithmeticIsExact() {
    Scalar sum;
    for (int i = 0; i < 10; ++i) sum += Scalar::fromDouble(0.1);
    QCOMPARE(sum, Scalar::fromMilli(1000));
    QCOMPARE(sum.toDouble(), 1.0);

    Resources total;
    for (int i = 0; i < 10; ++i) total += mustParse("cpus:0.1");
    QCOMPARE(total, mustParse("cpus:1"));
    QCOMPARE(total.scalar("cpus"), Scalar::fromMilli(1000));

    Resources left = mustParse("cpus:1");
    for (int i = 0; i < 10; ++i) left -= mustParse("cpus:0.1");
    QVERIFY(left.empty());
  }

  void scalarFromDoubleRounds() {
    QCOMPARE(Scalar::fromDouble(0.0004).milli(), int64_t{0});
    QCOMPARE(Scalar::fromDouble(0.0006).milli(), int64_t{1});
    QCOMPARE(Scalar::fromDouble(2.5).milli(), int64_t{2500});
    QCOMPARE(Scalar::fromDouble(-0.25).milli(), int64_t{-250});
    QCOMPARE(Scalar::fromDouble(std::nan("")).milli(), int64_t{0});
  }

  void rangesCoalesce() {
    Resources r = Resources::ranges("ports", {{1, 5}});
    r += Resources::ranges("ports", {{6, 10}});
    QCOMPARE(r.entries().begin()->second.ranges, (std::vector<Range>{{1, 10}}));
    r += Resources::ranges("ports", {{20, 30}, {8, 12}});
    QCOMPARE(r.entries().begin()->second.ranges, (std::vector<Range>{{1, 12}, {20, 30}}));
    r += Resources::ranges("ports", {{13, 19}});
    QCOMPARE(r.entries().begin()->second.ranges, (std::vector<Range>{{1, 30}}));
    // The top of the domain does not overflow.
    Resources top = Resources::ranges("ids", {{UINT64_MAX - 1, UINT64_MAX}, {5, 5}});
    top += Resources::ranges("ids", {{UINT64_MAX, UINT64_MAX}});
    QCOMPARE(top.entries().begin()->second.ranges,
             (std::vector<Range>{{5, 5}, {UINT64_MAX - 1, UINT64_MAX}}));
  }

  void rangesSubtract() {
    Resources r = mustParse("ports:[1-100]");
    r -= mustParse("ports:[10-20,50-50,100-200]");
    QCOMPARE(QString::fromStdString(r.toString()), QString("ports:[1-9,21-49,51-99]"));
    r -= mustParse("ports:[1-99]");
    QVERIFY(r.empty());
  }

  void contains_data() {
    QTest::addColumn<QString>("big");
    QTest::addColumn<QString>("small");
    QTest::addColumn<bool>("expected");
    QTest::newRow("equal") << "cpus:2;mem:10"
                           << "cpus:2;mem:10" << true;
    QTest::newRow("less") << "cpus:2;mem:10"
                          << "cpus:1.999" << true;
    QTest::newRow("more") << "cpus:2;mem:10"
                          << "cpus:2.001" << false;
    QTest::newRow("missing name") << "cpus:2"
                                  << "gpus:1" << false;
    QTest::newRow("empty") << "cpus:2"
                           << "" << true;
    QTest::newRow("role must match") << "cpus:2"
                                     << "cpus(eng):1" << false;
    QTest::newRow("reserved covered") << "cpus(eng):2"
                                      << "cpus(eng):1" << true;
    QTest::newRow("unreserved does not cover reserved") << "cpus:8;cpus(eng):1"
                                                        << "cpus(eng):2" << false;
    QTest::newRow("range subset") << "ports:[1-10,20-30]"
                                  << "ports:[2-3,25-30]" << true;
    QTest::newRow("range straddles gap") << "ports:[1-10,20-30]"
                                         << "ports:[9-21]" << false;
    QTest::newRow("range outside") << "ports:[1-10]"
                                   << "ports:[11]" << false;
    QTest::newRow("set subset") << "zones:{a,b,c}"
                                << "zones:{a,c}" << true;
    QTest::newRow("set not subset") << "zones:{a,b}"
                                    << "zones:{a,d}" << false;
    QTest::newRow("kind differs") << "cpus:2"
                                  << "cpus(x):{a}" << false;
  }
  void contains() {
    QFETCH(QString, big);
    QFETCH(QString, small);
    QFETCH(bool, expected);
    auto a = Resources::parse(big.toStdString());
    auto b = Resources::parse(small.toStdString());
    QVERIFY(a.ok());
    QVERIFY(b.ok());
    QCOMPARE(a->contains(*b), expected);
  }

  void subtraction() {
    const Resources total = mustParse("cpus:4;mem:1024;ports:[31000-32000];zones:{a,b}");
    const Resources used = mustParse("cpus:1.5;mem:1024;ports:[31000-31009];zones:{a}");
    QVERIFY(total.contains(used));
    const Resources left = total - used;
    QCOMPARE(QString::fromStdString(left.toString()),
             QString("cpus:2.5;ports:[31010-32000];zones:{b}"));
    QCOMPARE(left + used, total);
    // Subtracting what is not there clamps at zero instead of going negative.
    Resources small = mustParse("cpus:1");
    small -= mustParse("cpus:3;mem:5");
    QVERIFY(small.empty());
    // Reservations are separate keys.
    Resources mixed = mustParse("cpus:2;cpus(eng):2");
    mixed -= mustParse("cpus(eng):2");
    QCOMPARE(mixed, mustParse("cpus:2"));
  }

  void intersection() {
    const Resources a = mustParse("cpus:4;mem:100;ports:[1-10];zones:{a,b};disk(eng):5");
    const Resources b = mustParse("cpus:1;mem:300;ports:[5-20];zones:{b,c};disk:5");
    const Resources both = a.intersection(b);
    QCOMPARE(QString::fromStdString(both.toString()),
             QString("cpus:1;mem:100;ports:[5-10];zones:{b}"));
    QVERIFY(a.contains(both));
    QVERIFY(b.contains(both));
  }

  void rolesAndScalars() {
    const Resources r = mustParse("cpus:4;cpus(eng):2;cpus(ops):1;mem(eng):512;ports:[1-2]");
    QCOMPARE(r.scalar("cpus"), Scalar::fromMilli(7000));
    QCOMPARE(r.scalar("gpus"), Scalar{});
    QCOMPARE(r.scalarNames(), (std::vector<std::string>{"cpus", "mem"}));
    QCOMPARE(r.unreserved(), mustParse("cpus:4;ports:[1-2]"));
    QCOMPARE(r.reservedTo("eng"), mustParse("cpus(eng):2;mem(eng):512"));
    QCOMPARE(r.allocatableTo("eng"), mustParse("cpus:4;cpus(eng):2;mem(eng):512;ports:[1-2]"));
    QCOMPARE(r.allocatableTo("nobody"), r.unreserved());
  }

  void addValidates() {
    Resources r;
    Resources::Entry negative{
        .name = "cpus", .kind = Resources::Kind::kScalar, .scalar = Scalar::fromMilli(-1)};
    absl::Status s = r.add(negative);
    QVERIFY(!s.ok());
    QVERIFY(std::string(s.message()).find("'cpus'") != std::string::npos);

    Resources::Entry inverted{
        .name = "ports", .role = "eng", .kind = Resources::Kind::kRanges, .ranges = {{9, 3}}};
    s = r.add(inverted);
    QVERIFY(!s.ok());
    QVERIFY(std::string(s.message()).find("'ports(eng)'") != std::string::npos);
    QVERIFY(r.empty());

    QVERIFY(
        r.add({.name = "cpus", .kind = Resources::Kind::kScalar, .scalar = Scalar::fromMilli(5)})
            .ok());
    s = r.add({.name = "cpus", .role = "eng", .kind = Resources::Kind::kSet, .items = {"x"}});
    QVERIFY(!s.ok());
    QVERIFY(std::string(s.message()).find("clashes") != std::string::npos);
    QCOMPARE(r, Resources::scalar("cpus", Scalar::fromMilli(5)));
  }

  void roundTrip_data() {
    QTest::addColumn<QString>("text");
    QTest::newRow("mixed")
        << "cpus:4;mem:1024;disk:2000;ports:[31000-32000,33000-33100];zones:{a,b}";
    QTest::newRow("reserved") << "cpus(eng):2;cpus(eng/ml):0.125;cpus:1;gpus(ops):1";
    QTest::newRow("single port") << "ports:[80]";
    QTest::newRow("set items with colons") << "labels:{rack:1,zone:eu-1}";
  }
  void roundTrip() {
    QFETCH(QString, text);
    const Resources r = mustParse(text.toUtf8().constData());
    auto again = Resources::parse(r.toString());
    QVERIFY(again.ok());
    QCOMPARE(*again, r);
    QCOMPARE(again->toString(), r.toString());
  }

  void roundTripBuilt() {
    // Built through the API, including values parse() never sees verbatim.
    Resources r = Resources::scalar("cpus", Scalar::fromDouble(1.0 / 3.0), "eng");
    r += Resources::ranges("ports", {{7, 9}, {1, 3}, {4, 5}});
    r += Resources::set("zones", {"z2", "z1"});
    auto again = Resources::parse(r.toString());
    QVERIFY(again.ok());
    QCOMPARE(*again, r);
    QCOMPARE(QString::fromStdString(r.toString()),
             QString("cpus(eng):0.333;ports:[1-5,7-9];zones:{z1,z2}"));
  }
};

QTEST_APPLESS_MAIN(ResourcesTest)
#include "resources_test.moc"
