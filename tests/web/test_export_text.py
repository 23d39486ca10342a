"""Text a user typed goes into workbooks as text: characters a workbook cannot hold are
dropped (no 500), and a note starting with = is not a formula."""
import io

from openpyxl import load_workbook

from web.services.exports import _bytes, _workbook


def test_typed_text_is_written_as_text():
    wb = _workbook("表", "标题", ["说明"], [["=HYPERLINK(\"http://x\")\x0b", "+1", 3]])
    ws = load_workbook(io.BytesIO(_bytes(wb))).active
    cells = list(ws.iter_rows(min_row=3, values_only=False))[0]
    assert [(c.value, c.data_type) for c in cells] == [('=HYPERLINK("http://x")', "s"), ("+1", "s"), (3, "n")]
