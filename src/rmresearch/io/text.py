"""One way to read a user's file as bytes and as text.

Every reader of user files (tables, survey exports, transcripts, cohort and
instrument YAML, codings) reads through :func:`read_bytes` and decodes through
:func:`decode` (or both at once with :func:`read_text`), so every input gets
the same size limit checks and the same decoding policy:

1. ``encoding=`` given: decode with it (a leading byte-order mark is dropped).
2. A file that starts with the signature of a known binary format (zip/.docx/
   .xlsx, PDF, old Office, RTF) is refused as binary.
3. A byte-order mark chooses UTF-32, UTF-8 or UTF-16 (Excel's "Unicode text").
4. Otherwise the file must be UTF-8. A NUL byte means a binary file (or UTF-16
   without a byte-order mark, which the message says); bytes that are not
   UTF-8 give an error naming the line (or row) and byte offset, and, when the
   file reads as Windows-1252 / Latin-1, saying so and how to re-save it.

The encoding is never guessed: a file in cp1252 is refused with a message,
not read with accented names silently changed. Text holding many control
characters is refused as binary; a file holding only white space is empty.
Line endings (Windows CRLF, old Mac CR) become ``"\\n"`` unless
``newlines=False``.

Errors are :class:`~rmresearch.errors.InputError` unless the caller names
another class (``error=ConfigError`` for configuration files); each names the
file and says what to do.

:func:`decode_lenient` is for scanners (the release audit) that must read
whatever bytes are there and never refuse them.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, RMResearchError

__all__ = ["read_bytes", "decode", "read_text", "decode_lenient", "BOMS", "BINARY_SIGNATURES"]

#: Byte-order marks and the codec each selects (longest first: a UTF-32-LE mark starts like UTF-16-LE).
BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

#: Leading bytes of formats that are never plain text, and how the error message names each.
BINARY_SIGNATURES: dict[bytes, str] = {
    b"PK\x03\x04": "a zip archive, perhaps a .docx or .xlsx renamed",
    b"%PDF": "a PDF",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file, .doc or .xls",
    b"{\\rtf": "an RTF document",
}

_DEFAULT_ADVICE = (
    "Re-save it as UTF-8 (Excel: Save as > 'CSV UTF-8 (Comma delimited)'; Notepad: Save as > Encoding 'UTF-8')."
)
#: How much of the text the control-character check looks at.
_SNIFF_CHARS = 8192


def _mb(size: float) -> str:
    return f"{size / 1e6:,.1f}" if size < 10e6 else f"{size / 1e6:,.0f}"


def read_bytes(
    path: str | Path,
    *,
    limit: int,
    what: str,
    error: type[RMResearchError] = InputError,
    advice: str = "Check that it is the right file.",
    allow_empty: bool = False,
) -> bytes:
    """The bytes of a user's file, refusing it before reading when it is not a regular file or too large.

    Parameters
    ----------
    path
        The file.
    limit
        Largest size read, in bytes.
    what
        What the file should be, with its article, for messages: ``"a transcript"``, ``"an input table"``.
    error
        The exception class raised (default :class:`~rmresearch.errors.InputError`).
    advice
        What to do about a file over the limit (appended to that message).
    allow_empty
        Return an empty (or white-space only) file's bytes instead of refusing it.

    Raises
    ------
    InputError (or ``error``)
        The file is missing, a folder, a device or pipe, larger than ``limit``, unreadable or empty.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = path.write_bytes(b"Interviewer: hello\\n")
    >>> read_bytes(path, limit=1000, what="a transcript")
    b'Interviewer: hello\\n'
    >>> _ = path.write_bytes(b"  \\n")
    >>> read_bytes(path, limit=1000, what="a transcript")
    Traceback (most recent call last):
    ...
    rmresearch.errors.InputError: ...notes.txt: the file is empty. Export it again, or name the right file.
    """
    path = Path(path)
    if not path.exists():
        raise error(f"{path}: file not found. Check the path and the file name.")
    if path.is_dir():
        raise error(f"{path}: is a folder, not {what}. Name the file itself.")
    if not path.is_file():  # a device or pipe (/dev/zero) reports size 0 and never ends
        raise error(f"{path}: is not a regular file; name the file itself ({what}).")
    try:
        size = path.stat().st_size
        if size > limit:
            raise error(f"{path}: the file is {_mb(size)} MB, more than the {_mb(limit)} MB limit for {what}. {advice}")
        data = path.read_bytes()
    except OSError as exc:  # no permission, a vanished network drive...
        raise error(
            f"{path}: cannot be read ({exc.strerror}). Check that the file is not open elsewhere or locked."
        ) from None
    if len(data) > limit:  # grew while being read
        raise error(f"{path}: the file is more than the {_mb(limit)} MB limit for {what}. {advice}")
    if not allow_empty and not data.strip():
        raise error(f"{path}: the file is empty. Export it again, or name the right file.")
    return data


def decode(
    path: str | Path,
    data: bytes,
    *,
    encoding: str | None = None,
    what: str = "text",
    error: type[RMResearchError] = InputError,
    advice: str | None = None,
    unit: str = "line",
    newlines: bool = True,
    allow_empty: bool = False,
) -> str:
    """Decode a user's file by the one policy of this module (see the module docstring).

    Parameters
    ----------
    path
        The file the bytes came from (named in messages).
    data
        Its bytes.
    encoding
        Decode with this codec instead of byte-order-mark / UTF-8 detection (e.g. ``"cp1252"``).
    what
        What the file should be, for messages: ``"a CSV table"``, ``"a text transcript"``.
    error
        The exception class raised (default :class:`~rmresearch.errors.InputError`).
    advice
        What to do about a file that is not valid text (default: how to re-save it as UTF-8).
    unit
        What a person calls a line of this file in messages: ``"line"``, or ``"row"`` for tables.
    newlines
        Turn Windows (CRLF) and old Mac (CR) line endings into ``"\\n"``.
    allow_empty
        Return empty text instead of refusing a file that holds only white space.

    Examples
    --------
    >>> decode("a.txt", "Zoë\\r\\n".encode("utf-16"))
    'Zoë\\n'
    >>> decode("a.csv", "who\\nZoë\\n".encode("cp1252"), unit="row")
    Traceback (most recent call last):
    ...
    rmresearch.errors.InputError: a.csv: not UTF-8 text (row 2, byte 0xeb at byte offset 6). It looks like Windows-1252 / Latin-1 text, as older Excel and Notepad save it. Re-save it as UTF-8 (Excel: Save as > 'CSV UTF-8 (Comma delimited)'; Notepad: Save as > Encoding 'UTF-8').
    """
    path = Path(path)
    advice = _DEFAULT_ADVICE if advice is None else advice
    if encoding is not None:
        text = _decode_as(path, data, encoding, error)
    else:
        text = _decode_detected(path, data, what=what, error=error, advice=advice, unit=unit)
    sample = text[:_SNIFF_CHARS]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if "\x00" in text or controls > max(2, len(sample) // 100):
        raise error(f"{path}: this looks like a binary file, not {what} (it holds control characters). {advice}")
    if not allow_empty and not text.strip():
        raise error(f"{path}: the file is empty. Export it again, or name the right file.")
    return text.replace("\r\n", "\n").replace("\r", "\n") if newlines else text


def _decode_as(path: Path, data: bytes, encoding: str, error: type[RMResearchError]) -> str:
    try:
        text = data.decode(encoding)
    except LookupError:
        raise error(f"{path}: unknown encoding {encoding!r}. Name a Python codec such as 'utf-8' or 'cp1252'.") from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{path}: not valid {encoding} text (byte 0x{data[exc.start]:02x} at byte offset {exc.start}). "
            "Check the encoding, or re-save the file as UTF-8."
        ) from None
    return text.removeprefix("\ufeff")


def _decode_detected(path: Path, data: bytes, *, what: str, error: type[RMResearchError], advice: str, unit: str) -> str:
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise error(f"{path}: this looks like a binary file ({kind}), not {what}. {advice}")
    for bom, codec in BOMS:
        if data.startswith(bom):
            name = codec.removesuffix("-sig").upper()
            try:
                return data.decode(codec).removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                raise error(
                    f"{path}: starts with a {name} byte-order mark but is not valid {name} text "
                    f"(byte offset {exc.start}). {advice}"
                ) from None
    nul = data.find(b"\x00")
    if nul != -1:
        hint = ""
        if data[1::2].count(0) > len(data) // 4 or data[0::2].count(0) > len(data) // 4:
            hint = " If it is UTF-16 text without a byte-order mark, re-save it as UTF-8."
        line = data[:nul].count(b"\n") + 1
        raise error(
            f"{path}: this looks like a binary file, not {what} (a NUL byte on {unit} {line}, byte offset {nul}).{hint} "
            f"{advice}"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("cp1252")
            hint = "It looks like Windows-1252 / Latin-1 text, as older Excel and Notepad save it. "
        except UnicodeDecodeError:
            pass
        raise error(
            f"{path}: not UTF-8 text ({unit} {line}, byte 0x{data[exc.start]:02x} at byte offset {exc.start}). "
            f"{hint}{advice}"
        ) from None


def read_text(
    path: str | Path,
    *,
    limit: int,
    what: str,
    encoding: str | None = None,
    error: type[RMResearchError] = InputError,
    advice: str | None = None,
    unit: str = "line",
    newlines: bool = True,
    allow_empty: bool = False,
) -> str:
    """:func:`read_bytes` then :func:`decode`: a user's text file, size-limited, by the one decoding policy.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cohort.yml"
    >>> _ = path.write_bytes(b"\\xef\\xbb\\xbfcohort: demo\\r\\n")
    >>> read_text(path, limit=1000, what="a configuration file")
    'cohort: demo\\n'
    """
    data = read_bytes(path, limit=limit, what=what, error=error, allow_empty=allow_empty)
    return decode(path, data, encoding=encoding, what=what, error=error, advice=advice, unit=unit, newlines=newlines,
                  allow_empty=allow_empty)


def decode_lenient(data: bytes) -> str:
    """Text from any bytes, never refusing: for scanners that look for what a file holds.

    A byte-order mark chooses UTF-8/16/32; otherwise UTF-8, and bytes that are not UTF-8 are read as
    Windows-1252 (an Excel or Windows export's ``Siobh\\xe1n`` still reads as ``Siobhán``).

    Examples
    --------
    >>> decode_lenient("Siobhán".encode("cp1252")), decode_lenient("Siobhán".encode("utf-16"))
    ('Siobhán', 'Siobhán')
    """
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace").removeprefix("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
