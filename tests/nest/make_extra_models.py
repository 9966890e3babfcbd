"""Record NEST 3.10 on the cases of the newer models that ``tests/nest_reference``
cannot hold.

``tests/nest_reference/make.py`` keeps scalar parameters only (a list such as
``tau_syn`` does not fit its status check) and needs a recordable ``V_m``. This script
records, with the same runner (``make.run_protocol``), into ``data/extra_models.npz``:

- ``iaf_psc_exp_multisynapse`` / ``iaf_psc_alpha_multisynapse``, protocol
  ``receptors``: three receptors (``tau_syn`` below; the alpha model's third equals
  ``tau_m``, the singular case of its propagator), a spike train on every receptor,
  of both signs on receptor 3, onto a neuron at rest and a biased one that fires;
- ``aeif_psc_alpha`` / ``aeif_psc_delta``, protocol ``extra``: ``make_aeif_extra``'s
  neurons (refractoriness, ``Delta_T = 0``, ``V_peak``, initial state, several spikes
  per step) with weights for these models;
- ``ignore_and_fire``, protocol ``rates``: neurons with several ``phase`` / ``rate``
  pairs (spikes only: the model records nothing), fed spikes and a current that it
  must ignore.

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_extra_models.py

NEST is imported inside ``main`` only, so this file can be imported without NEST.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from make_aeif_extra import make
from make_aeif_extra import protocol as aeif_extra_protocol

DATA = Path(__file__).parent / "data" / "extra_models.npz"

TAU_SYN = {
    "iaf_psc_exp_multisynapse": [0.5, 2.0, 5.0],
    "iaf_psc_alpha_multisynapse": [0.5, 2.0, 10.0],  # 10 ms = tau_m
}
#: (receptor, weight in pA, spike times in ms) of each spike_generator
RECEPTOR_TRAINS = [
    (1, 600.0, [5.0, 20.0, 20.3, 35.0, 35.0, 50.0, 50.5, 51.0, 51.5, 52.0, 75.0, 75.1]),
    (2, -400.0, [10.0, 30.0, 30.0, 52.0, 53.0, 70.0]),
    (3, 150.0, [15.0, 40.0, 41.0, 42.0, 60.0, 60.1]),
    (3, -100.0, [25.0, 45.0, 80.0]),
]
AEIF_WEIGHTS = {"aeif_psc_alpha": (2000.0, -800.0), "aeif_psc_delta": (5.0, -3.0)}  # pA, mV
#: (phase, rate in Hz): NEST's defaults, off-grid periods and phases, a period of
#: 10 steps, one of 3.33 steps (4 steps) and the smallest phase (first spike in step 2)
IGNORE_AND_FIRE = [(1.0, 10.0), (0.35, 33.0), (1.0, 1000.0), (0.5, 3000.0), (0.001, 200.0),
                   (0.999, 77.7)]  # fmt: skip


def multisynapse_protocol(model: str) -> dict:
    tau_syn = TAU_SYN[model]
    return {
        "description": f"receptors 1..3 with tau_syn {tau_syn} ms: a spike train on every "
        "receptor (both signs on receptor 3) onto a neuron at rest and one biased to fire",
        "duration": 100.0,
        "neurons": [{"tau_syn": tau_syn}, {"tau_syn": tau_syn, "I_e": 400.0}],
        "stimuli": [
            {
                "device": "spike_generator",
                "params": {"spike_times": times},
                "targets": [0, 1],
                "syn": {"weight": weight, "delay": 1.0, "receptor_type": receptor},
            }
            for receptor, weight, times in RECEPTOR_TRAINS
        ],
        "kernel": {},
        "connections": [],
        "gap_junctions": [],
    }


def aeif_protocol(model: str) -> dict:
    """``make_aeif_extra``'s protocol, with ``model``'s weights."""
    protocol = aeif_extra_protocol("aeif_psc_exp")
    w_ex, w_in = AEIF_WEIGHTS[model]
    stimuli = [dict(s) for s in protocol["stimuli"]]
    stimuli[0]["syn"] = dict(stimuli[0]["syn"], weight=w_ex)
    stimuli[1]["syn"] = dict(stimuli[1]["syn"], weight=w_in)
    return dict(protocol, stimuli=stimuli)


def ignore_and_fire_protocol() -> dict:
    neurons = [{"phase": phase, "rate": rate} for phase, rate in IGNORE_AND_FIRE]
    everyone = list(range(len(neurons)))
    return {
        "description": "ignore_and_fire with several (phase, rate); spikes and a current "
        "sent to it are ignored",
        "duration": 300.0,
        "neurons": neurons,
        "stimuli": [
            {
                "device": "spike_generator",
                "params": {"spike_times": [1.0, 2.0, 2.0, 50.0]},
                "targets": everyone,
                "syn": {"weight": 1000.0, "delay": 1.0},
            },
            {
                "device": "dc_generator",
                "params": {"amplitude": 1e4},
                "targets": everyone,
                "syn": {"delay": 0.1},
            },
        ],
        "kernel": {},
        "connections": [],
        "gap_junctions": [],
    }


def protocols() -> dict[tuple[str, str], dict]:
    """Every recorded ``(model, protocol name)`` and its protocol."""
    out = {(model, "receptors"): multisynapse_protocol(model) for model in TAU_SYN}
    out.update({(model, "extra"): aeif_protocol(model) for model in AEIF_WEIGHTS})
    out[("ignore_and_fire", "rates")] = ignore_and_fire_protocol()
    return out


def load(model: str, name: str) -> dict:
    """The recording of ``model``'s protocol ``name``, as ``protocols.load`` gives one."""
    with np.load(DATA, allow_pickle=False) as z:
        prefix = f"{model}/{name}/"
        entry = {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}
    for key in ("protocol", "neuron_status", "kernel_status"):
        entry[key] = json.loads(str(entry.pop(f"{key}_json")))
    return entry


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    arrays = {"nest_version": np.array(nest.__version__)}
    for (model, name), protocol in protocols().items():
        result = make.run_protocol(nest, model, protocol)
        arrays.update({f"{model}/{name}/{key}": value for key, value in result.items()})
        counts = np.bincount(result["spike_senders"], minlength=len(protocol["neurons"]))
        print(f"{model}/{name}: spikes per neuron {counts.tolist()}")
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
