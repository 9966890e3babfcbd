"""Record NEST 3.10's rate neurons into ``data/rate.npz``.

Protocols (``dt = 0.1 ms``, waveform relaxation on with a tolerance far below the
test's, so that NEST delivers the converged result of instantaneous connections):

- ``single``: every rate model, several parameter sets each (defaults, non-default,
  ``lambda = 0``, ``linear_summation = False``, ``mult_coupling``, ``rectify_output``),
  noise off (``sigma = 0``), driven by two noise-free ``lin_rate_ipn`` sources through
  delayed and instantaneous connections of both signs; ``rate`` (and ``noisy_rate``)
  recorded every step for 20 ms;
- ``network``: six rate nodes of mixed models with random delayed and instantaneous
  connections (cycles included), 30 ms;
- ``noise``: 400 neurons each of ``lin_rate_ipn``, ``lin_rate_opn`` (and a noise-free
  ``lin_rate_ipn`` driven by the opn's noisy rate), ``gauss_rate_ipn`` and
  ``tanh_rate_ipn``: the mean, variance and lag-5 ms autocorrelation of the recorded
  variable over neurons and 1 ms samples after a 50 ms warm-up.

Needs NEST; run from the repository root::

    benchmarks/.peers/nest/bin/python tests/nest/make_rate.py

NEST is imported inside ``main`` only, so this file can be imported without NEST.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data" / "rate.npz"
DT = 0.1
SINGLE_T = 20.0
NETWORK_T = 30.0

#: the two sources (lin_rate_ipn, noise-free): parameters and initial rate
SOURCES = [
    {"tau": 2.0, "lambda": 1.0, "mu": 1.5, "sigma": 0.0, "rate": 0.0},
    {"tau": 3.0, "lambda": 0.5, "mu": -0.4, "sigma": 0.0, "rate": 0.6},
]
#: (source, synapse model, weight, delay in ms or None) onto every single target
SOURCE_CONNECTIONS = [
    (0, "rate_connection_delayed", 0.8, 0.3),
    (1, "rate_connection_instantaneous", -0.6, None),
    (1, "rate_connection_delayed", 0.5, 0.2),
    (0, "rate_connection_instantaneous", 0.3, None),
]

_DYNAMICS = [
    {},
    {"tau": 4.0, "lambda": 0.5, "mu": 0.3, "rate": 0.2},
    {"tau": 2.5, "lambda": 0.0, "mu": -0.1, "rate": -0.3},
]
_OPN_DYNAMICS = [{}, {"tau": 4.0, "mu": 0.3, "rate": 0.2}]
#: the families whose models are also run with linear_summation = False (the other
#: families' share the template's code path)
PER_INPUT = {"ipn": ("lin", "tanh", "sigmoid_gg_1998"), "opn": ("tanh",),
             "transformer": ("tanh", "gauss")}  # fmt: skip
NONLINEARITY_PARAMS = {
    "lin": [{"g": 1.7}],
    "tanh": [{"g": 2.0, "theta": 0.3}],
    "threshold_lin": [{"g": 1.5, "theta": -0.2, "alpha": 0.8}],
    "sigmoid": [{"g": 1.2, "beta": 3.0, "theta": 0.4}],
    "sigmoid_gg_1998": [{"g": 2.5}],
    "gauss": [{"g": 1.5, "mu": 0.4, "sigma": 0.7}],
}


IPN_MODELS = {kind: f"{kind}_rate_ipn" for kind in ("lin", "tanh", "threshold_lin", "sigmoid")}
IPN_MODELS["sigmoid_gg_1998"] = "sigmoid_rate_gg_1998_ipn"


def single_configs() -> list[tuple[str, dict]]:
    """(model, status dict) of every single target."""
    configs = []
    for kind in ("lin", "tanh", "threshold_lin", "sigmoid", "sigmoid_gg_1998"):
        model = IPN_MODELS[kind]
        for extra in [{}, *NONLINEARITY_PARAMS[kind]]:
            for dynamics in _DYNAMICS:
                configs.append((model, {"sigma": 0.0, **dynamics, **extra}))
            if kind in PER_INPUT["ipn"]:
                configs.append((model, {"sigma": 0.0, "linear_summation": False, "mu": 0.2,
                                        **extra}))  # fmt: skip
    for kind in ("lin", "threshold_lin"):
        configs.append((IPN_MODELS[kind], {"sigma": 0.0, "rectify_output": True,
                                           "rectify_rate": 0.1}))  # fmt: skip
    for kind in ("lin", "tanh", "threshold_lin"):
        model = f"{kind}_rate_opn"
        for extra in [{}, *NONLINEARITY_PARAMS[kind]]:
            for dynamics in _OPN_DYNAMICS:
                configs.append((model, {"sigma": 0.0, **dynamics, **extra}))
            if kind in PER_INPUT["opn"]:
                configs.append((model, {"sigma": 0.0, "linear_summation": False, "mu": 0.2,
                                        **extra}))  # fmt: skip
    coupling = {"mult_coupling": True, "g_ex": 0.7, "g_in": 1.3, "theta_ex": 1.2, "theta_in": 0.4}
    for model in ("lin_rate_ipn", "lin_rate_opn"):
        configs.append((model, {"sigma": 0.0, **coupling}))
        configs.append((model, {"sigma": 0.0, "linear_summation": False, "g": 0.6, **coupling}))
    for kind in ("lin", "tanh", "threshold_lin", "sigmoid", "sigmoid_gg_1998", "gauss"):
        model = f"rate_transformer_{kind}"
        for extra in [{}, *NONLINEARITY_PARAMS[kind]]:
            if kind == "gauss" and not extra:
                continue  # NEST's default width 0 gives NaN
            for summation in (True, False) if kind in PER_INPUT["transformer"] else (True,):
                configs.append((model, {"linear_summation": summation, "rate": 0.1, **extra}))
    return configs


#: the network's nodes (model, status dict)
NETWORK_NODES = [
    ("tanh_rate_ipn", {"sigma": 0.0, "mu": 0.5, "rate": 0.3, "g": 1.5}),
    ("tanh_rate_ipn", {"sigma": 0.0, "mu": -0.2, "rate": -0.4, "tau": 3.0}),
    ("lin_rate_opn", {"sigma": 0.0, "mu": 0.1, "rate": 0.5, "mult_coupling": True,
                      "theta_ex": 1.0, "theta_in": 0.5}),
    ("threshold_lin_rate_ipn", {"sigma": 0.0, "mu": 0.4, "linear_summation": False,
                                "theta": 0.1, "lambda": 0.7}),
    ("rate_transformer_sigmoid", {"rate": 0.2, "beta": 2.0}),
    ("lin_rate_ipn", {"sigma": 0.0, "mu": 0.3, "mult_coupling": True, "g_ex": 0.5,
                      "linear_summation": False, "rate": 0.1}),
]  # fmt: skip


def network_connections() -> list[tuple[int, int, str, float, float | None]]:
    """(pre, post, synapse model, weight, delay) of the network: about half the ordered
    pairs, self-connections included, the model and delay drawn once (seeded)."""
    rng = np.random.default_rng(7)
    out = []
    for pre in range(len(NETWORK_NODES)):
        for post in range(len(NETWORK_NODES)):
            if rng.random() < 0.55:  # about half the pairs
                continue
            weight = float(np.round(rng.uniform(-1.0, 1.0), 3))
            if rng.random() < 0.5:
                out.append((pre, post, "rate_connection_instantaneous", weight, None))
            else:
                delay = float(rng.integers(1, 5)) * DT
                out.append((pre, post, "rate_connection_delayed", weight, round(delay, 1)))
    return out


#: the noise protocol: (label, model, status dict, recorded variable)
NOISE = [
    ("lin_ipn", "lin_rate_ipn", {"sigma": 0.8, "mu": 0.5, "tau": 5.0, "lambda": 1.0}, "rate"),
    ("lin_opn", "lin_rate_opn", {"sigma": 0.3, "mu": 0.5, "tau": 5.0}, "noisy_rate"),
    ("gauss_ipn", "gauss_rate_ipn", {"sigma": 0.5, "mu": 0.3, "g": 2.0}, "rate"),
    ("tanh_ipn", "tanh_rate_ipn", {"sigma": 0.6, "mu": 0.2, "g": 2.0, "lambda": 0.5}, "rate"),
]
NOISE_N = 400
NOISE_T = 250.0
NOISE_WARMUP = 50.0
NOISE_LAG = 5.0  # ms
#: the noise-free lin_rate_ipn fed by each lin_rate_opn (instantaneous, weight 1)
OPN_TARGET = {"sigma": 0.0, "tau": 2.0, "lambda": 1.0}


def statistics(samples: np.ndarray, lag_samples: int) -> np.ndarray:
    """[mean, variance, autocorrelation at ``lag_samples``] of ``samples`` (time x
    neurons), pooled over neurons."""
    x = samples - samples.mean()
    var = float((x**2).mean())
    corr = float((x[lag_samples:] * x[:-lag_samples]).mean() / var)
    return np.array([samples.mean(), var, corr])


def _rates(events: dict, ids: list[int], key: str) -> np.ndarray:
    senders, order = events["senders"], np.argsort(events["times"], kind="stable")
    out = []
    for gid in ids:
        chosen = order[senders[order] == gid]
        out.append(events[key][chosen])
    return np.array(out).T  # time x nodes


def _kernel(nest) -> None:
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": DT, "use_wfr": True, "wfr_tol": 1e-14,
                          "wfr_max_iterations": 200, "rng_seed": 12})  # fmt: skip


def _connect(nest, pre, post, model: str, weight: float, delay: float | None) -> None:
    syn = {"synapse_model": model, "weight": weight}
    if delay is not None:
        syn["delay"] = delay
    nest.Connect(pre, post, syn_spec=syn)


def record_single(nest) -> dict:
    _kernel(nest)
    sources = [nest.Create("lin_rate_ipn", params=p) for p in SOURCES]
    targets = [nest.Create(model, params=params) for model, params in single_configs()]
    for target in targets:
        for source, model, weight, delay in SOURCE_CONNECTIONS:
            _connect(nest, sources[source], target, model, weight, delay)
    out = {}
    for name in ("rate", "noisy_rate"):
        nodes = [t for t in targets if name in t.get("recordables")]
        mm = nest.Create("multimeter", params={"record_from": [name], "interval": DT})
        nest.Connect(mm, sum(nodes[1:], nodes[0]))
        out[name] = (mm, [n.global_id for n in nodes])
    mm_src = nest.Create("multimeter", params={"record_from": ["rate"], "interval": DT})
    nest.Connect(mm_src, sources[0] + sources[1])
    nest.Simulate(SINGLE_T)
    rate_mm, rate_ids = out["rate"]
    noisy_mm, noisy_ids = out["noisy_rate"]
    return {
        "single_rate": _rates(rate_mm.events, rate_ids, "rate"),
        "single_noisy_rate": _rates(noisy_mm.events, noisy_ids, "noisy_rate"),
        "single_sources": _rates(mm_src.events, [s.global_id for s in sources], "rate"),
        "single_times": np.unique(rate_mm.events["times"]),
    }


def record_network(nest) -> dict:
    _kernel(nest)
    nodes = [nest.Create(model, params=params) for model, params in NETWORK_NODES]
    for pre, post, model, weight, delay in network_connections():
        _connect(nest, nodes[pre], nodes[post], model, weight, delay)
    mm = nest.Create("multimeter", params={"record_from": ["rate"], "interval": DT})
    nest.Connect(mm, sum(nodes[1:], nodes[0]))
    nest.Simulate(NETWORK_T)
    return {
        "network_rate": _rates(mm.events, [n.global_id for n in nodes], "rate"),
        "network_times": np.unique(mm.events["times"]),
    }


def record_noise(nest) -> dict:
    _kernel(nest)
    recorded = []
    for _, model, params, variable in NOISE:
        nodes = nest.Create(model, NOISE_N, params=params)
        mm = nest.Create("multimeter", params={"record_from": [variable], "interval": 1.0,
                                               "start": NOISE_WARMUP})  # fmt: skip
        nest.Connect(mm, nodes)
        recorded.append((mm, nodes.tolist(), variable))
        if model == "lin_rate_opn":
            target = nest.Create("lin_rate_ipn", NOISE_N, params=OPN_TARGET)
            nest.Connect(nodes, target, "one_to_one",
                         {"synapse_model": "rate_connection_instantaneous"})  # fmt: skip
            mm = nest.Create("multimeter", params={"record_from": ["rate"], "interval": 1.0,
                                                   "start": NOISE_WARMUP})  # fmt: skip
            nest.Connect(mm, target)
            recorded.append((mm, target.tolist(), "rate"))
    nest.Simulate(NOISE_T)
    lag = int(round(NOISE_LAG / 1.0))
    stats = [statistics(_rates(mm.events, ids, var), lag) for mm, ids, var in recorded]
    return {"noise_stats": np.array(stats)}


#: the siegert protocol: an external siegert node (a constant rate through ``mean``),
#: excitatory and inhibitory siegert nodes (model, status) and the diffusion
#: connections (pre, post, drift_factor, diffusion_factor) among them
SIEGERT_NODES = [
    {"mean": 15.0, "tau": 2.0},  # the external drive, Hz
    {"tau": 1.0, "tau_m": 20.0, "t_ref": 2.0, "theta": 20.0, "V_reset": 10.0},
    {"tau": 3.0, "tau_m": 10.0, "t_ref": 1.0, "theta": 15.0, "V_reset": 0.0, "tau_syn": 0.5},
    {"tau": 0.5, "tau_m": 20.0, "t_ref": 0.5, "theta": 20.0, "V_reset": 15.0, "tau_syn": 2.0},
    {"tau": 1.0, "tau_m": 5.0, "theta": 12.0, "V_reset": -5.0, "rate": 3.0},
]
SIEGERT_CONNECTIONS = [
    (0, 1, 1.6, 0.5), (0, 2, 0.9, 0.4), (0, 3, 2.2, 2.0), (0, 4, 0.4, 0.3),
    (1, 1, 0.2, 0.04), (1, 2, 0.3, 0.3), (2, 1, -0.5, 0.25), (2, 3, -0.2, 0.1),
    (3, 4, 0.6, 0.2), (4, 4, -0.1, 0.05), (4, 2, 0.1, 0.5),
]  # fmt: skip
SIEGERT_T = 40.0


def record_siegert(nest) -> dict:
    _kernel(nest)
    nodes = [nest.Create("siegert_neuron", params=p) for p in SIEGERT_NODES]
    for pre, post, drift, diffusion in SIEGERT_CONNECTIONS:
        nest.Connect(nodes[pre], nodes[post], syn_spec={
            "synapse_model": "diffusion_connection", "drift_factor": drift,
            "diffusion_factor": diffusion})  # fmt: skip
    mm = nest.Create("multimeter", params={"record_from": ["rate"], "interval": DT})
    nest.Connect(mm, sum(nodes[1:], nodes[0]))
    nest.Simulate(SIEGERT_T)
    return {
        "siegert_rate": _rates(mm.events, [n.global_id for n in nodes], "rate"),
        "siegert_times": np.unique(mm.events["times"]),
    }


#: NEST's rate models (their defaults are recorded)
MODELS = [*IPN_MODELS.values(), "gauss_rate_ipn", "lin_rate_opn", "tanh_rate_opn",
          "threshold_lin_rate_opn", "rate_transformer_lin", "rate_transformer_tanh",
          "rate_transformer_threshold_lin", "rate_transformer_sigmoid",
          "rate_transformer_sigmoid_gg_1998", "rate_transformer_gauss",
          "siegert_neuron"]  # fmt: skip


def record_defaults(nest) -> dict:
    """Each model's numeric and boolean defaults, as JSON."""
    defaults = {}
    for model in MODELS:
        status = nest.GetDefaults(model)
        defaults[model] = {key: value for key, value in status.items()
                           if isinstance(value, (bool, float))}  # fmt: skip
    return {"defaults": np.array(json.dumps(defaults))}


def main() -> None:
    import nest

    nest.set_verbosity("M_ERROR")
    data = {**record_single(nest), **record_network(nest), **record_noise(nest),
            **record_siegert(nest), **record_defaults(nest)}  # fmt: skip
    data["meta"] = np.array(json.dumps({"nest": nest.__version__, "dt": DT}))
    np.savez_compressed(DATA, **data)
    for key, value in data.items():
        print(key, np.shape(value))


if __name__ == "__main__":
    main()
