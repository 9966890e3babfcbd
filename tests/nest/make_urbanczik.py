"""Record NEST 3.10's ``pp_cond_exp_mc_urbanczik`` into ``data/urbanczik.npz``.

The model's potentials do not depend on its spikes (no reset), so two records:

- ``deterministic``: every recordable at every step of four neurons (a DC current into
  the soma; spike trains on all four spike receptors; non-default parameters with
  soma-to-dendrite coupling, a shorter dead time, a current into ``dendritic_curr``
  that NEST ignores, and a start away from rest; a stepped somatic current with
  dendritic spikes). Their rate function is made certain (``CERTAIN``: the firing
  probability per step is 1 above ``theta`` and below 1e-15 more than ``BAND`` mV
  under it), so that the spike times replay exactly whatever the random numbers; the
  script checks that no free step's somatic potential fell within ``BAND`` of
  ``theta``.
- ``stats/<condition>``: ``N_NEURONS`` unconnected neurons of each condition of
  :data:`CONDITIONS` (a dead time; none: Poisson spikes) simulated for ``DURATION``
  ms with NEST's seed ``SEED``; stored are the per-neuron statistics of
  ``make_stochastic_models.spike_statistics`` (rate, CV, Fano factor).

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_urbanczik.py

NEST is imported inside ``main`` only, so this file can be imported without NEST.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from make_stochastic_models import spike_statistics

MODEL = "pp_cond_exp_mc_urbanczik"
DATA = Path(__file__).parent / "data" / "urbanczik.npz"
DT = 0.1  # ms
DURATION = 120.0  # ms, of the deterministic record
SEED = 12345
N_NEURONS = 100
STATS_DURATION = 1000.0  # ms
RECEPTORS = {"soma_exc": 1, "soma_inh": 2, "dendritic_exc": 3, "dendritic_inh": 4,
             "soma_curr": 5, "dendritic_curr": 6}  # fmt: skip
#: a rate function that is a step at theta: 1e3 /ms above, < 1e-15 /ms BAND mV below
CERTAIN = {"phi_max": 1e3, "rate_slope": 1.0, "beta": 1e3}
BAND = 0.04  # mV
#: (receptor, weight in nS or pA, spike times in ms) of each spike_generator
TRAINS = [
    ("soma_exc", 40.0, [5.0, 20.0, 20.3, 50.0, 50.0, 90.0]),
    ("soma_inh", 60.0, [30.0, 60.0, 60.1]),
    ("dendritic_exc", 700.0, [10.0, 40.0, 40.5, 41.0, 41.5, 42.0, 70.0, 100.0]),
    ("dendritic_inh", 400.0, [45.0, 75.0, 75.0]),
]
CONDITIONS = {
    "dead_time": {"soma": {"I_e": 9000.0}},
    "poisson": {"t_ref": 0.0, "soma": {"I_e": 7000.0}},
}


def protocol() -> dict:
    """The deterministic record's neurons and stimuli (``protocols.py``'s format, with
    NEST's nested compartment dictionaries; currents carry their ``receptor_type``)."""
    special = {
        "t_ref": 1.05,
        "theta": -60.0,
        "g_sp": 300.0,
        "g_ps": 40.0,
        "soma": {"g_L": 20.0, "C_m": 200.0, "E_L": -65.0, "E_in": -80.0, "tau_syn_ex": 2.0,
                 "tau_syn_in": 5.0, "I_e": 4000.0, "V_m": -58.0},
        "dendritic": {"g_L": 15.0, "C_m": 150.0, "E_L": -72.0, "tau_syn_ex": 1.5,
                      "tau_syn_in": 8.0, "I_e": 900.0, "V_m": -60.0},
    }  # fmt: skip
    stimuli = [
        {"device": "dc_generator", "params": {"amplitude": amplitude}, "targets": [target],
         "syn": {"delay": 0.1, "receptor_type": RECEPTORS[receptor]}}
        for target, amplitude, receptor in ((0, 11000.0, "soma_curr"), (2, 2000.0, "soma_curr"),
                                            (2, 5000.0, "dendritic_curr"))
    ]  # fmt: skip
    stimuli.append(
        {
            "device": "step_current_generator",
            "params": {
                "amplitude_times": [20.0, 60.0, 100.0],
                "amplitude_values": [6000.0, 9500.0, -2000.0],
            },
            "targets": [3],
            "syn": {"delay": 0.1, "receptor_type": RECEPTORS["soma_curr"]},
        }  # fmt: skip
    )
    for receptor, weight, times in TRAINS:
        targets = [1, 2] if receptor.startswith("soma") else [1, 2, 3]
        stimuli.append(
            {
                "device": "spike_generator",
                "params": {"spike_times": times},
                "targets": targets,
                "syn": {"weight": weight, "delay": 1.0, "receptor_type": RECEPTORS[receptor]},
            }
        )
    return {
        "description": "DC; spikes on every receptor; non-default parameters; stepped current",
        "duration": DURATION,
        "neurons": [
            dict(CERTAIN),
            dict(CERTAIN, soma={"I_e": 5000.0}),
            {**special, **CERTAIN},
            dict(CERTAIN),
        ],  # fmt: skip
        "stimuli": stimuli,
        "kernel": {},
        "connections": [],
        "gap_junctions": [],
    }


def load(name: str) -> dict:
    """``'deterministic'`` (with ``protocol``) or ``'stats/<condition>'``."""
    with np.load(DATA, allow_pickle=False) as z:
        prefix = f"{name}/"
        entry = {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}
    if "protocol_json" in entry:
        entry["protocol"] = json.loads(str(entry.pop("protocol_json")))
    return entry


def defaults() -> dict:
    with np.load(DATA, allow_pickle=False) as z:
        return json.loads(str(z["defaults_json"]))


def _deterministic(nest) -> dict:
    prot = protocol()
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1, rng_seed=SEED)
    neurons = nest.Create(MODEL, len(prot["neurons"]))
    for i, params in enumerate(prot["neurons"]):
        neurons[i].set(params)
    for stim in prot["stimuli"]:
        device = nest.Create(stim["device"], params=stim["params"])
        for target in stim["targets"]:
            nest.Connect(device, neurons[target], syn_spec=dict(stim["syn"]))
    recordables = [str(r) for r in nest.GetDefaults(MODEL)["recordables"]]
    meter = nest.Create("multimeter", params={"interval": DT, "record_from": recordables})
    nest.Connect(meter, neurons)
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(neurons, recorder)
    nest.Simulate(DURATION + nest.min_delay)
    n = int(round(DURATION / DT))
    events, first = meter.events, neurons[0].global_id
    senders, times = np.asarray(events["senders"]) - first, np.asarray(events["times"])
    out = {}
    for name in recordables:
        columns = []
        for i in range(len(neurons)):
            order = np.argsort(times[senders == i], kind="stable")[:n]
            columns.append(np.asarray(events[name], np.float64)[senders == i][order])
        out[name] = np.stack(columns, axis=1)
    spikes = recorder.events
    steps = np.asarray(spikes["times"], np.int64)
    index = np.asarray(spikes["senders"], np.int64) - first
    keep = steps <= n
    order = np.lexsort((index[keep], steps[keep]))
    out["spike_steps"], out["spike_senders"] = steps[keep][order], index[keep][order]
    _check_certain(prot, out)
    out["protocol_json"] = np.array(json.dumps(prot, sort_keys=True))
    return out


def _check_certain(prot: dict, out: dict) -> None:
    """Raise if a free step's somatic potential was within ``BAND`` of ``theta``."""
    for i, params in enumerate(prot["neurons"]):
        theta = params.get("theta", -55.0)
        steps = out["spike_steps"][out["spike_senders"] == i]
        dead = int(round(params.get("t_ref", 3.0) / DT))
        free = np.ones(len(out["V_m.s"]), bool)
        for s in steps:  # the steps after a spike's are refractory
            free[s : s + dead] = False
        near = np.abs(out["V_m.s"][:, i] - theta) < BAND
        if (near & free).any():
            raise RuntimeError(
                f"neuron {i}: potential within {BAND} mV of theta at steps "
                f"{np.nonzero(near & free)[0] + 1}; change it"
            )


def _stats(nest, params: dict) -> dict:
    nest.ResetKernel()
    nest.set(resolution=DT, local_num_threads=1, rng_seed=SEED)
    neurons = nest.Create(MODEL, N_NEURONS, params=params)
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(neurons, recorder)
    nest.Simulate(STATS_DURATION)
    events = recorder.events
    steps = np.asarray(events["times"], np.int64)
    senders = np.asarray(events["senders"], np.int64) - neurons[0].global_id
    return spike_statistics(steps, senders, N_NEURONS, int(round(STATS_DURATION / DT)))


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    status = nest.GetDefaults(MODEL)
    keep = {k: status[k] for k in ("t_ref", "phi_max", "rate_slope", "beta", "theta", "g_sp",
                                   "g_ps", "soma", "dendritic", "receptor_types")}  # fmt: skip
    keep["recordables"] = [str(r) for r in status["recordables"]]
    arrays = {"nest_version": np.array(nest.__version__),
              "defaults_json": np.array(json.dumps(keep, sort_keys=True))}  # fmt: skip
    result = _deterministic(nest)
    arrays.update({f"deterministic/{k}": v for k, v in result.items()})
    counts = np.bincount(result["spike_senders"], minlength=4)
    print(f"deterministic: spikes per neuron {counts.tolist()}")
    for condition, params in CONDITIONS.items():
        stats = _stats(nest, params)
        arrays.update({f"stats/{condition}/{k}": v for k, v in stats.items()})
        print(f"{condition}: rate {stats['rate'].mean():.2f} Hz, CV {np.nanmean(stats['cv']):.3f}, "
              f"Fano {np.nanmean(stats['fano']):.3f}")  # fmt: skip
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
