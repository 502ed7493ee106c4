"""Disclosure per kind of table x audience (issue 13 item 2): activity, qualitative, people and listings, for a
public and an internal report; the cohort option; results recorded under each; the release gate and the pages."""

from __future__ import annotations

import pandas as pd
import pytest

from rmresearch.config import DisclosureRules
from rmresearch.disclosure import disclose, explain, rules_below_minimums
from rmresearch.results import Recorder, sentence
from rmresearch.errors import AnalysisError, ConfigError

PUBLIC = DisclosureRules()
INTERNAL = DisclosureRules(audience="internal")


# --------------------------------------------------------------------------- the option


def test_audience_defaults_to_public_and_is_validated():
    assert DisclosureRules().audience == "public" and DisclosureRules().min_cell_size == 5
    assert DisclosureRules.from_mapping({"audience": "internal"}, "pilot.yml").audience == "internal"
    with pytest.raises(ConfigError, match=r"pilot.yml: options.disclosure.audience must be one of 'public', 'internal'.*'staff'"):
        DisclosureRules.from_mapping({"audience": "staff"}, "pilot.yml")
    with pytest.raises(ConfigError, match="audience must be one of 'public', 'internal'"):
        DisclosureRules(audience="everyone")
    with pytest.raises(ConfigError, match="min_cell_size must be a whole number"):
        DisclosureRules.from_mapping({"min_cell_size": 2.5}, "pilot.yml")
    assert rules_below_minimums({"min_cell_size": 2}) == [
        "min_cell_size is 2: a cell, qualitative base group or listing attribute combination must describe at least 3 people"]


# --------------------------------------------------------------------------- people


def _people():
    table = pd.DataFrame({"group": ["A", "B", "C", "D", "E"], "n": [30, 12, 4, 40, 10], "good": [3, 0, 4, 38, 5],
                          "mean_score": [3.1, 2.9, 4.0, 3.3, 3.6]})
    table["rate"] = table["good"] / table["n"]
    return table


def test_people_public_follow_hesa_rounding_and_suppression():
    shown = disclose(_people(), counts=["n", "good"], rates={"rate": ("n", "good")}, means={"mean_score": "n"}, rules=PUBLIC)
    assert shown["n"].tolist() == [30, 10, 5, 40, 10]
    assert shown["good"].tolist() == [5, 0, 5, 40, 5]
    assert shown["rate"].tolist() == ["10.0%", "..", "..", "..", ".."]  # 38 of 40: 2 without, hidden
    assert shown["mean_score"].tolist() == [3.1, 2.9, "..", 3.3, 3.6]  # n of 4 (7 or fewer): hidden
    assert shown.attrs["disclosure"]["audience"] == "public"


def test_people_internal_exact_with_small_cells_suppressed():
    shown = disclose(_people(), counts=["n", "good"], rates={"rate": ("n", "good")}, means={"mean_score": "n"},
                     rules=INTERNAL)
    assert shown["n"].tolist() == [30, 12, "..", 40, 10]  # exact; 4 people (1 to 4) hidden
    assert shown["good"].tolist() == ["..", 0, "..", 38, 5]
    # 3 of 30 gives back a hidden 3; 0 of 12 is shown; 4 of 4 rests on too few; 38 of 40 leaves 2 without;
    # 5 of 10 is shown
    assert shown["rate"].tolist() == ["..", "0.0%", "..", "..", "50.0%"]
    assert shown["mean_score"].tolist() == [3.1, 2.9, "..", 3.3, 3.6]  # n under 5 hidden
    record = shown.attrs["disclosure"]
    assert record["audience"] == "internal" and record["basis"] == "people"
    assert record["suppressed_by_column"] == {"n": 1, "good": 2, "rate": 3, "mean_score": 1}
    assert explain(shown) == "Internal report: counts are exact; cells of 1 to 4 people are shown as \u201c..\u201d."


def test_people_internal_ofs_codes_and_derived_follow_the_rate():
    table = pd.DataFrame({"n": [10, 10, 3], "good": [2, 9, 3]})
    table["rate"] = table["good"] / table["n"]
    table["gap_pp"] = [1.0, 2.0, 3.0]
    shown = disclose(table, counts=["n", "good"], rates={"rate": ("n", "good")}, derived={"gap_pp": ["rate"]},
                     rules=DisclosureRules(audience="internal", style="ofs"))
    assert shown["rate"].tolist() == ["[DPL]", "[DPH]", "[low]"]
    assert shown["gap_pp"].tolist() == ["[DPL]", "[DPH]", "[low]"]


# --------------------------------------------------------------------------- qualitative


def _themes_by_role():
    return pd.DataFrame({"theme": ["Trust", "Career", "Participants interviewed"],
                         "senior_leader": [1, 2, 3], "partner": [4, 0, 6]})


def test_qualitative_public_shows_a_group_only_when_its_base_is_large_enough():
    shown = disclose(_themes_by_role(), counts=["senior_leader", "partner"], basis="qualitative",
                     bases="Participants interviewed", rules=PUBLIC)
    assert shown["senior_leader"].tolist() == ["..", "..", ".."]  # 3 interviewed: under 5, the whole column
    assert shown["partner"].tolist() == [4, 0, 6]  # exact: not rounded to 5, 0 and 5
    record = shown.attrs["disclosure"]
    assert record["small_groups"] == ["senior_leader"] and record["suppressed_by_column"]["senior_leader"] == 3
    same = disclose(_themes_by_role(), counts=["senior_leader", "partner"], basis="qualitative",
                    bases={"senior_leader": 3, "partner": 6})
    assert same["senior_leader"].tolist() == ["..", "..", ".."] and same["partner"].tolist() == [4, 0, 6]
    assert explain(shown, base="participants interviewed") == (
        "Public report: groups with fewer than 5 participants interviewed (senior leader) are shown as \u201c..\u201d; "
        "an internal report shows them exactly.")


def test_qualitative_public_without_bases_hides_cells_of_one_or_two():
    shown = disclose(_themes_by_role(), counts=["senior_leader", "partner"], basis="qualitative")
    assert shown["senior_leader"].tolist() == ["..", "..", 3]
    assert shown["partner"].tolist() == [4, 0, 6]


def test_qualitative_internal_is_exact():
    shown = disclose(_themes_by_role(), counts=["senior_leader", "partner"], basis="qualitative",
                     bases="Participants interviewed", rules=INTERNAL)
    assert shown["senior_leader"].tolist() == [1, 2, 3] and shown["partner"].tolist() == [4, 0, 6]
    assert shown.attrs["disclosure"]["suppressed_cells"] == 0 and shown.attrs["disclosure"]["audience"] == "internal"


def test_qualitative_bases_are_checked():
    with pytest.raises(AnalysisError, match="no row of the table is labelled 'Interviewed'"):
        disclose(_themes_by_role(), counts=["senior_leader", "partner"], basis="qualitative", bases="Interviewed")
    with pytest.raises(AnalysisError, match=r"missing \['partner'\]"):
        disclose(_themes_by_role(), counts=["senior_leader", "partner"], basis="qualitative", bases={"senior_leader": 3})
    with pytest.raises(AnalysisError, match="bases= applies to basis='qualitative'"):
        disclose(_themes_by_role(), counts=["senior_leader", "partner"], bases="Participants interviewed")


# --------------------------------------------------------------------------- activity


def test_activity_is_exact_for_both_audiences():
    table = pd.DataFrame({"status": ["active", "withdrawn"], "pairs": [11, 1]})
    for rules in (PUBLIC, INTERNAL):
        shown = disclose(table, counts=["pairs"], basis="activity", rules=rules)
        assert shown["pairs"].tolist() == [11, 1]
        assert shown.attrs["disclosure"]["audience"] == rules.audience


# --------------------------------------------------------------------------- listings


def _listing(per_combination: int):
    rows = []
    for role in ("senior_leader", "partner"):
        for group in ("White", "BAME"):
            rows += [{"role": role, "ethnicity_group": group, "Trust": "said so [T1#2]"}] * per_combination
    listing = pd.DataFrame(rows)
    listing.insert(0, "participant_id", [f"P{i:02d}" for i in range(len(listing))])
    return listing


def test_listing_public_drops_ethnicity_then_role_until_every_combination_has_enough_people():
    three = disclose(_listing(3), basis="listing", rules=PUBLIC)  # 3 per role x group, 6 per role
    assert set(three["ethnicity_group"]) == {".."} and three["role"].tolist() == _listing(3)["role"].tolist()
    assert three.attrs["disclosure"]["characteristics_hidden"] == ["ethnicity_group"]
    assert explain(three).startswith("Public report: ethnicity group withheld (\u201c..\u201d), because shown with them")
    five = disclose(_listing(5), basis="listing", rules=PUBLIC)  # 5 per combination: both kept
    assert five.attrs["disclosure"]["characteristics_hidden"] == [] and "BAME" in set(five["ethnicity_group"])
    one = disclose(_listing(1), basis="listing", rules=PUBLIC)  # 2 per role: nothing can be shown
    assert one.attrs["disclosure"]["characteristics_hidden"] == ["ethnicity_group", "role"]
    assert set(one["role"]) == {".."} and one["participant_id"].tolist() == _listing(1)["participant_id"].tolist()
    assert explain(one) == ("Public report: ethnicity group and role withheld (\u201c..\u201d), because shown with them "
                            "some combination would describe fewer than 5 people; an internal report shows them.")


def test_listing_internal_keeps_every_attribute():
    shown = disclose(_listing(1), basis="listing", rules=INTERNAL)
    assert shown.attrs["disclosure"]["characteristics_hidden"] == []
    assert shown["ethnicity_group"].tolist() == _listing(1)["ethnicity_group"].tolist()
    assert explain(shown) == "Internal report: every participant's attributes are shown, for readers under confidentiality only."


# --------------------------------------------------------------------------- recorded results


def test_recorded_people_per_audience():
    public, internal = Recorder(rules=PUBLIC), Recorder(rules=INTERNAL)
    assert public.record("staff", 12, label="Staff")["display"] == "10"
    assert internal.record("staff", 12, label="Staff")["display"] == "12"
    small = internal.record("staff", 3, label="Staff")
    assert (small["display"], small["value"], small["suppressed"]) == ("..", None, True)
    assert small["reason"] == "is a count of fewer than 5 people" and small["audience"] == "internal"
    promoted = internal.record("promoted", 5 / 10, kind="rate", n=10, n_of="staff", label="Staff promoted")
    assert promoted["display"] == "50.0%" and promoted["n"] == 10
    assert sentence(promoted) == "Staff promoted: 50.0% (based on 10 staff)."
    assert public.record("promoted", 5 / 10, kind="rate", n=10, label="Staff promoted")["display"] == ".."
    few = internal.record("promoted", 3 / 30, kind="rate", n=30, n_of="staff", label="Staff promoted")
    assert few["display"] == ".."  # 3 of 30 gives back a hidden count of 3
    assert sentence(internal.record("m", 3.2, kind="mean", n=4, n_of="staff", label="Mean score")) == (
        "Mean score: not shown, because it rests on fewer than 5 staff.")


def test_recorded_qualitative_per_audience():
    public, internal = Recorder(rules=PUBLIC), Recorder(rules=INTERNAL)
    hidden = public.record("trust_leaders", 2, basis="qualitative", n=3, label="Senior leaders voicing trust")
    assert (hidden["display"], hidden["suppressed"]) == ("..", True)
    assert "fewer than 5 people" in hidden["reason"]
    shown = public.record("trust_partners", 2, basis="qualitative", n=6, n_of="partners interviewed",
                          label="Partners voicing trust")
    assert (shown["display"], shown["n"]) == ("2", 6)
    assert internal.record("trust_leaders", 2, basis="qualitative", n=3, label="Senior leaders voicing trust")["display"] == "2"
    with pytest.raises(AnalysisError, match="basis='qualitative' needs n"):
        public.record("trust", 2, basis="qualitative", label="Voicing trust")


# --------------------------------------------------------------------------- the pilot (12 pairs, 2 people interviewed)


@pytest.mark.slow
def test_the_pilot_themes_per_audience(tmp_path):
    import html
    import re

    from rmresearch.anonymise import anonymise_cohort
    from rmresearch.config import load_cohort
    from rmresearch.report import build_report
    from rmresearch.synthetic import generate_pilot

    from test_report import PROJECT

    def text(page):
        page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))

    root = tmp_path / "project"
    generate_pilot(root, seed=2024, n_students=400, n_staff=300)
    path = root / "cohorts" / "pilot.yml"
    anonymise_cohort(load_cohort(path), progress=False)
    build_report(load_cohort(path), notebooks_dir=PROJECT / "notebooks", only=["02"], progress=False)
    folder = root / "reports" / "pilot"
    public = text((folder / "report.html").read_text(encoding="utf-8"))
    # transcripts and participants interviewed are activity: exact (not "About 5 ... and 0")
    from rmresearch import coding

    data = coding.load_coding_data(load_cohort(path), unit="turn", grouping="aggregate")
    transcripts, interviewed = len(data.texts), data.segments["participant_id"].nunique()
    assert transcripts % 5 and interviewed % 5  # a rounded count could not show them
    assert f"{transcripts} anonymised interview transcripts" in public
    assert f"{interviewed} interviewed participants" in public
    # a few per role, under 5: a note instead of a table of markers
    assert "Participants voicing each theme, by role" not in public
    assert ("Themes by role: not shown for this cohort. Every role had too few participants interviewed to be shown "
            "in a public report") in public
    matrix = public[public.index("Framework matrix: participants"):public.index("Exemplar quotes")]
    assert "ethnicity group and role withheld" in matrix
    # input row counts: programme inputs exact (12 pairs, 24 participants), people tables rounded
    inputs = public[public.index("Input files"):public.index("Validation warnings")]
    assert re.search(r"participants data/pilot/participants\.csv 24 ", inputs)
    assert re.search(r"pairs data/pilot/pairs\.csv 12 ", inputs)
    assert "Internal report:" not in public

    path.write_text(path.read_text().replace("    style: hesa\n", "    style: hesa\n    audience: internal\n", 1))
    build_report(load_cohort(path), notebooks_dir=PROJECT / "notebooks", only=["02"], progress=False)
    internal = text((folder / "report.html").read_text(encoding="utf-8"))
    start = internal.index("Participants voicing each theme, by role")
    roles = internal[start:internal.index("Themes by group", start)]
    bases = re.search(r"Participants interviewed((?: \d+)+)", roles)  # exact, one count per role
    assert bases and sum(map(int, bases.group(1).split())) == interviewed
    matrix = internal[internal.index("Framework matrix: participants"):internal.index("Exemplar quotes")]
    assert re.search(r"P01 Senior leader White", matrix)
    for page in ("report.html", "index.html", "02_themes.html"):
        assert "Internal report: exact small counts; not for publication." in text((folder / page).read_text()), page


def test_the_command_line_refuses_an_audience_the_cohort_file_does_not_set(demo_copy, capsys, monkeypatch):
    from rmresearch.cli import main

    monkeypatch.chdir(demo_copy)
    assert main(["report", "--cohort", "demo", "--audience", "internal", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "--audience internal but demo.yml sets options.disclosure.audience: public" in err
    path = demo_copy / "cohorts" / "demo.yml"
    path.write_text(path.read_text().replace("    style: hesa\n", "    style: hesa\n    audience: internal\n", 1))
    assert main(["report", "--cohort", "demo", "--release", "--no-progress"]) == 2
    assert "cannot be released to the public" in capsys.readouterr().err
    assert not (demo_copy / "reports" / "demo" / "report.html").exists()  # refused before anything ran


def test_trend_pages_drawn_from_an_internal_cohort_say_so_on_every_page(tmp_path):
    from types import SimpleNamespace

    from rmresearch.report.provenance import _versions
    from rmresearch.report.render import RenderedNotebook
    from rmresearch.report.trend_report import _write_trend_pages

    configs = [SimpleNamespace(cohort="pilot", title="Pilot", institution="X", disclosure=INTERNAL)]
    sections = [RenderedNotebook(id="s-90_trends", name="90_trends", title="Trends", body="<p>trend</p>")]
    for audience, shown in (("internal", True), ("public", False)):
        _write_trend_pages(tmp_path, configs, sections,
                           {"versions": _versions(), "git_commit": None, "finished": "now", "audience": audience})
        for page in ("report.html", "index.html", "90_trends.html"):
            banner = "<strong>Internal report:</strong> exact small counts; not for publication."
            assert (banner in (tmp_path / page).read_text()) is shown, (audience, page)


def test_concat_keeps_the_small_groups_and_whether_bases_were_given():
    from rmresearch.disclosure import concat

    parts = [disclose(_themes_by_role(), counts=["senior_leader", "partner"], basis="qualitative",
                      bases="Participants interviewed"),
             disclose(_themes_by_role(), counts=["senior_leader", "partner"], basis="qualitative")]
    record = concat(parts).attrs["disclosure"]
    assert record["small_groups"] == ["senior_leader"] and record["bases_given"] is False
    with pytest.raises(AnalysisError, match="different rules"):
        concat([parts[0], disclose(_themes_by_role(), counts=["senior_leader", "partner"], basis="qualitative",
                                   bases="Participants interviewed", rules=INTERNAL)])
