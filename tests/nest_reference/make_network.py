"""Regenerate the NEST reference data for networks, delays and devices (``data/network_*.npz``).

Needs NEST (``bash benchmarks/setup_peers.sh nest``); run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest_reference/make_network.py [name ...]

``name`` is one of ``FILES`` (default: all four). The protocols are declared below as plain
data (``PROTOCOLS``); the tests import this module without NEST (NEST is imported inside
``main`` only) and check that each file stores exactly the protocol declared here.
README.md ("Network reference data") documents every key of every file.

Every NEST kernel is fresh (``nest.ResetKernel()``) with resolution ``DT`` and the
``rng_seed`` / ``local_num_threads`` of its protocol. The output is deterministic: rerunning
gives byte-identical files, except for the wall-clock timings (``*/wall_s_*``) in
``network_brunel.npz``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

_spec = importlib.util.spec_from_file_location(
    "nest_reference_make", Path(__file__).with_name("make.py")
)
_make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_make)

NEST_VERSION = "3.10.0"
DT = 0.1  # ms
DATA_DIR = Path(__file__).with_name("data")
FILES = ["network_delays", "network_devices", "network_device_statistics", "network_brunel"]
KERNEL_KEYS = [*_make._KERNEL_KEYS, "rng_seed", "rng_type"]


def _floats(values) -> list[float]:
    return [float(v) for v in values]


# ------------------------------------------------------------------------------------------
# network_delays: 10 iaf_psc_alpha + 10 iaf_psc_delta, 60 random connections, mixed delays
# ------------------------------------------------------------------------------------------
DELAYS_SEED = 20240611  # numpy seed; only Generator.random() is used (stable stream)
N_PER_MODEL = 10
N_CONNECTIONS = 60
# Delays (ms) to draw from. 0.15, 0.25, 0.35, 1.27 and 3.33 are not whole numbers of steps:
# NEST rounds them (0.15 -> 0.2, 0.25 -> 0.3, 0.35 -> 0.4, 1.27 -> 1.3, 3.33 -> 3.3).
DELAY_CHOICES = [0.1, 0.15, 0.2, 0.25, 0.35, 0.5, 1.0, 1.27, 1.5, 2.0, 3.33, 5.0]
# Single connections whose delay NEST reports (rounding table) and ones it refuses.
DELAY_ROUNDING_REQUESTED = [0.05, 0.06, 0.1, 0.14, 0.1499, 0.15, 0.1501, 0.16, 0.25, 0.35, 0.45]
DELAY_ROUNDING_REQUESTED += [0.75, 1.2499999, 1.25, 1.27, 1.35, 3.33, 12.25]
DELAY_ROUNDING_INVALID = [0.04, 0.0, -1.0]


def _delays_protocol() -> dict:
    rng = np.random.default_rng(DELAYS_SEED)
    n = 2 * N_PER_MODEL
    models = ["iaf_psc_alpha"] * N_PER_MODEL + ["iaf_psc_delta"] * N_PER_MODEL
    i_e = [float(round(300.0 + 150.0 * u, 1)) for u in rng.random(n)]
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    pick = np.argsort(rng.random(len(pairs)), kind="stable")[:N_CONNECTIONS]
    chosen = sorted(pairs[k] for k in pick)
    negative = rng.random(N_CONNECTIONS) < 0.4
    magnitude = rng.random(N_CONNECTIONS)
    delays = np.resize(DELAY_CHOICES, N_CONNECTIONS)[
        np.argsort(rng.random(N_CONNECTIONS), kind="stable")
    ]
    weights = []
    for (_, post), neg, u in zip(chosen, negative, magnitude, strict=True):
        if models[post] == "iaf_psc_alpha":
            w = round(30.0 + 120.0 * u, 1)  # pA
        else:
            w = round(0.5 + 2.5 * u, 2)  # mV
        weights.append(-w if neg else w)
    cross = [(models[a], models[b]) for a, b in chosen if models[a] != models[b]]
    assert cross.count(("iaf_psc_alpha", "iaf_psc_delta")) >= 3
    assert cross.count(("iaf_psc_delta", "iaf_psc_alpha")) >= 3
    assert set(delays.tolist()) == set(DELAY_CHOICES)
    return {
        "description": "10 iaf_psc_alpha (indices 0-9) and 10 iaf_psc_delta (10-19) at NEST "
        "defaults except I_e; 60 static_synapse connections (pre, post, weight, delay) drawn "
        f"with numpy default_rng({DELAYS_SEED}); weights in pA onto iaf_psc_alpha, in mV onto "
        "iaf_psc_delta; plus one spike_generator onto 4 neurons",
        "duration": 200.0,
        "kernel": {"rng_seed": 1, "local_num_threads": 1},
        "models": models,
        "neurons": [{"I_e": v} for v in i_e],
        "connections": {
            "pre": [int(a) for a, _ in chosen],
            "post": [int(b) for _, b in chosen],
            "weight": _floats(weights),
            "delay": _floats(delays),
        },
        "spike_generator": {
            "params": {"spike_times": [10.0, 25.0, 25.0, 60.3, 61.0, 120.0, 150.5]},
            "targets": [0, 4, 12, 17],
            "weight": [300.0, -200.0, 4.0, -2.5],
            "delay": [1.0, 1.27, 0.25, 3.33],
        },
        "delay_rounding": {
            "requested": DELAY_ROUNDING_REQUESTED,
            "invalid": DELAY_ROUNDING_INVALID,
        },
    }


# ------------------------------------------------------------------------------------------
# network_devices: deterministic stimulation and recording devices
# ------------------------------------------------------------------------------------------
CURRENT_DELAY = 0.5  # ms, generator -> iaf_psc_alpha
SPIKE_SOURCE_DELAY = 1.2  # ms, spike source -> iaf_psc_alpha and -> parrot_neuron
RECORDER_DRIVE_DELAY = 1.0  # ms, spike_generator -> parrot_neuron in "recorders"

CURRENT_SOURCES = [
    {
        "name": "dc",
        "device": "dc_generator",
        "params": {"amplitude": 150.0, "origin": 3.0, "start": 5.0, "stop": 12.0},
    },
    {
        "name": "ac",
        "device": "ac_generator",
        "params": {
            "amplitude": 80.0,
            "offset": 120.0,
            "frequency": 40.0,
            "phase": 30.0,
            "origin": 2.0,
            "start": 4.0,
            "stop": 30.0,
        },
    },
    {
        "name": "step",
        "device": "step_current_generator",
        "params": {
            "amplitude_times": [1.0, 9.0, 14.0, 25.0],
            "amplitude_values": [100.0, -60.0, 200.0, 50.0],
            "origin": 3.0,
            "start": 5.0,
            "stop": 30.0,
        },
    },
    {
        "name": "step_offgrid",
        "device": "step_current_generator",
        "params": {
            "allow_offgrid_times": True,
            "amplitude_times": [2.03, 7.05, 11.17, 20.0],
            "amplitude_values": [80.0, 160.0, -40.0, 0.0],
            "origin": 1.0,
            "start": 0.0,
            "stop": 35.0,
        },
    },
]

SPIKE_SOURCES = [
    {
        "name": "sg",
        "device": "spike_generator",
        "params": {
            "spike_times": [1.0, 5.0, 5.1, 8.0, 10.0, 10.0, 12.3, 17.0, 20.0, 20.1, 23.0],
            "origin": 3.0,
            "start": 5.0,
            "stop": 20.0,
        },
        "weight": 100.0,
    },
    {
        "name": "sg_weights",
        "device": "spike_generator",
        "params": {
            "spike_times": [0.5, 2.0, 6.0, 6.0, 11.5, 15.0],
            "spike_weights": [5.0, 1.0, 0.5, -2.0, 3.0, 1.5],
            "spike_multiplicities": [1, 1, 2, 1, 3, 1],
            "origin": 1.0,
            "start": 1.0,
            "stop": 30.0,
        },
        "weight": 50.0,
    },
    {
        "name": "sg_offgrid",
        "device": "spike_generator",
        "params": {
            "allow_offgrid_times": True,
            "spike_times": [3.04, 3.05, 7.15, 9.99, 14.0],
            "origin": 2.0,
            "start": 0.0,
            "stop": 20.0,
        },
        "weight": 80.0,
    },
    {
        "name": "pulsepacket",
        "device": "pulsepacket_generator",
        "params": {
            "pulse_times": [2.0, 10.05, 12.0, 12.04, 15.0, 30.0],
            "activity": 2,
            "sdev": 0.0,
            "origin": 2.0,
            "start": 4.0,
            "stop": 21.0,
        },
        "weight": 40.0,
    },
]

RECORDER_DRIVE_TIMES = [round(0.1 * k, 1) for k in range(10, 451)]  # every step, 1.0..45.0
SPIKE_RECORDERS = [
    {},
    {"start": 10.0, "stop": 20.0},
    {"origin": 5.0, "start": 10.0, "stop": 20.0},
    {"start": 30.0},
    {"stop": 5.0},
]
MULTIMETERS = [
    {"interval": 0.1},
    {"interval": 0.5},
    {"interval": 0.5, "origin": 5.0, "start": 10.0, "stop": 30.0},
    {"interval": 0.5, "offset": 0.3, "start": 10.0, "stop": 20.0},
    {"interval": 0.3, "start": 10.0, "stop": 20.0},
]


def _devices_protocol() -> dict:
    return {
        "description": "deterministic devices with nonzero origin/start/stop, each onto its "
        "own iaf_psc_alpha (NEST defaults) and, for spike sources, its own parrot_neuron",
        "currents": {
            "duration": 50.0,
            "kernel": {"rng_seed": 1, "local_num_threads": 1},
            "target_model": "iaf_psc_alpha",
            "delay": CURRENT_DELAY,
            "sources": CURRENT_SOURCES,
        },
        "spike_sources": {
            "duration": 50.0,
            "kernel": {"rng_seed": 1, "local_num_threads": 1},
            "target_model": "iaf_psc_alpha",
            "delay": SPIKE_SOURCE_DELAY,
            "sources": SPIKE_SOURCES,
        },
        "recorders": {
            "duration": 50.0,
            "kernel": {"rng_seed": 1, "local_num_threads": 1},
            "drive": {
                "spike_times": RECORDER_DRIVE_TIMES,
                "delay": RECORDER_DRIVE_DELAY,
                "weight": 1.0,
            },
            "spike_recorders": SPIKE_RECORDERS,
            "neuron": {"model": "iaf_psc_alpha", "params": {"I_e": 450.0}},
            "multimeters": MULTIMETERS,
        },
        "pulsepacket_edges": {
            "description": "one pulse (activity 1, sdev 0) per kernel at each time x, window "
            "start 6, stop 8 (origin 0), connection delays = min_delay; emission stamps",
            "pulse_times": [5.9, 5.95, 5.99, 6.0, 6.01, 6.05, 7.0, 7.9, 7.95, 8.0],
            "params": {"start": 6.0, "stop": 8.0},
            "min_delays": [0.1, 1.0],
        },
        "offgrid_errors": {
            "spike_generator": {"spike_times": [5.04]},
            "step_current_generator": {"amplitude_times": [5.04], "amplitude_values": [1.0]},
        },
    }


# ------------------------------------------------------------------------------------------
# network_device_statistics: stochastic generators, summary statistics only
# ------------------------------------------------------------------------------------------
STAT_PARROT_DELAY = 1.0  # ms, generator -> parrot_neuron; stamps are shifted back by it


def _statistics_protocol() -> dict:
    return {
        "description": "stochastic generators (fixed NEST rng_seed) onto parrot_neurons "
        "(spike sources) or iaf_psc_alpha (noise_generator); summaries only",
        "poisson": {
            "kernel": {"rng_seed": 11, "local_num_threads": 1},
            "delay": STAT_PARROT_DELAY,
            "duration": 10000.0,
            "n_targets": 2000,
            "window": 1000.0,
            "params": {"rate": 20.0},
        },
        "gamma": {
            "kernel": {"rng_seed": 12, "local_num_threads": 1},
            "delay": STAT_PARROT_DELAY,
            "duration": 10000.0,
            "n_targets": 1000,
            "window": 1000.0,
            "configs": [
                {"rate": 20.0, "gamma_shape": 4, "n_proc": 1},
                {"rate": 20.0, "gamma_shape": 4, "n_proc": 5},
            ],
        },
        "sinusoidal": {
            "kernel": {"rng_seed": 13, "local_num_threads": 1},
            "delay": STAT_PARROT_DELAY,
            "duration": 1000.0,
            "n_targets": 4000,
            "bin": 1.0,
            "params": {
                "rate": 30.0,
                "amplitude": 20.0,
                "frequency": 8.0,
                "phase": 45.0,
            },
            # settable only as a model default (SetDefaults / CopyModel), not per node
            "model_defaults": {"individual_spike_trains": True},
        },
        "inhomogeneous": {
            "kernel": {"rng_seed": 14, "local_num_threads": 1},
            "delay": STAT_PARROT_DELAY,
            "duration": 1000.0,
            "n_targets": 2000,
            "bin": 10.0,
            "params": {
                "rate_times": [100.0, 300.0, 550.0, 800.0],
                "rate_values": [10.0, 60.0, 0.0, 30.0],
            },
        },
        "noise": {
            "kernel": {"rng_seed": 15, "local_num_threads": 1},
            "duration": 10000.0,
            "delay": 0.5,
            "n_head": 400,
            "max_lag": 20,
            "configs": [
                {
                    "mean": 50.0,
                    "std": 100.0,
                    "dt": 1.0,
                    "std_mod": 0.0,
                    "frequency": 0.0,
                    "origin": 0.5,
                    "start": 2.3,
                },
                {"mean": 50.0, "std": 100.0, "dt": 0.1, "std_mod": 0.0, "frequency": 0.0},
            ],
        },
        "pulsepacket": {
            "kernel": {"rng_seed": 16, "local_num_threads": 1},
            "delay": STAT_PARROT_DELAY,
            "n_targets": 2,
            "params": {
                "pulse_times": [25.0 * (k + 1) for k in range(40)],
                "activity": 100,
                "sdev": 2.0,
            },
            "hist_range": [-10.0, 10.0],
        },
    }


# ------------------------------------------------------------------------------------------
# network_brunel: Brunel (2000) sparse network, brunel_delta form
# ------------------------------------------------------------------------------------------
def _brunel_protocol() -> dict:
    return {
        "description": "Brunel (2000) network of iaf_psc_delta: N_E = 4 order, N_I = order, "
        "fixed_indegree C_E = epsilon N_E and C_I = epsilon N_I onto every neuron, weights J "
        "and -g J, delay 1.5 ms, one poisson_generator (all_to_all: independent trains) of "
        "rate eta nu_th C_E with nu_th = V_th / (J C_E tau_m), weight J",
        "neuron_model": "iaf_psc_delta",
        "neuron_params": {
            "C_m": 1.0,
            "tau_m": 20.0,
            "t_ref": 2.0,
            "E_L": 0.0,
            "V_reset": 0.0,
            "V_m": 0.0,
            "V_th": 20.0,
        },
        "epsilon": 0.1,
        "J": 0.1,
        "g": 5.0,
        "eta": 2.0,
        "delay": 1.5,
        "conn_rule": {"rule": "fixed_indegree", "allow_autapses": True, "allow_multapses": True},
        "warmup": 100.0,
        "duration": 1000.0,
        "hist_bin": 1.0,
        "runs": [
            {"order": 500, "seeds": [1, 2, 3, 4, 5], "local_num_threads": 2},
            {"order": 2500, "seeds": [1, 2, 3], "local_num_threads": 2},
        ],
    }


def brunel_derived(protocol: dict, order: int) -> dict:
    """Population sizes, in-degrees and the Poisson rate of one Brunel run."""
    n_e, n_i = 4 * order, order
    c_e = int(protocol["epsilon"] * n_e)
    c_i = int(protocol["epsilon"] * n_i)
    p = protocol["neuron_params"]
    nu_th = p["V_th"] / (protocol["J"] * c_e * p["tau_m"])  # 1/ms
    return {
        "N_E": n_e,
        "N_I": n_i,
        "C_E": c_e,
        "C_I": c_i,
        "nu_th_hz": 1000.0 * nu_th,
        "p_rate_hz": 1000.0 * protocol["eta"] * nu_th * c_e,
    }


PROTOCOLS = {
    "network_delays": _delays_protocol(),
    "network_devices": _devices_protocol(),
    "network_device_statistics": _statistics_protocol(),
    "network_brunel": _brunel_protocol(),
}


def data_path(name: str) -> Path:
    return DATA_DIR / f"{name}.npz"


def load(name: str) -> dict[str, np.ndarray]:
    """All arrays of ``data/<name>.npz`` (JSON strings stay strings; see ``json_of``)."""
    with np.load(data_path(name), allow_pickle=False) as z:
        return {key: z[key] for key in z.files}


def json_of(array: np.ndarray):
    return json.loads(str(array))


# ------------------------------------------------------------------------------------------
# NEST helpers (nest is passed in; never imported at module level)
# ------------------------------------------------------------------------------------------
_text = _make._text
_jsonable = _make._jsonable


def _kernel(nest, kernel: dict) -> None:
    nest.ResetKernel()
    nest.set(resolution=DT, **kernel)


def _kernel_status(nest) -> dict:
    values = nest.GetKernelStatus(KERNEL_KEYS)
    return _jsonable(dict(zip(KERNEL_KEYS, values, strict=True)))


def _n(duration: float) -> int:
    return int(round(duration / DT))


def _traces(multimeter, gids: list[int], keys: list[str], n: int) -> dict[str, np.ndarray]:
    """(n, len(gids)) arrays of the samples at DT, 2 DT, ..., n DT, column j = gids[j]."""
    events = multimeter.events
    senders = np.asarray(events["senders"])
    times = np.asarray(events["times"], dtype=np.float64)
    out = {key: np.empty((n, len(gids))) for key in keys}
    for j, gid in enumerate(gids):
        mask = senders == gid
        order = np.argsort(times[mask], kind="stable")
        t = times[mask][order][:n]
        if len(t) != n or not np.allclose(t, DT * np.arange(1, n + 1), atol=1e-9):
            raise RuntimeError(f"unexpected multimeter times for node {gid}")
        for key in keys:
            out[key][:, j] = np.asarray(events[key], dtype=np.float64)[mask][order][:n]
    return out


def _spikes(recorder, gids: list[int], n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Spike steps and sender indices (into gids), sorted by (step, index); steps <= n."""
    events = recorder.events
    steps = np.asarray(events["times"], dtype=np.int64)
    index_of = {gid: i for i, gid in enumerate(gids)}
    senders = np.array([index_of[s] for s in np.asarray(events["senders"]).tolist()], np.int64)
    if n is not None:
        keep = steps <= n
        steps, senders = steps[keep], senders[keep]
    order = np.lexsort((senders, steps))
    return steps[order], senders[order]


def _error_text(fn) -> str:
    try:
        fn()
    except Exception as error:  # NEST raises its own exception classes
        return f"{type(error).__name__}: {error}"
    return ""


# ------------------------------------------------------------------------------------------
# network_delays
# ------------------------------------------------------------------------------------------
def make_delays(nest, p: dict) -> tuple[dict[str, np.ndarray], str]:
    _kernel(nest, p["kernel"])
    models = p["models"]
    neurons = nest.Create(models[0], models.count(models[0])) + nest.Create(
        models[-1], models.count(models[-1])
    )
    gids = neurons.tolist()
    for i, overrides in enumerate(p["neurons"]):
        neurons[i].set(overrides)
    c = p["connections"]
    for pre, post, w, d in zip(c["pre"], c["post"], c["weight"], c["delay"], strict=True):
        nest.Connect(neurons[pre], neurons[post], syn_spec={"weight": w, "delay": d})
    sg_spec = p["spike_generator"]
    generator = nest.Create("spike_generator", params=sg_spec["params"])
    for target, w, d in zip(sg_spec["targets"], sg_spec["weight"], sg_spec["delay"], strict=True):
        nest.Connect(generator, neurons[target], syn_spec={"weight": w, "delay": d})
    multimeter = nest.Create("multimeter", params={"interval": DT, "record_from": ["V_m"]})
    nest.Connect(multimeter, neurons)
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(neurons, recorder)
    status = [_jsonable(neurons[i].get()) for i in range(len(neurons))]

    n = _n(p["duration"])
    nest.Simulate(p["duration"] + nest.min_delay)
    out: dict[str, np.ndarray] = {"times": DT * np.arange(1, n + 1)}
    out["V_m"] = _traces(multimeter, gids, ["V_m"], n)["V_m"]
    out["spike_steps"], out["spike_senders"] = _spikes(recorder, gids, n)
    out["spike_times"] = out["spike_steps"] * DT

    reported = nest.GetConnections(source=neurons, target=neurons).get(
        ["source", "target", "weight", "delay"]
    )
    index_of = {gid: i for i, gid in enumerate(gids)}
    by_pair = {
        (index_of[s], index_of[t]): (w, d)
        for s, t, w, d in zip(
            reported["source"],
            reported["target"],
            reported["weight"],
            reported["delay"],
            strict=True,
        )
    }
    if len(by_pair) != len(c["pre"]):
        raise RuntimeError("NEST reports a different number of connections")
    pairs = list(zip(c["pre"], c["post"], strict=True))
    out["requested_pre"] = np.array(c["pre"], np.int64)
    out["requested_post"] = np.array(c["post"], np.int64)
    out["requested_weight"] = np.array(c["weight"])
    out["requested_delay"] = np.array(c["delay"])
    out["conn_source"] = out["requested_pre"].copy()
    out["conn_target"] = out["requested_post"].copy()
    out["conn_weight"] = np.array([by_pair[pair][0] for pair in pairs], np.float64)
    out["conn_delay"] = np.array([by_pair[pair][1] for pair in pairs], np.float64)
    # The same connections in the order GetConnections lists them.
    out["nest_order_source"] = np.array([index_of[s] for s in reported["source"]], np.int64)
    out["nest_order_target"] = np.array([index_of[t] for t in reported["target"]], np.int64)
    out["nest_order_weight"] = np.array(reported["weight"], np.float64)
    out["nest_order_delay"] = np.array(reported["delay"], np.float64)
    g = nest.GetConnections(source=generator).get(["target", "weight", "delay"])
    order = np.argsort([index_of[t] for t in g["target"]], kind="stable")
    out["generator_conn_target"] = np.array([index_of[g["target"][k]] for k in order], np.int64)
    out["generator_conn_weight"] = np.array([g["weight"][k] for k in order], np.float64)
    out["generator_conn_delay"] = np.array([g["delay"][k] for k in order], np.float64)
    out["spike_generator_times"] = np.array(sg_spec["params"]["spike_times"])
    out["neuron_status_json"] = _text(status)
    out["kernel_status_json"] = _text(_kernel_status(nest))

    # Delay rounding: one connection per requested delay, in a kernel of its own.
    _kernel(nest, p["kernel"])
    requested = p["delay_rounding"]["requested"]
    sources = nest.Create("iaf_psc_delta", len(requested))
    target = nest.Create("iaf_psc_delta")
    for i, d in enumerate(requested):
        nest.Connect(sources[i], target, syn_spec={"delay": d})
    rd = nest.GetConnections(source=sources).get(["source", "delay"])
    delay_of = dict(zip(rd["source"], rd["delay"], strict=True))
    out["delay_rounding/requested"] = np.array(requested)
    out["delay_rounding/reported"] = np.array([delay_of[s] for s in sources.tolist()])
    errors = []
    for d in p["delay_rounding"]["invalid"]:
        errors.append(
            _error_text(lambda d=d: nest.Connect(sources[0], target, syn_spec={"delay": d}))
        )
    out["delay_rounding/invalid"] = np.array(p["delay_rounding"]["invalid"])
    out["delay_rounding/invalid_errors_json"] = _text(errors)

    counts = np.bincount(out["spike_senders"], minlength=len(gids))
    rounded = sorted(
        {(r, d) for r, d in zip(c["delay"], out["conn_delay"].tolist(), strict=True) if r != d}
    )
    summary = f"spikes per neuron {counts.tolist()}; delays changed by NEST " + ", ".join(
        f"{r}->{d:.15g}" for r, d in rounded
    )
    return out, summary


# ------------------------------------------------------------------------------------------
# network_devices
# ------------------------------------------------------------------------------------------
def _devices_currents(nest, p: dict) -> dict[str, np.ndarray]:
    _kernel(nest, p["kernel"])
    sources = p["sources"]
    targets = nest.Create(p["target_model"], len(sources))
    generators = []
    for i, source in enumerate(sources):
        generator = nest.Create(source["device"], params=source["params"])
        nest.Connect(generator, targets[i], syn_spec={"delay": p["delay"]})
        generators.append(generator)
    mm_v = nest.Create("multimeter", params={"interval": DT, "record_from": ["V_m"]})
    nest.Connect(mm_v, targets)
    mm_i = nest.Create("multimeter", params={"interval": DT, "record_from": ["I"]})
    for generator in generators:
        nest.Connect(mm_i, generator)
    generator_status = [_jsonable(g.get()) for g in generators]
    target_status = [_jsonable(targets[i].get()) for i in range(len(targets))]
    n = _n(p["duration"])
    nest.Simulate(p["duration"] + nest.min_delay)
    return {
        "times": DT * np.arange(1, n + 1),
        "V_m": _traces(mm_v, targets.tolist(), ["V_m"], n)["V_m"],
        "I": _traces(mm_i, [g.global_id for g in generators], ["I"], n)["I"],
        "generator_status_json": _text(generator_status),
        "target_status_json": _text(target_status),
        "kernel_status_json": _text(_kernel_status(nest)),
    }


def _devices_spike_sources(nest, p: dict) -> dict[str, np.ndarray]:
    _kernel(nest, p["kernel"])
    sources = p["sources"]
    targets = nest.Create(p["target_model"], len(sources))
    parrots = nest.Create("parrot_neuron", len(sources))
    generators = []
    for i, source in enumerate(sources):
        generator = nest.Create(source["device"], params=source["params"])
        syn = {"weight": source["weight"], "delay": p["delay"]}
        nest.Connect(generator, targets[i], syn_spec=syn)
        nest.Connect(generator, parrots[i], syn_spec=syn)
        generators.append(generator)
    keys = ["I_syn_ex", "I_syn_in", "V_m"]
    multimeter = nest.Create("multimeter", params={"interval": DT, "record_from": keys})
    nest.Connect(multimeter, targets)
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(parrots, recorder)
    generator_status = [_jsonable(g.get()) for g in generators]
    n = _n(p["duration"])
    nest.Simulate(p["duration"] + nest.min_delay)
    out = {"times": DT * np.arange(1, n + 1)}
    out.update(_traces(multimeter, targets.tolist(), keys, n))
    out["parrot_spike_steps"], out["parrot_spike_senders"] = _spikes(recorder, parrots.tolist(), n)
    if np.any(np.asarray(recorder.events["offsets"]) != 0.0):
        raise RuntimeError("unexpected nonzero spike offsets (precise_times is off)")
    out["generator_status_json"] = _text(generator_status)
    out["kernel_status_json"] = _text(_kernel_status(nest))
    return out


def _devices_recorders(nest, p: dict) -> dict[str, np.ndarray]:
    _kernel(nest, p["kernel"])
    drive = p["drive"]
    generator = nest.Create("spike_generator", params={"spike_times": drive["spike_times"]})
    parrot = nest.Create("parrot_neuron")
    nest.Connect(generator, parrot, syn_spec={"weight": drive["weight"], "delay": drive["delay"]})
    recorders = []
    for params in p["spike_recorders"]:
        recorder = nest.Create("spike_recorder", params={"time_in_steps": True, **params})
        nest.Connect(parrot, recorder)
        recorders.append(recorder)
    neuron = nest.Create(p["neuron"]["model"], params=p["neuron"]["params"])
    multimeters = []
    for params in p["multimeters"]:
        multimeter = nest.Create("multimeter", params={"record_from": ["V_m"], **params})
        nest.Connect(multimeter, neuron)
        multimeters.append(multimeter)
    status = {
        "spike_recorders": [_jsonable(r.get()) for r in recorders],
        "multimeters": [_jsonable(m.get()) for m in multimeters],
    }
    n = _n(p["duration"])
    nest.Simulate(p["duration"] + nest.min_delay)
    out: dict[str, np.ndarray] = {}
    for k, recorder in enumerate(recorders):
        out[f"spike_recorder_{k}/steps"] = _spikes(recorder, parrot.tolist(), n)[0]
    for k, multimeter in enumerate(multimeters):
        times = np.asarray(multimeter.events["times"], np.float64)
        order = np.argsort(times, kind="stable")
        keep = times[order] <= p["duration"] + 1e-9
        out[f"multimeter_{k}/times"] = times[order][keep]
        out[f"multimeter_{k}/V_m"] = np.asarray(multimeter.events["V_m"], np.float64)[order][keep]
    out["device_status_json"] = _text(status)
    out["kernel_status_json"] = _text(_kernel_status(nest))
    return out


def _pulsepacket_edges(nest, p: dict) -> dict[str, dict[str, list[float]]]:
    """{min_delay: {pulse time: emission stamps (ms)}} for single sdev = 0 pulses."""
    table = {}
    for min_delay in p["min_delays"]:
        row = {}
        for x in p["pulse_times"]:
            _kernel(nest, {"rng_seed": 1, "local_num_threads": 1})
            params = {"pulse_times": [x], "activity": 1, "sdev": 0.0, **p["params"]}
            generator = nest.Create("pulsepacket_generator", params=params)
            parrot = nest.Create("parrot_neuron")
            recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
            nest.Connect(generator, parrot, syn_spec={"delay": min_delay})
            nest.Connect(parrot, recorder, syn_spec={"delay": min_delay})
            nest.Simulate(20.0)
            steps = np.asarray(recorder.events["times"], np.int64) - int(round(min_delay / DT))
            row[repr(x)] = [round(float(s) * DT, 10) for s in steps]
        table[repr(min_delay)] = row
    return table


_DEVICE_MODELS = [
    "dc_generator",
    "ac_generator",
    "step_current_generator",
    "spike_generator",
    "pulsepacket_generator",
    "parrot_neuron",
    "spike_recorder",
    "multimeter",
]


def make_devices(nest, p: dict) -> tuple[dict[str, np.ndarray], str]:
    out: dict[str, np.ndarray] = {}
    for part, fn in (
        ("currents", _devices_currents),
        ("spike_sources", _devices_spike_sources),
        ("recorders", _devices_recorders),
    ):
        out.update({f"{part}/{k}": v for k, v in fn(nest, p[part]).items()})
    out["pulsepacket_edges/stamps_json"] = _text(_pulsepacket_edges(nest, p["pulsepacket_edges"]))
    nest.ResetKernel()
    defaults = {m: _jsonable(nest.GetDefaults(m)) for m in _DEVICE_MODELS}
    out["device_defaults_json"] = _text(defaults)
    errors = {}
    for model, params in p["offgrid_errors"].items():
        _kernel(nest, {"rng_seed": 1, "local_num_threads": 1})
        errors[model] = _error_text(lambda m=model, q=params: nest.Create(m, params=q))
    out["offgrid_errors_json"] = _text(errors)
    counts = np.bincount(out["spike_sources/parrot_spike_senders"], minlength=len(SPIKE_SOURCES))
    summary = f"parrot spikes per spike source {counts.tolist()}"
    return out, summary


# ------------------------------------------------------------------------------------------
# network_device_statistics
# ------------------------------------------------------------------------------------------
def _train_statistics(steps, senders, n_targets: int, duration: float, window: float) -> dict:
    """Rate, Fano factor of window counts, ISI CV and histograms of parrot spike trains."""
    n_windows = int(round(duration / window))
    per_window = int(round(window / DT))
    w = (steps - 1) // per_window
    counts = np.zeros((n_targets, n_windows), np.int64)
    np.add.at(counts, (senders, w), 1)
    cvs, isis = [], []
    order = np.lexsort((steps, senders))
    s_sorted, t_sorted = senders[order], steps[order]
    bounds = np.searchsorted(s_sorted, np.arange(n_targets + 1))
    for i in range(n_targets):
        isi = np.diff(t_sorted[bounds[i] : bounds[i + 1]]) * DT
        isis.append(isi)
        if len(isi) >= 2 and isi.mean() > 0:
            cvs.append(isi.std() / isi.mean())
    isi_all = np.concatenate(isis)
    return {
        "n_spikes": np.array(len(steps)),
        "rate_hz": np.array(len(steps) / (n_targets * duration / 1000.0)),
        "fano": np.array(counts.var() / counts.mean()),
        "count_mean": np.array(counts.mean()),
        "count_var": np.array(counts.var()),
        "count_hist": np.bincount(counts.ravel()).astype(np.int64),
        "cv_isi_mean": np.array(np.mean(cvs)),
        "cv_isi_pooled": np.array(isi_all.std() / isi_all.mean()),
        "n_cv_trains": np.array(len(cvs)),
        "isi_mean": np.array(isi_all.mean()),
        "n_zero_isi": np.array(int(np.sum(isi_all == 0.0))),
        "isi_hist": np.histogram(isi_all, bins=np.arange(0.0, 301.0, 1.0))[0].astype(np.int64),
    }


def _parrots(nest, generator_model: str, params: dict, n_targets: int, delay: float):
    generator = nest.Create(generator_model, params=params)
    parrots = nest.Create("parrot_neuron", n_targets)
    nest.Connect(generator, parrots, syn_spec={"delay": delay})
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(parrots, recorder)
    return generator, parrots, recorder


def _emitted(recorder, parrots, delay: float, duration: float):
    """Generator emission stamps (steps) = parrot stamps - delay, up to ``duration``."""
    steps, senders = _spikes(recorder, parrots.tolist())
    steps = steps - int(round(delay / DT))
    keep = steps <= _n(duration)
    return steps[keep], senders[keep]


def _simulate_past(nest, duration: float, delay: float) -> None:
    """Simulate long enough for every emission up to ``duration`` to reach the recorder."""
    nest.Simulate(duration + delay + nest.min_delay)


def _stats_poisson(nest, p: dict) -> dict[str, np.ndarray]:
    _kernel(nest, p["kernel"])
    _, parrots, recorder = _parrots(
        nest, "poisson_generator", p["params"], p["n_targets"], p["delay"]
    )
    _simulate_past(nest, p["duration"], p["delay"])
    steps, senders = _emitted(recorder, parrots, p["delay"], p["duration"])
    return _train_statistics(steps, senders, p["n_targets"], p["duration"], p["window"])


def _stats_gamma(nest, p: dict) -> dict[str, np.ndarray]:
    _kernel(nest, p["kernel"])
    populations = [
        _parrots(nest, "gamma_sup_generator", params, p["n_targets"], p["delay"])
        for params in p["configs"]
    ]
    _simulate_past(nest, p["duration"], p["delay"])
    out = {}
    for k, (_, parrots, recorder) in enumerate(populations):
        steps, senders = _emitted(recorder, parrots, p["delay"], p["duration"])
        stats = _train_statistics(steps, senders, p["n_targets"], p["duration"], p["window"])
        out.update({f"config_{k}/{key}": value for key, value in stats.items()})
    return out


def _stats_sinusoidal(nest, p: dict) -> dict[str, np.ndarray]:
    _kernel(nest, p["kernel"])
    nest.SetDefaults("sinusoidal_poisson_generator", p["model_defaults"])
    generator, parrots, recorder = _parrots(
        nest, "sinusoidal_poisson_generator", p["params"], p["n_targets"], p["delay"]
    )
    if generator.get("individual_spike_trains") != p["model_defaults"]["individual_spike_trains"]:
        raise RuntimeError("individual_spike_trains was not applied")
    multimeter = nest.Create("multimeter", params={"interval": p["bin"], "record_from": ["rate"]})
    nest.Connect(multimeter, generator)
    _simulate_past(nest, p["duration"], p["delay"])
    steps, _ = _emitted(recorder, parrots, p["delay"], p["duration"])
    per_bin = int(round(p["bin"] / DT))
    n_bins = int(round(p["duration"] / p["bin"]))
    counts = np.bincount((steps - 1) // per_bin, minlength=n_bins).astype(np.int64)
    rate = counts / (p["n_targets"] * p["bin"] / 1000.0)
    # bin b holds stamps in (b bin, (b + 1) bin]; their mean time is (b + 0.5) bin + DT / 2
    centres = (np.arange(n_bins) + 0.5) * p["bin"] + DT / 2
    omega = 2.0 * np.pi * p["params"]["frequency"] / 1000.0
    design = np.stack([np.ones(n_bins), np.sin(omega * centres), np.cos(omega * centres)], 1)
    (c0, cs, cc), *_ = np.linalg.lstsq(design, rate, rcond=None)
    times = np.asarray(multimeter.events["times"], np.float64)
    order = np.argsort(times, kind="stable")
    keep = times[order] <= p["duration"] + 1e-9
    return {
        "hist_counts": counts,
        "rate_hz": rate,
        "bin_centres": centres,
        "fit_offset_hz": np.array(c0),
        "fit_amplitude_hz": np.array(np.hypot(cs, cc)),
        "fit_phase_deg": np.array(np.degrees(np.arctan2(cc, cs))),
        "n_spikes": np.array(len(steps)),
        "generator_rate_times": times[order][keep],
        "generator_rate": np.asarray(multimeter.events["rate"], np.float64)[order][keep],
    }


def _stats_inhomogeneous(nest, p: dict) -> dict[str, np.ndarray]:
    _kernel(nest, p["kernel"])
    _, parrots, recorder = _parrots(
        nest, "inhomogeneous_poisson_generator", p["params"], p["n_targets"], p["delay"]
    )
    _simulate_past(nest, p["duration"], p["delay"])
    steps, _ = _emitted(recorder, parrots, p["delay"], p["duration"])
    per_bin = int(round(p["bin"] / DT))
    n_bins = int(round(p["duration"] / p["bin"]))
    counts = np.bincount((steps - 1) // per_bin, minlength=n_bins).astype(np.int64)
    edges = [0.0, *p["params"]["rate_times"], p["duration"]]
    segment_rates, segment_counts = [], []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        # rate_values[j] holds for emission stamps in [rate_times[j], rate_times[j+1])
        inside = (steps >= int(round(a / DT))) & (steps < int(round(b / DT)))
        segment_rates.append(inside.sum() / (p["n_targets"] * (b - a) / 1000.0))
        segment_counts.append(int(inside.sum()))
    return {
        "hist_counts": counts,
        "rate_hz": counts / (p["n_targets"] * p["bin"] / 1000.0),
        "segment_edges": np.array(edges),
        "segment_rate_hz": np.array(segment_rates),
        "segment_counts": np.array(segment_counts, np.int64),
        "first_stamp_from_edges": np.array(
            [steps[steps >= int(round(a / DT))].min() * DT for a in edges[1:-1]]
        ),
        "n_spikes": np.array(len(steps)),
    }


def _stats_noise(nest, p: dict) -> dict[str, np.ndarray]:
    _kernel(nest, p["kernel"])
    generators = []
    targets = nest.Create("iaf_psc_alpha", len(p["configs"]))
    for i, params in enumerate(p["configs"]):
        generator = nest.Create("noise_generator", params=params)
        nest.Connect(generator, targets[i], syn_spec={"delay": p["delay"]})
        generators.append(generator)
    multimeter = nest.Create("multimeter", params={"interval": DT, "record_from": ["I"]})
    for generator in generators:
        nest.Connect(multimeter, generator)
    n = _n(p["duration"])
    nest.Simulate(p["duration"] + nest.min_delay)
    current = _traces(multimeter, [g.global_id for g in generators], ["I"], n)["I"]
    out = {}
    for k, params in enumerate(p["configs"]):
        i_k = current[:, k]
        # samples labelled origin + start and later (the generator's active window)
        first = max(0, int(round((params.get("origin", 0.0) + params.get("start", 0.0)) / DT)) - 1)
        active = i_k[first:]
        centred = active - active.mean()
        lags = np.arange(p["max_lag"] + 1)
        autocov = np.array([np.mean(centred[: len(centred) - L] * centred[L:]) for L in lags])
        changes = np.nonzero(np.diff(i_k) != 0.0)[0] + 1  # sample index where I changes
        out.update(
            {
                f"config_{k}/mean": np.array(active.mean()),
                f"config_{k}/std": np.array(active.std()),
                f"config_{k}/autocov": autocov,
                f"config_{k}/autocorr": autocov / autocov[0],
                f"config_{k}/n_samples": np.array(len(active)),
                f"config_{k}/I_head": i_k[: p["n_head"]],
                f"config_{k}/first_change_times": np.round((changes[:20] + 1) * DT, 10),
            }
        )
    return out


def _stats_pulsepacket(nest, p: dict) -> dict[str, np.ndarray]:
    _kernel(nest, p["kernel"])
    _, parrots, recorder = _parrots(
        nest, "pulsepacket_generator", p["params"], p["n_targets"], p["delay"]
    )
    pulses = np.array(p["params"]["pulse_times"])
    duration = float(pulses[-1]) + 20.0
    _simulate_past(nest, duration, p["delay"])
    steps, senders = _emitted(recorder, parrots, p["delay"], duration)
    trains = [steps[senders == i] for i in range(p["n_targets"])]
    same = all(np.array_equal(trains[0], t) for t in trains[1:])
    emitted = trains[0] * DT
    nearest = pulses[np.argmin(np.abs(emitted[:, None] - pulses[None, :]), axis=1)]
    offsets = emitted - nearest
    lo, hi = p["hist_range"]
    edges = np.round(np.arange(lo, hi + DT / 2, DT) - DT / 2, 10)
    return {
        "n_spikes": np.array(len(emitted)),
        "n_expected": np.array(len(pulses) * p["params"]["activity"]),
        "same_train_all_targets": np.array(same),
        "offset_mean": np.array(offsets.mean()),
        "offset_std": np.array(offsets.std()),
        "offset_min": np.array(offsets.min()),
        "offset_max": np.array(offsets.max()),
        "offset_hist_edges": edges,
        "offset_hist": np.histogram(offsets, bins=edges)[0].astype(np.int64),
    }


def make_statistics(nest, p: dict) -> tuple[dict[str, np.ndarray], str]:
    out: dict[str, np.ndarray] = {}
    for part, fn in (
        ("poisson", _stats_poisson),
        ("gamma", _stats_gamma),
        ("sinusoidal", _stats_sinusoidal),
        ("inhomogeneous", _stats_inhomogeneous),
        ("noise", _stats_noise),
        ("pulsepacket", _stats_pulsepacket),
    ):
        out.update({f"{part}/{k}": v for k, v in fn(nest, p[part]).items()})
    summary = (
        f"poisson rate {float(out['poisson/rate_hz']):.3f} Hz fano "
        f"{float(out['poisson/fano']):.3f} cv {float(out['poisson/cv_isi_mean']):.3f}; "
        + "; ".join(
            f"gamma {k} rate {float(out[f'gamma/config_{k}/rate_hz']):.2f} Hz fano "
            f"{float(out[f'gamma/config_{k}/fano']):.3f} cv "
            f"{float(out[f'gamma/config_{k}/cv_isi_mean']):.3f}"
            for k in range(len(p["gamma"]["configs"]))
        )
        + f"; sinusoidal fit {float(out['sinusoidal/fit_offset_hz']):.2f} + "
        f"{float(out['sinusoidal/fit_amplitude_hz']):.2f} sin(.. + "
        f"{float(out['sinusoidal/fit_phase_deg']):.1f} deg); inhomogeneous segments "
        f"{np.round(out['inhomogeneous/segment_rate_hz'], 2).tolist()}; noise std "
        f"{float(out['noise/config_0/std']):.2f}/{float(out['noise/config_1/std']):.2f} "
        f"lag-1 autocorr {float(out['noise/config_0/autocorr'][1]):.3f}/"
        f"{float(out['noise/config_1/autocorr'][1]):.3f}; pulsepacket offset mean "
        f"{float(out['pulsepacket/offset_mean']):.3f} std "
        f"{float(out['pulsepacket/offset_std']):.3f}"
    )
    return out, summary


# ------------------------------------------------------------------------------------------
# network_brunel
# ------------------------------------------------------------------------------------------
def _brunel_run(nest, p: dict, order: int, seed: int, threads: int) -> dict:
    d = brunel_derived(p, order)
    load_1min = os.getloadavg()[0]  # context for the timings (shared machine)
    nest.ResetKernel()
    nest.set(resolution=DT, rng_seed=seed, local_num_threads=threads)
    t0 = time.perf_counter()
    exc = nest.Create(p["neuron_model"], d["N_E"], params=p["neuron_params"])
    inh = nest.Create(p["neuron_model"], d["N_I"], params=p["neuron_params"])
    neurons = exc + inh
    noise = nest.Create("poisson_generator", params={"rate": d["p_rate_hz"]})
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True, "start": p["warmup"]})
    rule = dict(p["conn_rule"])
    nest.Connect(
        exc, neurons, {**rule, "indegree": d["C_E"]}, {"weight": p["J"], "delay": p["delay"]}
    )
    nest.Connect(
        inh,
        neurons,
        {**rule, "indegree": d["C_I"]},
        {"weight": -p["g"] * p["J"], "delay": p["delay"]},
    )
    nest.Connect(noise, neurons, "all_to_all", {"weight": p["J"], "delay": p["delay"]})
    nest.Connect(neurons, recorder)
    num_connections = nest.num_connections
    t1 = time.perf_counter()
    nest.Simulate(p["warmup"])
    t2 = time.perf_counter()
    nest.Simulate(p["duration"])
    t3 = time.perf_counter()

    first = neurons[0].global_id
    n_all = d["N_E"] + d["N_I"]
    steps = np.asarray(recorder.events["times"], np.int64)
    index = np.asarray(recorder.events["senders"], np.int64) - first
    w0 = int(round(p["warmup"] / DT))
    per_bin = int(round(p["hist_bin"] / DT))
    n_bins = int(round(p["duration"] / p["hist_bin"]))
    hist = np.bincount((steps - w0 - 1) // per_bin, minlength=n_bins).astype(np.int64)
    if len(hist) != n_bins or steps.min(initial=w0 + 1) <= w0:
        raise RuntimeError("spikes outside the recording window")
    order = np.lexsort((steps, index))
    idx_sorted, t_sorted = index[order], steps[order] * DT
    bounds = np.searchsorted(idx_sorted, np.arange(n_all + 1))
    cv = np.full(n_all, np.nan)
    for i in range(n_all):
        isi = np.diff(t_sorted[bounds[i] : bounds[i + 1]])
        if len(isi) >= 2:
            cv[i] = isi.std() / isi.mean()
    is_exc = np.arange(n_all) < d["N_E"]
    seconds = p["duration"] / 1000.0
    return {
        "rate_E": np.sum(index < d["N_E"]) / (d["N_E"] * seconds),
        "rate_I": np.sum(index >= d["N_E"]) / (d["N_I"] * seconds),
        "cv": np.nanmean(cv),
        "cv_E": np.nanmean(cv[is_exc]),
        "cv_I": np.nanmean(cv[~is_exc]),
        "n_cv": int(np.sum(~np.isnan(cv))),
        "n_spikes": len(steps),
        "silent_fraction": float(np.mean(np.bincount(index, minlength=n_all) == 0)),
        "hist": hist,
        "num_connections": int(num_connections),
        "wall_s_build": t1 - t0,
        "wall_s_warmup": t2 - t1,
        "wall_s_simulate": t3 - t2,
        "wall_loadavg_1min": load_1min,
    }


def make_brunel(nest, p: dict) -> tuple[dict[str, np.ndarray], str]:
    out: dict[str, np.ndarray] = {}
    summary = []
    for run in p["runs"]:
        order, seeds, threads = run["order"], run["seeds"], run["local_num_threads"]
        results = []
        for seed in seeds:
            r = _brunel_run(nest, p, order, seed, threads)
            print(
                f"  order {order} seed {seed}: rate E {r['rate_E']:.3f} I {r['rate_I']:.3f} Hz,"
                f" CV {r['cv']:.3f}, simulate {r['wall_s_simulate']:.1f} s",
                flush=True,
            )
            results.append(r)
        prefix = f"order{order}/"
        out[prefix + "seeds"] = np.array(seeds, np.int64)
        out[prefix + "derived_json"] = _text(brunel_derived(p, order))
        for key in results[0]:
            values = np.array([r[key] for r in results])
            if key == "hist" or key in ("n_cv", "n_spikes", "num_connections"):
                values = values.astype(np.int64)
            out[prefix + key] = values
        out[prefix + "wall_s_per_bio_s"] = out[prefix + "wall_s_simulate"] / (
            p["duration"] / 1000.0
        )
        out[prefix + "kernel_status_json"] = _text(_kernel_status(nest))
        summary.append(
            f"order {order}: rate E {out[prefix + 'rate_E'].mean():.2f} Hz, I "
            f"{out[prefix + 'rate_I'].mean():.2f} Hz, CV {out[prefix + 'cv'].mean():.3f}, "
            f"{out[prefix + 'wall_s_per_bio_s'].mean():.1f} s per biological s"
        )
    return out, "; ".join(summary)


_MAKERS = {
    "network_delays": make_delays,
    "network_devices": make_devices,
    "network_device_statistics": make_statistics,
    "network_brunel": make_brunel,
}


def make(nest, name: str) -> Path:
    protocol = PROTOCOLS[name]
    arrays, summary = _MAKERS[name](nest, protocol)
    arrays = {
        "name": np.array(name),
        "nest_version": np.array(nest.__version__),
        "dt": np.array(DT),
        "protocol_json": _text(protocol),
        **arrays,
    }
    path = data_path(name)
    path.parent.mkdir(exist_ok=True)
    np.savez_compressed(path, **arrays)
    print(f"{name}: {path.stat().st_size / 1024:.0f} kB; {summary}", flush=True)
    return path


def main(argv: list[str]) -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    if nest.__version__ != NEST_VERSION:
        print(f"warning: NEST {nest.__version__}, the data were made with {NEST_VERSION}")
    names = argv or FILES
    unknown = [name for name in names if name not in PROTOCOLS]
    if unknown:
        raise SystemExit(f"unknown names {unknown}; known: {FILES}")
    for name in names:
        make(nest, name)


if __name__ == "__main__":
    main(sys.argv[1:])
