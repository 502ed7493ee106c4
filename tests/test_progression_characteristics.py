"""Staff progression by any characteristic (issue 14): known answers for the relative likelihood by disability,
an injected disability promotion gap recovered, special-category cells suppressed at their own threshold."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from rmresearch import progression as pg
from rmresearch.characteristics import read_options
from rmresearch.config import DisclosureRules
from rmresearch.errors import AnalysisError

BASE = DisclosureRules()  # HESA: percentages of fewer than 22.5 people suppressed
# options.disclosure.special_category's defaults: the stricter rules a special-category characteristic gets
SPECIAL = DisclosureRules(min_percentage_denominator=30, min_cell_size=7)


def _disability(**extra):
    settings = {"column": "disability_code", "code_list": "disability", **extra}
    return read_options({"disability": settings}, "cohort.yml")["disability"]


def _person_years(counts: dict, *, column: str = "disability_group") -> pd.DataFrame:
    """Person-years (all with a known next census): {group: (person_years, promoted, left)}."""
    pieces = []
    for group, (n, promoted, left) in counts.items():
        pieces.append(pd.DataFrame({column: group, "promoted": [True] * promoted + [False] * (n - promoted),
                                    "leaver": [True] * left + [False] * (n - left)}))
    moves = pd.concat(pieces, ignore_index=True)
    return moves.assign(at_risk=True, year=np.where(np.arange(len(moves)) % 2 == 0, 2023, 2024))


def _row(shown: pd.DataFrame, outcome: str) -> pd.Series:
    return shown.loc[shown["outcome"] == outcome].iloc[0]


def test_relative_likelihood_of_promotion_by_disability_matches_the_hand_calculation():
    # 400 person-years without a known disability, 40 promotions: rate a/n1 = 40/400 = 0.10
    # 200 person-years of disabled staff, 12 promotions:            rate c/n2 = 12/200 = 0.06
    # RL = 0.10 / 0.06 = 1.6667 (no known disability to disabled: above 1, disabled staff promoted less often)
    # Katz: se(log RL) = sqrt(1/a - 1/n1 + 1/c - 1/n2) = sqrt(1/40 - 1/400 + 1/12 - 1/200)
    #                  = sqrt(0.025 - 0.0025 + 0.0833333 - 0.005) = sqrt(0.1008333) = 0.3175426
    # 95%: exp(log 1.6667 -/+ 1.959964 * 0.3175426) = exp(0.5108256 -/+ 0.6223722) = exp(-0.1115466), exp(1.1331978)
    #    = 0.8944, 3.1056
    ch = _disability()
    moves = _person_years({"No known disability": (400, 40, 20), "Disabled": (200, 12, 10), "Unknown": (50, 5, 5)})
    raw = pg.relative_likelihood(moves, group="disability_group", numerator="promoted", denominator=None,
                                 reference=ch.reference).iloc[0]
    assert raw["relative_likelihood"] == pytest.approx(1.6667, abs=1e-4)
    assert (raw["ci_low"], raw["ci_high"]) == pytest.approx((0.8944, 3.1056), abs=1e-4)
    assert raw["method"] == "Katz"

    got = pg.promotion_and_leaving(moves, ch, rules=SPECIAL)
    table = got.table
    assert list(table.columns[:2]) == ["outcome", "Disability"]
    promotion = _row(table, "promotion")
    assert promotion["Disability"] == "Disabled"  # Unknown is left out of the comparison, as in WRES
    assert len(table) == 2
    assert promotion["relative likelihood (No known disability to group)"] == "1.67"
    assert (promotion["ci_low"], promotion["ci_high"]) == ("0.89", "3.11")
    # counts rounded to 5 as people: 12 promotions shown as 10, the person-years exact multiples of 5
    assert promotion["with the event"] == 10 and promotion["person-years"] == 200
    assert promotion["with the event (No known disability)"] == 40
    # leaving: 20/400 = 0.05 and 10/200 = 0.05, RL 1.00, interval includes 1, so a sentence says what was detectable
    leaving = _row(table, "leaving")
    assert leaving["relative likelihood (No known disability to group)"] == "1.00"
    assert len(got.lines) == 2 and got.lines[0].startswith("- Promotion, Disabled (about 200 person-years, against "
                                                           "about 400 No known disability): the interval 0.89 to 3.11")
    assert got.lines[1].startswith("- Leaving, Disabled (about 200 person-years")
    assert got.caption == ("Relative likelihood of promotion and of leaving by disability, No known disability to "
                           "each group (per person-year)")


def test_group_cells_and_captions_use_the_characteristics_labels():
    ch = _disability(labels={"Disabled": "disabled", "No known disability": "no known disability"})
    moves = _person_years({"No known disability": (400, 40, 20), "Disabled": (200, 12, 10)})
    got = pg.promotion_and_leaving(moves, ch, rules=SPECIAL)
    assert set(got.table["Disability"]) == {"disabled"}
    assert "relative likelihood (no known disability to group)" in got.table.columns
    assert "no known disability to each group" in got.caption


def test_special_category_cells_are_suppressed_at_their_own_threshold():
    # 25 disabled person-years: a percentage is shown under the base rule (22.5) but not under the special-category
    # rule (30); the ratio rests on that rate, so it goes with it
    ch = _disability()
    own = BASE.for_characteristic(ch)  # what the notebook passes: cfg.disclosure.for_characteristic(ch)
    assert (own.min_percentage_denominator, own.min_cell_size) == (30, 7) and own == SPECIAL
    moves = _person_years({"No known disability": (400, 40, 20), "Disabled": (25, 5, 5)})
    column = "relative likelihood (No known disability to group)"
    base = _row(pg.promotion_and_leaving(moves, ch, rules=BASE).table, "promotion")
    strict = _row(pg.promotion_and_leaving(moves, ch, rules=own).table, "promotion")
    assert base["rate"] == "20.0%" and base[column] == "0.50"
    assert strict["rate"] == ".." and strict[column] == ".." and strict["ci_low"] == ".."
    assert strict["rate (No known disability)"] == "10.0%"  # the reference group's 400 person-years are enough


def test_senior_representation_by_disability_suppresses_small_shares_under_special_category_rules():
    ch = _disability()
    grades = ["7"] * 120 + ["Director"] * 40 + ["7"] * 20 + ["Director"] * 5 + ["7"] * 10
    groups = ["No known disability"] * 160 + ["Disabled"] * 25 + ["Unknown"] * 10
    staff = pd.DataFrame({"staff_id": [f"s{i}" for i in range(len(grades))], "year": 2024, "grade": grades,
                          "disability_group": groups})
    snapshots = pg.prepare_snapshots(staff, grade_scale=["7", "8", "Director"], group=None)
    base = pg.senior_representation(snapshots, ch, rules=BASE).table.set_index("Disability")
    strict = pg.senior_representation(snapshots, ch, rules=SPECIAL)
    shown = strict.table.set_index("Disability")
    assert list(shown.index) == ["No known disability", "Disabled", "Unknown"]  # Unknown counted, last
    # 45 senior staff: 40 / 45 = 88.9% without a known disability, 5 / 45 = 11.1% disabled (a share of 45 people)
    assert shown.loc["Disabled", "share of senior staff"] == "11.1%"
    assert shown.loc["No known disability", "staff"] == 160 and shown.loc["Disabled", "staff"] == 25
    # all staff: 195; the share of all staff rests on 195 people, shown; Disabled's 25 is over 22.5 and under 30
    assert shown.loc["Disabled", "share of all staff"] == "12.8%"
    assert base.loc["Disabled", "share of senior staff"] == "11.1%"
    assert strict.caption == "Disability: share of senior staff (Director and above) and of all staff, 2024"
    assert pg.senior_representation(snapshots, ch, rules=SPECIAL, base_rules=BASE).lines == [
        "Unknown counts staff whose disability is not known, who preferred not to say, or whose record is blank: "
        "they are shown, not left out.",
        "Disability is special-category data, so a percentage resting on fewer than 30 staff is not shown (fewer "
        "than 23 for other tables)."]
    assert pg.senior_representation(snapshots, ch, rules=BASE, base_rules=BASE).lines[1:] == []


def test_senior_representation_special_category_threshold_on_the_denominator():
    # 26 senior staff: their shares are shown under the base rule (22.5) and suppressed under 30
    ch = _disability()
    grades = ["7"] * 100 + ["Director"] * 20 + ["7"] * 30 + ["Director"] * 6
    groups = ["No known disability"] * 120 + ["Disabled"] * 36
    staff = pd.DataFrame({"staff_id": [f"s{i}" for i in range(len(grades))], "year": 2024, "grade": grades,
                          "disability_group": groups})
    snapshots = pg.prepare_snapshots(staff, grade_scale=["7", "Director"], group=None)
    base = pg.senior_representation(snapshots, ch, rules=BASE).table.set_index("Disability")
    strict = pg.senior_representation(snapshots, ch, rules=SPECIAL).table.set_index("Disability")
    assert base.loc["Disabled", "share of senior staff"] == "23.1%"  # 6 / 26
    assert strict.loc["Disabled", "share of senior staff"] == ".."
    assert strict.loc["No known disability", "share of senior staff"] == ".."
    assert strict.loc["Disabled", "share of all staff"] == "23.1%"  # 36 / 156: enough people


def _simulated_staff(rng, *, n_people: int, share_disabled: float, promotion: dict, leaving: float,
                     years=range(2018, 2024)) -> pd.DataFrame:
    """Yearly snapshots with known promotion probabilities per person-year by disability group."""
    years = list(years)
    rows = []
    for i in range(n_people):
        group = "Disabled" if rng.random() < share_disabled else "No known disability"
        grade = int(rng.integers(0, 3))
        for year in years:
            left = bool(rng.random() < leaving) and year < years[-1]
            promoted = not left and year < years[-1] and bool(rng.random() < promotion[group])
            rows.append((f"s{i:05d}", year, str(grade + 1), group, left, promoted))
            if left:
                break
            grade += promoted
    return pd.DataFrame(rows, columns=["staff_id", "year", "grade", "disability_group", "left", "truly_promoted"])


def test_an_injected_disability_promotion_gap_is_recovered_through_the_whole_pipeline():
    # truth: promotion 12% per person-year without a known disability, 7.5% for disabled staff: RL 1.6 exactly;
    # leaving 8% for both: RL 1. The grade scale is long enough that no one reaches its top in six years.
    truth = 0.12 / 0.075
    staff = _simulated_staff(np.random.default_rng(14), n_people=2500, share_disabled=0.2,
                             promotion={"No known disability": 0.12, "Disabled": 0.075}, leaving=0.08)
    snapshots = pg.prepare_snapshots(staff, grade_scale=[str(g) for g in range(1, 12)], group=None)
    moves = pg.transitions(snapshots)
    shown = pg.promotion_and_leaving(moves, _disability(), rules=SPECIAL).table
    column = "relative likelihood (No known disability to group)"
    promotion, leaving = _row(shown, "promotion"), _row(shown, "leaving")
    assert float(promotion["ci_low"]) < truth < float(promotion["ci_high"])
    assert float(promotion["ci_low"]) > 1  # the gap is detected, not only covered
    # the point estimate is the ratio the simulation realised (its own record of who was promoted)
    seen = staff.loc[staff["year"] < staff["year"].max()].groupby("disability_group")["truly_promoted"].mean()
    assert promotion[column] == f"{seen['No known disability'] / seen['Disabled']:.2f}"
    assert float(leaving["ci_low"]) < 1 < float(leaving["ci_high"])


def test_sections_by_a_characteristic_the_staff_records_lack_raise_an_analysis_error():
    ch = _disability()
    moves = _person_years({"White": (400, 40, 20)}, column="ethnicity_group")
    with pytest.raises(AnalysisError, match="carry no disability groups"):
        pg.promotion_and_leaving(moves, ch, rules=SPECIAL)
    unknown = _person_years({"Unknown": (40, 4, 2)})
    with pytest.raises(AnalysisError, match="No staff member's disability is known"):
        pg.promotion_and_leaving(unknown, ch, rules=SPECIAL)
    no_reference = _person_years({"Disabled": (40, 4, 2)})
    with pytest.raises(AnalysisError, match="reference group for disability"):
        pg.promotion_and_leaving(no_reference, ch, rules=SPECIAL)


def test_an_unavailable_table_turns_each_section_into_a_note():
    from rmresearch import sections

    missing = pg.Unavailable("The cohort file c.yml names no staff input")
    shown = []
    with sections.unit("Promotion by disability", needs="staff records", display=shown.append) as u:
        pg.promotion_and_leaving(missing, _disability(), rules=SPECIAL)
    with sections.unit("Staff by grade", needs="staff records", display=shown.append) as v:
        pg.grade_table(missing)
    assert u.note.reason == v.note.reason == "The cohort file c.yml names no staff input."
    assert not math.isnan(len(shown)) and len(shown) == 2


def test_recruitment_counts_by_disability_group_read_with_that_column_in_the_key(tmp_path):
    from rmresearch.errors import ValidationError
    from rmresearch.io.tables import read_table

    path = tmp_path / "recruitment.csv"
    path.write_text("year,post_grade,disability_group,applied,shortlisted,appointed\n"
                    "2024,7,No known disability,200,50,10\n2024,7,Disabled,40,8,1\n", encoding="utf-8")
    frame, problems = read_table(path, "recruitment")
    assert problems == []
    assert frame["disability_group"].tolist() == ["No known disability", "Disabled"]
    funnel = pg.recruitment_funnel(frame, group="disability_group").set_index("disability_group")
    assert funnel.loc["Disabled", "shortlisting_rate"] == pytest.approx(8 / 40)
    path.write_text("year,post_grade,disability_group,applied,shortlisted,appointed\n"
                    "2024,7,Disabled,200,50,10\n2024,7,Disabled,40,8,1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"duplicate year \+ post_grade \+ disability_group '2024 / 7 / Disabled'"):
        read_table(path, "recruitment")
    path.write_text("year,post_grade,applied,shortlisted,appointed\n2024,7,200,50,10\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no group column"):
        read_table(path, "recruitment")


# --- notebook 04 on pilot variants: a cohort without staff records; a cohort studying only disability and sex ------

_PILOT_OPTIONS = """  reference_group: White
  ethnicity_grouping: ofs_group
  aggregate_group: BAME
"""
_DISABILITY_AND_SEX = """  characteristics:
    disability:
      column: disability
      groups: {'True': Disabled, 'False': No known disability}
      reference: No known disability
      aggregate: Disabled
      special_category: true
      tables: [staff]
    sex:
      column: sex
      code_list: sex
      reference: Male
      tables: [participants, staff]
  intersections: [[disability, sex]]
"""


def _pilot(tmp_path):
    from rmresearch.synthetic import generate_pilot

    root = tmp_path / "pilot"
    generate_pilot(root, seed=2024)
    return root


def _without_staff(root):
    cohort = root / "cohorts" / "pilot.yml"
    text = cohort.read_text(encoding="utf-8")
    assert "\n  staff: data/pilot/staff.csv" in text
    cohort.write_text(text.replace("\n  staff: data/pilot/staff.csv", ""), encoding="utf-8")


def _disability_and_sex_only(root):
    """The pilot studied by disability and sex alone: staff get a disability column and lose ethnicity, the
    recruitment counts are by disability group, and the cohort file names no ethnicity."""
    import io

    path = root / "data" / "pilot" / "staff.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    head, body = lines[:3], [line for line in lines[3:] if not line.startswith("Total,")]
    staff = pd.read_csv(io.StringIO("\n".join(body)), dtype=str).drop(columns=["Ethnicity code"])
    people = sorted(staff["Staff ID"].unique())
    disabled = {sid: i % 6 == 0 for i, sid in enumerate(people)}  # one in six
    staff["Disability"] = staff["Staff ID"].map(disabled).map({True: "True", False: "False"})
    path.write_text("\n".join(head) + "\n" + staff.to_csv(index=False), encoding="utf-8")
    rec_path = root / "data" / "pilot" / "recruitment.csv"
    rec = pd.read_csv(rec_path)
    rec["disability_group"] = np.where(rec["ethnicity_group"] == "White", "No known disability", "Disabled")
    rec = rec.groupby(["year", "post_grade", "disability_group"], as_index=False)[["applied", "shortlisted",
                                                                                 "appointed"]].sum()
    rec.to_csv(rec_path, index=False)
    cohort = root / "cohorts" / "pilot.yml"
    text = cohort.read_text(encoding="utf-8")
    assert _PILOT_OPTIONS in text
    cohort.write_text(text.replace(_PILOT_OPTIONS, _DISABILITY_AND_SEX), encoding="utf-8")


def test_staff_records_of_a_cohort_without_staff_are_unavailable_with_the_reason(tmp_path):
    from rmresearch.config import load_cohort

    root = _pilot(tmp_path)
    _without_staff(root)
    records = pg.load_staff_records(load_cohort(root / "cohorts" / "pilot.yml"))
    assert isinstance(records.snapshots, pg.Unavailable) and isinstance(records.all_moves, pg.Unavailable)
    assert records.years == [] and records.latest is None
    assert records.summary == ("The cohort file pilot.yml names no staff input (inputs: staff:), so there are no staff "
                               "records to analyse.")
    with pytest.raises(AnalysisError, match="names no staff input"):
        pg.each_characteristic(records)


def _run_04(root, tmp_path):
    import nbformat
    import papermill

    from pathlib import Path

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "04_progression.ipynb"
    out = tmp_path / "04_out.ipynb"
    papermill.execute_notebook(str(notebook), str(out), parameters={"cohort_config": str(root / "cohorts" / "pilot.yml")},
                               cwd=str(root), progress_bar=False, kernel_name="python3")
    executed = nbformat.read(out, as_version=4)
    return [o for cell in executed.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def _meta(outputs, key):
    return [o["metadata"]["rmresearch"][key] for o in outputs if key in o.get("metadata", {}).get("rmresearch", {})]


@pytest.mark.slow
def test_notebook_04_on_a_cohort_without_staff_records_shows_notes_and_does_not_fail(tmp_path):
    root = _pilot(tmp_path)
    _without_staff(root)
    outputs = _run_04(root, tmp_path)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    notes = _meta(outputs, "note")
    # the recruitment counts do not need staff records: only they are shown
    assert _meta(outputs, "name") == ["recruitment funnel by group", "recruitment relative likelihood",
                                      "appointment relative likelihood by group"]
    titles = [n["title"] for n in notes]
    assert {"Staff by grade and ethnicity group", "The pipeline", "Relative likelihood of promotion and leaving",
            "Cox model of promotion", "By every characteristic"} <= set(titles)
    staff_notes = [n for n in notes if not n["title"].startswith(("Recruitment", "Appointment"))]
    assert all("names no staff input" in n["reason"] for n in staff_notes), staff_notes


@pytest.mark.slow
def test_notebook_04_follows_a_cohort_that_studies_only_disability_and_sex(tmp_path):
    import json

    root = _pilot(tmp_path)
    _disability_and_sex_only(root)
    outputs = _run_04(root, tmp_path)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert not [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    names = _meta(outputs, "name")
    for wanted in ("staff by grade and group, latest year", "recruitment funnel by group",
                   "promotion and leaving relative likelihood", "senior grades by disability",
                   "promotion and leaving by disability", "promotion and leaving by sex",
                   "promotion and leaving by disability_by_sex"):
        assert wanted in names, (wanted, names)
    text = json.dumps(outputs)
    assert "BAME" not in text and "White" not in text and "ethnicity" not in text.lower()
    assert "Relative likelihood of promotion and of leaving, No known disability staff to Disabled staff" in text
    assert "Recruitment funnel by disability group" in text


def test_the_stemm_demos_injected_disability_promotion_gap_is_recovered_by_every_characteristic(tmp_path):
    import json

    from rmresearch.config import load_cohort
    from rmresearch.synthetic.stemm import generate_stemm

    generate_stemm(tmp_path, n_students=300)  # 1200 staff a census, 2019-2024; promotion 1.6 times less likely if disabled
    truth = json.loads((tmp_path / "data" / "stemm" / "ground_truth" / "effects.json").read_text(encoding="utf-8"))
    truth = truth["stemm"]["staff"]["relative_likelihood_of_promotion"]
    cfg = load_cohort(tmp_path / "cohorts" / "stemm.yml")
    ch = cfg.characteristics["disability"]
    records = pg.load_staff_records(cfg)
    assert ch in records.characteristics
    got = pg.promotion_and_leaving(records.all_moves, ch, rules=cfg.disclosure.for_characteristic(ch))
    row = _row(got.table, "promotion")
    assert row["Disability"] == truth["group"] and truth["reference"] in got.caption
    assert row["relative likelihood (No known disability to group)"] == f"{truth['realised']:.2f}"  # the draw's ratio
    # the truth given the grade mix lies in the interval (the injected 1.6 is per grade; grades 10 and up differ)
    assert float(row["ci_low"]) < truth["expected_given_grade_mix"] < float(row["ci_high"])


def test_an_intersection_is_compared_with_both_references_under_its_own_threshold():
    from rmresearch.characteristics import intersect

    chars = read_options({"disability": {"column": "disability_code", "code_list": "disability"},
                          "sex": {"column": "sex", "code_list": "sex", "reference": "Male"}}, "cohort.yml")
    both = intersect(chars["disability"], chars["sex"])
    strict = DisclosureRules().for_characteristic(both)
    assert strict.min_percentage_denominator == 45  # options.disclosure.intersection's default
    moves = _person_years({"No known disability, Male": (400, 40, 20), "Disabled, Female or other": (40, 2, 4),
                           "Disabled, Male": (100, 6, 10), "Unknown": (30, 3, 3)}, column=both.group_column)
    got = pg.promotion_and_leaving(moves, both, rules=strict, base_rules=BASE)
    table = got.table.set_index(["outcome", "Disability and sex"])
    column = "relative likelihood (No known disability, Male to group)"
    # 40 person-years: under 45, so the rate and the ratio resting on it are suppressed; 100 are enough:
    # (40/400) / (6/100) = 1.67
    assert table.loc[("promotion", "Disabled, Female or other"), column] == ".."
    assert table.loc[("promotion", "Disabled, Male"), column] == "1.67"
    assert got.lines[-1] == ("Disability and sex is an intersection of two characteristics, so a percentage resting on "
                             "fewer than 45 person-years is not shown (fewer than 23 for other tables).")


def test_recruitment_groups_are_the_characteristics_own_and_validate_names_a_value_that_is_none(tmp_path):
    from rmresearch.config import load_cohort
    from rmresearch.errors import ValidationError
    from rmresearch.inputs import validate_cohort

    root = _pilot(tmp_path)
    _disability_and_sex_only(root)
    path = root / "data" / "pilot" / "recruitment.csv"
    rec = pd.read_csv(path)
    rec["disability_group"] = rec["disability_group"].str.lower()  # any case is the characteristic's group
    rec.to_csv(path, index=False)
    cfg = load_cohort(root / "cohorts" / "pilot.yml")
    loaded = pg.load_recruitment(cfg)
    assert pg.recruitment_characteristic(cfg, loaded).name == "disability"
    assert set(loaded["disability_group"]) == {"Disabled", "No known disability"}
    assert set(loaded["aggregate_group"]) == {"Disabled", "No known disability"}
    rec.loc[rec.index[1], "disability_group"] = "Impaired"
    rec.to_csv(path, index=False)
    with pytest.raises(ValidationError, match="'Impaired' is not a disability group"):
        pg.load_recruitment(cfg)
    _, problems = validate_cohort(cfg)
    (problem,) = [p for p in problems if "Impaired" in p.message]
    assert problem.severity == "error" and problem.row == 3 and problem.column == "disability_group"


def test_staff_records_without_the_focus_leave_the_focus_sections_to_notes_and_the_others_running(tmp_path):
    from rmresearch.config import load_cohort

    root = _pilot(tmp_path)
    _disability_and_sex_only(root)
    cohort = root / "cohorts" / "pilot.yml"
    text = cohort.read_text(encoding="utf-8").replace("      tables: [participants, staff]\n", "      tables: [participants]\n")
    cohort.write_text(text.replace("  intersections: [[disability, sex]]\n", "  focus: sex\n"), encoding="utf-8")
    cfg = load_cohort(cohort)
    assert cfg.focus.name == "sex"
    records = pg.load_staff_records(cfg)
    assert isinstance(records.snapshots, pg.Unavailable) and "carry no sex (the cohort's focus)" in records.snapshots.reason
    assert "They carry no sex, the cohort's focus" in records.summary
    assert [ch.name for ch in pg.each_characteristic(records)] == ["disability"]
    with pytest.raises(AnalysisError, match="options.characteristics.sex.tables"):
        pg.grade_table(records.snapshots)
    shown = pg.promotion_and_leaving(records.all_moves, cfg.characteristics["disability"], rules=SPECIAL)
    assert set(shown.table["Disability"]) == {"Disabled"}
