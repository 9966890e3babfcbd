"""Record NEST 3.10 on ``aeif_psc_delta_clopath``.

The neurons (``NEURONS``, one NEST kernel, side by side) cover: constant input below
and above rheobase (``I_e`` and a ``dc_generator``), a step current, voltage jumps of
both signs (``TRAIN``, also arriving while clamped and refractory), refractoriness after
the clamp (``t_ref = 2`` ms), a clamp of ``t_clamp = 0.25`` ms (NEST rounds it up to 3
steps), ``Delta_T = 0`` (spikes at the adaptive threshold ``V_th``), a lowered
``V_peak`` with a set initial state, and non-default spike afterpotential, threshold,
filter and adaptation parameters. ``V_th_rest`` stays at its default: NEST starts the
state ``V_th`` at the default ``V_th_rest`` whatever is set, and does not let it be set.

The result is ``data/aeif_psc_delta_clopath.npz``, read by
``test_aeif_psc_delta_clopath.py``. Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_aeif_psc_delta_clopath.py

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

MODEL = "aeif_psc_delta_clopath"
DATA = _HERE / "data" / "aeif_psc_delta_clopath.npz"
DURATION = 50.0  # ms
TRAIN = [2.0, 5.0, 5.0, 9.0, 12.0, 12.5, 13.0, 14.0, 20.0, 24.0, 27.0, 27.2, 33.0, 40.0]
NEURONS = [
    {"I_e": 300.0},  # subthreshold; receives the excitatory train
    {"I_e": 2500.0},  # fires repeatedly; receives the inhibitory train
    {},  # dc_generator
    {},  # step_current_generator
    {"t_ref": 2.0, "I_e": 2500.0},  # refractory after the clamp; excitatory train
    {"t_clamp": 0.25, "I_e": 2500.0},  # 2.5 steps: NEST counts 3
    {"Delta_T": 0.0, "I_e": 1500.0, "V_th_max": -40.0, "tau_V_th": 5.0},  # spikes at V_th
    {
        "V_peak": 0.0,
        "V_clamp": 10.0,
        "I_e": 1200.0,
        "V_m": -65.0,
        "w": 20.0,
        "u_bar_plus": -60.0,
        "u_bar_minus": -62.0,
        "u_bar_bar": -68.0,
    },
    {
        "E_L": -65.0,
        "g_L": 20.0,
        "C_m": 200.0,
        "V_reset": -55.0,
        "a": 2.0,
        "b": 40.0,
        "tau_w": 100.0,
        "tau_z": 20.0,
        "I_sp": 200.0,
        "V_th_max": 0.0,
        "tau_V_th": 20.0,
        "tau_u_bar_plus": 5.0,
        "tau_u_bar_minus": 15.0,
        "tau_u_bar_bar": 100.0,
        "V_clamp": 20.0,
        "t_clamp": 1.0,
        "I_e": 1800.0,
    },
]


def _train(weight: float, targets: list[int]) -> dict:
    return {
        "device": "spike_generator",
        "params": {"spike_times": TRAIN},
        "targets": targets,
        "syn": {"weight": weight, "delay": 1.0},
    }


PROTOCOL = {
    "duration": DURATION,
    "neurons": NEURONS,
    "stimuli": [
        _train(4.0, [0, 4, 8]),  # mV
        _train(-6.0, [1, 5]),
        {
            "device": "dc_generator",
            "params": {"amplitude": 2000.0},
            "targets": [2],
            "syn": {"delay": 0.1},
        },
        {
            "device": "step_current_generator",
            "targets": [3],
            "syn": {"delay": 0.1},
            "params": {
                "amplitude_times": [5.0, 15.0, 30.0, 42.0],
                "amplitude_values": [600.0, 3000.0, -400.0, 0.0],
            },
        },
    ],
    "kernel": {},
    "connections": [],
    "gap_junctions": [],
}


def load() -> dict:
    """The recording: arrays, the protocol, NEST's defaults and each neuron's status."""
    with np.load(DATA, allow_pickle=False) as z:
        entry = {k: z[k] for k in z.files}
    for key in ("protocol", "neuron_status", "kernel_status", "defaults"):
        entry[key] = json.loads(str(entry.pop(f"{key}_json")))
    return entry


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.ResetKernel()
    status = nest.GetDefaults(MODEL)
    defaults = make._jsonable(status)
    defaults["recordables"] = [str(r) for r in status["recordables"]]
    arrays = {
        "nest_version": np.array(nest.__version__),
        "defaults_json": np.array(json.dumps(defaults, sort_keys=True)),
        **make.run_protocol(nest, MODEL, PROTOCOL),
    }
    counts = np.bincount(arrays["spike_senders"], minlength=len(NEURONS))
    print(f"{MODEL}: spikes per neuron {counts.tolist()}")
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
