// orch-console: the Orchestrator operations console.
#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTranslator>

#include <cstdio>

#include "app/console_options.h"
#include "app/quit_on_signal.h"
#include "views/main_window.h"

namespace {

using orch::console::LocalClusterLauncher;
using orch::console::MainWindow;

void loadTranslations(QApplication& app, const QString& language) {
  const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
  auto* ours = new QTranslator(&app);
  if (ours->load(locale, QStringLiteral("orch"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
    QApplication::installTranslator(ours);
  }
  auto* qt = new QTranslator(&app);
  if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
    QApplication::installTranslator(qt);
  }
}

LocalClusterLauncher::Options localOptions() {
  LocalClusterLauncher::Options options;
  options.dataDir = LocalClusterLauncher::defaultDataDir();
  options.binDir = LocalClusterLauncher::ownBinDir();
  return options;
}

// Without --attach or --local: start a local cluster, use orchctl's settings, or pick a profile.
void offerFirstRun(MainWindow& window) {
  QMessageBox box(&window);
  box.setWindowTitle(MainWindow::tr("Welcome"));
  box.setText(MainWindow::tr("The console is not connected to a cluster."));
  box.setInformativeText(MainWindow::tr(
      "Start a local cluster (one master and one agent on this machine, certificates made for you), "
      "or connect to an existing cluster."));
  QPushButton* local = box.addButton(MainWindow::tr("Start a &Local Cluster"), QMessageBox::AcceptRole);
  QPushButton* connect = box.addButton(MainWindow::tr("&Connect to a Cluster..."), QMessageBox::ActionRole);
  box.addButton(MainWindow::tr("&Later"), QMessageBox::RejectRole);
  box.setDefaultButton(local);
  box.exec();
  if (box.clickedButton() == local) {
    window.openStartLocal();
  } else if (box.clickedButton() == connect) {
    window.openConnect();
  }
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("orch-console"));
  QApplication::setOrganizationName(QStringLiteral("Orchestrator"));
  auto options = orch::console::parseConsoleOptions(QApplication::arguments());
  if (!options.ok()) {
    std::fprintf(stderr, "orch-console: %s\n", std::string(options.status().message()).c_str());
    return 2;
  }
  loadTranslations(app, options->language);
  MainWindow window;
  orch::console::quitOnTerminationSignals(&app, [&window] { window.setConfirmOnClose(false); });
  window.show();
  if (options->attach) {
    auto config = orch::console::attachConfig(*options);
    if (!config.ok()) {
      QMessageBox::warning(&window, MainWindow::tr("Connect to cluster"),
                           MainWindow::tr("Cannot use orchctl's settings to attach to %1: %2")
                               .arg(*options->attach, QString::fromStdString(std::string(config.status().message()))));
    } else {
      (void)window.connectTo(*config);
    }
  } else if (options->local) {
    if (absl::Status s = window.startLocalCluster(localOptions()); !s.ok()) {
      QMessageBox::warning(&window, MainWindow::tr("Local cluster"),
                           MainWindow::tr("Cannot start the local cluster: %1")
                               .arg(QString::fromStdString(std::string(s.message()))));
    } else if (window.localCluster() != nullptr) {
      window.localCluster()->setKeepRunning(options->keepCluster);
    }
  } else {
    offerFirstRun(window);
  }
  return app.exec();
}
