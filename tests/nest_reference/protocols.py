"""Stimulation protocols for the NEST reference data, declared as plain data.

This module needs only numpy (no NEST): ``make.py`` reads it to build the NEST
simulations and the tests read it to rebuild the same inputs for neurodyn models and to
check that the committed ``data/<model>.npz`` files are not stale.

A protocol is a small network description, in NEST's own units (ms, mV, pA, nS)::

    {
        "description": "...",
        "duration": 150.0,                 # ms, recorded samples at dt, 2*dt, ..., duration
        "kernel": {},                      # extra kernel settings (e.g. {"use_wfr": False})
        "neurons": [{"I_e": 300.0}, ...],  # one dict of parameter overrides per recorded
                                           # neuron, all of the file's model; index = column
        "stimuli": [                       # devices; "targets" are indices into "neurons"
            {"device": "spike_generator", "params": {"spike_times": [...]},
             "targets": [0], "syn": {"weight": 5.0, "delay": 1.0}},
        ],
        "connections": [                   # neuron -> neuron static synapses
            {"source": 0, "target": 1, "syn": {"weight": 2.0, "delay": 1.0,
                                               "receptor_type": 3}},
        ],
        "gap_junctions": [                 # symmetric gap junctions (weight in nS)
            {"source": 0, "target": 1, "weight": 5.0},
        ],
    }

``syn`` holds NEST synapse parameters of a ``static_synapse`` (``receptor_type`` is left
out when it is 0). Parameters not overridden are NEST's defaults, which are stored in every
data file (``defaults_json``) together with the full status of every recorded neuron.
See README.md for the timing conventions needed to reproduce the data.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

NEST_VERSION = "3.10.0"
DT = 0.1  # ms, simulation resolution and multimeter interval
DATA_DIR = Path(__file__).with_name("data")

# NEST 3.10 ``GetDefaults(model)['recordables']`` (sorted as NEST returns them).
RECORDABLES = {
    "iaf_psc_delta": ["V_m"],
    "iaf_psc_exp": ["I_syn_ex", "I_syn_in", "V_m"],
    "iaf_psc_alpha": ["I_syn_ex", "I_syn_in", "V_m"],
    "iaf_cond_exp": ["V_m", "g_ex", "g_in"],
    "iaf_cond_alpha": ["V_m", "g_ex", "g_in", "t_ref_remaining"],
    "iaf_cond_beta": ["V_m", "g_ex", "g_in", "t_ref_remaining"],
    "aeif_cond_alpha": ["V_m", "g_ex", "g_in", "w"],
    "aeif_cond_exp": ["V_m", "g_ex", "g_in", "w"],
    "aeif_psc_exp": ["I_syn_ex", "I_syn_in", "V_m", "w"],
    "aeif_psc_alpha": ["I_syn_ex", "I_syn_in", "V_m", "w"],
    "aeif_psc_delta": ["V_m", "w"],
    # NEST's default multisynapse neuron has one receptor (tau_syn = [2.0]); recordables
    # I_syn (the sum over receptors) and I_syn_k, one per receptor
    "iaf_psc_exp_multisynapse": ["I_syn", "I_syn_1", "V_m"],
    "iaf_psc_alpha_multisynapse": ["I_syn", "I_syn_1", "V_m"],
    "hh_psc_alpha": ["Act_m", "Act_n", "I_syn_ex", "I_syn_in", "Inact_h", "V_m"],
    "hh_psc_alpha_gap": ["Act_m", "Act_n", "I_syn_ex", "I_syn_in", "Inact_h", "Inact_p", "V_m"],
    "hh_cond_exp_traub": ["Act_m", "Act_n", "Inact_h", "V_m", "g_ex", "g_in"],
    "iaf_bw_2001": ["I_AMPA", "I_GABA", "I_NMDA", "V_m", "s_AMPA", "s_GABA", "s_NMDA"],
    "iaf_bw_2001_exact": ["I_AMPA", "I_GABA", "I_NMDA", "V_m", "s_AMPA", "s_GABA", "s_NMDA"],
    "izhikevich": ["U_m", "V_m"],
    "iaf_psc_exp_htum": ["I_syn_ex", "I_syn_in", "V_m"],
    "iaf_tum_2000": ["I_syn_ex", "I_syn_in", "V_m"],
}
MODELS = list(RECORDABLES)

# Input spike train shared by the spike protocols (ms): isolated spikes, a close pair,
# two spikes in the same step (the weights add), a burst of 10 spikes every 0.5 ms strong
# enough to make every model fire, two spikes right after the burst (during refractoriness
# for models that have one) and a pair one step apart.
SPIKE_TIMES = [
    5.0,
    20.0,
    20.3,
    35.0,
    35.0,
    *(50.0 + 0.5 * k for k in range(10)),
    55.5,
    56.0,
    75.0,
    75.1,
]
SPIKE_DELAY = 1.0  # ms, delay of every spike connection
CURRENT_DELAY = 0.1  # ms, delay of every current generator (dc/step) connection

# Presynaptic spike pattern for the NMDA protocol of iaf_bw_2001 (the presynaptic neuron
# fires one step after each of these inputs arrives): isolated, a pair 3 ms apart, a burst
# of 8 spikes every 2.5 ms (>= t_ref + dt), and a late single spike.
NMDA_DRIVE_TIMES = [5.0, 20.0, 23.0, *(35.0 + 2.5 * k for k in range(8)), 80.0]

# Per-model stimulus levels.  Currents in pA (izhikevich: its I_e enters dV/dt in mV/ms);
# weights in the model's unit: mV for *_psc_delta and izhikevich (voltage jump), pA for
# *_psc_* and hh_psc_*, nS for *_cond_*, hh_cond_exp_traub and iaf_bw_2001*.
#   dc:     I_e of a subthreshold and a suprathreshold neuron
#   step:   (time, amplitude) pairs of a step_current_generator: below and above
#           rheobase, far above, negative, off
#   w_ex:   weight of the excitatory train, w_in of the inhibitory one
#   bias:   I_e of the neuron that receives the inhibitory train (fires repeatedly)
LEVELS = {
    "iaf_psc_delta": dict(
        dc=(300.0, 500.0),
        step=((20, 300.0), (50, 450.0), (80, 800.0), (110, -300.0), (130, 0.0)),
        w_ex=2.5,
        w_in=-3.0,
        bias=500.0,
    ),
    "iaf_psc_exp": dict(
        dc=(300.0, 500.0),
        step=((20, 300.0), (50, 450.0), (80, 800.0), (110, -300.0), (130, 0.0)),
        w_ex=400.0,
        w_in=-500.0,
        bias=500.0,
    ),
    "iaf_psc_alpha": dict(
        dc=(300.0, 500.0),
        step=((20, 300.0), (50, 450.0), (80, 800.0), (110, -300.0), (130, 0.0)),
        w_ex=200.0,
        w_in=-250.0,
        bias=500.0,
    ),
    "iaf_cond_exp": dict(
        dc=(200.0, 350.0),
        step=((20, 200.0), (50, 300.0), (80, 600.0), (110, -200.0), (130, 0.0)),
        w_ex=50.0,
        w_in=-20.0,
        bias=350.0,
    ),
    "iaf_cond_alpha": dict(
        dc=(200.0, 350.0),
        step=((20, 200.0), (50, 300.0), (80, 600.0), (110, -200.0), (130, 0.0)),
        w_ex=20.0,
        w_in=-10.0,
        bias=350.0,
    ),
    "iaf_cond_beta": dict(
        dc=(200.0, 350.0),
        step=((20, 200.0), (50, 300.0), (80, 600.0), (110, -200.0), (130, 0.0)),
        w_ex=20.0,
        w_in=-10.0,
        bias=350.0,
    ),
    "aeif_cond_alpha": dict(
        dc=(400.0, 1000.0),
        step=((20, 400.0), (50, 700.0), (80, 1500.0), (110, -400.0), (130, 0.0)),
        w_ex=30.0,
        w_in=-15.0,
        bias=1000.0,
    ),
    "aeif_cond_exp": dict(
        dc=(400.0, 1000.0),
        step=((20, 400.0), (50, 700.0), (80, 1500.0), (110, -400.0), (130, 0.0)),
        w_ex=80.0,
        w_in=-40.0,
        bias=1000.0,
    ),
    "aeif_psc_exp": dict(
        dc=(400.0, 1000.0),
        step=((20, 400.0), (50, 700.0), (80, 1500.0), (110, -400.0), (130, 0.0)),
        w_ex=5000.0,
        w_in=-2000.0,
        bias=1000.0,
    ),
    "aeif_psc_alpha": dict(
        dc=(400.0, 1000.0),
        step=((20, 400.0), (50, 700.0), (80, 1500.0), (110, -400.0), (130, 0.0)),
        w_ex=2000.0,
        w_in=-800.0,
        bias=1000.0,
    ),
    "aeif_psc_delta": dict(
        dc=(400.0, 1000.0),
        step=((20, 400.0), (50, 700.0), (80, 1500.0), (110, -400.0), (130, 0.0)),
        w_ex=5.0,
        w_in=-3.0,
        bias=1000.0,
    ),
    "iaf_psc_exp_multisynapse": dict(
        dc=(300.0, 500.0),
        step=((20, 300.0), (50, 450.0), (80, 800.0), (110, -300.0), (130, 0.0)),
        w_ex=400.0,
        w_in=-500.0,
        bias=500.0,
    ),
    "iaf_psc_alpha_multisynapse": dict(
        dc=(300.0, 500.0),
        step=((20, 300.0), (50, 450.0), (80, 800.0), (110, -300.0), (130, 0.0)),
        w_ex=200.0,
        w_in=-250.0,
        bias=500.0,
    ),
    "hh_psc_alpha": dict(
        dc=(150.0, 1000.0),
        step=((20, 150.0), (50, 800.0), (80, 1500.0), (110, -300.0), (130, 0.0)),
        w_ex=300.0,
        w_in=-300.0,
        bias=1000.0,
    ),
    "hh_psc_alpha_gap": dict(
        dc=(50.0, 300.0),
        step=((20, 50.0), (50, 150.0), (80, 400.0), (110, -100.0), (130, 0.0)),
        w_ex=200.0,
        w_in=-100.0,
        bias=300.0,
    ),
    "hh_cond_exp_traub": dict(
        dc=(5.0, 300.0),
        step=((20, 5.0), (50, 100.0), (80, 500.0), (110, -100.0), (130, 0.0)),
        w_ex=5.0,
        w_in=-10.0,
        bias=300.0,
    ),
    "iaf_bw_2001": dict(
        dc=(300.0, 600.0),
        step=((20, 300.0), (50, 450.0), (80, 900.0), (110, -300.0), (130, 0.0)),
        w_ex=10.0,
        w_in=10.0,
        bias=600.0,
    ),
    "iaf_bw_2001_exact": dict(
        dc=(300.0, 600.0),
        step=((20, 300.0), (50, 450.0), (80, 900.0), (110, -300.0), (130, 0.0)),
        w_ex=10.0,
        w_in=10.0,
        bias=600.0,
    ),
    "izhikevich": dict(
        dc=(3.0, 10.0),
        step=((20, 3.0), (50, 6.0), (80, 20.0), (110, -5.0), (130, 0.0)),
        w_ex=4.0,
        w_in=-4.0,
        bias=10.0,
    ),
    "iaf_psc_exp_htum": dict(
        dc=(300.0, 500.0),
        step=((20, 300.0), (50, 450.0), (80, 800.0), (110, -300.0), (130, 0.0)),
        w_ex=400.0,
        w_in=-500.0,
        bias=500.0,
    ),
    "iaf_tum_2000": dict(
        dc=(300.0, 500.0),
        step=((20, 300.0), (50, 450.0), (80, 800.0), (110, -300.0), (130, 0.0)),
        w_ex=400.0,
        w_in=-500.0,
        bias=500.0,
    ),
}

DURATIONS = {"dc": 100.0, "step": 150.0, "spikes": 100.0, "gap": 60.0}

# Parameters every neuron of a model's protocols gets besides the stimulus: an absolute
# refractory period shorter than the total one (iaf_psc_exp_htum; V crosses V_th before
# the total period ends in the strong step).
NEURON_OVERRIDES = {
    "iaf_psc_exp_htum": {"t_ref_abs": 1.0, "t_ref_tot": 8.0},
}

# iaf_tum_2000 (spikes_stp): a presynaptic neuron (0), firing by its I_e and a spike
# train, sends its spikes through receptor 1, where each is scaled by the release u*x
# its sender computed (NEST's spike offset), to neuron 1.
STP_PRE = {"I_e": 600.0, "U": 0.2, "tau_fac": 200.0, "tau_rec": 100.0}
STP_POST = {"I_e": 350.0}
STP_DRIVE_WEIGHT = 300.0  # pA, spike_generator (SPIKE_TIMES) -> neuron 0
STP_WEIGHT = 4000.0  # pA, neuron 0 -> neuron 1, receptor 1

# NMDA input (iaf_bw_2001*): weights in nS.
NMDA_PRE_DRIVE_WEIGHT = 3000.0  # AMPA weight that makes the presynaptic neuron fire
NMDA_PRE_PARAMS = {"tau_AMPA": 0.1}  # fast AMPA decay: one presynaptic spike per input
NMDA_WEIGHT = 120.0  # iaf_bw_2001: presynaptic neuron -> postsynaptic NMDA weight
NMDA_EXACT_WEIGHTS = (80.0, 40.0)  # iaf_bw_2001_exact: one spike_generator per NMDA port
NMDA_EXACT_TIMES = (SPIKE_TIMES, [12.0, 12.0, 40.0, 41.0, 42.0, 43.0, 44.0, 90.0])

GAP_WEIGHT = 5.0  # nS, hh_psc_alpha_gap
GAP_I_E = (300.0, 50.0)  # pA: driven neuron, (subthreshold) follower


def _has_i_e(model: str) -> bool:
    return not model.startswith("iaf_bw_2001")


def _spike_stimulus(times, weight, targets, receptor_type=0):
    syn = {"weight": float(weight), "delay": SPIKE_DELAY}
    if receptor_type:
        syn["receptor_type"] = receptor_type
    return {
        "device": "spike_generator",
        "params": {"spike_times": [float(t) for t in times]},
        "targets": list(targets),
        "syn": syn,
    }


def _current_stimuli(model: str, amplitudes) -> tuple[list[dict], list[dict]]:
    """Neuron overrides and stimuli giving neuron ``i`` a constant current ``amplitudes[i]``.

    I_e where the model has one; otherwise (iaf_bw_2001*) one dc_generator per neuron.
    """
    if _has_i_e(model):
        return [{"I_e": float(a)} for a in amplitudes], []
    stimuli = [
        {
            "device": "dc_generator",
            "params": {"amplitude": float(a)},
            "targets": [i],
            "syn": {"delay": CURRENT_DELAY},
        }
        for i, a in enumerate(amplitudes)
        if a != 0.0
    ]
    return [{} for _ in amplitudes], stimuli


def _protocols(model: str) -> dict[str, dict]:
    lv = LEVELS[model]
    bw = model.startswith("iaf_bw_2001")
    out = {}

    neurons, stimuli = _current_stimuli(model, lv["dc"])
    kind = "I_e" if _has_i_e(model) else "a dc_generator (delay 0.1 ms, start 0)"
    out["dc"] = {
        "description": f"constant current by {kind}: neuron 0 subthreshold "
        f"({lv['dc'][0]} pA), neuron 1 fires repeatedly ({lv['dc'][1]} pA)",
        "duration": DURATIONS["dc"],
        "neurons": neurons,
        "stimuli": stimuli,
    }

    times, values = zip(*lv["step"], strict=True)
    out["step"] = {
        "description": "step_current_generator (delay 0.1 ms): amplitudes "
        + ", ".join(f"{a} pA from {t} ms" for t, a in lv["step"]),
        "duration": DURATIONS["step"],
        "neurons": [{}],
        "stimuli": [
            {
                "device": "step_current_generator",
                "params": {
                    "amplitude_times": [float(t) for t in times],
                    "amplitude_values": [float(a) for a in values],
                },
                "targets": [0],
                "syn": {"delay": CURRENT_DELAY},
            }
        ],
    }

    ex_name, in_name = ("spikes_AMPA", "spikes_GABA") if bw else ("spikes_ex", "spikes_in")
    # multisynapse models take spikes on their receptors 1..n only (here n = 1), of any sign
    multi = model.endswith("_multisynapse")
    ex_receptor, in_receptor = (1, 2) if bw else (1, 1) if multi else (0, 0)
    ex_what = ", receptor 1 (AMPA)" if bw else ", receptor 1" if multi else " (excitatory)"
    in_what = ", receptor 2 (GABA)" if bw else ", receptor 1" if multi else " (inhibitory)"
    out[ex_name] = {
        "description": f"spike_generator train SPIKE_TIMES, weight {lv['w_ex']}, delay "
        f"{SPIKE_DELAY} ms" + ex_what,
        "duration": DURATIONS["spikes"],
        "neurons": [{}],
        "stimuli": [_spike_stimulus(SPIKE_TIMES, lv["w_ex"], [0], ex_receptor)],
    }
    neurons, stimuli = _current_stimuli(model, [lv["bias"]])
    out[in_name] = {
        "description": f"neuron biased with {lv['bias']} pA (fires repeatedly) receiving "
        f"SPIKE_TIMES, weight {lv['w_in']}, delay {SPIKE_DELAY} ms" + in_what,
        "duration": DURATIONS["spikes"],
        "neurons": neurons,
        "stimuli": [*stimuli, _spike_stimulus(SPIKE_TIMES, lv["w_in"], [0], in_receptor)],
    }

    if model == "iaf_bw_2001":
        out["spikes_NMDA"] = {
            "description": "NEST accepts NMDA input to iaf_bw_2001 only from an iaf_bw_2001 "
            "neuron. Neuron 0 (presynaptic, tau_AMPA=0.1 ms) is driven through AMPA by "
            f"a spike_generator (NMDA_DRIVE_TIMES, weight {NMDA_PRE_DRIVE_WEIGHT} nS, "
            "delay 1 ms) and fires one step after each input arrives; its spikes reach "
            f"neuron 1 on receptor 3 (NMDA), weight {NMDA_WEIGHT} nS, delay 1 ms, where "
            "s_NMDA jumps by weight * (the spike's offset, see spike_offsets).",
            "duration": DURATIONS["spikes"],
            "neurons": [dict(NMDA_PRE_PARAMS), {}],
            "stimuli": [
                _spike_stimulus(NMDA_DRIVE_TIMES, NMDA_PRE_DRIVE_WEIGHT, [0], receptor_type=1)
            ],
            "connections": [
                {
                    "source": 0,
                    "target": 1,
                    "syn": {"weight": NMDA_WEIGHT, "delay": SPIKE_DELAY, "receptor_type": 3},
                }
            ],
        }
    if model == "iaf_bw_2001_exact":
        out["spikes_NMDA"] = {
            "description": "two spike_generators on receptor 3 (NMDA), i.e. two NMDA ports "
            f"with weights {NMDA_EXACT_WEIGHTS} nS (delay 1 ms); spike trains "
            "NMDA_EXACT_TIMES. Each spike adds 1 to its port's rise variable x_j.",
            "duration": DURATIONS["spikes"],
            "neurons": [{}],
            "stimuli": [
                _spike_stimulus(times, w, [0], receptor_type=3)
                for times, w in zip(NMDA_EXACT_TIMES, NMDA_EXACT_WEIGHTS, strict=True)
            ],
        }
    if model == "iaf_tum_2000":
        out["spikes_stp"] = {
            "description": "neuron 0 (presynaptic; " + json.dumps(STP_PRE) + ") fires by its "
            f"I_e and a spike_generator (SPIKE_TIMES, weight {STP_DRIVE_WEIGHT} pA, delay "
            f"{SPIKE_DELAY} ms); its spikes reach neuron 1 ({json.dumps(STP_POST)}) on "
            f"receptor 1, weight {STP_WEIGHT} pA, delay {SPIKE_DELAY} ms, each scaled by "
            "the release u*x its sender computed (stored in spike_offsets).",
            "duration": DURATIONS["spikes"],
            "neurons": [dict(STP_PRE), dict(STP_POST)],
            "stimuli": [_spike_stimulus(SPIKE_TIMES, STP_DRIVE_WEIGHT, [0])],
            "connections": [
                {
                    "source": 0,
                    "target": 1,
                    "syn": {"weight": STP_WEIGHT, "delay": SPIKE_DELAY, "receptor_type": 1},
                }
            ],
        }
    if model == "hh_psc_alpha_gap":
        for name, wfr in (("gap", True), ("gap_nowfr", False)):
            scheme = (
                "waveform relaxation (NEST default use_wfr=True)"
                if wfr
                else "use_wfr=False (coupling through the previous step's interpolation)"
            )
            out[name] = {
                "description": f"two neurons coupled by a symmetric gap junction of "
                f"{GAP_WEIGHT} nS, {scheme}; neuron 0 driven by I_e={GAP_I_E[0]} pA, "
                f"neuron 1 by I_e={GAP_I_E[1]} pA",
                "duration": DURATIONS["gap"],
                "kernel": {"use_wfr": wfr},
                "neurons": [{"I_e": GAP_I_E[0]}, {"I_e": GAP_I_E[1]}],
                "stimuli": [],
                "gap_junctions": [{"source": 0, "target": 1, "weight": GAP_WEIGHT}],
            }

    for protocol in out.values():
        for neuron in protocol["neurons"]:
            for key, value in NEURON_OVERRIDES.get(model, {}).items():
                neuron.setdefault(key, value)
        protocol.setdefault("kernel", {})
        protocol.setdefault("connections", [])
        protocol.setdefault("gap_junctions", [])
    return out


PROTOCOLS: dict[str, dict[str, dict]] = {model: _protocols(model) for model in MODELS}


def n_steps(protocol: dict) -> int:
    """Number of recorded samples (at DT, 2*DT, ..., duration)."""
    return int(round(protocol["duration"] / DT))


def data_path(model: str) -> Path:
    return DATA_DIR / f"{model}.npz"


def load(model: str) -> dict:
    """Read ``data/<model>.npz`` into nested dicts.

    Returns ``{"meta": {...}, "defaults": {...}, "protocols": {name: {...}}}`` where each
    protocol dict holds the stored description (``"protocol"``), ``"times"`` (n,),
    every recordable as an (n, n_neurons) float64 array, ``"spike_times"``,
    ``"spike_senders"`` (neuron index), ``"spike_offsets"`` and ``"neuron_status"``
    (NEST's full status of each recorded neuron before the simulation).
    """
    with np.load(data_path(model), allow_pickle=False) as z:
        arrays = {key: z[key] for key in z.files}
    meta = {
        "model": str(arrays["model"]),
        "nest_version": str(arrays["nest_version"]),
        "dt": float(arrays["dt"]),
        "recordables": [str(r) for r in arrays["recordables"]],
    }
    protocols = {}
    for name in json.loads(str(arrays["protocol_names_json"])):
        prefix = f"{name}/"
        entry = {
            key[len(prefix) :]: value for key, value in arrays.items() if key.startswith(prefix)
        }
        entry["protocol"] = json.loads(str(entry.pop("protocol_json")))
        entry["neuron_status"] = json.loads(str(entry.pop("neuron_status_json")))
        entry["kernel_status"] = json.loads(str(entry.pop("kernel_status_json")))
        protocols[name] = entry
    return {
        "meta": meta,
        "defaults": json.loads(str(arrays["defaults_json"])),
        "protocols": protocols,
    }
