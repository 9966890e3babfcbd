"""Record NEST 3.10 on the stochastic models ``gif_psc_exp``, ``gif_cond_exp`` and
``pp_psc_delta`` into ``data/stochastic_models.npz``.

Two kinds of record:

- ``<model>/deterministic/...``: ``make.run_protocol``'s recording (every recordable,
  every step) of neurons whose escape noise is off (``lambda_0 = 0``; ``c_1 = c_2 = 0``)
  or certain: the intensity jumps from 0 to infinity within a few nV around the
  threshold (``Delta_V = 1e-6`` mV; ``c_1 = 1e12`` Hz/mV, ``c_2 = 0``), so a spike is
  drawn with probability 0 or 1 in every step. The script checks that no recorded step
  fell into the uncertain band, so that the recording replays exactly whatever the
  random numbers.
- ``<model>/stats/<condition>/...``: ``N_NEURONS`` unconnected neurons of each
  condition in :data:`CONDITIONS` simulated for ``DURATION`` ms (NEST's seed
  :data:`SEED`, one thread: the output is deterministic); stored are each neuron's
  spike count and the per-neuron statistics of :func:`spike_statistics` (firing
  rate, CV of the interspike intervals, Fano factor of the counts in 100 ms windows).

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_stochastic_models.py

NEST is imported inside ``main`` only, so this file can be imported without NEST.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1] / "nest_reference"))

DATA = Path(__file__).parent / "data" / "stochastic_models.npz"
DT = 0.1  # ms
SEED = 12345
N_NEURONS = 200
DURATION = 2000.0  # ms
WINDOW = 100.0  # ms, for the Fano factor

#: GIF kernels of the deterministic and statistical cases
GIF_KERNELS = {"q_stc": [20.0, 5.0], "tau_stc": [10.0, 100.0], "q_sfa": [5.0, 2.0],
               "tau_sfa": [20.0, 150.0]}  # fmt: skip
#: escape noise that is certain: 0 or 1 per step, switching within 41 nV of V_T
CERTAIN_GIF = {"Delta_V": 1e-6, "lambda_0": 1e6}
CERTAIN_PP = {"c_1": 1e12, "c_2": 0.0, "c_3": 0.0}  # p = 1 above V_eff = 0.4 nV

#: per model: weight of the excitatory and inhibitory spike trains (NEST's units)
WEIGHTS = {"gif_psc_exp": (300.0, -200.0), "gif_cond_exp": (5.0, -5.0), "pp_psc_delta": (1.0, -0.7)}

CONDITIONS = {
    "gif_psc_exp": {
        "adapting": dict(GIF_KERNELS, I_e=150.0),
        "noisy": {"Delta_V": 2.0, "lambda_0": 10.0, "I_e": 140.0},
    },
    "gif_cond_exp": {"adapting": dict(GIF_KERNELS, I_e=150.0)},
    "pp_psc_delta": {
        "adapting": {"dead_time": 2.0, "I_e": 300.0, "q_sfa": [3.0], "tau_sfa": [50.0]},
        "poisson": {"dead_time": 0.0, "c_1": 100.0, "c_2": 0.0, "I_e": 100.0},
        "gamma_dead_time": {
            "dead_time": 10.0,
            "dead_time_random": True,
            "dead_time_shape": 3,
            "I_e": 200.0,
        },  # fmt: skip
    },
}


def deterministic_protocol(model: str) -> dict:
    """Neurons that never fire and neurons that fire for certain, fed spike trains of
    both signs and a step current."""
    if model == "pp_psc_delta":
        silent = {"c_1": 0.0, "c_2": 0.0, "q_sfa": [3.0, 1.0], "tau_sfa": [20.0, 100.0]}
        neurons = [
            silent,
            dict(CERTAIN_PP, q_sfa=[3.0, 1.0], tau_sfa=[20.0, 100.0], dead_time=2.0, I_e=300.0),
            dict(
                CERTAIN_PP,
                q_sfa=[2.0, 0.5],
                tau_sfa=[30.0, 10.0],
                with_reset=False,
                dead_time=0.55,
                I_e=200.0,
                tau_m=5.0,
                C_m=100.0,
            ),  # fmt: skip
        ]
    else:
        neurons = [
            dict(GIF_KERNELS, lambda_0=0.0, I_e=100.0),
            dict(GIF_KERNELS, **CERTAIN_GIF, I_e=200.0),
            dict(
                GIF_KERNELS,
                **CERTAIN_GIF,
                I_e=180.0,
                E_L=-65.0,
                V_reset=-60.0,
                t_ref=2.0,
                tau_syn_ex=1.0,
                tau_syn_in=5.0,
                C_m=100.0,
                g_L=5.0,
            ),  # fmt: skip
        ]
    w_ex, w_in = WEIGHTS[model]
    everyone = list(range(len(neurons)))
    return {
        "description": "escape noise off (neuron 0) or certain (1, 2): spike trains of both "
        "signs and a step current",
        "duration": 200.0,
        "neurons": neurons,
        "stimuli": [
            {
                "device": "spike_generator",
                "params": {"spike_times": [5.0, 30.0, 30.0, 62.3, 100.0, 100.1, 150.0]},
                "targets": everyone,
                "syn": {"weight": w_ex, "delay": 1.0},
            },
            {
                "device": "spike_generator",
                "params": {"spike_times": [15.0, 45.0, 80.0, 120.0, 121.0]},
                "targets": everyone,
                "syn": {"weight": w_in, "delay": 1.0},
            },
            {
                "device": "step_current_generator",
                "params": {"amplitude_times": [50.0, 90.0], "amplitude_values": [60.0, -30.0]},
                "targets": everyone,
                "syn": {"delay": 0.1},
            },
        ],
        "kernel": {},
        "connections": [],
        "gap_junctions": [],
    }


def uncertain_steps(model: str, protocol: dict, recording: dict) -> int:
    """How many recorded steps of the neurons with certain noise had a firing
    probability that was neither 0 nor 1 in float64."""
    count = 0
    for i, neuron in enumerate(protocol["neurons"]):
        if model == "pp_psc_delta":
            if neuron.get("c_1", 0.0) == 0.0:
                continue
            margin = recording["V_m"][:, i] - recording["E_sfa"][:, i]  # mV
            count += int(((margin > 0.0) & (margin < 1e-6)).sum())
        else:
            if neuron.get("lambda_0", 1.0) == 0.0:
                continue
            margin = (recording["V_m"][:, i] - recording["E_sfa"][:, i]) / neuron["Delta_V"]
            count += int(((margin > -60.0) & (margin < 2.0)).sum())
    return count


def spike_statistics(steps: np.ndarray, senders: np.ndarray, n: int, n_steps: int) -> dict:
    """Per-neuron statistics of spikes given as step indices (1-based, the step at whose
    end the spike is; several entries for a spike of multiplicity > 1) and senders
    ``0..n-1``: ``count``, ``rate`` (Hz), ``cv`` (CV of the interspike intervals; NaN
    with fewer than 3 spikes) and ``fano`` (variance over mean of the counts in
    windows of ``WINDOW`` ms; NaN without spikes)."""
    window_steps = int(round(WINDOW / DT))
    n_windows = n_steps // window_steps
    counts = np.bincount(senders, minlength=n)
    cv = np.full(n, np.nan)
    fano = np.full(n, np.nan)
    for k in range(n):
        s = np.sort(steps[senders == k])
        if len(s) >= 3:
            isi = np.diff(s) * DT
            cv[k] = isi.std() / isi.mean() if isi.mean() > 0 else np.nan
        windows = np.bincount((s - 1) // window_steps, minlength=n_windows)[:n_windows]
        if windows.mean() > 0:
            fano[k] = windows.var() / windows.mean()
    return {"count": counts, "rate": counts / (n_steps * DT) * 1000.0, "cv": cv, "fano": fano}


def run_stats(nest, model: str, params: dict) -> dict:
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1, rng_seed=SEED)
    neurons = nest.Create(model, N_NEURONS, params=params)
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(neurons, recorder)
    nest.Simulate(DURATION)
    events = recorder.events
    steps = np.asarray(events["times"], np.int64)
    senders = np.asarray(events["senders"], np.int64) - neurons[0].global_id
    return spike_statistics(steps, senders, N_NEURONS, int(round(DURATION / DT)))


def load_deterministic(model: str) -> dict:
    """The deterministic recording of ``model``, as ``protocols.load`` gives one."""
    with np.load(DATA, allow_pickle=False) as z:
        prefix = f"{model}/deterministic/"
        entry = {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}
    for key in ("protocol", "neuron_status", "kernel_status"):
        entry[key] = json.loads(str(entry.pop(f"{key}_json")))
    return entry


def load_stats(model: str, condition: str) -> dict:
    with np.load(DATA, allow_pickle=False) as z:
        prefix = f"{model}/stats/{condition}/"
        return {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import make
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    arrays = {"nest_version": np.array(nest.__version__)}
    for model in CONDITIONS:
        protocol = deterministic_protocol(model)
        result = make.run_protocol(nest, model, protocol)
        bad = uncertain_steps(model, protocol, result)
        if bad:
            raise RuntimeError(f"{model}: {bad} steps with an uncertain spike; change the case")
        arrays.update({f"{model}/deterministic/{k}": v for k, v in result.items()})
        counts = np.bincount(result["spike_senders"], minlength=len(protocol["neurons"]))
        print(f"{model}/deterministic: spikes per neuron {counts.tolist()}")
        for condition, params in CONDITIONS[model].items():
            stats = run_stats(nest, model, params)
            arrays.update({f"{model}/stats/{condition}/{k}": v for k, v in stats.items()})
            print(
                f"{model}/{condition}: rate {stats['rate'].mean():.2f} Hz, "
                f"CV {np.nanmean(stats['cv']):.3f}, Fano {np.nanmean(stats['fano']):.3f}"
            )
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
