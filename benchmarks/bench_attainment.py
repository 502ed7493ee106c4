"""Benchmark: sector-scale awarding gap and adjusted gap.

Generates a synthetic student table (3,000,000 rows by default, the scale of a
sector-wide analysis) with the column types ``load_table(config, "students")``
produces, then times

1. ``awarding_gap(students, by="qualification_year")`` and
2. ``adjusted_gap(students, covariates=tariff, age, sex, disability, IMD quintile, faculty)``,

and prints the seconds each took and the peak resident memory of the whole
process. Target (issue 5): at most 30 s together and 6 GB peak on a 2-core machine.

Run:  .venv/bin/python benchmarks/bench_attainment.py [--rows 3000000] [--seed 1]
      .venv/bin/python benchmarks/bench_attainment.py --rows 200000 --formula
      (``--formula`` also times the plain statsmodels formula logit + get_margeff, for scale)
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import pandas as pd


def peak_rss_gb() -> float:
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def synthetic_students(n: int, seed: int = 1) -> tuple[pd.DataFrame, dict]:
    """n students with an injected Black-White gap; returns the table and the truth."""
    rng = np.random.default_rng(seed)
    groups = np.array(["White", "Asian", "Black", "Mixed", "Other", "Unknown"], dtype=object)
    g = rng.choice(len(groups), size=n, p=[0.70, 0.12, 0.08, 0.05, 0.03, 0.02])
    faculties = np.array(["Arts", "Business", "Health", "Law", "Science", "Engineering"], dtype=object)
    fac = rng.integers(0, len(faculties), n)
    sexes = np.array(["Female", "Male"], dtype=object)
    sex = rng.integers(0, 2, n)
    tariff = np.clip(rng.normal(120 - 12 * (g == 2) - 6 * (g == 1), 25, n), 0, 250).round()
    no_tariff = rng.random(n) < 0.08
    age = np.clip(18 + rng.gamma(1.2, 2.0, n), 17, 70).round()
    disability = rng.random(n) < 0.15
    imd = rng.integers(1, 6, n)
    year = rng.integers(2017, 2024, n)
    group_effect = np.array([0.0, -0.35, -0.65, -0.15, -0.3, 0.0])[g]
    eta = (-2.1 + 0.025 * np.where(no_tariff, 110, tariff) - 0.02 * (age - 18) + 0.25 * (sex == 0)
           - 0.15 * disability + 0.08 * (imd - 3) + 0.1 * (fac == 4) + group_effect)
    good = rng.random(n) < 1 / (1 + np.exp(-eta))
    cls = np.where(good, np.where(rng.random(n) < 0.35, "First", "2:1"), np.where(rng.random(n) < 0.8, "2:2", "Third"))
    cls = np.array(["First", "2:1", "2:2", "Third", "Pass"], dtype=object)[
        np.select([cls == "First", cls == "2:1", cls == "2:2"], [0, 1, 2], 3)]
    cls[rng.random(n) < 0.02] = "Pass"
    students = pd.DataFrame({
        "student_id": pd.RangeIndex(n).astype(str) if n <= 200_000 else np.arange(n),
        "ethnicity_group": groups[g],
        "sex": sexes[sex],
        "age_on_entry": age.astype(float),
        "disability": pd.array(disability, dtype="boolean"),
        "imd_quintile": pd.array(imd, dtype="Int64"),
        "tariff": np.where(no_tariff, np.nan, tariff),
        "faculty": faculties[fac],
        "entry_year": pd.array(year - 3, dtype="Int64"),
        "qualification_year": pd.array(year, dtype="Int64"),
        "degree_class": cls,
        "mentored": pd.array(rng.random(n) < 0.01, dtype="boolean"),
    })
    return students, {"black_logit_effect": -0.65}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formula", action="store_true", help="also time statsmodels' formula logit + get_margeff")
    args = parser.parse_args(argv)

    from rmresearch.attainment import adjusted_gap, awarding_gap

    t0 = time.perf_counter()
    students, _ = synthetic_students(args.rows, args.seed)
    t_gen = time.perf_counter() - t0
    print(f"rows: {len(students):,}; generated in {t_gen:.1f} s; peak RSS so far {peak_rss_gb():.2f} GB", flush=True)

    covariates = ["tariff", "age_on_entry", "sex", "disability", "imd_quintile", "faculty"]
    t1 = time.perf_counter()
    gap = awarding_gap(students, by="qualification_year")
    t_gap = time.perf_counter() - t1
    print(f"awarding_gap by year: {t_gap:.2f} s ({len(gap)} rows)", flush=True)

    t2 = time.perf_counter()
    adjusted = adjusted_gap(students, covariates=covariates)
    t_adj = time.perf_counter() - t2
    print(f"adjusted_gap (logit on {adjusted.attrs['model']['n']:,} students, {len(adjusted.attrs['model']['coefficients'])} "
          f"terms, AMEs + delta-method SEs): {t_adj:.2f} s", flush=True)
    print(adjusted[["ethnicity_group", "n", "raw_gap_pp", "adjusted_gap_pp", "ci_low", "ci_high"]].round(2).to_string(index=False))
    total = t_gap + t_adj
    peak = peak_rss_gb()
    print(f"\nTOTAL analysis time: {total:.2f} s (target <= 30 s); peak RSS of the process: {peak:.2f} GB (target <= 6 GB)")

    if args.formula:
        import statsmodels.formula.api as smf

        from rmresearch.attainment import good_honours

        data = students.assign(good=good_honours(students)).dropna(subset=["good"] + covariates)
        data = data.loc[data["ethnicity_group"] != "Unknown"].copy()
        data["good"] = data["good"].astype(float)
        data["disability"] = data["disability"].astype(bool)
        data["imd_quintile"] = data["imd_quintile"].astype(int)
        t3 = time.perf_counter()
        fit = smf.logit("good ~ C(ethnicity_group, Treatment('White')) + tariff + age_on_entry + sex + disability"
                        " + C(imd_quintile) + faculty", data=data).fit(disp=False)
        fit.get_margeff(at="overall", dummy=True)
        print(f"formula logit + get_margeff on {len(data):,} rows: {time.perf_counter() - t3:.2f} s; "
              f"peak RSS {peak_rss_gb():.2f} GB")
    return 0 if total <= 30 and peak <= 6 else 1


if __name__ == "__main__":
    sys.exit(main())
