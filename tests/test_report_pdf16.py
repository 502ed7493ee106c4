"""report.pdf (issue 16, item 7): printed by headless Chromium with the status banner and "Page N of M" on every page,
a new page per section; written only where the release gate allows; a hung or failing Chromium handled; `make lab`.

The printing tests need Chromium (Debian: ``sudo apt-get install chromium``) and are skipped with that advice when
it is absent; the others use a stand-in program that records how it was called.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from rmresearch.anonymise.audit.reading import text_units
from rmresearch.report import build as build_module
from rmresearch.report.common import ReleaseCheck, ReleaseRefused
from rmresearch.report.pdf import (CHROMIUM_ENV, INSTALL_HINT, PdfError, add_report_pdf, banner_text, pdf_pages_text,
                                   print_css, print_pdf)
from rmresearch.report.render import RenderedNotebook, _css, _environment

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser"))
                 if p and Path(p).is_file()), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed; install it to run the PDF tests: sudo apt-get install chromium")

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def fake_chromium(tmp_path: Path, body: str) -> str:
    """A stand-in Chromium: a shell script that records its arguments, then runs ``body``."""
    script = tmp_path / "fake-chromium"
    script.write_text("#!/bin/sh\n" f'printf "%s\\n" "$@" > "{tmp_path}/argv"\n' + body + "\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def small_report(folder: Path, release: ReleaseCheck | None, audience: str) -> Path:
    """A report page from the package's own trends template and print stylesheet: three sections, the second
    longer than a page, with a table of numbers."""
    rows = "".join(f"<tr><td>Group {i}</td><td>0</td><td>0.5</td><td>0.6</td></tr>" for i in range(12))
    long = "".join(f"<p>Paragraph {i} of the long section. " + "Words that fill the line. " * 12 + "</p>"
                   for i in range(40))
    sections = [RenderedNotebook(id="s-00_overview", name="00_overview", title="The cohort at a glance",
                                 body="<p>Twelve pairs met.</p><table><caption>Pairs</caption><tbody>" + rows
                                 + "</tbody></table>"),
                RenderedNotebook(id="s-02_themes", name="02_themes", title="Themes from the interviews", body=long),
                RenderedNotebook(id="s-05_programme", name="05_programme", title="Programme evaluation",
                                 body="<p>Meetings held.</p>")]
    page = _environment().get_template("trends.html.j2").render(
        css=_css() + print_css(release, audience), versions={"rmresearch": "0.1.0"}, heading="Pilot report",
        configs=[SimpleNamespace(title="Pilot", cohort="pilot")], sections=sections,
        record={"finished": "2026-12-01T23:00:00"}, rules_text="Counts rounded.", audience=audience)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.html").write_text(page, encoding="utf-8")
    (folder / "run.json").write_text("{}\n", encoding="utf-8")
    return folder


def body_lines(page_text: str) -> list[str]:
    return [line for line in page_text.splitlines() if line.strip()]


@needs_chromium
def test_every_page_has_the_banner_and_page_n_of_m_and_sections_start_new_pages(tmp_path, monkeypatch):
    monkeypatch.setenv(CHROMIUM_ENV, CHROMIUM)  # tests/conftest.py turns printing off for the other tests
    folder = small_report(tmp_path / "draft", None, "public")
    assert add_report_pdf(folder, True) is None  # written: no note
    pages = pdf_pages_text(folder / "report.pdf")
    assert len(pages) >= 4  # title page and contents, a short section, a long one over two pages, a short one
    banner = banner_text(None)
    assert banner == "DRAFT: not checked for release, do not share"
    for n, text in enumerate(pages, start=1):
        assert banner in text, f"page {n}"
        assert f"Page {n} of {len(pages)}" in text, f"page {n}"
    # each section's title is the first thing on a page (after the banner and the page number)
    firsts = [body_lines(t)[2] for t in pages]
    for title in ("The cohort at a glance", "Themes from the interviews", "Programme evaluation"):
        assert title in firsts
    assert firsts.index("Programme evaluation") - firsts.index("Themes from the interviews") >= 2  # the long one
    assert json.loads((folder / "run.json").read_text())["pdf"] == "report.pdf"
    # the page's link to run.json (its footer) is not printed as a file:// link naming this machine's folders
    assert 'href="run.json"' in (folder / "report.html").read_text()
    from pypdf import PdfReader

    uris = [str(a.get_object().get("/A", {}).get("/URI")) for p in PdfReader(folder / "report.pdf").pages
            for a in (p.get("/Annots") or [])]
    assert not any("file:" in u or str(tmp_path) in u for u in uris)
    assert str(tmp_path).encode() not in (folder / "report.pdf").read_bytes()


@needs_chromium
def test_an_internal_releasable_report_says_both_on_every_page_and_the_audit_reads_its_cells(tmp_path):
    check = ReleaseCheck(True, (), "2026-12-01")
    folder = small_report(tmp_path / "internal", check, "internal")
    print_pdf(folder / "report.html", folder / "report.pdf", chromium=CHROMIUM)
    pages = pdf_pages_text(folder / "report.pdf")
    banner = "INTERNAL REPORT: exact small counts, not for publication | Releasable to an internal audience only"
    assert banner_text(check, "internal") == banner
    assert all(banner in t for t in pages) and len(pages) >= 4
    # the leak audit reads each drawn run (a table cell) on its own: "0", "0.5", "0.6" never run together into a
    # number that looks like a phone number, and says which page
    units = [(where, text.strip()) for where, _n, text in text_units(folder / "report.pdf")]
    assert ("page 2", "0.5") in units and ("page 2", "Group 11") in units  # the overview's table
    assert not any("0 0.5" in text for _w, text in units)
    assert any(where == "metadata" and "Pilot report" in text for where, text in units)  # the PDF's title


def test_no_chromium_is_a_one_line_note_never_a_failure_and_pdf_asks_for_it(tmp_path, monkeypatch):
    monkeypatch.setenv(CHROMIUM_ENV, "none")
    folder = small_report(tmp_path / "r", None, "public")
    note = add_report_pdf(folder, None)
    assert INSTALL_HINT in note and "--no-pdf" in note and "\n" not in note
    assert not (folder / "report.pdf").exists()
    assert json.loads((folder / "run.json").read_text()) == {"pdf": None, "pdf_note": note}
    with pytest.raises(PdfError, match="--pdf needs Chromium.*sudo apt-get install chromium"):
        add_report_pdf(folder, True)
    (folder / "run.json").write_text("{}\n")
    assert add_report_pdf(folder, False) is None and json.loads((folder / "run.json").read_text()) == {}


def test_chromium_is_called_offline_with_a_temporary_profile_and_the_pdf_written_atomically(tmp_path):
    pdf_bytes = tmp_path / "made.pdf"
    pdf_bytes.write_bytes(MINIMAL_PDF)
    chromium = fake_chromium(tmp_path, 'for a; do case "$a" in --print-to-pdf=*) cp "' + str(pdf_bytes)
                             + '" "${a#--print-to-pdf=}";; esac; done\necho "dbus/bus.cc noise" >&2')
    folder = small_report(tmp_path / "r", None, "public")
    out = print_pdf(folder / "report.html", folder / "report.pdf", chromium=chromium)
    assert out.read_bytes() == MINIMAL_PDF
    assert sorted(p.name for p in folder.iterdir()) == ["report.html", "report.pdf", "run.json"]  # no temporary left
    argv = (tmp_path / "argv").read_text().splitlines()
    assert "--headless" in argv and "--no-pdf-header-footer" in argv
    assert "--proxy-server=http://127.0.0.1:9" in argv and "--host-resolver-rules=MAP * ~NOTFOUND" in argv
    profile = next(a.split("=", 1)[1] for a in argv if a.startswith("--user-data-dir="))
    assert not Path(profile).exists()  # the temporary profile is removed
    printed = Path(argv[-1].removeprefix("file://"))  # a copy of the page beside the profile, removed after
    assert argv[-1].startswith("file:///") and printed.name == "report.html" and printed.parent == Path(profile).parent
    assert not printed.exists()
    assert ("--no-sandbox" in argv) == (os.geteuid() == 0)


def test_a_failing_chromium_names_its_error_without_the_noise_and_writes_nothing(tmp_path):
    chromium = fake_chromium(tmp_path, 'echo "[1:2:ERROR:dbus/bus.cc:405] Failed to connect to the bus" >&2\n'
                                       'echo "ERROR: cannot open display for printing" >&2\nexit 3')
    folder = small_report(tmp_path / "r", None, "public")
    with pytest.raises(PdfError) as caught:
        print_pdf(folder / "report.html", folder / "report.pdf", chromium=chromium)
    message = str(caught.value)
    assert "exit status 3" in message and "cannot open display for printing" in message and "dbus" not in message
    assert not (folder / "report.pdf").exists()
    # without --pdf a failing Chromium leaves the report without a PDF and says why in run.json
    os.environ[CHROMIUM_ENV] = chromium
    try:
        note = add_report_pdf(folder, None)
    finally:
        os.environ[CHROMIUM_ENV] = "none"
    assert "cannot open display" in note and json.loads((folder / "run.json").read_text())["pdf_note"] == note


def test_a_hung_chromium_and_its_helpers_are_killed_after_the_timeout(tmp_path):
    chromium = fake_chromium(tmp_path, f'sleep 300 & echo $! > "{tmp_path}/helper"\nsleep 300')
    folder = small_report(tmp_path / "r", None, "public")
    t0 = time.monotonic()
    with pytest.raises(PdfError, match="did not finish printing report.html within 1 s"):
        print_pdf(folder / "report.html", folder / "report.pdf", chromium=chromium, timeout=1)
    assert time.monotonic() - t0 < 30
    helper = int((tmp_path / "helper").read_text())
    assert not running(helper)  # the whole process group went, not just the program started
    assert not (folder / "report.pdf").exists()


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a killed one waiting to be reaped by init is not), within 5 s."""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, IndexError):
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.1)
    return True


def release_fixture(tmp_path, monkeypatch, releasable: bool, leaks_in_pdf: bool = False):
    staging = tmp_path / "staging"
    staging.mkdir()
    audited: list[list[str]] = []
    monkeypatch.setattr(build_module, "release_check",
                        lambda config, folder: ReleaseCheck(releasable, () if releasable else ("a table",), "now"))

    def leak_audit(config, paths):
        audited.append(sorted(Path(p).name for p in paths))
        return ["report.pdf [page 2]: PERSON K**** (roster)"] if leaks_in_pdf and any(
            Path(p).suffix == ".pdf" for p in paths) else []

    def add_pdf(folder, want):
        (Path(folder) / "report.pdf").write_bytes(MINIMAL_PDF)

    monkeypatch.setattr(build_module, "leak_audit", leak_audit)
    monkeypatch.setattr(build_module, "add_report_pdf", add_pdf)
    monkeypatch.setattr(build_module, "_private_or_temporary", lambda root, kind: tmp_path / "private" / kind)
    config = SimpleNamespace(cohort="pilot", root=tmp_path, disclosure=SimpleNamespace(audience="public"))
    pages: list = []

    def write_pages(check):
        pages.append(check)
        (staging / "report.html").write_text("<p>report</p>")
        (staging / "index.html").write_text("<p>index</p>")

    return config, staging, write_pages, audited, pages


def test_a_releasable_report_gets_its_pdf_after_the_release_mark_and_audited(tmp_path, monkeypatch):
    config, staging, write_pages, audited, pages = release_fixture(tmp_path, monkeypatch, True)
    build_module._release_or_refuse(config, staging, tmp_path / "out", write_pages, True)
    assert (staging / "report.pdf").is_file() and pages[-1].releasable
    assert audited == [["index.html", "report.html", "report.pdf"]]


def test_a_refused_release_writes_no_pdf(tmp_path, monkeypatch):
    config, staging, write_pages, audited, pages = release_fixture(tmp_path, monkeypatch, False)
    with pytest.raises(ReleaseRefused):
        build_module._release_or_refuse(config, staging, tmp_path / "out", write_pages, True)
    kept = tmp_path / "private" / "refused" / "pilot"
    assert kept.is_dir() and not (kept / "report.pdf").exists() and not list(tmp_path.rglob("report.pdf"))


def test_a_pdf_the_second_audit_refuses_is_removed_and_the_release_refused(tmp_path, monkeypatch):
    config, staging, write_pages, audited, pages = release_fixture(tmp_path, monkeypatch, True, leaks_in_pdf=True)
    with pytest.raises(ReleaseRefused, match="report.pdf"):
        build_module._release_or_refuse(config, staging, tmp_path / "out", write_pages, True)
    assert not list(tmp_path.rglob("report.pdf")) and not pages[-1].releasable


def make_lab(**env) -> str:
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MAKEFLAGS", "MAKELEVEL")}
    done = subprocess.run(["make", "--no-print-directory", "-n", "lab", *(f"{k}={v}" for k, v in env.items())],
                          cwd=PROJECT, env=base, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return next(line for line in done.stdout.splitlines() if "jupyter lab" in line)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_adds_allow_root_for_root_and_no_browser_without_a_display():
    assert make_lab(LAB_UID="0").split()[1:] == ["lab", "notebooks", "--allow-root", "--no-browser", "--ip=0.0.0.0",
                                                 "--port=8888"]
    assert make_lab(LAB_UID="1000", DISPLAY=":0").split()[1:] == ["lab", "notebooks", "--port=8888"]
    assert make_lab(LAB_UID="1000", LAB_IP="127.0.0.1", LAB_PORT="8890").split()[1:] == [
        "lab", "notebooks", "--no-browser", "--ip=127.0.0.1", "--port=8890"]
    assert "--allow-root" in make_lab(LAB_UID="0", WAYLAND_DISPLAY="wayland-0") and "--no-browser" not in make_lab(
        LAB_UID="0", WAYLAND_DISPLAY="wayland-0")
