"""convlab.plot: a run or one's own arrays with the bound on a dense grid, the checked window,
the floor and the violating points; assert_rate(figure=...) draws the same."""

from __future__ import annotations

import numpy as np
import pytest

import convlab
from convlab.plotting import GRID_POINTS, violations
from convlab.rates.checker import check_rate

K = np.arange(1, 1001, dtype=float)


def _lines(fig):
    (ax,) = fig.axes
    return {line.get_label(): line for line in ax.get_lines()}


def test_a_trace_is_drawn_with_its_bound_on_a_dense_grid(tmp_path):
    problem = convlab.quadratic(d=20, L=1.0, mu=0.0, spectrum="linspace", seed=1)
    trace = convlab.run(problem, "agd", iterations=300)
    fig = convlab.plot(trace, "2*L*R**2/(k+1)**2", path=tmp_path / "agd.png")
    assert (tmp_path / "agd.png").stat().st_size > 0
    lines = _lines(fig)
    bound = lines["bound 2*L*R**2/(k+1)**2"]
    x, y = bound.get_data()
    assert len(x) == GRID_POINTS and x[0] == 1 and x[-1] == 300
    L, R = problem.L, problem.R
    assert np.allclose(y, 2 * L * R**2 / (x + 1) ** 2, rtol=1e-12)
    observed = lines["agd"].get_data()
    assert len(observed[0]) == np.count_nonzero(trace.k > 0)
    assert not any(label.startswith("violations") for label in lines)


def test_violating_points_are_marked_and_counted():
    errors = np.where(K < 100, 1 / K, 3 / K)  # above 2/k from k = 100 on
    fig = convlab.plot(errors, "2/k", k=K)
    lines = _lines(fig)
    (label,) = [name for name in lines if name.startswith("violations")]
    assert label == "violations (901 points)"
    x, y = lines[label].get_data()
    assert x.min() >= 100 and np.all(y > 2 / x)


def test_violations_respect_the_window_and_the_floor():
    errors = 2 / K
    check = check_rate(K, errors, "1/k", window=(10, 100))
    bad = violations(K, errors, "1/k", check, {})
    assert bad.sum() == 91 and K[bad].min() == 10 and K[bad].max() == 100
    floored = check_rate(K, np.maximum(errors, 1e-2), "1/k", floor=1e-2)
    bad = violations(K, np.maximum(errors, 1e-2), "1/k", floored, {})
    assert np.all(np.maximum(errors, 1e-2)[bad] > 1e-2)


def test_an_order_bound_is_scaled_to_touch_the_data():
    fig = convlab.plot(5 / K, "O(1/k)", k=K, kind="order")
    x, y = _lines(fig)["O(1/k) (scaled)"].get_data()
    assert np.allclose(y, 5 / x, rtol=1e-9)


def test_a_failed_assert_rate_figure_draws_the_bound_and_the_violations(tmp_path,
                                                                         monkeypatch):
    import convlab.plotting as plotting

    drawn = {}
    original = plotting.draw_check

    def spy(ax, *args, **kwargs):
        original(ax, *args, **kwargs)
        drawn.update({line.get_label(): line for line in ax.get_lines()})

    monkeypatch.setattr(plotting, "draw_check", spy)
    with pytest.raises(AssertionError):
        convlab.assert_rate(1 / K, "0.5/k", k=K, figure=str(tmp_path / "fail.png"))
    assert (tmp_path / "fail.png").stat().st_size > 0
    assert "bound 0.5/k" in drawn and "violations (1000 points)" in drawn
