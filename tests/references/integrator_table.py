"""Accuracy and cost of each fixed-step integrator on the biophysical neurons.

For every model (HH, Morris–Lecar, Wang–Buzsáki, Pinsky–Rinzel) and every method of
``nd.integrators.METHODS``, at dt = 0.01 ms: run the f–I grid of
``biophysical_fI.npz`` (solve_ivp, rtol = atol = 1e-10) for 200 ms from the same
initial states, and count

- the currents whose spike count differs from solve_ivp's;
- the largest offset, in steps, of the first spike from the step holding solve_ivp's
  first crossing (0: the same step), where both fire;

and time a compiled 200 ms run of 1000 neurons (µs per step). Prints the Markdown
table of ``docs/integrators.md``. Run with
``python3 tests/references/integrator_table.py [32|64]`` (precision, default 32, the
library's default; a few minutes on two cores).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

import neurodyn as nd
from neurodyn import units as u

REFERENCE = np.load(Path(__file__).with_name("biophysical_fI.npz"))
DT = 0.01  # ms
DURATION = 200.0  # ms
UA_CM2 = u.uA / u.cm2
#: The initial states of the reference (gates at their steady state at V0).
V0 = {"hh": -65.0, "ml": -60.0, "wb": -65.0}


def build(key: str, n: int, method: str) -> tuple[nd.Neuron, str]:
    """The model ``key`` with default parameters, started as the reference is."""
    if key == "hh":
        return nd.HH(n, V_initializer=V0[key] * u.mV, method=method), "V"
    if key == "ml":
        return nd.MorrisLecar(
            n, V_initializer=V0[key] * u.mV, W_initializer=None, method=method
        ), "V"
    if key == "wb":
        return nd.WangBuzsakiModel(
            n, V_initializer=V0[key] * u.mV, h_initializer=None, n_initializer=None, method=method
        ), "V"
    return nd.PinskyRinzelModel(n, method=method), "Vs"


def spike_times(key: str, method: str) -> list[np.ndarray]:
    """Each current's spike times (ms, the end of the step holding the crossing)."""
    currents = REFERENCE[f"{key}_fI_currents"]
    model, _ = build(key, len(currents), method)
    nd.init_all_states(model)
    result = nd.run(
        model,
        DURATION * u.ms,
        inputs=lambda i, t: currents * UA_CM2,
        monitors={"spike": model.spike},
    )
    spikes = np.asarray(result["spike"])
    ends = (np.arange(spikes.shape[0]) + 1) * DT
    return [ends[spikes[:, j] > 0] for j in range(len(currents))]


def reference_times(key: str) -> list[np.ndarray]:
    return [row[~np.isnan(row)] for row in REFERENCE[f"{key}_fI_spike_times"]]


def first_spike_offset(times: np.ndarray, times_ref: np.ndarray) -> int:
    """By how many steps the first spike's step differs from the step holding the
    reference crossing (0: the same step; the crossing in ``(k - 1, k] * dt`` is step k)."""
    step = int(round(times[0] / DT))
    step_ref = int(np.ceil(times_ref[0] / DT - 1e-9))
    return step - step_ref


def accuracy(key: str, method: str) -> tuple[int, int, int]:
    """(currents with a wrong count, currents, largest first-spike offset in steps)."""
    wrong, worst = 0, 0
    got, ref = spike_times(key, method), reference_times(key)
    for times, times_ref in zip(got, ref, strict=True):
        wrong += len(times) != len(times_ref)
        if len(times) and len(times_ref):
            worst = max(worst, abs(first_spike_offset(times, times_ref)))
    return wrong, len(ref), worst


def cost(key: str, method: str, n: int = 1000) -> float:
    """µs per step of a compiled 200 ms run of ``n`` neurons (the fastest of three runs,
    after one that compiles)."""
    model, _ = build(key, n, method)
    drive = float(REFERENCE[f"{key}_fI_currents"][-3]) * UA_CM2
    times = []
    for _ in range(4):
        nd.init_all_states(model)
        start = time.perf_counter()
        nd.run(model, DURATION * u.ms, inputs=lambda i, t: drive)
        times.append(time.perf_counter() - start)
    return min(times[1:]) / (DURATION / DT) * 1e6


def main(precision: int = 32) -> None:
    nd.environ.set(precision=precision, dt=DT * u.ms)
    names = {"hh": "HH", "ml": "MorrisLecar", "wb": "WangBuzsakiModel", "pr": "PinskyRinzelModel"}
    print(
        "| model | method | currents with a wrong spike count | largest first-spike offset "
        "(steps) | µs per step, 1000 neurons |"
    )
    print("|---|---|---|---|---|")
    for key, name in names.items():
        for method in nd.integrators.METHODS:
            wrong, total, worst = accuracy(key, method)
            print(
                f"| {name} | {method} | {wrong} of {total} | {worst} | {cost(key, method):.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 32)
