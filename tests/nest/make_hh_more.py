"""Record NEST 3.10 for ``hh_cond_beta_gap_traub``, ``ht_neuron`` and ``hh_psc_alpha_clopath``
into ``data/hh_more.npz``.

Protocols (the runner is ``tests/nest_reference/make.py``'s ``run_protocol``):

- ``hh_cond_beta_gap_traub/single``: independent neurons (no gap junctions, so no
  waveform relaxation runs): constant ``I_e`` below and above threshold, a stepped
  current, an excitatory and an inhibitory spike train (the latter onto a neuron
  that fires), and a neuron with non-default parameters (``tau_rise_ex ==
  tau_decay_ex``, the alpha-function limit of the normalisation) receiving both;
- ``hh_cond_beta_gap_traub/gap`` and ``gap_nowfr``: two neurons coupled by a
  symmetric gap junction, with NEST's waveform relaxation and without it;
- ``ht_neuron/single``: a constant current below and above threshold, a stepped
  current, a spike train on each receptor (AMPA, NMDA, GABA_A, GABA_B; the GABA ones
  onto a neuron that fires), instantaneous NMDA unblocking, a voltage clamp, and a
  neuron with non-default parameters (``t_ref = 0``, exponents, threshold) started by
  NEST's ``equilibrate`` from a non-default ``V_m``;
- ``hh_psc_alpha_clopath/single``: constant ``I_e`` below and above threshold, a
  stepped current, an excitatory and an inhibitory spike train, and a neuron with
  non-default filter time constants and initial state receiving both.

To keep the file small the multimeter samples are stored every ``STRIDE`` steps (the
spikes are all kept). Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_hh_more.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from make_aeif_extra import make

DATA = Path(__file__).parent / "data" / "hh_more.npz"
STRIDE = 5  # stored multimeter samples: steps STRIDE, 2 STRIDE, ...
SPIKE_TIMES = [5.0, 20.0, 20.3, 35.0, 35.0, 50.0, 50.5, 51.0, 51.5, 52.0, 75.0, 75.1]
CURRENT_DELAY = 0.1  # ms
SPIKE_DELAY = 1.0  # ms
GAP_WEIGHT = 25.0  # nS
GAP_I_E = (450.0, 120.0)  # pA: a neuron that fires and a subthreshold follower


def _train(targets, weight, times=SPIKE_TIMES, receptor=0) -> dict:
    syn = {"weight": float(weight), "delay": SPIKE_DELAY}
    if receptor:
        syn["receptor_type"] = receptor
    return {"device": "spike_generator", "params": {"spike_times": list(times)},
            "targets": list(targets), "syn": syn}  # fmt: skip


def _dc(targets, amplitude) -> dict:
    return {"device": "dc_generator", "params": {"amplitude": float(amplitude)},
            "targets": list(targets), "syn": {"delay": CURRENT_DELAY}}  # fmt: skip


def _steps(targets, steps) -> dict:
    times, values = zip(*steps, strict=True)
    return {
        "device": "step_current_generator",
        "params": {"amplitude_times": list(times), "amplitude_values": list(values)},
        "targets": list(targets),
        "syn": {"delay": CURRENT_DELAY},
    }


def _protocol(description, duration, neurons, stimuli, kernel=None, gap=()) -> dict:
    return {"description": description, "duration": duration, "neurons": neurons,
            "stimuli": stimuli, "kernel": kernel or {}, "connections": [],
            "gap_junctions": list(gap)}  # fmt: skip


TRAUB_NON_DEFAULT = {
    "tau_rise_ex": 2.0, "tau_decay_ex": 2.0, "tau_rise_in": 1.0, "tau_decay_in": 3.0,
    "V_T": -55.0, "t_ref": 3.0, "E_L": -65.0, "g_L": 20.0, "C_m": 150.0, "I_e": 40.0,
}  # fmt: skip
HT_NON_DEFAULT = {
    "V_m": -60.0, "theta": -50.0, "equilibrate": True, "t_ref": 0.0, "N_NaP": 2.0,
    "N_T": 3.0, "g_peak_h": 0.5, "tau_spike": 1.0, "theta_eq": -53.0, "tau_theta": 4.0,
    "g_peak_NMDA": 0.2, "E_rev_GABA_A": -75.0, "tau_m": 12.0,
}  # fmt: skip
# (NEST's ``equilibrate`` uses the parameters from before the same ``set`` call: the
# ones it reads, S_act_NMDA, V_act_NMDA and tau_D_KNa, keep their defaults here.)


def traub_protocols() -> dict[str, dict]:
    single = _protocol(
        "0: I_e 50 pA (subthreshold), 1: I_e 300 pA (fires), 2: stepped current, "
        "3: excitatory train (20 nS), 4: I_e 300 pA and an inhibitory train (-5 nS), "
        "5: non-default parameters, both trains",
        100.0,
        [{"I_e": 50.0}, {"I_e": 300.0}, {}, {}, {"I_e": 300.0}, dict(TRAUB_NON_DEFAULT)],
        [
            _steps([2], [(20.0, 50.0), (40.0, 400.0), (70.0, -100.0), (85.0, 0.0)]),
            _train([3, 5], 20.0),
            _train([4, 5], -5.0, [12.0, 30.0, 30.0, 55.0, 56.0, 80.0]),
        ],
    )
    out = {"single": single}
    for name, wfr in (("gap", True), ("gap_nowfr", False)):
        out[name] = _protocol(
            f"two neurons, I_e {GAP_I_E} pA, a symmetric gap junction of {GAP_WEIGHT} nS, "
            f"use_wfr={wfr}",
            60.0,
            [{"I_e": GAP_I_E[0]}, {"I_e": GAP_I_E[1]}],
            [],
            kernel={"use_wfr": wfr},
            gap=[{"source": 0, "target": 1, "weight": GAP_WEIGHT}],
        )
    return out


def ht_protocols() -> dict[str, dict]:
    clamped = {"voltage_clamp": True, "V_m": -60.0, "equilibrate": True}
    neurons = [{}, {}, {}, {}, {}, {}, {}, {"instant_unblock_NMDA": True}, clamped,
               dict(HT_NON_DEFAULT)]  # fmt: skip
    single = _protocol(
        "0: 2 pA (subthreshold), 1: 8 pA (fires), 2: stepped current, 3: AMPA train, "
        "4: NMDA train, 5: 8 pA and a GABA_A train, 6: 8 pA and a GABA_B train, "
        "7: instant_unblock_NMDA with AMPA and NMDA trains, 8: voltage clamp at -60 mV "
        "with every receptor's train, 9: non-default parameters, 3 pA and every train",
        100.0,
        neurons,
        [
            _dc([0], 2.0),
            _dc([1, 5, 6], 8.0),
            _dc([9], 3.0),
            _steps([2], [(20.0, 3.0), (40.0, 12.0), (70.0, -6.0), (85.0, 0.0)]),
            _train([3, 7, 8, 9], 3.0, receptor=1),
            _train([4, 7, 8, 9], 10.0, [10.0, 10.0, 30.0, 31.0, 32.0, 60.0], receptor=2),
            _train([5, 8, 9], 1.0, [15.0, 40.0, 40.0, 41.0, 70.0], receptor=3),
            _train([6, 8, 9], 20.0, [8.0, 25.0, 50.0], receptor=4),
        ],
    )
    return {"single": single}


CLOPATH_NON_DEFAULT = {
    "tau_u_bar_plus": 50.0, "tau_u_bar_minus": 5.0, "tau_u_bar_bar": 100.0, "u_bar_plus": 5.0,
    "u_bar_minus": -10.0, "u_bar_bar": -20.0, "I_e": 500.0,
}  # fmt: skip


def clopath_protocols() -> dict[str, dict]:
    single = _protocol(
        "0: I_e 150 pA (subthreshold), 1: I_e 1000 pA (fires), 2: stepped current, "
        "3: excitatory train (300 pA), 4: I_e 1000 pA and an inhibitory train (-300 pA), "
        "5: non-default filters and initial state, both trains",
        100.0,
        [{"I_e": 150.0}, {"I_e": 1000.0}, {}, {}, {"I_e": 1000.0}, dict(CLOPATH_NON_DEFAULT)],
        [
            _steps([2], [(20.0, 150.0), (40.0, 800.0), (70.0, -300.0), (85.0, 0.0)]),
            _train([3, 5], 300.0),
            _train([4, 5], -300.0, [12.0, 30.0, 30.0, 55.0, 56.0, 80.0]),
        ],
    )
    return {"single": single}


MODELS = {
    "hh_cond_beta_gap_traub": traub_protocols,
    "ht_neuron": ht_protocols,
    "hh_psc_alpha_clopath": clopath_protocols,
}


def protocols() -> dict[tuple[str, str], dict]:
    return {(model, k): v for model, make_protocols in MODELS.items()
            for k, v in make_protocols().items()}  # fmt: skip


def load(model: str, name: str) -> dict:
    """The recording of ``model``'s protocol ``name``: ``times`` and every recordable
    (every ``STRIDE``-th step), the spikes, and the protocol, statuses and defaults."""
    with np.load(DATA, allow_pickle=False) as z:
        prefix = f"{model}/{name}/"
        entry = {k[len(prefix) :]: z[k] for k in z.files if k.startswith(prefix)}
        entry["defaults"] = json.loads(str(z[f"{model}/defaults_json"]))
    for key in ("protocol", "neuron_status", "kernel_status"):
        entry[key] = json.loads(str(entry.pop(f"{key}_json")))
    return entry


def main() -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.WARNING
    arrays = {"nest_version": np.array(nest.__version__), "stride": np.array(STRIDE)}
    for model in MODELS:
        nest.ResetKernel()
        arrays[f"{model}/defaults_json"] = make._text(make._jsonable(nest.GetDefaults(model)))
    for (model, name), protocol in protocols().items():
        result = make.run_protocol(nest, model, protocol)
        for key, value in result.items():
            if key == "times" or (value.ndim == 2 and value.shape[0] == len(result["times"])):
                value = value[STRIDE - 1 :: STRIDE]
            arrays[f"{model}/{name}/{key}"] = value
        counts = np.bincount(result["spike_senders"], minlength=len(protocol["neurons"]))
        print(f"{model}/{name}: spikes per neuron {counts.tolist()}")
    np.savez_compressed(DATA, **arrays)
    print(f"{DATA}: {DATA.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__":
    main()
