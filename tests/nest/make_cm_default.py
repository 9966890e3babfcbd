"""Record NEST 3.10's ``cm_default`` into ``data/cm_default.npz``.

Two neurons with the same four-compartment tree (root 0 with children 1 and 2, and 3
a child of 1): Na and K channels in the soma, the four receptor types on different
compartments (two AMPA receptors, so that a compartment sums several), a spike
train on every receptor, a DC current into compartment 2 and a stepped current into
the soma. Neuron 1 has other parameters (start potentials, leak, receptor time
constants) and a stronger somatic current; both fire. Every recordable at every step.

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_cm_default.py

NEST is imported inside ``main`` only, so this file can be imported without NEST.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "cm_default.npz"
DT = 0.1  # ms
DURATION = 100.0  # ms
SOMA = {"C_m": 1.0, "g_L": 0.1, "e_L": -70.0, "gbar_Na": 100.0, "e_Na": 50.0,
        "gbar_K": 30.0, "e_K": -85.0}  # fmt: skip


def neurons() -> list[dict]:
    """Each neuron's ``compartments``, ``receptors`` and ``V_th`` (NEST's status)."""
    out = []
    for k in range(2):
        compartments = [
            {"parent_idx": -1, "params": dict(SOMA, v_comp=-70.0 + 5.0 * k)},
            {"parent_idx": 0, "params": {"C_m": 0.5, "g_C": 0.05, "g_L": 0.05, "e_L": -68.0}},
            {"parent_idx": 0, "params": {"C_m": 0.3, "g_C": 0.02 + 0.01 * k, "g_L": 0.03,
                                         "e_L": -72.0 + 4.0 * k, "v_comp": -60.0}},
            {"parent_idx": 1},  # NEST's defaults
        ]  # fmt: skip
        receptors = [
            {"comp_idx": 0, "receptor_type": "GABA", "params": {"tau_d_GABA": 8.0 + k}},
            {"comp_idx": 1, "receptor_type": "AMPA"},
            {"comp_idx": 2, "receptor_type": "NMDA", "params": {"e_NMDA": 5.0 * k}},
            {"comp_idx": 3, "receptor_type": "AMPA_NMDA",
             "params": {"NMDA_ratio": 1.5, "tau_d_AMPA": 4.0, "tau_r_NMDA": 0.5}},
            {"comp_idx": 1, "receptor_type": "AMPA",
             "params": {"e_AMPA": -10.0, "tau_r_AMPA": 0.3, "tau_d_AMPA": 2.0 + k}},
        ]  # fmt: skip
        out.append({"compartments": compartments, "receptors": receptors, "V_th": -50.0 + k})
    return out


#: (receptor index, weight in uS, spike times in ms) of each spike_generator
TRAINS = [
    (0, 0.05, [30.0, 30.0, 70.0]),
    (1, 0.08, [5.0, 20.0, 20.3, 50.0]),
    (2, 0.02, [10.0, 40.0, 40.5, 80.0]),
    (3, 0.03, [15.0, 60.0, 61.0]),
    (4, 0.1, [25.0, 25.1, 90.0]),
]
#: (target neuron, compartment, nA) of each dc_generator
DC = [(0, 2, 0.5), (1, 2, 0.3)]
#: the stepped current into the soma of each neuron (times, nA)
STEPS = ([35.0, 55.0], [[0.0, 0.0], [3.0, 0.0]])


def protocol() -> dict:
    """The stimuli (``protocols.py``'s format; currents carry their compartment as
    ``receptor_type``)."""
    stimuli = [
        {"device": "dc_generator", "params": {"amplitude": amplitude}, "targets": [target],
         "syn": {"delay": 0.1, "receptor_type": compartment}}
        for target, compartment, amplitude in DC
    ]  # fmt: skip
    for k in range(2):
        stimuli.append(
            {
                "device": "step_current_generator",
                "params": {"amplitude_times": STEPS[0], "amplitude_values": STEPS[1][k]},
                "targets": [k],
                "syn": {"delay": 0.1, "receptor_type": 0},
            }
        )
    for receptor, weight, times in TRAINS:
        stimuli.append(
            {
                "device": "spike_generator",
                "params": {"spike_times": times},
                "targets": [0, 1],
                "syn": {"weight": weight, "delay": 1.0, "receptor_type": receptor},
            }
        )
    return {"duration": DURATION, "neurons": neurons(), "stimuli": stimuli}


def load() -> dict:
    """The recording, with ``protocol`` and NEST's ``recordables``."""
    with np.load(DATA, allow_pickle=False) as z:
        entry = {k: z[k] for k in z.files}
    entry["protocol"] = json.loads(str(entry.pop("protocol_json")))
    return entry


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    prot = protocol()
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1)
    cells = nest.Create("cm_default", len(prot["neurons"]))
    for i, status in enumerate(prot["neurons"]):
        cells[i].set(status)
    for stim in prot["stimuli"]:
        device = nest.Create(stim["device"], params=stim["params"])
        for target in stim["targets"]:
            nest.Connect(device, cells[target], syn_spec=dict(stim["syn"]))
    recordables = sorted(str(r) for r in cells[0].get("recordables"))
    meter = nest.Create("multimeter", params={"interval": DT, "record_from": recordables})
    nest.Connect(meter, cells)
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(cells, recorder)
    nest.Simulate(DURATION + nest.min_delay)
    n = int(round(DURATION / DT))
    events, first = meter.events, cells[0].global_id
    senders, times = np.asarray(events["senders"]) - first, np.asarray(events["times"])
    arrays = {"nest_version": np.array(nest.__version__), "recordables": np.array(recordables)}
    for name in recordables:
        columns = []
        for i in range(len(cells)):
            order = np.argsort(times[senders == i], kind="stable")[:n]
            columns.append(np.asarray(events[name], np.float64)[senders == i][order])
        arrays[name] = np.stack(columns, axis=1)
    spikes = recorder.events
    steps = np.asarray(spikes["times"], np.int64)
    index = np.asarray(spikes["senders"], np.int64) - first
    keep = steps <= n
    order = np.lexsort((index[keep], steps[keep]))
    arrays["spike_steps"], arrays["spike_senders"] = steps[keep][order], index[keep][order]
    arrays["protocol_json"] = np.array(json.dumps(prot, sort_keys=True))
    np.savez_compressed(DATA, **arrays)
    print(f"spikes per neuron {np.bincount(arrays['spike_senders'], minlength=2).tolist()}")
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
