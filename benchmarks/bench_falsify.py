"""Falsification over a function class against the exact worst case (PEPit), same process.

For gradient descent (step 1/L), Nesterov's method (``agd``), OGM and heavy ball (α = 1/L,
β = 1/4) on L-smooth convex functions (L = R = 1), at each horizon N = 1..10:

1. PEPit computes the exact worst case τ_N of f(x_N) − f* (:func:`convlab.pep.worst_case`,
   PEPit's default solver; CPU time of building and solving the SDP);
2. ``convlab.falsify`` searches the class ``smooth-convex`` (piecewise-quadratic functions
   with curvature in [0, L], no worst-case family named) for the worst ratio e_N / B(N) of a
   claim whose bound is B(N) = τ_N L R²: the *reached fraction* of the exact worst case
   (goal >= 0.99), in CPU time against PEPit's (goal <= 3x);
3. the same search on the bound 0.99 τ_N L R² must falsify it.

For GD the exact worst case is also known in closed form, L R²/(4N + 2) (Drori & Teboulle
2014, Thm 3.1); the table prints PEPit's value's ratio to it.

Run (needs the ``pep`` extra: ``pip install -e ".[pep,test]"``)::

    python benchmarks/bench_falsify.py                 # N = 1..10, pieces = 3
    python benchmarks/bench_falsify.py --pieces 8 --horizons 1 5 10
"""

from __future__ import annotations

import argparse
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

METHODS = {  # name in the table: (algorithm, parameters)
    "gd": ("gd", {"step": "1/L"}),
    "agd": ("agd", {"step": "1/L"}),
    "ogm": ("ogm", {"step": "1/L"}),
    "heavy-ball": ("heavy-ball", {"alpha": "1/L", "beta": "1/4"}),
}

CLAIM = """
[[claim]]
id = "{id}"
source = "benchmark: PEPit's exact worst case of {algorithm} at N = {N}"
algorithm = "{algorithm}"
params = {params}
instances = [{{ name = "q", family = "quadratic", d = 1, L = 1.0, R = 1.0 }}]
measure = "f_gap"
bound = "{factor!r}*L*R**2"
kind = "upper"
mode = "horizon"
horizons = [{N}]
expected = "consistent"
search = {{ class = "smooth-convex", pieces = {pieces}, d = 1 }}
"""


def _claim(folder: Path, algorithm: str, params: dict, N: int, factor: float, pieces: int):
    from convlab.claims import load_file

    table = "{ " + ", ".join(f'{k} = "{v}"' for k, v in params.items()) + " }"
    path = folder / f"{algorithm}-{N}-{factor!r}.toml"
    path.write_text(textwrap.dedent(CLAIM.format(id=f"{algorithm}-N{N}", algorithm=algorithm,
                                                 params=table, N=N, factor=factor,
                                                 pieces=pieces)))
    (claim,), errors = load_file(path, instances={})
    assert not errors, errors
    return claim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=3)
    parser.add_argument("--horizons", type=int, nargs="+", default=list(range(1, 11)))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    from convlab.falsify import falsify
    from convlab.pep import unavailable, worst_case

    if unavailable():
        raise SystemExit(unavailable())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # warm up: imports, numba cache loads, the SDP stack
        warm = _claim(folder, "gd", {"step": "1/L"}, 2, 0.1, args.pieces)
        falsify(warm, seed=args.seed)
        worst_case("gd", 2)
        print(f"class smooth-convex, pieces = {args.pieces}, d = 1; L = R = 1; CPU seconds; "
              f"search: 20 hypothesis instances, 256 random members, climbs from 3")
        print(f"{'method':<11} {'N':>3} {'PEPit worst':>12} {'PEPit s':>8} {'reached':>9} "
              f"{'search s':>9} {'time/PEPit':>10} {'1% below':>10} {'time/PEPit':>10}")
        summary = []
        for name in args.methods:
            algorithm, params = METHODS[name]
            t_pep = t_reach = t_fals = 0.0
            lowest, falsified_all = 1.0, True
            for N in args.horizons:
                wc = worst_case(algorithm, N, params=params)
                tau, pep_s = wc.value, wc.seconds
                claim = _claim(folder, algorithm, params, N, tau, args.pieces)
                start = time.process_time()
                reached = falsify(claim, seed=args.seed)
                reach_s = time.process_time() - start
                below = _claim(folder, algorithm, params, N, 0.99 * tau, args.pieces)
                start = time.process_time()
                result = falsify(below, seed=args.seed)
                fals_s = time.process_time() - start
                note = ""
                if algorithm == "gd":
                    note = f"  (PEPit / (1/(4N+2)) = {tau * (4 * N + 2):.7f})"
                print(f"{name:<11} {N:>3} {tau:>12.8f} {pep_s:>8.3f} {reached.ratio:>9.5f} "
                      f"{reach_s:>9.3f} {reach_s / pep_s:>10.2f} "
                      f"{'falsified' if result.falsified else 'MISSED':>10} "
                      f"{fals_s / pep_s:>10.2f}{note}", flush=True)
                t_pep += pep_s
                t_reach += reach_s
                t_fals += fals_s
                lowest = min(lowest, reached.ratio)
                falsified_all &= result.falsified
            summary.append((name, lowest, t_pep, t_reach, t_fals, falsified_all))
        print()
        print(f"{'method':<11} {'lowest reached':>14} {'PEPit s':>8} {'search s':>9} "
              f"{'ratio':>6} {'1% below: all falsified':>24} {'ratio':>6}")
        for name, lowest, t_pep, t_reach, t_fals, ok in summary:
            print(f"{name:<11} {lowest:>14.5f} {t_pep:>8.2f} {t_reach:>9.2f} "
                  f"{t_reach / t_pep:>6.2f} {str(ok):>24} {t_fals / t_pep:>6.2f}")


if __name__ == "__main__":
    main()
