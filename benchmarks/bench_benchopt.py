"""The same 6 convergence curves as benchopt: GD and Nesterov's method, d = 50, 3 seeds, on
benchopt's own geometric grid up to k = 27,310 (issue 18, goal 6).

benchopt samples a curve of an iterative solver by calling ``run(stop_val)`` again for every
point of its grid, each time from scratch (its ``"iteration"`` sampling strategy: stop_val =
0, 1, then max(stop_val + 1, int(1.5 stop_val)): 1, 2, 3, 4, 6, 9, ..., 18207, 27310). convlab
records the same points of one run. The instances: ``quadratic(d=50, L=1, mu=1e-3, seed,
xstar=random)`` for seeds 0, 1, 2 (f(x) − f* = ½ (x − x*)ᵀ H (x − x*)), start x0, steps 1/L.

Measured here, in one process (solver time):

- convlab: ``run(problem, "gd" | "agd", checkpoints=grid)``, the 6 curves;
- benchopt's sampling, without benchopt: the same methods as numpy loops restarted from x0 at
  every grid point (what benchopt's ``"iteration"`` strategy calls); the values of both agree
  to rounding (the numpy loops use BLAS products, convlab plain loops below d = 64);
- whole processes: ``python bench_benchopt.py --only convlab`` (import, numba's on-disk cache,
  the 6 curves) against ``--only restarts`` (numpy only).

With ``--benchopt PYTHON`` (the interpreter of a separate environment where ``pip install
benchopt`` was run; benchopt is not a dependency of convlab), the same benchmark is also written
as a benchopt benchmark in a temporary folder and run with ``benchopt run`` (its solver time is
the sum of benchopt's recorded ``time`` column; its whole process is the command). Goals: at
least 10x benchopt in solver time and 3x as whole processes.

Run::

    python benchmarks/bench_benchopt.py [--benchopt /tmp/benchopt-venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

D, L, MU, SEEDS = 50, 1.0, 1e-3, (0, 1, 2)
LAST = 27_310
METHODS = {"gd": "gd", "nesterov": "agd"}  # benchopt solver name -> convlab algorithm


def grid(last: int = LAST) -> np.ndarray:
    """benchopt's grid: 0, 1, then max(k + 1, int(1.5 k)) up to ``last``."""
    ks, k = [0], 1
    while k <= last:
        ks.append(k)
        k = max(k + 1, int(1.5 * k))
    return np.array(ks, dtype=np.int64)


def instances():
    from convlab.problems.registry import build

    return {seed: build("quadratic", {"d": D, "L": L, "mu": MU, "seed": seed,
                                      "xstar": "random"}) for seed in SEEDS}


def convlab_curves(problems) -> tuple[dict, float]:
    from convlab.run import run

    ks = grid()
    start = time.perf_counter()
    curves = {(name, seed): run(pr, alg, checkpoints=ks).measure("f_gap")
              for name, alg in METHODS.items() for seed, pr in problems.items()}
    return curves, time.perf_counter() - start


def _numpy_run(H, xs, x0, h, method, n):
    """n iterations from x0 (what benchopt's ``run(n)`` does), the final x."""
    x = x0.copy()
    if method == "gd":
        for _ in range(n):
            x = x - h * (H @ (x - xs))
        return x
    y, t = x0.copy(), 1.0
    for _ in range(n):
        x_new = y - h * (H @ (y - xs))
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        y = x_new + ((t - 1.0) / t_new) * (x_new - x)
        x, t = x_new, t_new
    return x


def restart_curves(problems) -> tuple[dict, float]:
    ks = grid()
    start = time.perf_counter()
    curves = {}
    for name in METHODS:
        for seed, pr in problems.items():
            H, xs, x0 = pr.A, pr.b, pr.x0
            values = []
            for k in ks:
                e = _numpy_run(H, xs, x0, 1.0 / L, name, int(k)) - xs
                values.append(0.5 * float(e @ H @ e))
            curves[(name, seed)] = np.array(values)
    return curves, time.perf_counter() - start


def agreement(a: dict, b: dict, floor: float = 1e-12) -> float:
    """Largest relative difference between two sets of curves where both are above ``floor``
    (below it, f − f* = ½ eᵀHe is dominated by the rounding of x, about 1e-16 per coordinate,
    in e = x − x*)."""
    worst = 0.0
    for key in a:
        x, y = np.asarray(a[key]), np.asarray(b[key])
        keep = (x > floor) & (y > floor)
        worst = max(worst, float(np.max(np.abs(x[keep] - y[keep]) / np.maximum(x[keep], y[keep]))))
    return worst


def whole_process(only: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--only", only], check=True, capture_output=True)
    return time.perf_counter() - start


# -- benchopt itself (in its own environment) ---------------------------------------------------

OBJECTIVE = '''
import numpy as np
from benchopt import BaseObjective


class Objective(BaseObjective):
    name = "quadratic f(x) - f*"
    sampling_strategy = "iteration"

    def set_data(self, H, xs, x0):
        self.H, self.xs, self.x0 = H, xs, x0

    def evaluate_result(self, x):
        e = x - self.xs
        return dict(value=0.5 * float(e @ self.H @ e))

    def get_one_result(self):
        return dict(x=self.x0)

    def get_objective(self):
        return dict(H=self.H, xs=self.xs, x0=self.x0)
'''

DATASET = '''
import numpy as np
from benchopt import BaseDataset


class Dataset(BaseDataset):
    name = "convlab-quadratic"
    parameters = {"seed": SEEDS}

    def get_data(self):
        data = np.load(f"DATA/seed{self.seed}.npz")
        return dict(H=data["H"], xs=data["xs"], x0=data["x0"])
'''

SOLVER = '''
import numpy as np
from benchopt import BaseSolver
from benchopt.stopping_criterion import SufficientProgressCriterion


class Solver(BaseSolver):
    name = "NAME"
    sampling_strategy = "iteration"
    # never stop for lack of progress: the grid runs to its last point, as in convlab
    stopping_criterion = SufficientProgressCriterion(eps=1e-300, patience=10**6,
                                                     strategy="iteration")

    def set_objective(self, H, xs, x0):
        self.H, self.xs, self.x0 = H, xs, x0

    def run(self, n_iter):
        H, xs, h = self.H, self.xs, 1.0 / LIPSCHITZ
        x = self.x0.copy()
        if "NAME" == "gd":
            for _ in range(n_iter):
                x = x - h * (H @ (x - xs))
        else:
            y, t = self.x0.copy(), 1.0
            for _ in range(n_iter):
                x_new = y - h * (H @ (y - xs))
                t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
                y = x_new + ((t - 1.0) / t_new) * (x_new - x)
                x, t = x_new, t_new
        self.x = x

    def get_result(self):
        return dict(x=self.x)
'''

READ_RESULTS = '''
import json, sys
import pandas as pd
df = pd.read_parquet(sys.argv[1])
value = next(c for c in df.columns if c.startswith("objective") and c.endswith("value"))
solver = next(c for c in ("solver_name", "solver") if c in df.columns)
data = next(c for c in ("data_name", "dataset_name", "dataset") if c in df.columns)
out = {"solver_seconds": float(df["time"].sum()), "curves": {}, "columns": list(df.columns)}
for (s, d), g in df.groupby([solver, data]):
    g = g.sort_values("stop_val")
    out["curves"][f"{s}|{d}"] = [g["stop_val"].tolist(), g[value].tolist()]
print(json.dumps(out))
'''


def run_benchopt(python: str, problems) -> dict:
    """Write the benchmark, run ``benchopt run`` with ``python``, read its results."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench"
        data = Path(tmp) / "data"
        (root / "datasets").mkdir(parents=True)
        (root / "solvers").mkdir()
        data.mkdir()
        for seed, pr in problems.items():
            np.savez(data / f"seed{seed}.npz", H=pr.A, xs=pr.b, x0=pr.x0)
        (root / "objective.py").write_text(textwrap.dedent(OBJECTIVE))
        (root / "datasets" / "simulated.py").write_text(
            DATASET.replace("SEEDS", repr(list(SEEDS))).replace("DATA", str(data)))
        for name in METHODS:
            (root / "solvers" / f"{name}.py").write_text(
                SOLVER.replace("NAME", name).replace("LIPSCHITZ", repr(L)))
        out = Path(tmp) / "out"
        cmd = [python, "-m", "benchopt", "run", str(root), "--max-runs", str(len(grid()) - 1),
               "--n-repetitions", "1", "--no-plot", "--no-display", "--no-timeout",
               "--output", "result", "-j", "1"]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp,
                              env={**os.environ, "BENCHOPT_DEBUG": "0"})
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(proc.stdout[-2000:] + proc.stderr[-2000:])
        found = sorted(root.glob("outputs/*.parquet"))
        read = subprocess.run([python, "-c", READ_RESULTS, str(found[-1])], capture_output=True,
                              text=True)
        if read.returncode != 0:
            raise RuntimeError(read.stderr[-2000:])
        result = json.loads(read.stdout)
        result["process_seconds"] = seconds
        result["command"] = " ".join(["benchopt"] + cmd[3:4] + ["<benchmark>"] + cmd[5:])
        del out
        return result


def main(args) -> None:
    if args.only == "convlab":
        convlab_curves(instances())
        return
    if args.only == "restarts":
        restart_curves(instances())
        return
    problems = instances()
    convlab_curves(problems)  # loads the compiled kernels (numba's cache)
    ks = grid()
    print(f"6 curves: GD and Nesterov on quadratic(d={D}, L={L:g}, mu={MU:g}, seed, "
          f"xstar=random), seeds {SEEDS}; benchopt's grid of {ks.size} points, k = 0..{ks[-1]}")
    t_c = min(convlab_curves(problems)[1] for _ in range(3))
    ours, _ = convlab_curves(problems)
    restarts, t_r = restart_curves(problems)
    print(f"solver time: convlab {t_c * 1e3:.1f} ms, numpy restarted at every point "
          f"(benchopt's sampling) {t_r * 1e3:.1f} ms: {t_r / t_c:.1f}x; values agree to "
          f"{agreement(ours, restarts):.1e}")
    p_c = min(whole_process("convlab") for _ in range(3))
    p_r = min(whole_process("restarts") for _ in range(3))
    print(f"whole process: convlab {p_c:.2f} s, numpy restarts {p_r:.2f} s: {p_r / p_c:.2f}x")
    if args.benchopt:
        result = run_benchopt(args.benchopt, problems)
        theirs = {}
        for key, (stop, values) in result["curves"].items():
            solver, dataset = key.split("|")
            seed = int(dataset.split("seed=")[1].rstrip("]"))
            if list(map(int, stop)) != ks.tolist():
                print(f"  note: benchopt's grid for {key} differs: {stop[:5]}...{stop[-2:]}")
            theirs[(solver, seed)] = np.array(values)
        print(f"benchopt ({result['command']}): solver time {result['solver_seconds']:.2f} s "
              f"({result['solver_seconds'] / t_c:.0f}x convlab's), whole process "
              f"{result['process_seconds']:.1f} s ({result['process_seconds'] / p_c:.1f}x "
              f"convlab's); values agree to {agreement(ours, theirs):.1e}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("convlab", "restarts"), help=argparse.SUPPRESS)
    parser.add_argument("--benchopt", metavar="PYTHON",
                        help="the python of an environment with benchopt installed")
    main(parser.parse_args())
