"""A file that is not a REFI-QDA project, given to import-qdpx, is named for what it is, with what to do."""

from __future__ import annotations

import zipfile

import pytest

from rmresearch.coding import default_codebook, import_qdpx, write_qdc
from rmresearch.io.refi import QdpxError


def test_a_codebook_is_told_to_be_used_as_a_codebook(tmp_path):
    path = tmp_path / "codes.qdc"
    write_qdc(default_codebook(), path)
    with pytest.raises(QdpxError, match=r"a REFI-QDA codebook \(\.qdc\), not a project.*--codebook"):
        import_qdpx(path)


@pytest.mark.parametrize(("member", "advice"), [("xl/workbook.xml", "code read-sheet"),
                                                 ("word/document.xml", "interviews folder")])
def test_an_office_file_is_named_as_such(tmp_path, member, advice):
    path = tmp_path / "file.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member, "<x/>")
    with pytest.raises(QdpxError, match=advice):
        import_qdpx(path)
