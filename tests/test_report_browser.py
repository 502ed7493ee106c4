"""The demo report in a real headless browser: sections and figures render, nothing is fetched from the network.

Needs Chromium (Debian: ``apt-get install chromium``); skipped with that advice when it is absent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rmresearch.config import load_cohort
from rmresearch.report import build_report

PROJECT = Path(__file__).resolve().parents[1]
CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser"))
                 if p and Path(p).is_file()), None)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed; install it to run the browser test: sudo apt-get install chromium",
)

# Written into a copy of each page: after load, record what the browser saw in the DOM.
PROBE = """<script>
window.addEventListener("load", function () {
  var imgs = Array.from(document.images);
  var out = document.createElement("div");
  out.id = "probe";
  out.dataset.images = imgs.length;
  out.dataset.decoded = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  out.dataset.withAlt = imgs.filter(function (i) { return (i.getAttribute("alt") || "").trim().length > 0; }).length;
  out.dataset.network = performance.getEntriesByType("resource")
    .filter(function (e) { return !e.name.startsWith("data:"); }).length;
  document.body.appendChild(out);
});
</script>"""


@pytest.fixture(scope="module")
def demo_report(demo_project, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser") / "project"
    shutil.copytree(demo_project, root)
    cfg = load_cohort(root / "cohorts" / "demo.yml")
    build_report(cfg, notebooks_dir=PROJECT / "notebooks", only=["00"], progress=False)
    return root / "reports" / "demo"


def dump_dom(page: Path, tmp_path: Path) -> str:
    probed = tmp_path / f"probed-{page.name}"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
         # any attempt to reach the network fails: the page must not need it
         "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()],
        capture_output=True, text=True, timeout=90,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def probe(dom: str) -> dict[str, int]:
    m = re.search(r'<div id="probe"([^>]*)>', dom)
    assert m, "the page did not finish loading"
    return {k: int(v) for k, v in re.findall(r'data-([a-z-]+)="(\d+)"', m.group(1))}


@pytest.mark.slow
def test_report_renders_offline_with_sections_and_figures(demo_report, tmp_path):
    source = (demo_report / "report.html").read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="(https?:)?//', source)  # no external asset at all
    dom = dump_dom(demo_report / "report.html", tmp_path)
    for section in ("title", "summary", "s-00_overview", "methods", "reproducibility"):
        assert f'id="{section}"' in dom
    assert "Executive summary" in dom and "Pairs that held all 6 planned meetings" in dom
    seen = probe(dom)
    assert seen["images"] == 2  # the two figures of the overview
    assert seen["decoded"] == seen["images"] and seen["with-alt"] == seen["images"]
    assert seen["network"] == 0
    assert dom.count("<figcaption>") == 2


@pytest.mark.slow
def test_index_renders_offline_and_links_the_report(demo_report, tmp_path):
    dom = dump_dom(demo_report / "index.html", tmp_path)
    assert 'href="report.html"' in dom and 'href="00_overview.html"' in dom
    assert probe(dom)["network"] == 0
