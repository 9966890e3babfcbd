"""Reference traces of the biophysical neurons, integrated with scipy's solve_ivp.

Writes ``biophysical.npz`` beside this script. The equations are written out here
again in plain NumPy (millivolts, milliseconds, mS/cm^2, uF/cm^2, uA/cm^2), from
the model descriptions, without importing neurodyn, so the tests compare two
independent implementations.

For each model ``<key>`` in (``hh``, ``ml``, ``wb``, ``pr``) the file holds:

- ``<key>_currents``: the constant input current of each neuron (uA/cm^2), switched
  on at t = 0 and held for ``duration``;
- ``<key>_V0``: the initial membrane potential (mV); gating variables start at
  their steady state at ``V0`` (Pinsky-Rinzel: ``Vs0``, ``Vd0``, ``Ca0`` below);
- ``<key>_V``: ``V`` (Pinsky-Rinzel: soma ``Vs``) at t = 0.1, 0.2, ..., 200 ms,
  float32, shape (2000, n_currents);
- ``<key>_spike_times``: times (ms) of upward crossings of ``V_th`` (the models'
  default; Pinsky-Rinzel: -40 mV, see ``PR_V_TH``), located by solve_ivp's event
  detection, one row per current, padded with NaN.

``biophysical_fI.npz`` (:func:`f_I_curves`) holds the f–I curves behind the choice of
each model's default integrator: for each model ``<key>``, ``<key>_fI_currents`` (a
denser grid from below rheobase to strong drive) and ``<key>_fI_spike_times`` (as
above), from the same initial states, over 200 ms, with each model's *default*
threshold (Pinsky–Rinzel: 20 mV, the somatic spike's full height).

Run with ``python3 tests/references/make_biophysical.py`` (about a minute).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

DURATION = 200.0  # ms
SAMPLE_EVERY = 0.1  # ms
RTOL = ATOL = 1e-10


def linoid(x, k):
    """``x / (1 - exp(-x / k))``, with its limit ``k`` at ``x = 0``."""
    x = np.asarray(x, float)
    near = np.abs(x) < 1e-9
    safe = np.where(near, 1.0, x)
    return np.where(near, k + x / 2.0, safe / (1.0 - np.exp(-safe / k)))


# --------------------------------------------------------------------------- HH
HH = dict(ENa=50.0, gNa=120.0, EK=-77.0, gK=36.0, EL=-54.387, gL=0.03, C=1.0, V_th=20.0)


def hh_rates(V):
    am = 0.1 * linoid(V + 40.0, 10.0)
    bm = 4.0 * np.exp(-(V + 65.0) / 18.0)
    ah = 0.07 * np.exp(-(V + 65.0) / 20.0)
    bh = 1.0 / (1.0 + np.exp(-(V + 35.0) / 10.0))
    an = 0.01 * linoid(V + 55.0, 10.0)
    bn = 0.125 * np.exp(-(V + 65.0) / 80.0)
    return (am, bm), (ah, bh), (an, bn)


def hh_init(V0):
    return [V0] + [a / (a + b) for a, b in hh_rates(V0)]


def hh_rhs(t, y, I):
    V, m, h, n = y
    p = HH
    (am, bm), (ah, bh), (an, bn) = hh_rates(V)
    I_ion = (
        p["gNa"] * m**3 * h * (V - p["ENa"])
        + p["gK"] * n**4 * (V - p["EK"])
        + p["gL"] * (V - p["EL"])
    )
    return [
        (-I_ion + I) / p["C"],
        am * (1 - m) - bm * m,
        ah * (1 - h) - bh * h,
        an * (1 - n) - bn * n,
    ]


# ---------------------------------------------------------------- Morris-Lecar
ML = dict(
    V_Ca=130.0,
    g_Ca=4.4,
    V_K=-84.0,
    g_K=8.0,
    V_leak=-60.0,
    g_leak=2.0,
    C=20.0,
    V1=-1.2,
    V2=18.0,
    V3=2.0,
    V4=30.0,
    phi=0.04,
    V_th=10.0,
)


def ml_W_inf(V):
    return 0.5 * (1.0 + np.tanh((V - ML["V3"]) / ML["V4"]))


def ml_init(V0):
    return [V0, ml_W_inf(V0)]


def ml_rhs(t, y, I):
    V, W = y
    p = ML
    M_inf = 0.5 * (1.0 + np.tanh((V - p["V1"]) / p["V2"]))
    tau_W = 1.0 / (p["phi"] * np.cosh((V - p["V3"]) / (2.0 * p["V4"])))
    dV = (
        -p["g_Ca"] * M_inf * (V - p["V_Ca"])
        - p["g_K"] * W * (V - p["V_K"])
        - p["g_leak"] * (V - p["V_leak"])
        + I
    ) / p["C"]
    return [dV, (ml_W_inf(V) - W) / tau_W]


# ---------------------------------------------------------------- Wang-Buzsaki
WB = dict(ENa=55.0, gNa=35.0, EK=-90.0, gK=9.0, EL=-65.0, gL=0.1, C=1.0, phi=5.0, V_th=20.0)


def wb_rates(V):
    ah = 0.07 * np.exp(-(V + 58.0) / 20.0)
    bh = 1.0 / (np.exp(-0.1 * (V + 28.0)) + 1.0)
    an = 0.01 * linoid(V + 34.0, 10.0)
    bn = 0.125 * np.exp(-(V + 44.0) / 80.0)
    return (ah, bh), (an, bn)


def wb_init(V0):
    return [V0] + [a / (a + b) for a, b in wb_rates(V0)]


def wb_rhs(t, y, I):
    V, h, n = y
    p = WB
    am = 0.1 * linoid(V + 35.0, 10.0)
    bm = 4.0 * np.exp(-(V + 60.0) / 18.0)
    m_inf = am / (am + bm)
    (ah, bh), (an, bn) = wb_rates(V)
    I_ion = (
        p["gNa"] * m_inf**3 * h * (V - p["ENa"])
        + p["gK"] * n**4 * (V - p["EK"])
        + p["gL"] * (V - p["EL"])
    )
    return [
        (-I_ion + I) / p["C"],
        p["phi"] * (ah * (1 - h) - bh * h),
        p["phi"] * (an * (1 - n) - bn * n),
    ]


# ---------------------------------------------------------------- Pinsky-Rinzel
PR = dict(
    gNa=30.0,
    gK=15.0,
    gCa=10.0,
    gAHP=0.8,
    gC=15.0,
    gL=0.1,
    ENa=60.0,
    EK=-75.0,
    ECa=80.0,
    EL=-60.0,
    gc=2.1,
    V_th=20.0,
    Cm=3.0,
    p=0.5,
)
PR_INIT = dict(Vs0=-64.6, Vd0=-64.5, Ca0=0.2)


def pr_rates(Vs, Vd, Ca):
    """(alpha, beta) of h, n (soma), s, c (dendrite), q (calcium); m_inf(Vs)."""
    vs, vd = Vs + 60.0, Vd + 60.0  # the rate functions of Traub et al. are in mV above rest
    am = 0.32 * linoid(vs - 13.1, 4.0)
    bm = 0.28 * linoid(40.1 - vs, 5.0)
    m_inf = am / (am + bm)
    ah = 0.128 * np.exp((17.0 - vs) / 18.0)
    bh = 4.0 / (1.0 + np.exp((40.0 - vs) / 5.0))
    an = 0.016 * linoid(vs - 35.1, 5.0)
    bn = 0.25 * np.exp(0.5 - 0.025 * vs)
    a_s = 1.6 / (1.0 + np.exp(-0.072 * (vd - 65.0)))
    b_s = 0.02 * linoid(51.1 - vd, 5.0)
    low = vd <= 50.0
    ac_low = np.exp((vd - 10.0) / 11.0 - (vd - 6.5) / 27.0) / 18.975
    ac = np.where(low, ac_low, 2.0 * np.exp((6.5 - vd) / 27.0))
    bc = np.where(low, 2.0 * np.exp((6.5 - vd) / 27.0) - ac_low, 0.0)
    aq = np.minimum(2e-5 * Ca, 1e-2)
    bq = 1e-3
    return m_inf, (ah, bh), (an, bn), (a_s, b_s), (ac, bc), (aq, bq)


def pr_init(Vs0, Vd0, Ca0):
    _, rh, rn, rs, rc, rq = pr_rates(Vs0, Vd0, Ca0)
    gates = [a / (a + b) for a, b in (rh, rn, rs, rc, rq)]
    return [Vs0, Vd0, Ca0] + gates


def pr_rhs(t, y, I_s):
    Vs, Vd, Ca, h, n, s, c, q = y
    p = PR
    m_inf, (ah, bh), (an, bn), (a_s, b_s), (ac, bc), (aq, bq) = pr_rates(Vs, Vd, Ca)
    I_Na = p["gNa"] * m_inf**2 * h * (Vs - p["ENa"])
    I_KDR = p["gK"] * n * (Vs - p["EK"])
    I_Ca = p["gCa"] * s**2 * (Vd - p["ECa"])
    I_AHP = p["gAHP"] * q * (Vd - p["EK"])
    I_C = p["gC"] * min(Ca / 250.0, 1.0) * c * (Vd - p["EK"])
    dVs = (
        -p["gL"] * (Vs - p["EL"]) - I_Na - I_KDR + p["gc"] / p["p"] * (Vd - Vs) + I_s / p["p"]
    ) / p["Cm"]
    dVd = (
        -p["gL"] * (Vd - p["EL"]) - I_Ca - I_AHP - I_C + p["gc"] / (1.0 - p["p"]) * (Vs - Vd)
    ) / p["Cm"]
    return [
        dVs,
        dVd,
        -0.13 * I_Ca - 0.075 * Ca,
        ah * (1 - h) - bh * h,
        an * (1 - n) - bn * n,
        a_s * (1 - s) - b_s * s,
        ac * (1 - c) - bc * c,
        aq * (1 - q) - bq * q,
    ]


# ------------------------------------------------------------------- solving
def simulate(rhs, y0, I, V_th, max_step=np.inf):
    """V at the sample times and the upward crossings of V_th, for one neuron.

    ``max_step`` (ms) bounds solve_ivp's steps: its event detection compares the sign
    at the ends of each step and misses a dip below V_th shorter than a step."""

    def crossing(t, y, I):
        return y[0] - V_th

    crossing.direction = 1.0
    t_eval = np.arange(1, int(round(DURATION / SAMPLE_EVERY)) + 1) * SAMPLE_EVERY
    sol = solve_ivp(
        rhs,
        (0.0, DURATION),
        np.asarray(y0, float),
        method="DOP853",
        t_eval=t_eval,
        events=crossing,
        args=(I,),
        rtol=RTOL,
        atol=ATOL,
        max_step=max_step,
    )
    assert sol.success, sol.message
    return sol.y[0], sol.t_events[0]


# Pinsky-Rinzel: the spikes of a burst ride on the dendritic calcium spike and peak
# between -25 and -5 mV, below the default V_th (20 mV); count crossings of -40 mV.
PR_V_TH = -40.0

MODELS = {
    # key: (rhs, initial state from V0, V0 (mV), currents (uA/cm^2), V_th (mV))
    "hh": (hh_rhs, hh_init, -65.0, [2.0, 6.0, 9.0, 14.0, 20.0], HH["V_th"]),
    "ml": (ml_rhs, ml_init, -60.0, [60.0, 80.0, 90.0, 100.0, 150.0], ML["V_th"]),
    "wb": (wb_rhs, wb_init, -65.0, [0.1, 0.5, 1.0, 2.0, 5.0], WB["V_th"]),
    "pr": (pr_rhs, lambda V0: pr_init(**PR_INIT), PR_INIT["Vs0"], [-0.5, 0.25, 0.5, 0.75], PR_V_TH),
}


#: The f–I grids (uA/cm^2) of ``biophysical_fI.npz``: below rheobase, around the onset
#: of repetitive firing, and up to strong drive.
FI_CURRENTS = {
    "hh": [0.0, 2.0, 4.0, 6.0, 6.5, 7.0, 8.0, 10.0, 12.0, 15.0, 17.5, 20.0, 25.0, 30.0, 35.0,
           40.0, 45.0, 50.0],
    "ml": [40.0, 50.0, 60.0, 70.0, 75.0, 80.0, 85.0, 90.0, 95.0, 100.0, 110.0, 120.0, 135.0,
           150.0, 175.0, 200.0, 210.0, 220.0, 230.0, 250.0],
    "wb": [0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5, 10.0, 12.0,
           15.0, 20.0],
    "pr": [-0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 2.625, 2.75,
           2.875, 3.0, 3.5, 4.0, 5.0],
}  # fmt: skip
#: solve_ivp's largest step for the f–I curves (ms): near depolarisation block V can dip
#: below V_th by a few µV for a few ms between two crossings, and no crossing may be lost.
FI_MAX_STEP = 0.1
FI_V_TH = {"hh": HH["V_th"], "ml": ML["V_th"], "wb": WB["V_th"], "pr": PR["V_th"]}


def _padded(spikes: list[np.ndarray]) -> np.ndarray:
    width = max(1, max(len(s) for s in spikes))
    padded = np.full((len(spikes), width), np.nan)
    for row, times in enumerate(spikes):
        padded[row, : len(times)] = times
    return padded


def f_I_curves() -> None:
    """Write ``biophysical_fI.npz``: spike times over :data:`FI_CURRENTS`."""
    out = {}
    for key, (rhs, init, V0, _, _) in MODELS.items():
        spikes = []
        for I in FI_CURRENTS[key]:
            _, times = simulate(rhs, init(V0), I, FI_V_TH[key], max_step=FI_MAX_STEP)
            spikes.append(times)
            print(f"{key}: I={I:6.2f} uA/cm^2 -> {len(times):3d} spikes (f-I)")
        out[f"{key}_fI_currents"] = np.asarray(FI_CURRENTS[key], float)
        out[f"{key}_fI_spike_times"] = _padded(spikes)
    path = Path(__file__).with_name("biophysical_fI.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")


def main() -> None:
    out = {}
    for key, (rhs, init, V0, currents, V_th) in MODELS.items():
        traces, spikes = [], []
        for I in currents:
            V, times = simulate(rhs, init(V0), I, V_th)
            traces.append(V)
            spikes.append(times)
            print(f"{key}: I={I:6.2f} uA/cm^2 -> {len(times):3d} spikes")
        out[f"{key}_currents"] = np.asarray(currents, float)
        out[f"{key}_V0"] = np.asarray(V0, float)
        out[f"{key}_V"] = np.stack(traces, axis=1).astype(np.float32)
        out[f"{key}_spike_times"] = _padded(spikes)
    path = Path(__file__).with_name("biophysical.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    f_I_curves()


if __name__ == "__main__":
    main()
