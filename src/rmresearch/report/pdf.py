"""A PDF of a report, printed by headless Chromium from the self-contained ``report.html``.

The page's print stylesheet (:func:`print_css`, added to ``report.html`` by the renderers) gives each section a new
page, keeps figures and tables whole, and puts the report's status banner (draft, releasable, not releasable;
internal) at the top of EVERY page and "Page N of M" at the bottom, with CSS page-margin boxes (``@page { @top-center
{...} }``, printed by Chromium 131 and later), so no header or footer template is needed.

:func:`print_pdf` runs Chromium with a temporary profile and every network request refused (the page needs none),
in a process group of its own that is killed when it hangs; its log on standard error is shown only when it failed.
:func:`write_report_pdf` prints ``report.pdf`` beside ``report.html`` (written atomically). The builders call it
after the page is final and before the leak audit, which reads the PDF's text like any shareable file.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..fileio import atomic_write_bytes
from .common import ReleaseCheck, ReportError

__all__ = ["CHROMIUM_ENV", "INSTALL_HINT", "PDF_NAME", "PdfError", "add_report_pdf", "banner_text", "check_pdf_available",
           "find_chromium", "missing_note", "pdf_pages_text", "print_css", "print_pdf", "write_report_pdf"]

#: Environment variable naming the Chromium (or Chrome) program to print with; ``none`` means: do not use one.
CHROMIUM_ENV = "RMRESEARCH_CHROMIUM"
INSTALL_HINT = "sudo apt-get install chromium"
PDF_NAME = "report.pdf"
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "/usr/bin/chromium")
_NOISE = ("dbus/", "Fontconfig", "unexpected operator", "bytes written to file", "GPU", "gpu_", "viz_", "sandbox")


class PdfError(ReportError):
    """Chromium could not print the report as PDF."""


def find_chromium() -> str | None:
    """The Chromium program to print with: ``$RMRESEARCH_CHROMIUM`` when set (``none``: no program), else the first of
    chromium, chromium-browser, google-chrome found on the PATH; None when there is none.

    >>> import os; os.environ[CHROMIUM_ENV] = "none"; find_chromium() is None
    True
    >>> del os.environ[CHROMIUM_ENV]
    """
    named = os.environ.get(CHROMIUM_ENV)
    if named is not None:
        if named.strip().lower() in ("", "none", "0", "no"):
            return None
        found = shutil.which(named)
        return found if found else (named if Path(named).is_file() else None)
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def missing_note() -> str:
    """The one line shown when no Chromium is found (the report is written without a PDF)."""
    return (f"No PDF written: Chromium was not found (install it with `{INSTALL_HINT}`, or name the program in "
            f"{CHROMIUM_ENV}); use --no-pdf to leave the PDF out without this note.")


def banner_text(release: ReleaseCheck | None, audience: str = "public") -> str:
    """The status printed at the top of every page of the PDF (and of the printed page).

    >>> banner_text(None)
    'DRAFT: not checked for release, do not share'
    >>> banner_text(ReleaseCheck(True, (), "2026-01-01"), "internal")
    'INTERNAL REPORT: exact small counts, not for publication | Releasable to an internal audience only'
    >>> banner_text(ReleaseCheck(False, ("leak",), "2026-01-01"))
    'NOT RELEASABLE: do not share'
    """
    if release is None:
        status = "DRAFT: not checked for release, do not share"
    elif release.releasable:
        status = "Releasable to an internal audience only" if audience == "internal" else "Releasable"
    else:
        status = "NOT RELEASABLE: do not share"
    if audience == "internal":
        return "INTERNAL REPORT: exact small counts, not for publication | " + status
    return status


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal, safe inside a ``<style>`` element.

    >>> _css_string('a "b" </style>')
    '"a \\\\22 b\\\\22  \\\\3c /style>"'
    """
    out = text.replace("\\", "\\5c ").replace('"', "\\22 ").replace("<", "\\3c ").replace("\n", "\\a ")
    return f'"{out}"'


def print_css(release: ReleaseCheck | None, audience: str = "public") -> str:
    """The print stylesheet of a report page: A4 pages, the status banner on every page, "Page N of M", a new page
    for each section, figures and tables kept whole.

    >>> css = print_css(None)
    >>> '@top-center' in css and 'counter(pages)' in css and 'break-before: page' in css
    True
    """
    refused = release is not None and not release.releasable
    colour = "#7a1f1f" if audience == "internal" or refused or release is None else "#00664a"
    page_font = "8.5pt system-ui, -apple-system, \"Segoe UI\", Roboto, Arial, sans-serif"
    return f"""
@page {{
  size: A4;
  margin: 18mm 15mm 16mm;
  @top-center {{ content: {_css_string(banner_text(release, audience))}; font: 600 {page_font}; color: {colour}; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font: {page_font}; color: #555; }}
}}
@media print {{
  body {{ max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }}
  section.summary, section.notebook, section.appendix {{ break-before: page; margin-top: 0; }}
  section.notebook > h2:first-child, section.appendix > h2:first-child, section.summary > h2:first-child {{ margin-top: 0; }}
  figure, table, .table-wrap, .status, dl.facts, .numbers li {{ break-inside: avoid; }}
  h2, h3, h4, caption {{ break-after: avoid; }}
  .table-wrap {{ overflow: visible; }}
  .table-wrap th:first-child, .table-wrap td:first-child {{ position: static; box-shadow: none; }}
  a {{ color: inherit; text-decoration: none; }}
  nav.toc {{ break-after: page; }}
  .hash {{ font-size: 6.5pt; white-space: nowrap; word-break: normal; }}  /* a hash broken over lines reads as words */
}}
"""


_FILE_LINK = re.compile(r"""(<a\b[^>]*?)\s+href\s*=\s*(?:"(?!#)[^"]*"|'(?!#)[^']*')""", re.IGNORECASE)


def _without_file_links(page: str) -> str:
    """``page`` without the ``href`` of links to other files (``run.json``, a section page): in a PDF, Chromium makes
    them absolute ``file://`` links naming this machine's folders. Links within the page (``#methods``) stay.

    >>> _without_file_links('<a href="run.json">run.json</a> <a class="x" href="#methods">Methods</a>')
    '<a>run.json</a> <a class="x" href="#methods">Methods</a>'
    """
    return _FILE_LINK.sub(r"\1", page)


def _command(chromium: str, html: Path, out: Path, profile: Path) -> list[str]:
    command = [chromium, "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
               "--disable-extensions", "--disable-sync", "--disable-background-networking",
               "--disable-component-update", "--disable-default-apps", "--disable-dev-shm-usage", "--mute-audio",
               f"--user-data-dir={profile}", f"--crash-dumps-dir={profile}",
               # the page is self-contained: any request for the network fails rather than reaching it
               "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-quic",
               "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
               f"--print-to-pdf={out}", html.resolve().as_uri()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(2, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return command


def _log_tail(stderr: str, lines: int = 6) -> str:
    """The last lines of Chromium's log that are not its usual noise (D-Bus, fonts, GPU)."""
    kept = [line.strip() for line in stderr.splitlines() if line.strip() and not any(n in line for n in _NOISE)]
    return " / ".join(kept[-lines:]) or (stderr.strip().splitlines() or ["(no message)"])[-1]


def print_pdf(html: str | Path, pdf: str | Path, *, chromium: str | None = None, timeout: float = 180) -> Path:
    """Print ``html`` (a self-contained page) to ``pdf`` with headless Chromium; the file is written atomically.

    Chromium runs in a process group of its own with a temporary profile (removed after); after ``timeout``
    seconds the whole group is killed. Raises :class:`PdfError` (with the end of Chromium's log) when no
    Chromium is found, it fails, hangs, or writes no PDF.
    """
    html, pdf = Path(html), Path(pdf)
    chromium = chromium or find_chromium()
    if chromium is None:
        raise PdfError(missing_note())
    with tempfile.TemporaryDirectory(prefix="rmresearch-chromium-") as tmp:
        tmp_path = Path(tmp)
        out = tmp_path / "out.pdf"
        profile = tmp_path / "profile"
        profile.mkdir()
        page = tmp_path / html.name  # printed from a copy whose links to other files are plain text (below)
        page.write_text(_without_file_links(html.read_text(encoding="utf-8")), encoding="utf-8")
        with open(tmp_path / "stderr.log", "w+", encoding="utf-8", errors="replace") as log:
            try:
                proc = subprocess.Popen(_command(chromium, page, out, profile), stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=log, start_new_session=True, preexec_fn=_die_with_parent(),
                                        env=dict(os.environ, HOME=str(tmp_path)))
            except OSError as exc:
                raise PdfError(f"Chromium ({chromium}) could not be started to print {html.name}: {exc}. Install it "
                               f"with `{INSTALL_HINT}`, or use --no-pdf.") from None
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                raise PdfError(f"Chromium did not finish printing {html.name} within {timeout:g} s and was stopped; "
                               "no PDF was written (run again, or use --no-pdf).") from None
            finally:
                _kill_group(proc)  # helpers it left behind
            log.seek(0)
            stderr = log.read()
        data = out.read_bytes() if out.is_file() else b""
        if code != 0 or not data.startswith(b"%PDF-"):
            raise PdfError(f"Chromium could not print {html.name} as PDF (exit status {code}): {_log_tail(stderr)}. "
                           "No PDF was written; the HTML report is unaffected (use --no-pdf to leave the PDF out).")
    return atomic_write_bytes(pdf, data)


def _die_with_parent():
    """On Linux, a function run in the child before Chromium starts so that it is killed if this process dies
    (a report run killed while printing leaves no Chromium behind); None elsewhere."""
    if not os.sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: nothing is imported after the fork
    except (OSError, AttributeError):
        return None

    def child() -> None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    return child


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill Chromium's whole process group (it starts renderer and helper processes) and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def write_report_pdf(folder: str | Path, *, chromium: str | None = None, timeout: float = 180) -> Path:
    """Print ``folder/report.html`` to ``folder/report.pdf`` (see :func:`print_pdf`)."""
    folder = Path(folder)
    return print_pdf(folder / "report.html", folder / PDF_NAME, chromium=chromium, timeout=timeout)


def check_pdf_available(want: bool | None) -> None:
    """Before a build runs: ``--pdf`` (``want=True``) needs a Chromium; raise :class:`PdfError` saying how to get one."""
    if want and find_chromium() is None:
        raise PdfError(f"--pdf needs Chromium to print the report, and none was found: install it with "
                       f"`{INSTALL_HINT}` (or name the program in {CHROMIUM_ENV}), or leave out --pdf.")


def add_report_pdf(folder: str | Path, want: bool | None, *, timeout: float = 180) -> str | None:
    """Print ``folder/report.pdf`` as asked: ``want`` False: no PDF; True: a PDF or :class:`PdfError`; None: a PDF
    when Chromium is found and prints, else none. Returns the note saying why there is no PDF (None when one was
    written or none was asked for) and records it in ``folder/run.json`` (``pdf``, ``pdf_note``)."""
    import json

    if want is False:
        return None
    note = None
    chromium = find_chromium()
    if chromium is None:
        if want:
            check_pdf_available(want)
        note = missing_note()
    else:
        try:
            write_report_pdf(folder, chromium=chromium, timeout=timeout)
        except PdfError as exc:
            if want:
                raise
            note = str(exc)
    record_path = Path(folder) / "run.json"
    if record_path.is_file():
        from ..fileio import atomic_write_text

        record = json.loads(record_path.read_text(encoding="utf-8"))
        record["pdf"] = PDF_NAME if note is None else None
        if note:
            record["pdf_note"] = note
        atomic_write_text(record_path, json.dumps(record, indent=2) + "\n")
    return note


def pdf_pages_text(path: str | Path) -> list[str]:
    """The text of each page of a PDF, as a reader would copy it (with pypdf)."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]
