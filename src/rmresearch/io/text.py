"""One way to read a user's file as bytes and as text.

Every reader of user files (tables, survey exports, transcripts, cohort and
instrument YAML, codings) reads through :func:`read_bytes` and decodes through
:func:`decode` (or both at once with :func:`read_text`), so every input gets
the same size limit checks and the same decoding policy:

1. A file that starts with the signature of a known binary format (zip/.docx/
   .xlsx, PDF, old Office, RTF) is refused as binary.
2. A byte-order mark chooses UTF-32, UTF-8 or UTF-16 (Excel's "Unicode text"),
   whatever encoding is named: the mark is evidence, written by the program
   that saved the file.
3. ``encoding=`` given (the user's ``--encoding`` or the cohort file's
   ``inputs.<name>.encoding``): a file that is valid UTF-8 (no NUL byte) is
   read as UTF-8 all the same, since text in a legacy encoding with accented
   letters is practically never valid UTF-8 while reading UTF-8 as cp1252
   would turn every "é" into "Ã©" without a word (one encoding is often named
   for a whole folder of transcripts, some re-saved since); any other file is
   decoded with the named encoding, and bytes it cannot decode are an error
   naming the line and byte offset.
4. Otherwise the file must be UTF-8. A NUL byte means a binary file (or UTF-16
   without a byte-order mark, which the message says); bytes that are not
   UTF-8 give an error naming the line (or row) and byte offset, and, when the
   file reads as Windows-1252 / Latin-1, saying so, how to name that encoding
   (the caller's ``encoding_advice``) and how to re-save it.

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

from ..errors import ConfigError, InputError, RMResearchError

__all__ = ["read_bytes", "decode", "read_text", "decode_lenient", "check_encoding", "input_encodings", "BOMS",
           "BINARY_SIGNATURES"]

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
    encoding_advice: str | None = None,
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
    encoding_advice
        How the user names a file's encoding where this file is read, in their terms, with ``<codec>`` where the
        codec's name goes (e.g. ``"run it with --encoding <codec>"``): said, with the encoding the bytes look
        like, when a file is not UTF-8 and no encoding was named.

    Examples
    --------
    >>> decode("a.txt", "Zoë\\r\\n".encode("utf-16"))
    'Zoë\\n'
    >>> decode("a.txt", "Zoë".encode("cp1252"), encoding="cp1252"), decode("b.txt", "Zoë".encode(), encoding="cp1252")
    ('Zoë', 'Zoë')
    >>> decode("a.txt", "ok\\nZoë".encode("cp1252"), encoding_advice="name it with --encoding <codec>")
    Traceback (most recent call last):
    ...
    rmresearch.errors.InputError: a.txt: not UTF-8 text (line 2, byte 0xeb at byte offset 5). It looks like Windows-1252 / Latin-1 text, as older Excel and Notepad save it: if so, name it with --encoding cp1252. Re-save it as UTF-8 (Excel: Save as > 'CSV UTF-8 (Comma delimited)'; Notepad: Save as > Encoding 'UTF-8').
    >>> decode("a.csv", "who\\nZoë\\n".encode("cp1252"), unit="row")
    Traceback (most recent call last):
    ...
    rmresearch.errors.InputError: a.csv: not UTF-8 text (row 2, byte 0xeb at byte offset 6). It looks like Windows-1252 / Latin-1 text, as older Excel and Notepad save it. Re-save it as UTF-8 (Excel: Save as > 'CSV UTF-8 (Comma delimited)'; Notepad: Save as > Encoding 'UTF-8').
    """
    path = Path(path)
    advice = _DEFAULT_ADVICE if advice is None else advice
    if encoding is not None:
        _known_codec(path, encoding, error)
    text = _decode_detected(path, data, what=what, error=error, advice=advice, unit=unit, encoding=encoding,
                            encoding_advice=encoding_advice)
    sample = text[:_SNIFF_CHARS]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if "\x00" in text or controls > max(2, len(sample) // 100):
        raise error(f"{path}: this looks like a binary file, not {what} (it holds control characters). {advice}")
    if not allow_empty and not text.strip():
        raise error(f"{path}: the file is empty. Export it again, or name the right file.")
    return text.replace("\r\n", "\n").replace("\r", "\n") if newlines else text


def _known_codec(path: Path, encoding: str, error: type[RMResearchError]) -> None:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise error(f"{path}: unknown encoding {encoding!r}. Name a Python codec such as 'utf-8' or 'cp1252'.") from None


def _decode_as(path: Path, data: bytes, encoding: str, error: type[RMResearchError], unit: str) -> str:
    try:
        text = data.decode(encoding)
    except LookupError:
        raise error(f"{path}: unknown encoding {encoding!r}. Name a Python codec such as 'utf-8' or 'cp1252'.") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(
            f"{path}: not valid {encoding} text ({unit} {line}, byte 0x{data[exc.start]:02x} at byte offset "
            f"{exc.start}). Check the encoding named for it, or re-save the file as UTF-8."
        ) from None
    return text.removeprefix("\ufeff")


def _utf8(data: bytes) -> str | None:
    """``data`` as UTF-8 when it is valid UTF-8 without a NUL byte (UTF-16 without a mark is valid UTF-8 too)."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decode_detected(path: Path, data: bytes, *, what: str, error: type[RMResearchError], advice: str, unit: str,
                     encoding: str | None = None, encoding_advice: str | None = None) -> str:
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
    if encoding is not None:
        text = _utf8(data)
        return text if text is not None else _decode_as(path, data, encoding, error, unit)
    nul = data.find(b"\x00")
    if nul != -1:
        hint = ""
        little, big = data[1::2].count(0) > len(data) // 4, data[0::2].count(0) > len(data) // 4
        if little or big:
            codec = "utf-16-le" if little else "utf-16-be"
            hint = (f" If it is UTF-16 text without a byte-order mark, {encoding_advice.replace('<codec>', codec)}, or "
                    "re-save it as UTF-8." if encoding_advice else
                    " If it is UTF-16 text without a byte-order mark, re-save it as UTF-8.")
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
            hint = "It looks like Windows-1252 / Latin-1 text, as older Excel and Notepad save it"
            hint += f": if so, {encoding_advice.replace('<codec>', 'cp1252')}. " if encoding_advice else ". "
        except UnicodeDecodeError:
            if encoding_advice:
                hint = f"If you know its encoding, {encoding_advice.replace('<codec>', 'ENCODING')}. "
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
    encoding_advice: str | None = None,
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
                  allow_empty=allow_empty, encoding_advice=encoding_advice)


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


# --------------------------------------------------------------------------- encodings the user names


def check_encoding(value, where: str, *, error: type[RMResearchError] = ConfigError) -> str:
    """The Python codec name of a text encoding the user named (``cp1252``, ``windows-1252``, ``latin-1``...), or
    ``error`` (a :class:`~rmresearch.errors.ConfigError`) starting with ``where`` (the setting or flag).

    >>> check_encoding("Windows-1252", "--encoding"), check_encoding("UTF-16", "--encoding")
    ('cp1252', 'utf-16')
    >>> check_encoding("cp-1252x", "--encoding")
    Traceback (most recent call last):
    ...
    rmresearch.errors.ConfigError: --encoding: unknown encoding 'cp-1252x'; name a text encoding by its Python codec name, such as cp1252 (Windows, Western Europe), latin-1, utf-16 or utf-8.
    """
    import codecs

    known = ("name a text encoding by its Python codec name, such as cp1252 (Windows, Western Europe), latin-1, "
             "utf-16 or utf-8")
    if not isinstance(value, str) or not value.strip():
        raise error(f"{where}: {value!r} is not an encoding; {known}.")
    try:
        info = codecs.lookup(value.strip())
    except LookupError:
        raise error(f"{where}: unknown encoding {value!r}; {known}.") from None
    if not getattr(info, "_is_text_encoding", True):  # base64, rot13, zlib: transforms, not encodings of text
        raise error(f"{where}: {value!r} is not a text encoding; {known}.")
    return info.name


def input_encodings(raw_inputs, names, source: str) -> dict[str, str]:
    """The encodings a cohort file names under ``inputs:`` (``staff: {path: data/staff.csv, encoding: cp1252}``):
    input -> codec, each checked. ``names`` are the inputs that may be written so; a mapping for any other input
    (whose readers would ignore the encoding) or with other keys is a :class:`~rmresearch.errors.ConfigError`.

    >>> input_encodings({"interviews": {"path": "raw", "encoding": "Windows-1252"}, "pairs": "pairs.csv"},
    ...                 ("interviews",), "pilot.yml")
    {'interviews': 'cp1252'}
    >>> input_encodings({"interviews": {"path": "raw", "encoding": "klingon"}}, ("interviews",), "pilot.yml")
    Traceback (most recent call last):
    ...
    rmresearch.errors.ConfigError: pilot.yml: inputs.interviews.encoding: unknown encoding 'klingon'; ...
    """
    if not isinstance(raw_inputs, dict):
        return {}  # the caller says what inputs must be
    found = {}
    for name, value in raw_inputs.items():
        if name == "surveys" or not isinstance(value, dict):
            continue
        if name not in names:
            raise ConfigError(f"{source}: inputs.{name} must be a path; only {', '.join(names)} may be written "
                              "as {path: ..., encoding: ...}.")
        if "path" not in value or set(value) - {"path", "encoding"}:
            raise ConfigError(f"{source}: inputs.{name} written as a mapping takes 'path' and 'encoding', e.g. "
                              f"{{path: data/{name}.csv, encoding: cp1252}}; it holds {', '.join(map(str, value))}.")
        if value.get("encoding") is not None:
            found[name] = check_encoding(value["encoding"], f"{source}: inputs.{name}.encoding")
    return found
