"""Reference traces of AdExIF and Izhikevich, integrated with scipy's solve_ivp.

Writes ``if_family.npz`` beside this script. The equations are written out here in
plain NumPy (millivolts, milliseconds, nanoamperes, megaohms), from the papers,
without importing neurodyn, so the tests compare two independent implementations.
Each spike is an event of the integrator (``V`` reaching the cut-off ``V_th``,
located to ``rtol = 1e-9``); the reset is applied at the event time and the
integration restarts from there.

For each model ``<key>`` in (``adex``, ``izh``) the file holds:

- ``<key>_<param>``: the model's parameters, in the units named in ``UNITS``
  (``<key>_units`` lists them as ``param:unit`` strings), so the tests build the
  neurodyn model from the same numbers;
- ``<key>_currents``: the constant input of each neuron (nA for AdExIF, pA with
  ``C = 1 pF`` for Izhikevich), switched on at t = 0 and held for 200 ms;
- ``<key>_V``, ``<key>_w``: ``V`` (mV) and the adaptation variable (``w`` in nA,
  Izhikevich ``u`` in mV/ms) at t = 0.1, 0.2, ..., 200 ms, float32, shape
  (2000, n_currents). Right after a spike ``V`` is the reset value;
- ``<key>_spike_times``: event times (ms), one row per current, padded with NaN.

Run with ``python3 tests/references/make_if_family.py`` (a few seconds).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

DURATION = 200.0  # ms
SAMPLE_EVERY = 0.1  # ms
RTOL, ATOL = 1e-9, 1e-10

# Brette & Gerstner (2005), Table 1: C = 281 pF, g_L = 30 nS, so tau = C / g_L and
# R = 1 / g_L. The cut-off is V_th = 0 mV (NEST's V_peak default): at their 20 mV the
# upswing is so close to its blow-up that the event lies below float64 time resolution.
ADEX = dict(
    tau=281.0 / 30.0,  # ms
    R=1000.0 / 30.0,  # Mohm
    V_rest=-70.6,  # mV
    V_reset=-70.6,  # mV
    V_T=-50.4,  # mV
    delta_T=2.0,  # mV
    V_th=0.0,  # mV
    tau_w=144.0,  # ms
    a=4.0,  # nS
    b=0.0805,  # nA
    V0=-70.6,  # mV
    w0=0.0,  # nA
)
ADEX_UNITS = dict(
    tau="ms", R="Mohm", V_rest="mV", V_reset="mV", V_T="mV", delta_T="mV", V_th="mV",
    tau_w="ms", a="nS", b="nA", V0="mV", w0="nA",
)  # fmt: skip
ADEX_CURRENTS = np.array([0.5, 0.8, 1.5])  # nA; the first stays below rheobase

# Izhikevich (2003), regular spiking; u starts at b V(0) as in the paper's code.
IZH = dict(a=0.02, b=0.2, c=-65.0, d=8.0, V_th=30.0, C=1.0, V0=-65.0)
IZH_UNITS = dict(a="1/ms", b="1/ms", c="mV", d="mV/ms", V_th="mV", C="pF", V0="mV")
IZH_CURRENTS = np.array([2.0, 10.0, 20.0])  # pA with C = 1 pF; rheobase is 4


def adex_rhs(t, y, I):
    p = ADEX
    V, w = y
    spike_current = p["delta_T"] * np.exp((V - p["V_T"]) / p["delta_T"])
    dV = (-(V - p["V_rest"]) + spike_current - p["R"] * w + p["R"] * I) / p["tau"]
    dw = (p["a"] * 1e-3 * (V - p["V_rest"]) - w) / p["tau_w"]  # nS * mV = 1e-3 nA
    return [dV, dw]


def adex_reset(y):
    return [ADEX["V_reset"], y[1] + ADEX["b"]]


def izh_rhs(t, y, I):
    p = IZH
    V, u = y
    return [0.04 * V * V + 5.0 * V + 140.0 - u + I / p["C"], p["a"] * (p["b"] * V - u)]


def izh_reset(y):
    return [IZH["c"], y[1] + IZH["d"]]


def simulate(rhs, reset, y0, I, V_th):
    """Trajectory sampled every ``SAMPLE_EVERY`` and the spike (event) times."""
    samples = np.arange(1, round(DURATION / SAMPLE_EVERY) + 1) * SAMPLE_EVERY
    out = np.empty((samples.size, 2))
    spikes = []

    def crossing(t, y, I):
        return y[0] - V_th

    crossing.terminal, crossing.direction = True, 1.0
    t, y = 0.0, np.array(y0, float)
    while True:
        sol = solve_ivp(
            rhs, (t, DURATION), y, args=(I,), method="DOP853", rtol=RTOL, atol=ATOL,
            events=crossing, dense_output=True,
        )  # fmt: skip
        if sol.status == -1:
            raise RuntimeError(f"solve_ivp failed at t = {sol.t[-1]} ms: {sol.message}")
        t_end = sol.t_events[0][0] if sol.t_events[0].size else DURATION
        # samples strictly before the event come from this piece; a sample at the event
        # time itself is taken after the reset (neurodyn records after the reset too)
        inside = (samples >= t) & (samples < t_end) if t_end < DURATION else (samples >= t)
        if inside.any():
            out[inside] = sol.sol(samples[inside]).T
        if t_end >= DURATION:
            return samples, out, np.array(spikes)
        spikes.append(t_end)
        t, y = t_end, np.array(reset(sol.y_events[0][0]), float)


def model_arrays(key, params, units, rhs, reset, currents, V_th):
    data = {f"{key}_{name}": np.float64(value) for name, value in params.items()}
    data[f"{key}_units"] = np.array([f"{name}:{unit}" for name, unit in units.items()])
    data[f"{key}_currents"] = currents
    Vs, ws, trains = [], [], []
    for I in currents:
        _, trace, spikes = simulate(rhs, reset, [params["V0"], params["w0"]], I, V_th)
        Vs.append(trace[:, 0])
        ws.append(trace[:, 1])
        trains.append(spikes)
    width = max(1, max(len(s) for s in trains))
    padded = np.full((len(trains), width), np.nan)
    for row, spikes in zip(padded, trains, strict=True):
        row[: len(spikes)] = spikes
    data[f"{key}_V"] = np.stack(Vs, axis=1).astype(np.float32)
    data[f"{key}_w"] = np.stack(ws, axis=1).astype(np.float32)
    data[f"{key}_spike_times"] = padded
    return data


def main() -> None:
    izh = dict(IZH, w0=IZH["b"] * IZH["V0"])
    izh_units = dict(IZH_UNITS, w0="mV/ms")
    data = model_arrays("adex", ADEX, ADEX_UNITS, adex_rhs, adex_reset, ADEX_CURRENTS, ADEX["V_th"])
    data |= model_arrays("izh", izh, izh_units, izh_rhs, izh_reset, IZH_CURRENTS, IZH["V_th"])
    path = Path(__file__).with_name("if_family.npz")
    np.savez_compressed(path, **data)
    for key in ("adex", "izh"):
        counts = np.isfinite(data[f"{key}_spike_times"]).sum(axis=1)
        print(f"{key}: spikes per current {counts.tolist()}")
    print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
