"""Record NEST 3.10 on ``aeif_cond_alpha_multisynapse`` and ``aeif_cond_beta_multisynapse``.

Every neuron has three receptors (``RECEPTORS``): receptor 1 excitatory (``E_rev = 0``),
receptor 2 inhibitory (``E_rev = -85 mV``), receptor 3 with ``E_rev = -20 mV``; the beta
model's receptor 3 has ``tau_rise = tau_decay`` (NEST then uses the alpha function's
normalisation). Protocols (``PROTOCOLS``, each in its own NEST kernel):

- ``dc``: ``I_e`` below and above rheobase, and a ``dc_generator``;
- ``step``: a ``step_current_generator`` below and above rheobase, negative, off;
- ``spikes``: spike trains on every receptor, to a resting neuron and to one firing
  repeatedly (the inhibitory receptor silences it), and an excitatory train strong
  enough to make a neuron fire;
- ``extra``: refractoriness (``t_ref = 2`` and ``0.25`` ms, with spikes arriving while
  refractory), ``Delta_T = 0``, a lowered ``V_peak`` with a set initial state, and
  non-default membrane, adaptation and receptor parameters.

The result is ``data/aeif_multisynapse.npz``, read by ``test_aeif_multisynapse.py``.
Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_aeif_multisynapse.py

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

MODELS = ("aeif_cond_alpha_multisynapse", "aeif_cond_beta_multisynapse")
DATA = _HERE / "data" / "aeif_multisynapse.npz"
DURATION = 40.0  # ms
#: The receptor lists every neuron gets (a neuron's overrides may replace them).
RECEPTORS = {
    "aeif_cond_alpha_multisynapse": {"E_rev": [0.0, -85.0, -20.0], "tau_syn": [0.5, 5.0, 2.0]},
    "aeif_cond_beta_multisynapse": {
        "E_rev": [0.0, -85.0, -20.0],
        "tau_rise": [0.2, 1.0, 2.0],
        "tau_decay": [2.0, 10.0, 2.0],
    },
}
#: Non-default receptor lists of one neuron of the ``extra`` protocol.
OTHER_RECEPTORS = {
    "aeif_cond_alpha_multisynapse": {"E_rev": [10.0, -70.0, -40.0], "tau_syn": [1.0, 3.0, 0.3]},
    "aeif_cond_beta_multisynapse": {
        "E_rev": [10.0, -70.0, -40.0],
        "tau_rise": [0.5, 0.1, 1.0],
        "tau_decay": [0.6, 8.0, 4.0],
    },
}
TRAIN = [2.0, 5.0, 5.0, 9.0, 12.0, 12.5, 13.0, 20.0, 24.0, 27.0, 27.2, 33.0]
WEIGHTS = (6.0, 12.0, 4.0)  # nS, receptors 1, 2, 3 (NEST takes only weights >= 0)
STEP = {"amplitude_times": [3.0, 12.0, 26.0, 33.0], "amplitude_values": [500.0, 1600.0, -300.0, 0]}


def _trains(targets: list[int], weights=WEIGHTS, shift: float = 0.0) -> list[dict]:
    """One spike train per receptor (delay 1 ms), receptor ``k`` shifted by ``k`` ms."""
    return [
        {
            "device": "spike_generator",
            "params": {"spike_times": [t + shift + k for t in TRAIN]},
            "targets": targets,
            "syn": {"weight": w, "delay": 1.0, "receptor_type": k + 1},
        }
        for k, w in enumerate(weights)
    ]


PROTOCOLS = {
    "dc": (
        [{"I_e": 300.0}, {"I_e": 700.0}, {}],
        [
            {
                "device": "dc_generator",
                "params": {"amplitude": 1000.0},
                "targets": [2],
                "syn": {"delay": 0.1},
            }
        ],
    ),
    "step": (
        [{}],
        [
            {
                "device": "step_current_generator",
                "params": STEP,
                "targets": [0],
                "syn": {"delay": 0.1},
            }
        ],
    ),
    "spikes": (
        [{}, {"I_e": 1200.0}, {}],
        [*_trains([0, 1]), *_trains([2], (40.0,))],
    ),
    "extra": (
        [
            {"t_ref": 2.0, "I_e": 1500.0},  # refractory; trains arrive while it is
            {"t_ref": 0.25, "I_e": 1500.0},  # 2.5 steps: NEST counts 3
            {"Delta_T": 0.0, "t_ref": 1.0, "I_e": 1200.0},  # integrate-and-fire at V_th
            {"V_peak": -40.0, "t_ref": 0.5, "I_e": 1200.0, "V_m": -65.0, "w": 20.0},
            {
                "g_L": 20.0,
                "C_m": 200.0,
                "E_L": -65.0,
                "V_reset": -55.0,
                "a": 2.0,
                "b": 40.0,
                "tau_w": 100.0,
                "V_th": -52.0,
                "I_e": 700.0,
            },
            "other receptors",  # replaced by OTHER_RECEPTORS, with I_e 1000 pA
        ],
        _trains([0, 1, 2, 3, 4, 5], (6.0, 3.0, 4.0), shift=0.5),
    ),
}


def protocol(model: str, name: str) -> dict:
    """Protocol ``name`` of ``model`` in the form ``make.run_protocol`` takes."""
    neurons, stimuli = PROTOCOLS[name]
    other = {**OTHER_RECEPTORS[model], "I_e": 1000.0}
    return {
        "duration": DURATION,
        "neurons": [
            {**RECEPTORS[model], **(other if n == "other receptors" else n)} for n in neurons
        ],
        "stimuli": stimuli,
        "kernel": {},
        "connections": [],
        "gap_junctions": [],
    }


def load(model: str, name: str) -> dict:
    """The recording of ``model``'s protocol ``name``: arrays and the protocol."""
    with np.load(DATA, allow_pickle=False) as z:
        prefix = f"{model}/{name}/"
        entry = {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}
    for key in ("protocol", "neuron_status", "kernel_status"):
        entry[key] = json.loads(str(entry.pop(f"{key}_json")))
    return entry


def defaults(model: str) -> dict:
    """NEST's defaults of ``model`` (receptor lists as lists) and its recordables."""
    with np.load(DATA, allow_pickle=False) as z:
        return json.loads(str(z[f"{model}/defaults_json"]))


class _ThreeReceptors:
    """NEST, but ``GetDefaults`` lists the recordables of a neuron with three receptors:
    ``make.run_protocol`` records the model's default recordables, and NEST's default
    neuron has one receptor (``g_1`` only)."""

    def __init__(self, nest, model: str):
        self._nest = nest
        nest.ResetKernel()
        neuron = nest.Create(model, params=RECEPTORS[model])
        self._recordables = [str(r) for r in neuron.get("recordables")]

    def __getattr__(self, name: str):
        return getattr(self._nest, name)

    def GetDefaults(self, model: str) -> dict:  # noqa: N802 (NEST's name)
        return dict(self._nest.GetDefaults(model), recordables=self._recordables)


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    arrays = {"nest_version": np.array(nest.__version__)}
    for model in MODELS:
        nest.ResetKernel()
        status = nest.GetDefaults(model)
        known = make._jsonable(status)
        known.update({k: [float(v) for v in status[k]] for k in RECEPTORS[model]})
        known["recordables"] = [str(r) for r in status["recordables"]]
        arrays[f"{model}/defaults_json"] = np.array(json.dumps(known, sort_keys=True))
        for name in PROTOCOLS:
            result = make.run_protocol(_ThreeReceptors(nest, model), model, protocol(model, name))
            arrays.update({f"{model}/{name}/{key}": value for key, value in result.items()})
            n = len(PROTOCOLS[name][0])
            counts = np.bincount(result["spike_senders"], minlength=n)
            print(f"{model} {name}: spikes per neuron {counts.tolist()}")
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
