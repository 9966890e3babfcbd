"""Record NEST 3.10 on the aeif cases the shared protocols do not reach.

The shared protocols (``tests/nest_reference``) use NEST's default ``t_ref = 0`` and
``Delta_T = 2``. This script records, for ``aeif_cond_alpha``, ``aeif_cond_exp`` and
``aeif_psc_exp``, one extra protocol (``EXTRA``) whose neurons cover refractoriness
(including ``t_ref = 0.25 ms``, which NEST rounds *up* to 3 steps), ``Delta_T = 0``
(threshold ``V_th``), a lowered ``V_peak``, a set initial state, spikes arriving during
refractoriness, and a current so strong (switched off after 15 ms) that NEST emits
several spikes per step. The
result is ``data/aeif_extra.npz``, read by ``test_aeif.py``. Needs NEST; run from the
repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_aeif_extra.py

NEST is imported inside ``main`` only, so this file can be imported without NEST.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import numpy as np

_HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location(
    "nest_reference_make", _HERE.parent / "nest_reference" / "make.py"
)
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)

MODELS = ("aeif_cond_alpha", "aeif_cond_exp", "aeif_psc_exp")
DATA = _HERE / "data" / "aeif_extra.npz"
DURATION = 30.0  # ms
BURST_CURRENT = {"amplitude_times": [0.1, 15.0], "amplitude_values": [4e5, 0.0]}  # pA
SPIKE_TIMES = [2.0, 5.0, 5.0, 6.5, 7.0, 7.3, 7.6, 8.0, 12.0, 12.1, 20.0]
WEIGHTS = {  # (excitatory, inhibitory), as in tests/nest_reference/protocols.py
    "aeif_cond_alpha": (30.0, -15.0),
    "aeif_cond_exp": (80.0, -40.0),
    "aeif_psc_exp": (5000.0, -2000.0),
}
NEURONS = [
    {"t_ref": 2.0, "I_e": 1000.0},  # refractory; receives the excitatory train
    {"t_ref": 0.25, "I_e": 1000.0},  # 2.5 steps: NEST counts 3
    {"Delta_T": 0.0, "I_e": 1000.0},  # integrate-and-fire: spikes at V_th
    {"Delta_T": 0.0, "t_ref": 1.0, "I_e": 1000.0},  # receives the inhibitory train
    {"b": 10.0},  # 400 nA from BURST_CURRENT: several spikes per step
    {"V_peak": -40.0, "t_ref": 0.5, "I_e": 800.0, "V_m": -65.0, "w": 20.0},
]


def protocol(model: str) -> dict:
    w_ex, w_in = WEIGHTS[model]
    train = {"device": "spike_generator", "params": {"spike_times": SPIKE_TIMES}}
    return {
        "description": "aeif extras: refractoriness, Delta_T = 0, V_peak, initial state, "
        "several spikes per step",
        "duration": DURATION,
        "neurons": NEURONS,
        "stimuli": [
            {**train, "targets": [0], "syn": {"weight": w_ex, "delay": 1.0}},
            {**train, "targets": [3], "syn": {"weight": w_in, "delay": 1.0}},
            {
                "device": "step_current_generator",
                "params": BURST_CURRENT,
                "targets": [4],
                "syn": {"delay": 0.1},
            },
        ],
        "kernel": {},
        "connections": [],
        "gap_junctions": [],
    }


def load(model: str) -> dict:
    """The recording of ``model``'s extra protocol, as ``protocols.load`` gives one."""
    with np.load(DATA, allow_pickle=False) as z:
        prefix = f"{model}/"
        entry = {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}
    for key in ("protocol", "neuron_status", "kernel_status"):
        entry[key] = json.loads(str(entry.pop(f"{key}_json")))
    return entry


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    arrays = {"nest_version": np.array(nest.__version__)}
    for model in MODELS:
        result = make.run_protocol(nest, model, protocol(model))
        arrays.update({f"{model}/{key}": value for key, value in result.items()})
        counts = np.bincount(result["spike_senders"], minlength=len(NEURONS))
        print(f"{model}: spikes per neuron {counts.tolist()}")
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
