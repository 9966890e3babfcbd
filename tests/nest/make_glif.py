"""Record NEST 3.10's GLIF models (``glif_psc``, ``glif_cond``, ``glif_psc_double_alpha``)
into ``data/glif.npz``.

For every model and each of its five variants (GLIF1..5, chosen by the switches
``spike_dependent_threshold``, ``after_spike_currents``, ``adapting_threshold``) one NEST
kernel runs four neurons with three receptors:

0. a DC current (NEST's default parameters otherwise);
1. a stepped current: below and above rheobase, far above, negative, off;
2. spike trains on every receptor (``glif_psc*``: both signs on each; ``glif_cond``: an
   excitatory, an inhibitory and a shunting receptor, with a negative train on the
   third) onto a neuron biased by a DC current below rheobase;
3. non-default parameters (``NON_DEFAULT``: membrane, reset rules, threshold kernels,
   after-spike currents with initial values, ``t_ref`` of a whole number of steps, a
   start away from rest) with a DC current and the spike trains. NEST's ``asc_init``
   does not set the after-spike currents of a created neuron, so ``ASCurrents`` is set
   to the same values.

Every recordable is stored each ``RECORD_STEPS`` steps (the states evolve in between
and are compared where stored; every spike is kept), which keeps the file small.
The protocols are plain data, so the tests rebuild the same inputs. Needs NEST; run
from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_glif.py

NEST is imported inside ``main`` only, so this file can be imported without NEST.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "glif.npz"
DT = 0.1  # ms
DURATION = 120.0  # ms
RECORD_STEPS = 6  # a sample every 0.6 ms
CURRENT_DELAY = 0.1  # ms
SPIKE_DELAY = 1.0  # ms

#: (spike_dependent_threshold, after_spike_currents, adapting_threshold) of GLIF1..5
VARIANTS = {
    "glif1": (False, False, False),
    "glif2": (True, False, False),
    "glif3": (False, True, False),
    "glif4": (True, True, False),
    "glif5": (True, True, True),
}
SWITCHES = ("spike_dependent_threshold", "after_spike_currents", "adapting_threshold")

#: the receptors of each model (every neuron of a run has these)
RECEPTORS = {
    "glif_psc": {"tau_syn": [2.0, 0.5, 6.0]},
    "glif_cond": {"tau_syn": [0.2, 2.0, 1.0], "E_rev": [0.0, -85.0, -60.0]},
    "glif_psc_double_alpha": {
        "tau_syn_fast": [2.0, 0.5, 6.0],
        "tau_syn_slow": [6.0, 3.0, 20.0],
        "amp_slow": [0.3, 1.0, 0.5],
    },
}
#: (receptor, weight in pA or nS, spike times in ms) of each spike_generator
TRAINS = {
    "glif_psc": [
        (1, 600.0, [5.0, 20.0, 20.3, 35.0, 35.0, 50.0, 50.5, 51.0, 51.5, 52.0, 90.0]),
        (1, -300.0, [25.0, 70.0]),
        (2, 900.0, [10.0, 40.0, 40.0, 60.0, 60.1, 60.2, 95.0]),
        (2, -800.0, [45.0, 100.0]),
        (3, 250.0, [15.0, 55.0, 75.0, 76.0, 77.0]),
        (3, -200.0, [30.0, 80.0, 110.0]),
    ],
    "glif_cond": [
        (1, 30.0, [5.0, 20.0, 20.3, 35.0, 35.0, 50.0, 50.5, 51.0, 51.5, 52.0, 90.0]),
        (2, 10.0, [25.0, 45.0, 70.0, 100.0]),
        (3, 15.0, [10.0, 40.0, 60.0, 60.1, 60.2, 95.0]),
        (3, -2.0, [15.0, 80.0]),
    ],
}
TRAINS["glif_psc_double_alpha"] = TRAINS["glif_psc"]
#: pA: the DC of neuron 0, the bias of neurons 2 and 3
DC, BIAS = 400.0, 180.0
#: (time in ms, amplitude in pA) of neuron 1's step_current_generator
STEPS = [(10.0, 200.0), (30.0, 300.0), (60.0, 700.0), (90.0, -200.0), (105.0, 0.0)]
#: neuron 3's parameters (a conductance is ``g`` in glif_psc*, ``g_m`` in glif_cond)
NON_DEFAULT = {
    "E_L": -70.0,
    "V_th": -50.0,
    "V_reset": -66.0,
    "V_m": -60.0,
    "C_m": 80.0,
    "t_ref": 2.0,
    "th_spike_add": 1.5,
    "th_spike_decay": 0.05,
    "voltage_reset_fraction": 0.5,
    "voltage_reset_add": 4.0,
    "th_voltage_index": 0.02,
    "th_voltage_decay": 0.2,
    "asc_init": [10.0, -20.0],
    "asc_decay": [0.05, 0.3],
    "asc_amps": [-20.0, -60.0],
    "asc_r": [0.5, 1.0],
}
CONDUCTANCE = {"glif_psc": "g", "glif_cond": "g_m", "glif_psc_double_alpha": "g"}


def protocol(model: str, variant: str) -> dict:
    """The four neurons of ``model``'s ``variant`` and their stimuli, in the format of
    ``tests/nest_reference/protocols.py`` (``protocol_driver.input_arrays`` reads it)."""
    common = {**dict(zip(SWITCHES, VARIANTS[variant], strict=True)), **RECEPTORS[model]}
    special = {**NON_DEFAULT, CONDUCTANCE[model]: 12.0}
    if common["after_spike_currents"]:  # NEST starts the currents at 0 whatever asc_init
        special["ASCurrents"] = special["asc_init"]
    trains = [
        {
            "device": "spike_generator",
            "params": {"spike_times": times},
            "targets": [2, 3],
            "syn": {"weight": weight, "delay": SPIKE_DELAY, "receptor_type": receptor},
        }
        for receptor, weight, times in TRAINS[model]
    ]
    times, values = zip(*STEPS, strict=True)
    currents = [
        ([0], {"amplitude": DC}, "dc_generator"),
        ([1], {"amplitude_times": list(times), "amplitude_values": list(values)},
         "step_current_generator"),
        ([2, 3], {"amplitude": BIAS}, "dc_generator"),
    ]  # fmt: skip
    return {
        "description": f"{model} {variant}: DC, stepped current, spike trains on every "
        "receptor, non-default parameters",
        "duration": DURATION,
        "neurons": [dict(common), dict(common), dict(common), {**common, **special}],
        "stimuli": [
            {
                "device": device,
                "params": params,
                "targets": targets,
                "syn": {"delay": CURRENT_DELAY},
            }
            for targets, params, device in currents
        ]
        + trains,  # fmt: skip
        "kernel": {},
        "connections": [],
        "gap_junctions": [],
    }


def runs() -> dict[tuple[str, str], dict]:
    """Every recorded ``(model, variant)`` and its protocol."""
    return {
        (model, variant): protocol(model, variant) for model in RECEPTORS for variant in VARIANTS
    }


def load(model: str, variant: str) -> dict:
    """The recording of ``model``'s ``variant``: ``protocol``, ``times`` (ms, the stored
    samples), one (samples, 4) array per recordable, ``spike_steps`` / ``spike_senders``
    (the step, from 1, that ends with each spike and its neuron)."""
    with np.load(DATA, allow_pickle=False) as z:
        prefix = f"{model}/{variant}/"
        entry = {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}
    entry["protocol"] = json.loads(str(entry.pop("protocol_json")))
    return entry


def defaults(model: str) -> dict:
    """NEST's defaults of ``model`` (numbers, flags and lists)."""
    with np.load(DATA, allow_pickle=False) as z:
        return json.loads(str(z[f"{model}/defaults_json"]))


def _run(nest, model: str, protocol: dict) -> dict[str, np.ndarray]:
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1)
    neurons = nest.Create(model, len(protocol["neurons"]))
    for i, params in enumerate(protocol["neurons"]):
        neurons[i].set(params)
    for stim in protocol["stimuli"]:
        device = nest.Create(stim["device"], params=stim["params"])
        for target in stim["targets"]:
            nest.Connect(device, neurons[target], syn_spec=dict(stim["syn"]))
    recordables = [str(r) for r in neurons[0].get("recordables")]
    interval = RECORD_STEPS * DT
    meter = nest.Create("multimeter", params={"interval": interval, "record_from": recordables})
    nest.Connect(meter, neurons)
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(neurons, recorder)
    nest.Simulate(protocol["duration"] + nest.min_delay)

    samples = int(round(protocol["duration"] / interval))
    events, first = meter.events, neurons[0].global_id
    senders, times = np.asarray(events["senders"]) - first, np.asarray(events["times"])
    out: dict[str, np.ndarray] = {}
    for name in recordables:
        columns = []
        for i in range(len(neurons)):
            order = np.argsort(times[senders == i], kind="stable")[:samples]
            t_i = times[senders == i][order]
            if not np.allclose(t_i, interval * np.arange(1, samples + 1), atol=1e-9):
                raise RuntimeError(f"{model}: unexpected multimeter times")
            columns.append(np.asarray(events[name], np.float64)[senders == i][order])
        out[name] = np.stack(columns, axis=1)
    out["times"] = t_i
    spikes = recorder.events
    steps = np.asarray(spikes["times"], np.int64)
    index = np.asarray(spikes["senders"], np.int64) - first
    keep = steps <= int(round(protocol["duration"] / DT))
    order = np.lexsort((index[keep], steps[keep]))
    out["spike_steps"], out["spike_senders"] = steps[keep][order], index[keep][order]
    out["protocol_json"] = np.array(json.dumps(protocol, sort_keys=True))
    return out


def _defaults(nest, model: str) -> str:
    status = nest.GetDefaults(model)
    keep = {}
    for key, value in status.items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            keep[key] = value.tolist()
        elif isinstance(value, (bool, float)) or key == "recordables":
            keep[key] = [str(v) for v in value] if key == "recordables" else value
    return json.dumps(keep, sort_keys=True)


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    arrays = {"nest_version": np.array(nest.__version__)}
    for model in RECEPTORS:
        arrays[f"{model}/defaults_json"] = np.array(_defaults(nest, model))
    for (model, variant), prot in runs().items():
        result = _run(nest, model, prot)
        arrays.update({f"{model}/{variant}/{key}": value for key, value in result.items()})
        counts = np.bincount(result["spike_senders"], minlength=len(prot["neurons"]))
        print(f"{model}/{variant}: spikes per neuron {counts.tolist()}")
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
