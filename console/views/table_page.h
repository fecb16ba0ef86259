// One table tab: a search field, a state filter and a sortable table over a model through a
// TableFilterProxy, with a row of action buttons the owner adds.
#pragma once

#include <QComboBox>
#include <QLabel>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QWidget>

#include "views/table_filter_proxy.h"

namespace orch::console {

class TablePage : public QWidget {
  Q_OBJECT

 public:
  // `states`: (machine name, label) pairs for the state filter.
  TablePage(QAbstractItemModel* model, const QList<QPair<QString, QString>>& states, QWidget* parent = nullptr);

  QTableView* view() const { return view_; }
  TableFilterProxy* proxy() const { return proxy_; }
  QLineEdit* searchField() const { return search_; }
  QComboBox* stateFilter() const { return state_; }
  // Adds a button to the action row (after the filters).
  QPushButton* addActionButton(QAction* action);

  // The id (kIdRole) of the current row, or "".
  QString currentId() const;
  // Selects the row of `id` (clearing the filters if they hide it); false when there is none.
  bool selectId(const QString& id);
  // The proxy row showing `id`, or -1.
  int proxyRowOf(const QString& id) const;
  // A line under the table saying what an action did (red when it failed); "" hides it.
  void showMessage(const QString& text, bool error);
  QString message() const;

 signals:
  void currentIdChanged(const QString& id);
  void activated(const QString& id);

 private:
  TableFilterProxy* proxy_;
  QLineEdit* search_;
  QComboBox* state_;
  QTableView* view_;
  QHBoxLayout* actions_;
  QLabel* message_;
};

}  // namespace orch::console
