#include "ctl/table_printer.h"

#include <algorithm>

namespace orch::ctl {
namespace {

constexpr std::string_view kSeparator = "   ";

std::string sanitize(std::string cell) {
  for (char& c : cell) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return cell;
}

}  // namespace

size_t displayWidth(std::string_view utf8) {
  size_t width = 0;
  for (unsigned char c : utf8) {
    // Count every byte that does not continue a multi-byte sequence.
    if ((c & 0xC0) != 0x80) ++width;
  }
  return width;
}

TablePrinter::TablePrinter(std::vector<Column> columns) : columns_(std::move(columns)) {}

void TablePrinter::addRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  for (std::string& cell : cells) cell = sanitize(std::move(cell));
  rows_.push_back(std::move(cells));
}

std::string TablePrinter::render() const {
  std::vector<size_t> widths(columns_.size(), 0);
  for (size_t i = 0; i < columns_.size(); ++i) widths[i] = displayWidth(columns_[i].title);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], displayWidth(row[i]));
  }

  std::string out;
  auto emit = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) line += kSeparator;
      const std::string& cell = cells[i];
      const size_t pad = widths[i] - displayWidth(cell);
      if (columns_[i].align == Align::kRight) {
        line.append(pad, ' ');
        line += cell;
      } else {
        line += cell;
        line.append(pad, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };

  std::vector<std::string> header;
  header.reserve(columns_.size());
  for (const Column& c : columns_) header.push_back(c.title);
  emit(header);
  for (const auto& row : rows_) emit(row);
  return out;
}

}  // namespace orch::ctl
