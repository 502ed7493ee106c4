"""The one decoding policy and size-limited reading of rmresearch.io.text."""

from __future__ import annotations

import pytest

from rmresearch.errors import ConfigError, InputError
from rmresearch.io.text import decode, decode_lenient, read_bytes, read_text

NAME = "Zoë Müller"


@pytest.mark.parametrize(
    "data",
    [
        NAME.encode("utf-8"),
        b"\xef\xbb\xbf" + NAME.encode("utf-8"),
        NAME.encode("utf-16"),  # with a byte-order mark, as Excel's "Unicode text"
        NAME.encode("utf-32"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-32-bom"],
)
def test_utf8_and_byte_order_marks_decode_to_the_same_text(data):
    assert decode("x.txt", data) == NAME


def test_line_endings_become_newlines_unless_asked_to_keep_them():
    data = b"a\r\nb\rc\n"
    assert decode("x.txt", data) == "a\nb\nc\n"
    assert decode("x.csv", data, newlines=False) == "a\r\nb\rc\n"


def test_cp1252_is_refused_with_line_byte_and_what_to_do():
    data = f"who\n{NAME}\n".encode("cp1252")
    with pytest.raises(InputError) as info:
        decode("people.csv", data, unit="row", advice="Save it as CSV UTF-8.")
    message = str(info.value)
    # "who\n" is 4 bytes, then "Zo" (2): the ë (0xeb) is byte 6, on row 2
    assert message.startswith("people.csv: not UTF-8 text (row 2, byte 0xeb at byte offset 6).")
    assert "Windows-1252" in message and message.endswith("Save it as CSV UTF-8.")
    assert decode("people.csv", data, encoding="cp1252") == f"who\n{NAME}\n"


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"PK\x03\x04rest", r"binary file \(a zip archive"),
        (b"%PDF-1.7", r"binary file \(a PDF\)"),
        (b"who\nP1\x00\n", "binary file, not text .a NUL byte on line 2, byte offset 6"),
        ("hi there".encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
        (bytes(range(1, 32)) * 4, "control characters"),
        (b"\xff\xfeZ\x00\x00\xd8", "UTF-16 byte-order mark but is not valid UTF-16"),
        (b" \r\n\t", "the file is empty"),
    ],
)
def test_what_is_not_text_is_refused_by_name(data, expected):
    with pytest.raises(InputError, match=expected):
        decode("x.txt", data)


def test_unknown_or_wrong_explicit_encoding():
    with pytest.raises(InputError, match="unknown encoding 'nope'"):
        decode("x.txt", b"abc", encoding="nope")
    with pytest.raises(InputError, match="not valid ascii text .line 1, byte 0xeb at byte offset 2"):
        decode("x.txt", "Zoë".encode("cp1252"), encoding="ascii")
    # valid UTF-8 is read as UTF-8 whatever is named (issue 16): 'Zoë' never becomes 'ZoÃ«' without a word
    assert decode("x.txt", "Zoë".encode("utf-8"), encoding="ascii") == "Zoë"


def test_read_bytes_refuses_missing_folder_large_and_empty_files(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_bytes(tmp_path / "nope.csv", limit=10, what="a table")
    with pytest.raises(InputError, match="is a folder, not a table"):
        read_bytes(tmp_path, limit=10, what="a table")
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2_000_001)
    with pytest.raises(InputError, match="the file is 2.0 MB, more than the 1.0 MB limit for a table. Split it."):
        read_bytes(big, limit=1_000_000, what="a table", advice="Split it.")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="the file is empty"):
        read_bytes(empty, limit=10, what="a table")
    assert read_bytes(empty, limit=10, what="a table", allow_empty=True) == b""


def test_read_text_raises_the_callers_error_class(tmp_path):
    path = tmp_path / "cohort.yml"
    path.write_bytes("place: Anytöwn\n".encode("cp1252"))
    with pytest.raises(ConfigError, match=r"cohort.yml: not UTF-8 text \(line 1, byte 0xf6"):
        read_text(path, limit=1000, what="a configuration file", error=ConfigError)


def test_decode_lenient_never_refuses():
    assert decode_lenient("Siobhán".encode("cp1252")) == "Siobhán"
    assert decode_lenient(b"\xef\xbb\xbfSiobh\xc3\xa1n") == "Siobhán"
    assert decode_lenient("Siobhán".encode("utf-16")) == "Siobhán"
    assert isinstance(decode_lenient(bytes(range(256))), str)
