"""Record NEST 3.10's ``astrocyte_lr_1994`` into ``data/astrocyte.npz``.

Three astrocytes (defaults; faster non-default kinetics with set initial values; other
constants with a calcium current) driven by spike trains (positive weights raise IP3)
and a step current (NEST adds it to dCa/dt), recorded every :data:`INTERVAL` ms:
``IP3``, ``Ca_astro``, ``h_IP3R``. Each sends its SIC through ``sic_connection``
(weight and parameters in :data:`NEURONS`, delay :data:`SIC_DELAY`) to an
``aeif_cond_alpha_astro`` neuron near its threshold that also gets spikes of both
signs; stored are the neurons'
``I_SIC`` (at ``t``: ``weight`` times the astrocyte's SIC of the step ending at
``t - SIC_DELAY``), ``V_m``, ``g_ex``, ``g_in``, ``w`` and spike times.

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_astrocyte.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "astrocyte.npz"
DT = 0.1  # ms
INTERVAL = 1.0  # ms, of the recordings
SIC_DELAY = 1.0  # ms

PROTOCOL = {
    "description": "IP3 raised by spike trains, a calcium current, set initial values",
    "duration": 1000.0,
    "neurons": [
        {},
        {
            "delta_IP3": 0.2,
            "rate_IP3R": 0.02,
            "rate_SERCA": 0.003,
            "k_IP3R": 0.001,
            "tau_IP3": 1000.0,
            "SIC_scale": 2.0,
            "SIC_th": 0.3,
            "IP3": 0.5,
            "Ca_astro": 0.1,
            "h_IP3R": 0.6,
        },
        {
            "Ca_tot": 1.5,
            "IP3_0": 0.3,
            "Kd_IP3_1": 0.2,
            "Kd_IP3_2": 0.8,
            "Kd_act": 0.1,
            "Kd_inh": 0.9,
            "Km_SERCA": 0.15,
            "ratio_ER_cyt": 0.3,
            "rate_L": 0.0005,
            "delta_IP3": 0.01,
            "rate_IP3R": 0.015,
        },
    ],  # fmt: skip
    "stimuli": [
        {
            "device": "spike_generator",
            "params": {"spike_times": [float(t) for t in np.arange(10.0, 200.0, 10.0)]},
            "targets": [0],
            "syn": {"weight": 500.0, "delay": 1.0},
        },
        {
            "device": "spike_generator",
            "params": {"spike_times": [20.0, 20.0, 60.5, 400.0, 650.0]},
            "targets": [1, 2],
            "syn": {"weight": 5.0, "delay": 1.0},
        },
        {
            "device": "step_current_generator",
            "params": {
                "amplitude_times": [300.0, 500.0, 700.0],
                "amplitude_values": [0.002, 0.0, -0.003],
            },
            "targets": [0, 1, 2],
            "syn": {"delay": 0.1},
        },  # fmt: skip
    ],
}
#: the aeif_cond_alpha_astro neurons, one per astrocyte: parameters, the weight of the
#: sic_connection, and spike trains of both signs (weights in nS)
NEURONS = {
    "params": {"I_e": 500.0, "t_ref": 2.0, "a": 0.0, "b": 20.0},
    "sic_weight": 30.0,
    "stimuli": [
        {"spike_times": [100.0, 300.5, 301.0, 700.0], "weight": 5.0},
        {"spike_times": [150.0, 500.0, 800.0], "weight": -8.0},
    ],
}


def load() -> tuple[dict, dict]:
    """The stored arrays and the protocol."""
    with np.load(DATA) as z:
        data = {key: z[key] for key in z.files}
    return data, json.loads(str(data.pop("protocol_json")))


def record(nest, protocol: dict) -> dict:
    """The astrocytes' recordables and those of one ``aeif_cond_alpha_astro`` per
    astrocyte (``(samples, astrocytes)`` arrays), and the neurons' spikes."""
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1)
    astrocytes = nest.Create("astrocyte_lr_1994", len(protocol["neurons"]))
    for i, overrides in enumerate(protocol["neurons"]):
        astrocytes[i].set(overrides)
    for stim in protocol["stimuli"]:
        device = nest.Create(stim["device"], params=stim["params"])
        for target in stim["targets"]:
            nest.Connect(device, astrocytes[target], syn_spec=dict(stim["syn"]))
    neurons = nest.Create("aeif_cond_alpha_astro", len(astrocytes), params=NEURONS["params"])
    nest.Connect(astrocytes, neurons, "one_to_one",
                 {"synapse_model": "sic_connection", "weight": NEURONS["sic_weight"],
                  "delay": SIC_DELAY})  # fmt: skip
    for stim in NEURONS["stimuli"]:
        device = nest.Create("spike_generator", params={"spike_times": stim["spike_times"]})
        nest.Connect(device, neurons, syn_spec={"weight": stim["weight"], "delay": 1.0})
    spikes = nest.Create("spike_recorder")
    nest.Connect(neurons, spikes)
    meters = {}
    for nodes, names in ((astrocytes, ["IP3", "Ca_astro", "h_IP3R"]),
                         (neurons, ["I_SIC", "V_m", "g_ex", "g_in", "w"])):  # fmt: skip
        meters[tuple(names)] = nest.Create(
            "multimeter", params={"interval": INTERVAL, "record_from": names}
        )
        nest.Connect(meters[tuple(names)], nodes)
    nest.Simulate(protocol["duration"] + nest.min_delay)
    n = int(round(protocol["duration"] / INTERVAL))
    out = {}
    for names, meter in meters.items():
        events = meter.events
        order = np.lexsort((events["senders"], events["times"]))
        for name in names:
            column = np.asarray(events[name], float)[order].reshape(-1, len(astrocytes))
            out[name] = column[:n]
    out["spike_times"] = np.asarray(spikes.events["times"], float)
    out["spike_senders"] = np.asarray(spikes.events["senders"]) - neurons[0].global_id
    return out


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    arrays = {"nest_version": np.array(nest.__version__),
              "protocol_json": np.array(json.dumps(PROTOCOL))}  # fmt: skip
    nest.ResetKernel()
    defaults = nest.GetDefaults("astrocyte_lr_1994")
    numbers = {k: float(v) for k, v in defaults.items() if isinstance(v, float)}
    arrays["defaults_json"] = np.array(json.dumps(numbers))
    for key, values in record(nest, PROTOCOL).items():
        arrays[key] = values
        print(key, values[::200].round(4).tolist())
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
