"""Record NEST 3.10 on ``mat2_psc_exp`` and ``amat2_psc_exp`` into ``data/mat2.npz``.

One protocol per model (``make.run_protocol``'s recording: every recordable, every
step, and the spikes), its neurons side by side:

0, 1. a constant current below and above the (resting) threshold (``I_e``);
2.    a step_current_generator: below and above rheobase, far above, negative, off;
3.    the shared excitatory spike train (``SPIKE_TIMES``);
4.    a neuron firing by its ``I_e`` that receives ``INHIBITORY_TIMES`` (negative weight);
5.    non-default parameters (``E_L`` and ``omega`` moved, every time constant and jump
      changed, ``t_ref`` not a multiple of the step), ``I_e`` and both trains.

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_mat2.py

NEST is imported inside ``main`` only, so this file can be imported without NEST.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1] / "nest_reference"))
import protocols as P  # noqa: E402

DATA = Path(__file__).parent / "data" / "mat2.npz"

#: per model: constant currents (pA), step current (ms, pA), weights (pA), the second
#: neuron's current as bias of the inhibited one, and the non-default neuron
LEVELS = {
    "mat2_psc_exp": {
        "dc": (200.0, 800.0),
        "step": ((15.0, 200.0), (40.0, 500.0), (65.0, 1200.0), (90.0, -300.0), (110.0, 0.0)),
        "w_ex": 500.0,
        "w_in": -400.0,
        "other": {
            "E_L": -65.0,
            "omega": -48.0,
            "C_m": 150.0,
            "tau_m": 8.0,
            "tau_syn_ex": 2.0,
            "tau_syn_in": 4.0,
            "t_ref": 3.35,
            "tau_1": 15.0,
            "tau_2": 100.0,
            "alpha_1": 20.0,
            "alpha_2": 4.0,
            "I_e": 700.0,
        },
    },
    "amat2_psc_exp": {
        "dc": (50.0, 400.0),
        "step": ((15.0, 50.0), (40.0, 200.0), (65.0, 600.0), (90.0, -100.0), (110.0, 0.0)),
        "w_ex": 400.0,
        "w_in": -300.0,
        "beta": 0.2,
        "other": {
            "E_L": -65.0,
            "omega": -58.0,
            "C_m": 150.0,
            "tau_m": 8.0,
            "tau_syn_ex": 2.0,
            "tau_syn_in": 4.0,
            "t_ref": 3.35,
            "tau_1": 15.0,
            "tau_2": 100.0,
            "alpha_1": 6.0,
            "alpha_2": 1.5,
            "beta": 0.5,
            "tau_v": 12.0,
            "I_e": 300.0,
        },
    },
}
DURATION = 125.0  # ms
#: every other spike of ``SPIKE_TIMES``, 1.2 ms later: never in the step of an excitatory one
INHIBITORY_TIMES = [round(t + 1.2, 1) for t in P.SPIKE_TIMES[::2]]


def protocol(model: str) -> dict:
    lv = LEVELS[model]
    common = {"beta": lv["beta"]} if "beta" in lv else {}
    neurons = [
        dict(common, I_e=lv["dc"][0]),
        dict(common, I_e=lv["dc"][1]),
        dict(common),
        dict(common),
        dict(common, I_e=lv["dc"][1]),
        dict(lv["other"]),
    ]
    times, values = zip(*lv["step"], strict=True)
    return {
        "description": f"{model}: dc {lv['dc']} pA (0, 1), step current (2), spike train of "
        f"weight {lv['w_ex']} pA (3, 5) and {lv['w_in']} pA (4, 5), non-default neuron (5)",
        "duration": DURATION,
        "neurons": neurons,
        "stimuli": [
            {
                "device": "step_current_generator",
                "params": {"amplitude_times": list(times), "amplitude_values": list(values)},
                "targets": [2],
                "syn": {"delay": P.CURRENT_DELAY},
            },
            P._spike_stimulus(P.SPIKE_TIMES, lv["w_ex"], [3, 5]),
            P._spike_stimulus(INHIBITORY_TIMES, lv["w_in"], [4, 5]),
        ],
        "kernel": {},
        "connections": [],
        "gap_junctions": [],
    }


def load(model: str) -> dict:
    """The recording of ``model``, as ``protocols.load`` gives a protocol's."""
    with np.load(DATA, allow_pickle=False) as z:
        prefix = f"{model}/"
        entry = {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}
    for key in ("protocol", "neuron_status", "kernel_status", "defaults"):
        entry[key] = json.loads(str(entry.pop(f"{key}_json")))
    return entry


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import make
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    arrays = {"nest_version": np.array(nest.__version__)}
    for model in LEVELS:
        spec = protocol(model)
        result = make.run_protocol(nest, model, spec)
        defaults = make._jsonable(nest.GetDefaults(model))
        arrays[f"{model}/defaults_json"] = make._text(defaults)
        arrays.update({f"{model}/{k}": v for k, v in result.items()})
        counts = np.bincount(result["spike_senders"], minlength=len(spec["neurons"]))
        print(f"{model}: spikes per neuron {counts.tolist()}")
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
