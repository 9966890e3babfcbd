"""Record NEST 3.10 on ``iaf_cond_exp_sfa_rr``, ``iaf_chs_2007`` and ``iaf_chxk_2008``.

Each model has a few protocols (``protocols(model)``), each one NEST kernel run by
``tests/nest_reference/make.run_protocol`` (every recordable at ``dt = 0.1`` ms and the
spikes with their offsets):

- ``iaf_cond_exp_sfa_rr``: constant currents (below rheobase, repetitive firing with
  adaptation), a step current, spike trains of both signs, and neurons with other
  parameters (longer ``t_ref`` with spikes arriving while refractory, other adaptation
  and relative-refractory conductances);
- ``iaf_chs_2007`` (no current input in NEST; weights are unitless and only positive
  ones count): spike trains onto default neurons and neurons with other parameters,
  negative weights (ignored), and a per-step ``noise`` sequence with ``V_noise > 0``
  (and ``V_noise = 0``, where the sequence is not used);
- ``iaf_chxk_2008``: constant currents, a step current, spike trains of both signs and
  neurons with other parameters, with and without ``ahp_bug``;
- ``iaf_cond_alpha_mc``: a spike train on each of the six receptors (onto neurons at
  rest, firing, and with other parameters in every compartment and an initial state),
  and currents into each compartment through the current receptors 7, 8, 9.

The results are ``data/iaf_more.npz`` and ``data/iaf_cond_alpha_mc.npz`` (read by
``test_iaf_more.py``). Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_iaf_more.py

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

#: the data files, by model (iaf_cond_alpha_mc's recordings alone fill one)
DATA = {model: _HERE / "data" / "iaf_more.npz" for model in
        ("iaf_cond_exp_sfa_rr", "iaf_chs_2007", "iaf_chxk_2008")}  # fmt: skip
DATA["iaf_cond_alpha_mc"] = _HERE / "data" / "iaf_cond_alpha_mc.npz"
DT = make.protocols.DT
MODELS = tuple(DATA)
#: isolated spikes, a close pair, two in one step, a burst, spikes right after it
#: (inside a refractory period after the burst) and a pair one step apart
SPIKE_TIMES = [5.0, 20.0, 20.3, 35.0, 35.0, *(50.0 + 0.5 * k for k in range(10)), 55.5,
               56.0, 75.0, 75.1]  # fmt: skip
#: (time in ms, amplitude in pA) of the step current: below and above rheobase, far
#: above, negative, off
STEPS = {
    "iaf_cond_exp_sfa_rr": ((10, 300.0), (25, 500.0), (40, 1200.0), (60, -300.0), (70, 0.0)),
    "iaf_chxk_2008": ((10, 1000.0), (25, 2000.0), (40, 5000.0), (60, -1000.0), (70, 0.0)),
}
#: constant currents (pA): firing, firing fast (the step current starts below rheobase)
DC = {"iaf_cond_exp_sfa_rr": (600.0, 1500.0), "iaf_chxk_2008": (2000.0, 5000.0)}
#: (excitatory, inhibitory) weights in nS, and the bias current (pA) of the inhibited neuron
WEIGHTS = {"iaf_cond_exp_sfa_rr": (40.0, -20.0, 1200.0), "iaf_chxk_2008": (40.0, -20.0, 2500.0)}
#: other parameters, each neuron receiving both trains
OTHER = {
    "iaf_cond_exp_sfa_rr": [
        {"t_ref": 2.0, "I_e": 700.0, "V_reset": -65.0, "q_sfa": 30.0, "tau_sfa": 50.0,
         "q_rr": 1000.0, "tau_rr": 5.0, "E_sfa": -80.0, "E_rr": -75.0},
        {"t_ref": 0.25, "I_e": 500.0, "tau_syn_ex": 0.5, "tau_syn_in": 3.0, "g_L": 20.0,
         "C_m": 200.0, "E_L": -65.0, "V_th": -50.0, "E_ex": 10.0, "E_in": -80.0, "V_m": -60.0},
    ],
    "iaf_chxk_2008": [
        {"tau_ahp": 2.0, "g_ahp": 200.0, "E_ahp": -90.0, "tau_syn_ex": 0.5, "tau_syn_in": 3.0,
         "I_e": 1800.0, "V_th": -48.0, "g_L": 80.0, "C_m": 800.0, "E_L": -62.0, "E_ex": 10.0,
         "E_in": -85.0, "V_m": -50.0},
    ],
}  # fmt: skip
#: ``iaf_chxk_2008`` with ``ahp_bug``: a new spike's AHP replaces the one still active
AHP_BUG = [{"ahp_bug": True, "I_e": 5000.0},
           {"ahp_bug": True, "tau_ahp": 3.0, "g_ahp": 100.0, "I_e": 3000.0}]  # fmt: skip
CHS_DURATION = 80.0
CHS_NOISE_SEED = 20070
#: ``"noise": NOISE`` in a protocol's neuron stands for :func:`chs_noise` (kept short in
#: the data file)
NOISE = "chs_noise"
#: recordables that are products of others (``I_ahp = g_ahp (V_m - E_ahp)``, ...): kept
#: for the ``spikes`` protocol only, to keep the data file small
DERIVED = {"iaf_chxk_2008": ("I_syn_ex", "I_syn_in", "I_ahp")}
#: ``iaf_cond_alpha_mc``: (receptor_type, weight in nS) of the spike trains, one per
#: receptor (soma_exc, soma_inh, proximal_exc, proximal_inh, distal_exc, distal_inh)
MC_TRAINS = ((1, 20.0), (2, 10.0), (3, 15.0), (4, 10.0), (5, 30.0), (6, 10.0))
#: a neuron with other parameters everywhere (and an initial state per compartment)
MC_OTHER = {"t_ref": 5.0, "V_th": -50.0, "V_reset": -65.0, "g_sp": 5.0, "g_pd": 2.0,
            "soma": {"C_m": 100.0, "g_L": 8.0, "tau_syn_ex": 1.0, "tau_syn_in": 3.0,
                     "E_ex": 10.0, "I_e": 300.0, "V_m": -58.0},
            "proximal": {"E_in": -80.0, "tau_syn_ex": 2.0, "I_e": 50.0},
            "distal": {"E_L": -65.0, "tau_syn_in": 5.0, "g_L": 12.0, "V_m": -60.0}}  # fmt: skip
#: (time in ms, amplitude in pA) of the step current into one compartment, times the
#: compartment's factor: soma (receptor 7) 1, proximal (8) 2, distal (9) 4
MC_STEPS = ((10.0, 300.0), (30.0, 800.0), (45.0, -200.0), (55.0, 0.0))


def _spikes(times, weight, targets) -> dict:
    return {
        "device": "spike_generator",
        "params": {"spike_times": [float(t) for t in times]},
        "targets": list(targets),
        "syn": {"weight": float(weight), "delay": 1.0},
    }


def _protocol(description: str, duration: float, neurons: list, stimuli: list) -> dict:
    return {
        "description": description,
        "duration": duration,
        "neurons": neurons,
        "stimuli": stimuli,
        "kernel": {},
        "connections": [],
        "gap_junctions": [],
    }


def _conductance_protocols(model: str) -> dict[str, dict]:
    w_ex, w_in, bias = WEIGHTS[model]
    times, values = zip(*STEPS[model], strict=True)
    step = {
        "device": "step_current_generator",
        "params": {"amplitude_times": [float(t) for t in times],
                   "amplitude_values": [float(a) for a in values]},
        "targets": [0],
        "syn": {"delay": 0.1},
    }  # fmt: skip

    def both_trains(n: int) -> list[dict]:
        return [_spikes(SPIKE_TIMES, w_ex, range(n)), _spikes(SPIKE_TIMES[::2], w_in, range(n))]

    out = {
        "dc": _protocol("I_e: firing, firing fast", 60.0,
                        [{"I_e": a} for a in DC[model]], []),
        "step": _protocol("step_current_generator (delay 0.1 ms) " + json.dumps(STEPS[model]),
                          80.0, [{}], [step]),
        "spikes": _protocol(
            f"SPIKE_TIMES, weight {w_ex} nS onto neuron 0 at rest; weight {w_in} nS onto "
            f"neuron 1 biased with {bias} pA (fires)", 80.0, [{}, {"I_e": bias}],
            [_spikes(SPIKE_TIMES, w_ex, [0]), _spikes(SPIKE_TIMES, w_in, [1])],
        ),
        "other": _protocol("other parameters; both trains onto every neuron", 60.0,
                           OTHER[model], both_trains(len(OTHER[model]))),
    }  # fmt: skip
    if model == "iaf_chxk_2008":
        out["ahp_bug"] = _protocol(
            "ahp_bug; both trains onto every neuron", 60.0, AHP_BUG, both_trains(len(AHP_BUG))
        )
    return out


def chs_noise(steps: int) -> np.ndarray:
    """The noise sequence of ``iaf_chs_2007``'s noisy neurons (Gaussian, seeded)."""
    return np.random.default_rng(CHS_NOISE_SEED).standard_normal(steps)


def _chs_protocols() -> dict[str, dict]:
    neurons = [
        {},
        {"tau_epsp": 4.0, "tau_reset": 8.0, "V_epsp": 1.2, "V_reset": 1.5},
        {"V_noise": 0.3, "noise": NOISE},
        {"V_noise": 0.0, "noise": NOISE},  # the sequence is not used
        {"V_noise": 0.2, "noise": NOISE, "tau_epsp": 6.0, "V_reset": 0.5},
        {},  # negative weights only: ignored
    ]
    return {
        "spikes": _protocol(
            "SPIKE_TIMES weight 1.0 onto neurons 0-4 (noise on 2 and 4), the shifted train "
            "weight 0.6 onto 0-4 and weight -2.0 onto every neuron (ignored)",
            CHS_DURATION, neurons,
            [_spikes(SPIKE_TIMES, 1.0, range(5)),
             _spikes([t + 2.0 for t in SPIKE_TIMES], 0.6, range(5)),
             _spikes([t + 1.0 for t in SPIKE_TIMES], -2.0, range(6))],
        )
    }  # fmt: skip


def with_noise(protocol: dict) -> dict:
    """``protocol`` with every ``NOISE`` replaced by the sequence (one value per step)."""
    noise = [float(x) for x in chs_noise(make.protocols.n_steps(protocol))]
    neurons = [dict(n, noise=noise) if n.get("noise") == NOISE else n for n in protocol["neurons"]]
    return dict(protocol, neurons=neurons)


def _mc_protocols() -> dict[str, dict]:
    def step(receptor: int, factor: float, target: int) -> dict:
        times, values = zip(*MC_STEPS, strict=True)
        return {
            "device": "step_current_generator",
            "params": {"amplitude_times": list(times),
                       "amplitude_values": [factor * a for a in values]},
            "targets": [target],
            "syn": {"delay": 0.1, "receptor_type": receptor},
        }  # fmt: skip

    def dc(receptor: int, amplitude: float, target: int) -> dict:
        return {"device": "dc_generator", "params": {"amplitude": amplitude}, "targets": [target],
                "syn": {"delay": 0.1, "receptor_type": receptor}}  # fmt: skip

    trains = [dict(_spikes(SPIKE_TIMES, w, range(3)), syn={"weight": w, "delay": 1.0,
                                                          "receptor_type": r})
              for r, w in MC_TRAINS]  # fmt: skip
    return {
        "spikes": _protocol(
            "a spike train (SPIKE_TIMES) on every receptor (MC_TRAINS) onto a neuron at rest, "
            "one with a somatic bias (fires) and one with other parameters (MC_OTHER)",
            60.0, [{}, {"soma": {"I_e": 250.0}}, MC_OTHER], trains,
        ),
        "currents": _protocol(
            "step currents (MC_STEPS) into the soma, proximal and distal compartment of "
            "neurons 0, 1, 2; neuron 3: dc 600 pA proximal, -300 pA distal, I_e 150 pA soma",
            60.0, [{}, {}, {}, {"soma": {"I_e": 150.0}}],
            [step(7, 1.0, 0), step(8, 2.0, 1), step(9, 4.0, 2), dc(8, 600.0, 3),
             dc(9, -300.0, 3)],
        ),
    }  # fmt: skip


def protocols(model: str) -> dict[str, dict]:
    """The protocols recorded for ``model``, by name."""
    if model == "iaf_chs_2007":
        return _chs_protocols()
    if model == "iaf_cond_alpha_mc":
        return _mc_protocols()
    return _conductance_protocols(model)


def load(model: str, name: str) -> dict:
    """The recording of ``model``'s protocol ``name``, as ``protocols.load`` gives one,
    with NEST's ``defaults`` and ``recordables``."""
    with np.load(DATA[model], allow_pickle=False) as z:
        prefix = f"{model}/{name}/"
        entry = {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}
        entry["defaults"] = json.loads(str(z[f"{model}/defaults_json"]))
        entry["recordables"] = [str(r) for r in z[f"{model}/recordables"]]
    for key in ("protocol", "neuron_status", "kernel_status"):
        entry[key] = json.loads(str(entry.pop(f"{key}_json")))
    return entry


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    arrays = {path: {"nest_version": np.array(nest.__version__)} for path in set(DATA.values())}
    for model in MODELS:
        out = arrays[DATA[model]]
        nest.ResetKernel()
        defaults = nest.GetDefaults(model)
        out[f"{model}/defaults_json"] = make._text(make._jsonable(defaults))
        out[f"{model}/recordables"] = np.array([str(r) for r in defaults["recordables"]])
        for name, protocol in protocols(model).items():
            result = make.run_protocol(nest, model, with_noise(protocol))
            result["protocol_json"] = make._text(protocol)
            if name != "spikes":
                result = {k: v for k, v in result.items() if k not in DERIVED.get(model, ())}
            out.update({f"{model}/{name}/{key}": value for key, value in result.items()})
            counts = np.bincount(result["spike_senders"], minlength=len(protocol["neurons"]))
            print(f"{model}/{name}: spikes per neuron {counts.tolist()}")
    for path, out in arrays.items():
        np.savez_compressed(path, **out)
        print(f"{path}: {path.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
