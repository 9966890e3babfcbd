"""Record NEST 3.10 on ``gif_pop_psc_exp`` into ``data/gif_pop.npz``.

- ``replay/...``: ``make.run_protocol``'s recording (every recordable, every step) of
  three populations (:data:`REPLAY`: NEST's defaults with a current; Poisson draws,
  two adaptation kernels, spike trains of both signs and a step current; every other
  parameter changed and ``len_kernel`` given). Given the spike counts NEST drew
  (``n_events``), everything else is deterministic, so a model fed those counts must
  replay ``V_m``, ``E_sfa``, ``mean``, ``I_syn_ex`` and ``I_syn_in``.
- ``stats/<condition>/...``: ``N_POPULATIONS`` independent populations of each
  condition in :data:`CONDITIONS` simulated for ``DURATION`` ms (seed ``SEED``, one
  thread); per population its firing rate (spikes per neuron and second) and the Fano
  factor of its spike counts in ``WINDOW`` ms windows.

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_gif_pop.py

NEST is imported inside ``main`` only, so this file can be imported without NEST.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1] / "nest_reference"))

DATA = Path(__file__).parent / "data" / "gif_pop.npz"
DT = 0.1  # ms
SEED = 12345
N_POPULATIONS = 20
DURATION = 500.0  # ms
WINDOW = 25.0  # ms, for the Fano factor

REPLAY = [
    {"I_e": 200.0},
    {"N": 500, "BinoRand": False, "I_e": 150.0, "q_sfa": [1.0, 3.0], "tau_sfa": [50.0, 400.0]},
    {"N": 50, "I_e": 200.0, "len_kernel": 1500, "t_ref": 2.55, "tau_syn_ex": 1.5,
     "tau_syn_in": 8.0, "E_L": -5.0, "V_reset": -10.0, "V_T_star": 12.0, "C_m": 200.0,
     "tau_m": 15.0, "lambda_0": 20.0, "Delta_V": 3.0, "q_sfa": [2.0], "tau_sfa": [80.0]},
]  # fmt: skip
#: short kernels (len_kernel 500 steps, set by 5 tau_m), so that the statistics are cheap
_FAST = {"tau_m": 10.0, "q_sfa": [0.5], "tau_sfa": [50.0], "C_m": 100.0}
CONDITIONS = {
    "binomial": dict(_FAST, N=200, I_e=190.0),
    "poisson": dict(_FAST, N=100, I_e=180.0, BinoRand=False, Delta_V=4.0),
}


def replay_protocol() -> dict:
    return {
        "description": "three populations: defaults and a current (0); Poisson draws, two "
        "kernels, spike trains of both signs and a step current (1, 2); every other "
        "parameter changed (2)",
        "duration": 150.0,
        "neurons": REPLAY,
        "stimuli": [
            {
                "device": "spike_generator",
                "params": {"spike_times": [20.0, 20.0, 50.3, 80.0, 80.1, 130.0]},
                "targets": [1, 2],
                "syn": {"weight": 300.0, "delay": 1.0},
            },
            {
                "device": "spike_generator",
                "params": {"spike_times": [35.0, 100.0, 100.0, 120.5]},
                "targets": [1, 2],
                "syn": {"weight": -250.0, "delay": 1.0},
            },
            {
                "device": "step_current_generator",
                "params": {"amplitude_times": [60.0, 110.0], "amplitude_values": [80.0, -40.0]},
                "targets": [1, 2],
                "syn": {"delay": 0.1},
            },
        ],
        "kernel": {},
        "connections": [],
        "gap_junctions": [],
    }


def population_statistics(counts: np.ndarray, N: int) -> dict:
    """Per population (columns of ``counts``, spikes per step): ``rate`` (Hz per
    neuron) and ``fano`` (variance over mean of the counts in ``WINDOW`` ms windows)."""
    steps = counts.shape[0]
    per_window = int(round(WINDOW / DT))
    windows = counts[: steps - steps % per_window].reshape(-1, per_window, counts.shape[1])
    windows = windows.sum(axis=1)
    return {
        "rate": counts.sum(axis=0) / (N * steps * DT) * 1000.0,
        "fano": windows.var(axis=0) / windows.mean(axis=0),
    }


def run_stats(nest, params: dict) -> dict:
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1, rng_seed=SEED)
    populations = nest.Create("gif_pop_psc_exp", N_POPULATIONS, params=params)
    meter = nest.Create("multimeter", params={"interval": DT, "record_from": ["n_events"]})
    nest.Connect(meter, populations)
    nest.Simulate(DURATION + DT)
    events = meter.events
    senders = np.asarray(events["senders"]) - populations[0].global_id
    steps = np.rint(np.asarray(events["times"]) / DT).astype(int) - 1
    n_steps = int(round(DURATION / DT))
    keep = steps < n_steps
    counts = np.zeros((n_steps, N_POPULATIONS))
    counts[steps[keep], senders[keep]] = np.asarray(events["n_events"])[keep]
    return dict(
        population_statistics(counts, params["N"]),
        len_kernel=np.array(populations[0].get("len_kernel")),
    )


def load(name: str) -> dict:
    """``'replay'`` (as ``protocols.load`` gives a protocol) or ``'stats/<condition>'``."""
    with np.load(DATA, allow_pickle=False) as z:
        entry = {k[len(name) + 1 :]: z[k] for k in z.files if k.startswith(f"{name}/")}
    for key in ("protocol", "neuron_status", "kernel_status", "defaults"):
        if f"{key}_json" in entry:
            entry[key] = json.loads(str(entry.pop(f"{key}_json")))
    return entry


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import make
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    arrays = {"nest_version": np.array(nest.__version__)}
    result = make.run_protocol(nest, "gif_pop_psc_exp", replay_protocol())
    result.pop("spike_offsets")  # the spike recorder sees a step's spikes as one event
    result["defaults_json"] = make._text(make._jsonable(nest.GetDefaults("gif_pop_psc_exp")))
    # the populations were created first: node ids 1..3; len_kernel as NEST chose it
    populations = nest.NodeCollection(list(range(1, len(REPLAY) + 1)))
    result["len_kernel"] = np.array(populations.get("len_kernel"))
    arrays.update({f"replay/{k}": v for k, v in result.items()})
    print(f"replay: spikes per population {result['n_events'].sum(axis=0).tolist()}")
    for condition, params in CONDITIONS.items():
        stats = run_stats(nest, params)
        arrays.update({f"stats/{condition}/{k}": v for k, v in stats.items()})
        print(f"{condition}: rate {stats['rate'].mean():.2f} Hz, Fano {stats['fano'].mean():.3f}")
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
