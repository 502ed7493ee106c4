"""A row shifted by an unquoted comma is named even when the cell pushed past the last column is empty (the last
column of an HR export is often blank); an export whose every row, header included, ends with empty cells (Excel's
trailing commas) is not."""

from __future__ import annotations

from rmresearch.io.tables import read_table

HEADER = "pair_id,senior_id,partner_id,start_date,end_date,status,notes"


def _problems(tmp_path, lines):
    path = tmp_path / "pairs.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = read_table(path, "pairs", raise_on_error=False)
    return [p for p in problems if "more cells than the header" in p.message]


def test_a_row_one_cell_longer_than_its_header_is_named_though_the_extra_cell_is_empty(tmp_path):
    rows = [HEADER, "R01,P01,P13,01/10/2024,31/03/2025,completed,", "R02,P02,P14,01/10/2024,31/03/2025,completed,",
            "R03,P03,Smith, Jo,01/10/2024,31/03/2025,completed,"]  # an unquoted comma in row 4
    (problem,) = _problems(tmp_path, rows)
    assert problem.row == 4 or "row 4" in problem.message


def test_trailing_empty_cells_on_every_row_are_not_a_shifted_row(tmp_path):
    rows = [HEADER + ",,", "R01,P01,P13,01/10/2024,31/03/2025,completed,,,", "R02,P02,P14,01/10/2024,31/03/2025,completed,,,"]
    assert _problems(tmp_path, rows) == []
