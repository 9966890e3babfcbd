"""Record NEST 3.10 on ``gif_psc_exp_multisynapse`` and ``gif_cond_exp_multisynapse``
into ``data/gif_multisynapse.npz``, as ``make_stochastic_models.py`` records the GIF
models (its cases, kernels and statistics), with three receptors:

- ``<model>/deterministic/...``: ``make_stochastic_models``' deterministic neurons
  (escape noise off, or certain, so that the recording replays whatever the random
  numbers), ``tau_syn`` (and ``E_rev``) of :data:`RECEPTORS`, a spike train on every
  receptor (of both signs on two receptors of the current-based model) and a step
  current;
- ``<model>/stats/driven/...``: ``N_NEURONS`` neurons with real escape noise, all
  driven by the same regular spike trains on the three receptors (:data:`DRIVE`), for
  ``DURATION`` ms (seed ``SEED``, one thread); per-neuron rate, CV and Fano factor
  (``make_stochastic_models.spike_statistics``).

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_gif_multisynapse.py

NEST is imported inside ``main`` only, so this file can be imported without NEST.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from make_stochastic_models import (
    DT,
    GIF_KERNELS,
    SEED,
    deterministic_protocol,
    spike_statistics,
    uncertain_steps,
)

DATA = Path(__file__).parent / "data" / "gif_multisynapse.npz"
N_NEURONS = 100
DURATION = 1000.0  # ms
MODELS = ("gif_psc_exp_multisynapse", "gif_cond_exp_multisynapse")

#: per model: the receptors' parameters (the third neuron of the deterministic case has
#: its own time constants)
RECEPTORS = {
    "gif_psc_exp_multisynapse": {"tau_syn": [1.0, 5.0, 20.0]},
    "gif_cond_exp_multisynapse": {"tau_syn": [1.0, 5.0, 20.0], "E_rev": [0.0, -85.0, -60.0]},
}
OTHER_TAU_SYN = [2.0, 8.0, 0.5]
#: per model: (receptor, weight, spike times) of each spike_generator of the
#: deterministic case (weights in pA or nS; the conductances take none below 0)
TRAINS = {
    "gif_psc_exp_multisynapse": [
        (1, 300.0, [5.0, 30.0, 30.0, 62.3, 100.0, 100.1, 150.0]),
        (2, -200.0, [15.0, 45.0, 80.0, 120.0, 121.0]),
        (3, 60.0, [25.0, 55.0, 55.5, 56.0, 140.0]),
        (3, -40.0, [35.0, 90.0, 160.0]),
        (2, 150.0, [70.0, 110.0]),
    ],
    "gif_cond_exp_multisynapse": [
        (1, 12.0, [5.0, 30.0, 30.0, 62.3, 100.0, 100.1, 150.0]),
        (2, 5.0, [15.0, 45.0, 80.0, 120.0, 121.0]),
        (3, 8.0, [25.0, 55.0, 55.5, 56.0, 140.0]),
    ],
}
#: the statistics' neurons and their common drive: (receptor, weight, period ms, first ms)
DRIVEN = {
    "gif_psc_exp_multisynapse": dict(GIF_KERNELS, I_e=120.0, Delta_V=2.0, lambda_0=5.0),
    "gif_cond_exp_multisynapse": dict(GIF_KERNELS, I_e=250.0, Delta_V=2.0, lambda_0=5.0),
}
DRIVE = {
    "gif_psc_exp_multisynapse": [(1, 60.0, 10.0, 5.0), (2, -50.0, 7.0, 2.0), (3, 15.0, 3.0, 1.0)],
    "gif_cond_exp_multisynapse": [(1, 3.0, 10.0, 5.0), (2, 1.0, 7.0, 2.0), (3, 0.2, 3.0, 1.0)],
}


def drive_times(period: float, first: float) -> list[float]:
    """A regular train from ``first`` every ``period`` ms within the run."""
    return [round(t, 1) for t in np.arange(first, DURATION, period)]


def protocol(model: str) -> dict:
    """``make_stochastic_models``' deterministic case with receptors."""
    base = deterministic_protocol(model.removesuffix("_multisynapse"))
    neurons = []
    for k, neuron in enumerate(base["neurons"]):
        neuron = {key: v for key, v in neuron.items() if not key.startswith("tau_syn_")}
        neuron.update(RECEPTORS[model])
        if k == 2:
            neuron["tau_syn"] = OTHER_TAU_SYN
        neurons.append(neuron)
    everyone = list(range(len(neurons)))
    trains = [
        {
            "device": "spike_generator",
            "params": {"spike_times": times},
            "targets": everyone,
            "syn": {"weight": weight, "delay": 1.0, "receptor_type": receptor},
        }
        for receptor, weight, times in TRAINS[model]
    ]
    currents = [s for s in base["stimuli"] if s["device"] != "spike_generator"]
    return dict(
        base,
        description="escape noise off (neuron 0) or certain (1, 2): a spike train on every "
        "receptor and a step current",
        neurons=neurons,
        stimuli=trains + currents,
    )


def run_driven(nest, model: str) -> dict:
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1, rng_seed=SEED)
    params = dict(DRIVEN[model], **RECEPTORS[model])
    neurons = nest.Create(model, N_NEURONS, params=params)
    for receptor, weight, period, first in DRIVE[model]:
        source = nest.Create("spike_generator", params={"spike_times": drive_times(period, first)})
        nest.Connect(source, neurons, syn_spec={"weight": weight, "delay": 1.0,
                                                "receptor_type": receptor})  # fmt: skip
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
    for key in ("protocol", "neuron_status", "kernel_status", "defaults"):
        entry[key] = json.loads(str(entry.pop(f"{key}_json")))
    return entry


def load_stats(model: str) -> dict:
    with np.load(DATA, allow_pickle=False) as z:
        prefix = f"{model}/stats/driven/"
        return {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import make
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    arrays = {"nest_version": np.array(nest.__version__)}
    for model in MODELS:
        spec = protocol(model)
        result = make.run_protocol(nest, model, spec)
        if uncertain_steps(model, spec, result):
            raise RuntimeError(f"{model}: steps with an uncertain spike; change the case")
        result["defaults_json"] = make._text(make._jsonable(nest.GetDefaults(model)))
        arrays.update({f"{model}/deterministic/{k}": v for k, v in result.items()})
        counts = np.bincount(result["spike_senders"], minlength=len(spec["neurons"]))
        print(f"{model}/deterministic: spikes per neuron {counts.tolist()}")
        stats = run_driven(nest, model)
        arrays.update({f"{model}/stats/driven/{k}": v for k, v in stats.items()})
        print(
            f"{model}/driven: rate {stats['rate'].mean():.2f} Hz, "
            f"CV {np.nanmean(stats['cv']):.3f}, Fano {np.nanmean(stats['fano']):.3f}"
        )
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
