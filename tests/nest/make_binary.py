"""Record NEST 3.10 on the binary neurons ``mcculloch_pitts_neuron``, ``ginzburg_neuron``
and ``erfc_neuron`` into ``data/binary.npz``.

Binary neurons are random in *when* they update (exponential intervals of mean
``tau_m``) and, for ``ginzburg_neuron`` and ``erfc_neuron``, in what they become; the
records are statistics over many neurons (NEST's seed :data:`SEED`, one thread):

- ``gain/<model>/...``: :data:`N_PER_LEVEL` unconnected neurons per input level of
  :data:`LEVELS`, each level a constant current from a ``noise_generator`` (``std``
  0, the only current device NEST lets drive binary neurons); from each neuron's
  transitions (a ``spike_recorder``: two events at an up transition, one at a down
  transition) per neuron: ``activity`` (fraction of the time after :data:`WARMUP` in
  state 1), ``transitions`` (their number after ``WARMUP``) and ``first_up`` (the time
  of the first up transition, ms; NaN if none).
- ``network/...``: :data:`N_TRIALS` realisations (seeds) of a random E/I network of
  ``erfc_neuron`` (:data:`NETWORK`, fixed in-degrees, constant external drive): per
  trial the time-averaged population activity of E and I, the standard deviation in
  time of the E population activity (samples every ms) and the time-averaged mean
  input field ``h`` of E and I.

The script also checks, on a small network recorded in every step, that NEST's input
field is ``h_i(t) = sum_j w_ij S_j(t - d)`` (the encoding of state changes as spikes
of multiplicity 2 and 1), the identity the neurodyn tests check on their own runs.

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_binary.py
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "binary.npz"
DT = 0.1  # ms
SEED = 4321
DURATION = 1000.0  # ms
WARMUP = 100.0  # ms
N_PER_LEVEL = 100
TAU_M = 5.0  # ms, for the gain runs
#: input currents (pA, added to h in mV by NEST) of the gain runs
LEVELS = (-1.0, 0.5, 1.0, 1.5, 3.0)
#: model parameters of the gain runs (NEST's units)
GAIN_PARAMS = {
    "mcculloch_pitts_neuron": {"theta": 1.2},
    "ginzburg_neuron": {"theta": 1.0, "c_1": 0.05, "c_2": 0.8, "c_3": 1.5},
    "erfc_neuron": {"theta": 1.0, "sigma": 0.8},
}
#: the E/I network: sizes, in-degrees, weights (mV), delay (ms), external drive (pA)
NETWORK = {
    "model": "erfc_neuron",
    "params": {"tau_m": 10.0, "theta": 0.0, "sigma": 1.0},
    "N_E": 400,
    "N_I": 100,
    "K_E": 40,
    "K_I": 10,
    "J_E": 0.5,
    "J_I": -2.5,
    "delay": 0.5,
    "drive": 1.0,
    "duration": 600.0,
    "warmup": 100.0,
}
N_TRIALS = 8


def gain_function(model: str, params: dict, h: np.ndarray) -> np.ndarray:
    """The probability of state 1 after an update with total input ``h`` (NEST's gain
    functions, written out independently of neurodyn)."""
    from math import erfc, sqrt, tanh

    theta = params.get("theta", 0.0)
    if model == "mcculloch_pitts_neuron":
        return (h > theta).astype(float)
    if model == "erfc_neuron":
        sigma = params.get("sigma", 1.0)
        return np.array([0.5 * erfc(-(x - theta) / (sqrt(2.0) * sigma)) for x in h])
    c_1, c_2, c_3 = params.get("c_1", 0.0), params.get("c_2", 1.0), params.get("c_3", 1.0)
    g = np.array([c_1 * x + c_2 * 0.5 * (1.0 + tanh(c_3 * (x - theta))) for x in h])
    return np.clip(g, 0.0, 1.0)


def transition_statistics(times: np.ndarray, senders: np.ndarray, n: int,
                          duration: float, warmup: float) -> dict:  # fmt: skip
    """Per-neuron statistics from a spike recorder's events of binary neurons (times in
    ms; senders ``0..n-1``; an up transition is two events at one time)."""
    activity = np.zeros(n)
    transitions = np.zeros(n, np.int64)
    first_up = np.full(n, np.nan)
    for k in range(n):
        t, counts = np.unique(times[senders == k], return_counts=True)
        up = counts % 2 == 0  # 2 events: 0 -> 1; 1 event: 1 -> 0 (never both in a step)
        state_after = up.astype(float)
        if up.any():
            first_up[k] = t[up][0]
        # time in state 1 within (warmup, duration]
        edges = np.concatenate(([warmup], np.clip(t, warmup, duration), [duration]))
        before = state_after[t <= warmup]
        states = np.concatenate(([before[-1] if len(before) else 0.0], state_after))
        activity[k] = np.sum(np.diff(edges) * states) / (duration - warmup)
        transitions[k] = int(np.sum(t > warmup))
    return {"activity": activity, "transitions": transitions, "first_up": first_up}


def by_step(events: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A multimeter's ``S`` and ``h`` as (samples, neurons) arrays (NEST delivers them
    in chunks of ``min_delay``, sender by sender)."""
    order = np.lexsort((events["senders"], events["times"]))
    return tuple(np.asarray(events[key], float)[order].reshape(-1, n) for key in ("S", "h"))


def run_gain(nest, model: str) -> dict:
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1, rng_seed=SEED)
    params = dict(GAIN_PARAMS[model], tau_m=TAU_M)
    neurons = nest.Create(model, N_PER_LEVEL * len(LEVELS), params=params)
    recorder = nest.Create("spike_recorder")
    nest.Connect(neurons, recorder)
    for k, level in enumerate(LEVELS):
        drive = nest.Create("noise_generator", params={"mean": level, "std": 0.0})
        block = neurons[k * N_PER_LEVEL : (k + 1) * N_PER_LEVEL]
        nest.Connect(drive, block, syn_spec={"delay": DT})
    nest.Simulate(DURATION)
    events = recorder.events
    senders = np.asarray(events["senders"]) - neurons[0].global_id
    return transition_statistics(np.asarray(events["times"]), senders, len(neurons),
                                 DURATION, WARMUP)  # fmt: skip


def run_network(nest, seed: int) -> dict:
    spec = NETWORK
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1, rng_seed=seed)
    exc = nest.Create(spec["model"], spec["N_E"], params=spec["params"])
    inh = nest.Create(spec["model"], spec["N_I"], params=spec["params"])
    everyone = exc + inh
    for source, k, weight in ((exc, spec["K_E"], spec["J_E"]), (inh, spec["K_I"], spec["J_I"])):
        nest.Connect(source, everyone,
                     {"rule": "fixed_indegree", "indegree": k, "allow_autapses": False,
                      "allow_multapses": False},
                     {"weight": weight, "delay": spec["delay"]})  # fmt: skip
    drive = nest.Create("noise_generator", params={"mean": spec["drive"], "std": 0.0})
    nest.Connect(drive, everyone, syn_spec={"delay": DT})
    meter = nest.Create("multimeter", params={"record_from": ["S", "h"], "interval": 1.0,
                                              "start": spec["warmup"]})  # fmt: skip
    nest.Connect(meter, everyone)
    nest.Simulate(spec["duration"])
    n = len(everyone)
    S, h = by_step(meter.events, n)
    E, I = slice(0, spec["N_E"]), slice(spec["N_E"], n)
    return {
        "activity_E": S[:, E].mean(),
        "activity_I": S[:, I].mean(),
        "fluctuation_E": S[:, E].mean(axis=1).std(),
        "h_E": h[:, E].mean(),
        "h_I": h[:, I].mean(),
    }


def check_input_field(nest) -> float:
    """The largest deviation of NEST's ``h`` from ``sum_j w_ij S_j(t - d)`` on a small
    random network of ginzburg neurons recorded in every step."""
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1, rng_seed=SEED)
    n, delay = 20, 0.3
    neurons = nest.Create("ginzburg_neuron", n, params={"tau_m": 2.0, "c_3": 2.0,
                                                         "theta": 0.5})  # fmt: skip
    nest.Connect(neurons, neurons,
                 {"rule": "pairwise_bernoulli", "p": 0.3, "allow_autapses": False},
                 {"weight": nest.random.uniform(-1.0, 1.0), "delay": delay})  # fmt: skip
    meter = nest.Create("multimeter", params={"record_from": ["S", "h"], "interval": DT})
    nest.Connect(meter, neurons)
    nest.Simulate(200.0)
    S, h = by_step(meter.events, n)
    conns = nest.GetConnections(neurons, neurons).get(["source", "target", "weight"])
    W = np.zeros((n, n))
    np.add.at(W, (np.asarray(conns["target"]) - 1, np.asarray(conns["source"]) - 1),
              conns["weight"])  # fmt: skip
    d = int(round(delay / DT))
    predicted = np.vstack([np.zeros((d, n)), S[:-d] @ W.T])
    assert S.std() > 0.1 and np.abs(h).max() > 0.5
    return float(np.abs(predicted - h).max())


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    deviation = check_input_field(nest)
    print(f"h = W S(t - d) in NEST: largest deviation {deviation:.2e}")
    assert deviation < 1e-12
    arrays = {"nest_version": np.array(nest.__version__)}
    for model in GAIN_PARAMS:
        stats = run_gain(nest, model)
        arrays.update({f"gain/{model}/{k}": v for k, v in stats.items()})
        activity = stats["activity"].reshape(len(LEVELS), N_PER_LEVEL).mean(axis=1)
        expected = gain_function(model, GAIN_PARAMS[model], np.asarray(LEVELS))
        print(f"{model}: activity {np.round(activity, 3)}, g {np.round(expected, 3)}")
    trials = [run_network(nest, SEED + k) for k in range(N_TRIALS)]
    for key in trials[0]:
        arrays[f"network/{key}"] = np.array([trial[key] for trial in trials])
        print(f"network {key}: {arrays[f'network/{key}'].round(4)}")
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
