#include "views/table_page.h"

#include <QAction>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QVBoxLayout>

#include "models/model_roles.h"

namespace orch::console {

TablePage::TablePage(QAbstractItemModel* model, const QList<QPair<QString, QString>>& states, QWidget* parent)
    : QWidget(parent) {
  proxy_ = new TableFilterProxy(this);
  proxy_->setSourceModel(model);

  search_ = new QLineEdit(this);
  search_->setPlaceholderText(tr("Search (Ctrl+F)"));
  search_->setClearButtonEnabled(true);
  state_ = new QComboBox(this);
  state_->addItem(tr("All states"), QString());
  for (const auto& [name, label] : states) state_->addItem(label, name);

  view_ = new QTableView(this);
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(0, Qt::AscendingOrder);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setSelectionMode(QAbstractItemView::SingleSelection);
  view_->setAlternatingRowColors(true);
  view_->verticalHeader()->hide();
  view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 8);
  view_->horizontalHeader()->setStretchLastSection(true);
  view_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  view_->horizontalHeader()->setDefaultSectionSize(view_->fontMetrics().averageCharWidth() * 16);

  auto* filters = new QHBoxLayout;
  auto* searchLabel = new QLabel(tr("&Search:"), this);
  searchLabel->setBuddy(search_);
  auto* stateLabel = new QLabel(tr("S&tate:"), this);
  stateLabel->setBuddy(state_);
  filters->addWidget(searchLabel);
  filters->addWidget(search_, 1);
  filters->addWidget(stateLabel);
  filters->addWidget(state_);
  actions_ = new QHBoxLayout;
  filters->addLayout(actions_);

  message_ = new QLabel(this);
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  message_->hide();

  auto* layout = new QVBoxLayout(this);
  layout->addLayout(filters);
  layout->addWidget(view_, 1);
  layout->addWidget(message_);
  setTabOrder(search_, state_);
  setTabOrder(state_, view_);

  connect(search_, &QLineEdit::textChanged, proxy_, &TableFilterProxy::setText);
  connect(state_, &QComboBox::currentIndexChanged, this,
          [this](int i) { proxy_->setState(state_->itemData(i).toString()); });
  connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) { emit currentIdChanged(current.data(kIdRole).toString()); });
  connect(view_, &QTableView::activated, this,
          [this](const QModelIndex& index) { emit activated(index.data(kIdRole).toString()); });
}

QPushButton* TablePage::addActionButton(QAction* action) {
  auto* button = new QPushButton(action->icon(), action->text(), this);
  button->setToolTip(action->toolTip());
  button->setEnabled(action->isEnabled());
  connect(button, &QPushButton::clicked, action, &QAction::trigger);
  connect(action, &QAction::enabledChanged, button, &QPushButton::setEnabled);
  actions_->addWidget(button);
  return button;
}

void TablePage::showMessage(const QString& text, bool error) {
  message_->setStyleSheet(error ? QStringLiteral("color: #c62828") : QString());
  message_->setText(text);
  message_->setVisible(!text.isEmpty());
}

QString TablePage::message() const { return message_->isVisible() ? message_->text() : QString(); }

QString TablePage::currentId() const { return view_->currentIndex().data(kIdRole).toString(); }

int TablePage::proxyRowOf(const QString& id) const {
  const QModelIndexList hits = proxy_->match(proxy_->index(0, 0), kIdRole, id, 1, Qt::MatchExactly);
  return hits.isEmpty() ? -1 : hits.first().row();
}

bool TablePage::selectId(const QString& id) {
  int row = proxyRowOf(id);
  if (row < 0 && (!proxy_->text().isEmpty() || !proxy_->state().isEmpty())) {
    search_->clear();
    state_->setCurrentIndex(0);
    row = proxyRowOf(id);
  }
  if (row < 0) return false;
  const QModelIndex index = proxy_->index(row, 0);
  view_->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  view_->scrollTo(index);
  return true;
}

}  // namespace orch::console
