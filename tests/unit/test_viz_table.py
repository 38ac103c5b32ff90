"""Tables a learner reads by row and column: HTML with header cells, and the same text printed."""

import html.parser

import pytest

from cnncourse import viz
from cnncourse.recipes import capstone


class Cells(html.parser.HTMLParser):
    """Collects header cells, data cells (by row) and the caption of an HTML table."""

    def __init__(self):
        super().__init__()
        self.head, self.rows, self.caption, self._in = [], [], "", None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        if tag in ("th", "td", "caption"):
            self._in = (tag, dict(attrs))

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in is None:
            return
        tag, attrs = self._in
        if tag == "caption":
            self.caption += data
        elif tag == "th":
            assert attrs.get("scope") == "col"
            self.head.append(data)
        else:
            self.rows[-1].append(data)


def parse(table):
    cells = Cells()
    cells.feed(table._repr_html_())
    return cells


def test_a_table_is_html_with_header_cells_and_prints_the_same_cells():
    table = viz.Table(["shift", "conv1 <change>"], [[0, "0.00"], [12, "1.25"]], caption="a & b")
    cells = parse(table)
    assert cells.head == ["shift", "conv1 <change>"]          # escaped, then read back
    assert [r for r in cells.rows if r] == [["0", "0.00"], ["12", "1.25"]]
    assert cells.caption == "a & b"
    text = repr(table)
    assert text == str(table)
    assert text.splitlines() == ["a & b", "shift  conv1 <change>", "-----  --------------",
                                 "0      0.00", "12     1.25"]


@pytest.mark.parametrize("columns, rows, match", [
    ("shift", [], "list of column names"),
    ([], [], "list of column names"),
    (["a", "b"], [[1]], "row 0 has 1 cells but there are 2 columns"),
])
def test_a_table_refuses_rows_that_do_not_fit(columns, rows, match):
    with pytest.raises(ValueError, match=match):
        viz.Table(columns, rows)


def test_the_leaderboard_is_displayed_as_a_table(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    base = capstone.run_row("SimpleCNN baseline", "cifar10", None, 30, 1000, synthetic=True,
                            val_accuracy=0.55, who="course")
    rows = capstone.show_leaderboard("cifar10", root=tmp_path, extra=[base])
    assert len(rows) == 1 and len(shown) == 1
    cells = parse(shown[0])
    assert cells.head == capstone.LEADERBOARD_COLUMNS
    row = [r for r in cells.rows if r][0]
    assert row[2] == "SimpleCNN baseline (not recorded)" and row[4] == "55.00%"
    assert row[8] == "stand-in"
    assert "|" not in shown[0]._repr_html_()                 # no Markdown source left
