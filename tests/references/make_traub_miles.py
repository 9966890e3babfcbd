"""Reference responses of the Traub–Miles HH neuron (COBAHH's cell) to current steps,
integrated with scipy's solve_ivp.

Writes ``traub_miles.npz`` beside this script. The equations (Traub & Miles 1991 as in
Brette et al. 2007, benchmark 3) are written out here again in plain NumPy, per cell:
millivolts, milliseconds, nS, pF and pA (pA / pF = mV / ms), without importing
neurodyn, so the tests compare two independent implementations.

The protocol: ``V`` starts at ``V0`` with every gate at its steady state there; a
holding current ``I_hold`` (hyperpolarising: the cell fires on its own at 0 nA) is
applied until ``t_step``, then each neuron's step current until ``duration``. The
solver restarts at ``t_step`` so that the discontinuity is not smoothed over.

The file holds:

- ``currents``: the step currents (nA), ``I_hold`` (nA), ``t_step`` and ``duration``
  (ms), ``V0`` (mV);
- ``V``: ``V`` (mV) at t = 0.5, 1.0, ..., 200 ms, float32, shape (400, n_currents);
- ``spike_times``: times (ms) of upward crossings of -20 mV, located by solve_ivp's
  event detection, one row per current, padded with NaN.

Run with ``python3 tests/references/make_traub_miles.py`` (a few seconds).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

# Brette et al. (2007), benchmark 3: densities times the area 20 000 um^2.
C_m = 200.0  # pF (1 uF/cm^2)
g_L = 10.0  # nS (5e-5 S/cm^2)
g_Na = 20000.0  # nS (100 mS/cm^2)
g_K = 6000.0  # nS (30 mS/cm^2)
E_L, E_Na, E_K = -60.0, 50.0, -90.0  # mV
V_T = -63.0  # mV
V_TH = -20.0  # mV, spikes are upward crossings

V0 = -70.0  # mV
I_HOLD = -0.1  # nA
T_STEP = 50.0  # ms
DURATION = 200.0  # ms
CURRENTS = [-0.1, 0.0, 0.05, 0.1, 0.2, 0.5, 1.0]  # nA
SAMPLE_EVERY = 0.5  # ms
RTOL = ATOL = 1e-10


def x_over_expm1(x):
    """``x / (exp(x) - 1)``, with its limit 1 at ``x = 0``."""
    x = np.asarray(x, float)
    near = np.abs(x) < 1e-9
    safe = np.where(near, 1.0, x)
    return np.where(near, 1.0 - x / 2.0, safe / np.expm1(safe))


def rates(V):
    """(alpha, beta) in 1/ms of m, h and n at V (mV)."""
    v = V - V_T
    alpha_m = 0.32 * 4.0 * x_over_expm1((13.0 - v) / 4.0)
    beta_m = 0.28 * 5.0 * x_over_expm1((v - 40.0) / 5.0)
    alpha_h = 0.128 * np.exp((17.0 - v) / 18.0)
    beta_h = 4.0 / (1.0 + np.exp((40.0 - v) / 5.0))
    alpha_n = 0.032 * 5.0 * x_over_expm1((15.0 - v) / 5.0)
    beta_n = 0.5 * np.exp((10.0 - v) / 40.0)
    return (alpha_m, beta_m), (alpha_h, beta_h), (alpha_n, beta_n)


def rhs(t, y, I_pA):
    V, m, h, n = y
    (am, bm), (ah, bh), (an, bn) = rates(V)
    I_ion = g_Na * m**3 * h * (V - E_Na) + g_K * n**4 * (V - E_K) + g_L * (V - E_L)
    return [
        (-I_ion + I_pA) / C_m,
        am * (1.0 - m) - bm * m,
        ah * (1.0 - h) - bh * h,
        an * (1.0 - n) - bn * n,
    ]


def simulate(I_step):
    """V at the sample times and the upward crossings of V_TH, for one step current (nA)."""

    def crossing(t, y, I_pA):
        return y[0] - V_TH

    crossing.direction = 1.0
    y = [V0] + [a / (a + b) for a, b in rates(V0)]
    t_eval = np.arange(1, int(round(DURATION / SAMPLE_EVERY)) + 1) * SAMPLE_EVERY
    V, spikes = [], []
    for start, end, I in ((0.0, T_STEP, I_HOLD), (T_STEP, DURATION, I_step)):
        inside = t_eval[(t_eval > start) & (t_eval <= end)]
        sol = solve_ivp(
            rhs, (start, end), np.asarray(y, float), method="DOP853", t_eval=inside,
            events=crossing, args=(1000.0 * I,), rtol=RTOL, atol=ATOL, dense_output=True,
        )  # fmt: skip
        assert sol.success, sol.message
        V.append(sol.y[0])
        spikes.append(sol.t_events[0])
        y = sol.sol(end)
    return np.concatenate(V), np.concatenate(spikes)


def main() -> None:
    traces, spikes = [], []
    for I in CURRENTS:
        V, times = simulate(I)
        traces.append(V)
        spikes.append(times)
        print(f"I = {I:5.2f} nA -> {len(times):3d} spikes")
    padded = np.full((len(CURRENTS), max(1, max(len(s) for s in spikes))), np.nan)
    for row, times in enumerate(spikes):
        padded[row, : len(times)] = times
    path = Path(__file__).with_name("traub_miles.npz")
    np.savez_compressed(
        path,
        currents=np.asarray(CURRENTS, float),
        I_hold=np.asarray(I_HOLD),
        t_step=np.asarray(T_STEP),
        duration=np.asarray(DURATION),
        V0=np.asarray(V0),
        V=np.stack(traces, axis=1).astype(np.float32),
        spike_times=padded,
    )
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
