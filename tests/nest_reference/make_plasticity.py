"""Regenerate the NEST reference data for plastic synapses (``data/plasticity_<model>.npz``).

Needs NEST (``bash benchmarks/setup_peers.sh nest``); run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest_reference/make_plasticity.py [model ...]

``model`` is one of ``MODELS`` (default: all twelve). Every run of every model is declared
below as plain data (``PROTOCOLS[model][run]``); the tests import this module without NEST
(NEST is imported inside ``main`` only) and check that each file stores exactly the
protocols declared here. README.md ("Plasticity reference data") documents every key.

The shape of a run is the same for every model: a ``spike_generator`` drives the
presynaptic ``parrot_neuron`` (``pre``), which is connected by the plastic synapse to the
postsynaptic node (``post``). In the parrot runs ``post`` is a second ``parrot_neuron``
driven by its own ``spike_generator``; the plastic connection targets its receptor 1,
whose input a parrot does not repeat, so both spike trains are exactly the declared ones.
In the ``neuron_*`` runs ``post`` is an ``iaf_psc_alpha`` (receptor 0) that fires from
its ``I_e``; its V_m is recorded every step. ``stdp_dopamine_synapse`` also gets a
``volume_transmitter`` fed by a ``spike_generator`` -> ``parrot_neuron`` dopamine train.

The output is deterministic: rerunning gives byte-identical files.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
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
MODELS = [
    "stdp_synapse",
    "stdp_synapse_hom",
    "stdp_pl_synapse_hom",
    "stdp_triplet_synapse",
    "stdp_nn_symm_synapse",
    "stdp_nn_pre_centered_synapse",
    "stdp_nn_restr_synapse",
    "vogels_sprekeler_synapse",
    "tsodyks_synapse",
    "tsodyks2_synapse",
    "quantal_stp_synapse",
    "stdp_dopamine_synapse",
]
DOPAMINE = "stdp_dopamine_synapse"

# Per-connection state read with GetConnections before and after every presynaptic spike.
STATE_KEYS = {
    "stdp_synapse": ["weight", "Kplus"],
    "stdp_synapse_hom": ["weight", "Kplus"],
    "stdp_pl_synapse_hom": ["weight", "Kplus"],
    "stdp_triplet_synapse": ["weight", "Kplus", "Kplus_triplet"],
    "stdp_nn_symm_synapse": ["weight"],
    "stdp_nn_pre_centered_synapse": ["weight", "Kplus"],
    "stdp_nn_restr_synapse": ["weight"],
    "vogels_sprekeler_synapse": ["weight", "Kplus"],
    "tsodyks_synapse": ["weight", "u", "x", "y"],
    "tsodyks2_synapse": ["weight", "u", "x"],
    "quantal_stp_synapse": ["weight", "u", "a", "n"],
    "stdp_dopamine_synapse": ["weight", "Kplus", "c", "n"],
}

DRIVE_DELAY = 0.1  # ms, spike_generator -> parrot_neuron (pre, post, dopamine): min_delay = h
DRIVE_DELAY_SLOW = 1.0  # ms, the same in the "*_mindelay1" runs: min_delay = 1 ms
DOPA_DELAY = 1.0  # ms, dopamine parrot -> volume_transmitter
DENDRITIC_DELAYS = [1.0, 2.5]  # ms, the plastic connection's delay (NEST: purely dendritic)
KERNEL = {"rng_seed": 20250110, "local_num_threads": 1}  # quantal_stp_synapse draws from it
NEURON_MODEL = "iaf_psc_alpha"
NEURON_I_E = 420.0  # pA: iaf_psc_alpha (NEST defaults otherwise) fires about every 24 ms


def _t(x: float) -> float:
    """A time on the 0.1 ms grid as the nearest double (e.g. 100.0 - 0.9 -> 99.1)."""
    return round(float(x), 1)


# ------------------------------------------------------------------------------------------
# Spike trains (times are the parrots' spike stamps in ms; every train is sorted and has at
# most one spike per step)
# ------------------------------------------------------------------------------------------
# post - pre (ms). NEST compares the presynaptic spike at t_pre with the postsynaptic spike
# shifted by the dendritic delay d: dt_eff = t_post + d - t_pre. The last six make
# dt_eff = -h, 0, +h for d = 1.0 and d = 2.5.
PAIR_OFFSETS = [2.0, -2.0, 5.0, -5.0, 10.0, -10.0, 20.0, -20.0, 50.0, -50.0, 0.0]
PAIR_OFFSETS += [-0.9, -1.0, -1.1, -2.4, -2.5, -2.6]
PAIR_START = 100.0  # ms, first pair
PAIR_PERIOD = 500.0  # ms between pairs
PAIR_PROBE = 200.0  # ms, a lone presynaptic spike after each pair collects its facilitation
PAIR_DOPA = 100.0  # ms after each pair's presynaptic spike (stdp_dopamine_synapse only)


def _pairs_train() -> dict:
    pre, post, dopa = [], [], []
    for k, offset in enumerate(PAIR_OFFSETS):
        t0 = PAIR_START + PAIR_PERIOD * k
        pre += [_t(t0), _t(t0 + PAIR_PROBE)]
        post.append(_t(t0 + offset))
        dopa.append(_t(t0 + PAIR_DOPA))
    return {
        "description": "pair k: pre at 100 + 500 k ms, post at pre + pair_offsets[k], a probe "
        "pre spike 200 ms after the pair's pre spike",
        "pair_offsets": PAIR_OFFSETS,
        "pre_times": pre,
        "post_times": sorted(post),
        "dopa_times": dopa,
        "duration": _t(max(pre + post) + 50.0),
    }


# name, pre, post (relative ms); each pattern ends with a probe pre spike and is followed by
# 300 ms of silence. dopa: one dopamine spike 100 ms after the pattern start.
BURST_PATTERNS = [
    ("pre_burst_then_post", [0, 10, 20, 30, 40, 250], [5, 15, 25, 35, 45]),
    ("post_burst_then_pre", [5, 15, 25, 35, 45, 250], [0, 10, 20, 30, 40]),
    ("pre_post_pre", [0, 20, 220], [10]),
    ("post_pre_post", [10, 220], [0, 20]),
    ("pairs_20Hz_pre_first", [0, 50, 100, 150, 200, 410], [10, 60, 110, 160, 210]),
    ("pairs_50Hz_post_first", [10, 30, 50, 70, 90, 290], [0, 20, 40, 60, 80]),
    ("consecutive_steps", [0, 0.1, 200], [0.1, 0.2]),
    ("pre_200Hz_then_recovery", [5 * i for i in range(10)] + [95, 245, 445], []),
    ("post_burst_then_single_pre", [40, 240], [0, 5, 10, 15, 20]),
]
BURST_START = 100.0
BURST_GAP = 300.0
BURST_DOPA = 100.0


def _bursts_train() -> dict:
    pre, post, dopa, starts = [], [], [], []
    t0 = BURST_START
    for _, rel_pre, rel_post in BURST_PATTERNS:
        starts.append(_t(t0))
        pre += [_t(t0 + r) for r in rel_pre]
        post += [_t(t0 + r) for r in rel_post]
        dopa.append(_t(t0 + BURST_DOPA))
        t0 += max(rel_pre + rel_post) + BURST_GAP
    return {
        "description": "bursts, triplets, 20/50 Hz pairings, spikes in consecutive steps, a "
        "200 Hz presynaptic train with recovery probes; patterns start at pattern_starts",
        "patterns": [
            {"name": n, "pre": [float(r) for r in a], "post": [float(r) for r in b]}
            for n, a, b in BURST_PATTERNS
        ],
        "pattern_starts": starts,
        "pre_times": pre,
        "post_times": post,
        "dopa_times": dopa,
        "duration": _t(max(pre + post) + 50.0),
    }


RANDOM_SEED = 20250111  # numpy default_rng; only Generator.random() is used (stable stream)
RANDOM_DURATION = 3000.0  # ms
RANDOM_RATES = {"pre": 12.0, "post": 10.0, "dopa": 3.0}  # Hz, Bernoulli per step
RANDOM_FIRST = 2.0  # ms, no spike before (a generator time must be > 0 after the shift)


def _bernoulli(rng, rate_hz: float, first: float, last: float) -> list[float]:
    steps = np.arange(int(round(first / DT)), int(round(last / DT)) + 1)
    keep = rng.random(len(steps)) < rate_hz * DT / 1000.0
    return [_t(s * DT) for s in steps[keep]]


def _random_train() -> dict:
    rng = np.random.default_rng(RANDOM_SEED)
    trains = {
        key: _bernoulli(rng, rate, RANDOM_FIRST, RANDOM_DURATION - 20.0)
        for key, rate in RANDOM_RATES.items()
    }
    return {
        "description": f"independent Bernoulli-per-step trains, numpy default_rng({RANDOM_SEED})"
        f" drawn in the order pre, post, dopa; rates (Hz) {RANDOM_RATES}",
        "seed": RANDOM_SEED,
        "rates_hz": RANDOM_RATES,
        "pre_times": trains["pre"],
        "post_times": trains["post"],
        "dopa_times": trains["dopa"],
        "duration": RANDOM_DURATION,
    }


NEURON_SEED = 20250112
NEURON_DURATION = 200.0
NEURON_PRE_RATE = 100.0  # Hz


def _neuron_train() -> dict:
    rng = np.random.default_rng(NEURON_SEED)
    return {
        "description": f"pre: Bernoulli-per-step train at {NEURON_PRE_RATE} Hz in [5, 190] ms, "
        f"numpy default_rng({NEURON_SEED}); post: iaf_psc_alpha with I_e = {NEURON_I_E} pA "
        "(its own spikes); dopa at fixed times",
        "seed": NEURON_SEED,
        "pre_times": _bernoulli(rng, NEURON_PRE_RATE, 5.0, 190.0),
        "post_times": None,
        "dopa_times": [40.0, 90.0, 140.0],
        "duration": NEURON_DURATION,
    }


TRAINS = {
    "pairs": _pairs_train(),
    "bursts": _bursts_train(),
    "random": _random_train(),
    "neuron": _neuron_train(),
}

# ------------------------------------------------------------------------------------------
# Parameter sets: "default" = NEST's defaults; "custom" = the overrides below. "synapse" goes
# to nest.SetDefaults(model, ...) before connecting (so the _hom models' common properties
# and the per-connection values are set the same way); "post" goes to the postsynaptic node.
# ------------------------------------------------------------------------------------------
# Strong enough to reach 0 and Wmax in the bursts runs: additive potentiation (mu_plus = 0)
# and weakly weight-dependent depression.
_STDP_CUSTOM = {
    "weight": 40.0,
    "Wmax": 60.0,
    "lambda": 0.3,
    "alpha": 0.8,
    "mu_plus": 0.0,
    "mu_minus": 0.3,
    "tau_plus": 15.0,
}
_STDP_POST = {"tau_minus": 25.0}
CUSTOM = {
    "weight": 40.0,
    "Wmax": 60.0,
    "lambda": 0.1,
    "alpha": 1.2,
    "mu_plus": 0.4,
    "mu_minus": 0.0,
    "tau_plus": 15.0,
}
CUSTOM = {
    "stdp_synapse": {"synapse": {**_STDP_CUSTOM, "Kplus": 0.5}, "post": dict(_STDP_POST)},
    "stdp_synapse_hom": {"synapse": {**_STDP_CUSTOM, "Kplus": 0.5}, "post": dict(_STDP_POST)},
    "stdp_pl_synapse_hom": {
        "synapse": {"weight": 30.0, "lambda": 0.05, "alpha": 0.5, "mu": 0.6, "tau_plus": 15.0},
        "post": {"tau_minus": 25.0},
    },
    "stdp_triplet_synapse": {
        "synapse": {
            "weight": 30.0,
            "Wmax": 50.0,
            "tau_plus": 20.0,
            "tau_plus_triplet": 80.0,
            "Aplus": 2.0,
            "Aminus": 2.5,
            "Aplus_triplet": 1.5,
            "Aminus_triplet": 0.2,
        },
        "post": {"tau_minus": 25.0, "tau_minus_triplet": 90.0},
    },
    "stdp_nn_symm_synapse": {"synapse": dict(_STDP_CUSTOM), "post": dict(_STDP_POST)},
    "stdp_nn_pre_centered_synapse": {"synapse": dict(_STDP_CUSTOM), "post": dict(_STDP_POST)},
    "stdp_nn_restr_synapse": {"synapse": dict(_STDP_CUSTOM), "post": dict(_STDP_POST)},
    # negative Wmax: an inhibitory synapse (NEST keeps the sign of Wmax)
    "vogels_sprekeler_synapse": {
        "synapse": {"weight": -20.0, "Wmax": -50.0, "eta": 2.0, "alpha": 0.2, "tau": 15.0},
        "post": {"tau_minus": 15.0},
    },
    "tsodyks_synapse": {
        "synapse": {
            "weight": 150.0,
            "U": 0.3,
            "tau_rec": 300.0,
            "tau_fac": 50.0,
            "tau_psc": 2.0,
            "u": 0.1,
            "x": 0.9,
            "y": 0.05,
        },
        "post": {},
    },
    "tsodyks2_synapse": {
        "synapse": {
            "weight": 150.0,
            "U": 0.3,
            "tau_rec": 300.0,
            "tau_fac": 50.0,
            "u": 0.3,
            "x": 0.8,
        },
        "post": {},
    },
    "quantal_stp_synapse": {
        "synapse": {
            "weight": 20.0,
            "U": 0.3,
            "tau_rec": 300.0,
            "tau_fac": 50.0,
            "u": 0.3,
            "n": 10,
            "a": 10,
        },
        "post": {},
    },
    "stdp_dopamine_synapse": {
        "synapse": {
            "weight": 50.0,
            "Wmin": 10.0,
            "Wmax": 80.0,
            "A_plus": 10.0,
            "A_minus": 12.0,
            "tau_c": 500.0,
            "tau_n": 100.0,
            "tau_plus": 15.0,
            "b": 0.002,
        },
        "post": {"tau_minus": 30.0},
        "volume_transmitter": {"deliver_interval": 5},
    },
}

# (train, parameter set, dendritic delay, variant). Parrot runs: every train x set x delay.
RUNS = [
    (train, params, d, None)
    for train in ("pairs", "bursts", "random")
    for params in ("default", "custom")
    for d in DENDRITIC_DELAYS
]
RUNS += [("neuron", "default", 1.0, None), ("neuron", "custom", 2.5, None)]
RUNS += [("random", "default", 1.0, "mindelay1")]


def run_name(train: str, params: str, delay: float, variant: str | None) -> str:
    name = f"{train}_{params}_d{delay}"
    return f"{name}_{variant}" if variant else name


def _protocol(model: str, train: str, params: str, delay: float, variant: str | None) -> dict:
    tr = TRAINS[train]
    custom = CUSTOM[model] if params == "custom" else {"synapse": {}, "post": {}}
    neuron = train == "neuron"
    p = {
        "model": model,
        "train": train,
        "train_description": tr["description"],
        "params": params,
        "synapse": dict(custom["synapse"]),
        "post_model": NEURON_MODEL if neuron else "parrot_neuron",
        "post": {**custom["post"], **({"I_e": NEURON_I_E} if neuron else {})},
        "post_receptor": 0 if neuron else 1,
        "delay": delay,
        "drive_delay": DRIVE_DELAY_SLOW if variant == "mindelay1" else DRIVE_DELAY,
        "reads": variant is None,
        "record_V_m": neuron,
        "kernel": dict(KERNEL),
        "duration": tr["duration"],
        "pre_times": list(tr["pre_times"]),
        "post_times": None if neuron else list(tr["post_times"]),
    }
    for key in ("pair_offsets", "patterns", "pattern_starts", "seed", "rates_hz"):
        if key in tr:
            p[key] = tr[key]
    if model == DOPAMINE:
        p["dopa_times"] = list(tr["dopa_times"])
        p["dopa_delay"] = DOPA_DELAY
        p["volume_transmitter"] = dict(custom.get("volume_transmitter", {}))
    return p


PROTOCOLS = {model: {run_name(*r): _protocol(model, *r) for r in RUNS} for model in MODELS}


def data_path(model: str) -> Path:
    return DATA_DIR / f"plasticity_{model}.npz"


def load(model: str) -> dict[str, np.ndarray]:
    """All arrays of ``data/plasticity_<model>.npz`` (JSON stays text; see ``json_of``)."""
    with np.load(data_path(model), allow_pickle=False) as z:
        return {key: z[key] for key in z.files}


def json_of(array: np.ndarray):
    return json.loads(str(array))


# ------------------------------------------------------------------------------------------
# NEST (passed in; never imported at module level)
# ------------------------------------------------------------------------------------------
_text = _make._text
_jsonable = _make._jsonable


def _steps(t_ms: float) -> int:
    return int(round(t_ms / DT))


def _spike_times(recorder, node) -> np.ndarray:
    events = recorder.events
    mask = np.asarray(events["senders"]) == node.global_id
    steps = np.sort(np.asarray(events["times"], np.int64)[mask])
    return np.round(steps * DT, 1)  # the nearest doubles to the grid times, as declared


def _read(conn, keys: list[str]) -> dict:
    values = conn.get(keys)
    return {key: values[key] for key in keys}


def run(nest, model: str, p: dict) -> tuple[dict[str, np.ndarray], dict, dict[str, np.ndarray]]:
    """One run in a fresh kernel: (arrays to store under ``<run>/``, statuses, spike trains)."""
    nest.ResetKernel()
    nest.set(resolution=DT, **p["kernel"])
    weight_recorder = nest.Create("weight_recorder")
    synapse_defaults = {**p["synapse"], "weight_recorder": weight_recorder}
    if model == DOPAMINE:
        vt = nest.Create("volume_transmitter", params=p["volume_transmitter"])
        synapse_defaults["volume_transmitter"] = vt
    nest.SetDefaults(model, synapse_defaults)

    drive = {"delay": p["drive_delay"]}
    pre = nest.Create("parrot_neuron")
    post = nest.Create(p["post_model"], params=p["post"])
    recorded = pre + post

    def drive_parrot(parrot, times):
        gen_times = [_t(t - p["drive_delay"]) for t in times]
        gen = nest.Create("spike_generator", params={"spike_times": gen_times})
        nest.Connect(gen, parrot, syn_spec=drive)

    drive_parrot(pre, p["pre_times"])
    if p["post_times"] is not None:
        drive_parrot(post, p["post_times"])
    if model == DOPAMINE:
        dopa = nest.Create("parrot_neuron")
        drive_parrot(dopa, p["dopa_times"])
        nest.Connect(dopa, vt, syn_spec={"delay": p["dopa_delay"]})
        recorded = recorded + dopa
    nest.Connect(
        pre,
        post,
        syn_spec={
            "synapse_model": model,
            "delay": p["delay"],
            "receptor_type": p["post_receptor"],
        },
    )
    recorder = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(recorded, recorder)
    if p["record_V_m"]:
        multimeter = nest.Create("multimeter", params={"interval": DT, "record_from": ["V_m"]})
        nest.Connect(multimeter, post)

    conn = nest.GetConnections(pre, post)
    if len(conn) != 1:
        raise RuntimeError(f"{model}: expected one plastic connection, got {len(conn)}")
    keys = STATE_KEYS[model]
    status = {
        "synapse_defaults": _jsonable(nest.GetDefaults(model)),
        "conn_initial": _jsonable(conn.get()),
        "post": _jsonable(post.get()),
    }
    if model == DOPAMINE:
        status["volume_transmitter"] = _jsonable(vt.get())
    out: dict[str, np.ndarray] = {}

    n_end = _steps(p["duration"])
    if p["reads"]:
        before, after = [], []
        nest.Prepare()
        now = 0

        def advance(step):
            nonlocal now
            if step > now:
                nest.Run((step - now) * DT)
                now = step

        for t in p["pre_times"]:
            advance(_steps(t))  # the spike is emitted, not yet delivered
            before.append([float(v) for v in _read(conn, keys).values()])
            advance(_steps(t) + 1)  # delivered at the start of the next min_delay slice
            after.append([float(v) for v in _read(conn, keys).values()])
        advance(n_end + (1 if p["record_V_m"] else 0))  # the multimeter lags by min_delay
        nest.Cleanup()
        out["before"] = np.asarray(before, np.float64)
        out["after"] = np.asarray(after, np.float64)
    else:
        nest.Simulate(n_end * DT)

    kernel_keys = [*_make._KERNEL_KEYS, "rng_seed"]
    kernel = dict(zip(kernel_keys, nest.GetKernelStatus(kernel_keys), strict=True))
    status["kernel"] = _jsonable(kernel)
    status["conn_final"] = _jsonable(conn.get())

    spikes = {"pre_times": _spike_times(recorder, pre), "post_times": _spike_times(recorder, post)}
    if model == DOPAMINE:
        spikes["dopa_times"] = _spike_times(recorder, dopa)
    for key, times in spikes.items():
        if p[key] is not None and not np.array_equal(times, p[key]):
            raise RuntimeError(f"{model}: {key} differ from the declared train")
    if p["post_times"] is None:
        out["post_times"] = spikes["post_times"]  # the iaf_psc_alpha's own spikes

    events = weight_recorder.events
    order = np.argsort(np.asarray(events["times"], np.float64), kind="stable")
    out["wr_times"] = np.asarray(events["times"], np.float64)[order]
    out["wr_weights"] = np.asarray(events["weights"], np.float64)[order]
    if len(order) and (
        set(np.asarray(events["senders"]).tolist()) != {pre.global_id}
        or set(np.asarray(events["targets"]).tolist()) != {post.global_id}
    ):
        raise RuntimeError(f"{model}: weight_recorder saw another connection")

    if p["record_V_m"]:
        ev = multimeter.events
        times = np.asarray(ev["times"], np.float64)
        order = np.argsort(times, kind="stable")[:n_end]
        if not np.allclose(times[order], DT * np.arange(1, n_end + 1), atol=1e-9):
            raise RuntimeError(f"{model}: unexpected multimeter times")
        out["V_m"] = np.asarray(ev["V_m"], np.float64)[order]
    return out, status, spikes


def make(nest, model: str) -> Path:
    nest.ResetKernel()
    protocols = PROTOCOLS[model]
    arrays: dict[str, np.ndarray] = {
        "model": np.array(model),
        "nest_version": np.array(nest.__version__),
        "dt": np.array(DT),
        "defaults_json": _text(_jsonable(nest.GetDefaults(model))),
        "state_keys_json": _text(STATE_KEYS[model]),
        "run_names_json": _text(list(protocols)),
        "protocols_json": _text(protocols),
    }
    statuses, summary = {}, []
    for name, protocol in protocols.items():
        result, statuses[name], spikes = run(nest, model, protocol)
        arrays.update({f"{name}/{key}": value for key, value in result.items()})
        for key, times in spikes.items():
            if protocol[key] is not None:
                arrays.setdefault(f"trains/{protocol['train']}/{key}", times)
        w = result["wr_weights"]
        if len(w):
            summary.append(f"{name}: {len(w)} wr events, w {w.min():.4g}..{w.max():.4g}")
    arrays["status_json"] = _text(statuses)
    path = data_path(model)
    path.parent.mkdir(exist_ok=True)
    np.savez_compressed(path, **arrays)
    print(f"{model}: {path.stat().st_size / 1024:.0f} kB", flush=True)
    for line in summary:
        print(f"  {line}", flush=True)
    return path


def main(argv: list[str]) -> None:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    if nest.__version__ != NEST_VERSION:
        print(f"warning: NEST {nest.__version__}, the data were made with {NEST_VERSION}")
    models = argv or MODELS
    unknown = [m for m in models if m not in PROTOCOLS]
    if unknown:
        raise SystemExit(f"unknown models {unknown}; known: {MODELS}")
    for model in models:
        make(nest, model)


if __name__ == "__main__":
    main(sys.argv[1:])
