// Aligned plain-text tables for orchctl's listings: a header row, then one line per row, columns
// separated by three spaces, numbers right-aligned where asked, no trailing whitespace.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace orch::ctl {

class TablePrinter {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string title;
    Align align = Align::kLeft;
  };

  explicit TablePrinter(std::vector<Column> columns);

  // Adds a row; missing cells are blank, cells beyond the column count are dropped.
  // Newlines and tabs inside a cell become spaces so they cannot break the alignment.
  void addRow(std::vector<std::string> cells);
  size_t rowCount() const { return rows_.size(); }

  // The whole table, each line ending in '\n'. Only the header when there are no rows.
  std::string render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Terminal columns a UTF-8 string occupies (one per code point; no wide-glyph tables).
size_t displayWidth(std::string_view utf8);

}  // namespace orch::ctl
