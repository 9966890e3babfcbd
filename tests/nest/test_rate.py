"""NEST's rate models against NEST 3.10 (``make_rate.py``), through the network API.

(a) Noise-free: every model under several parameter sets, driven by two rate sources
through delayed and instantaneous connections of both signs, a six-node network of
mixed models with delayed and instantaneous connections, and siegert neurons coupled
by diffusion connections replay NEST's recorded rates (NEST with waveform relaxation
converged); the same through :class:`~neurodyn.nest.RateConnection` by hand. (b) With
noise: mean, variance and lag-5 ms autocorrelation over 400 neurons agree with NEST's
within sampling error and with the closed forms. (c) Defaults are NEST's; the Siegert
formula agrees with direct quadrature; bad connections are refused.
"""

import json
from collections import defaultdict

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from make_rate import (
    DATA,
    NETWORK_NODES,
    NOISE,
    NOISE_LAG,
    NOISE_N,
    NOISE_T,
    NOISE_WARMUP,
    OPN_TARGET,
    SIEGERT_CONNECTIONS,
    SIEGERT_NODES,
    SOURCE_CONNECTIONS,
    SOURCES,
    network_connections,
    single_configs,
    statistics,
)

import neurodyn as nd
from neurodyn import units as u
from neurodyn.connectivity import Connections

# Largest differences from NEST seen (float64, x86-64): single 3.6e-14 (rates up to 19),
# network 8.3e-15.
_TOL = 1e-12
_FLAGS = ("linear_summation", "mult_coupling", "rectify_output")


@pytest.fixture(autouse=True)
def _float64():
    nd.environ.set(precision=64)


@pytest.fixture(scope="module")
def nest_data():
    return dict(np.load(DATA))


def our_status(status: dict) -> dict:
    """A NEST status dict in neurodyn's names (``lambda_``, ``rate_initializer``)."""
    names = {"lambda": "lambda_", "rate": "rate_initializer"}
    return {names.get(key, key): value for key, value in status.items()}


def create_grouped(net: nd.Network, nodes: list[tuple[str, dict]]) -> list:
    """One population per model and flags, with per-neuron parameters; returns each
    node's ``(population, index)`` in the order of ``nodes``."""
    groups = defaultdict(list)
    for k, (model, status) in enumerate(nodes):
        status = our_status(status)
        flags = tuple(status.get(flag) for flag in _FLAGS)
        groups[(model, flags)].append((k, status))
    where = [None] * len(nodes)
    for (model, _), members in groups.items():
        cls = getattr(nd.nest, model)
        defaults = {key: default for key, (default, _) in cls.DEFAULTS.items()}
        defaults["rate_initializer"] = 0.0
        keys = {key for _, status in members for key in status}
        params = {}
        for key in keys:
            if key in _FLAGS:
                params[key] = members[0][1][key]
                continue
            default = defaults[key]
            default = (
                float(u.to_float(default, u.get_unit(default))) if u.has_unit(default) else default
            )
            params[key] = np.array([status.get(key, default) for _, status in members])
        population = net.create(model, len(members), params)
        for index, (k, _) in enumerate(members):
            where[k] = (population, index)
    return where


def multimeter(net: nd.Network, where: list, name: str) -> tuple:
    """A multimeter recording ``name`` of the nodes ``where`` every step."""
    device = net.create("multimeter", 1, {"record_from": [name], "interval": 0.1})
    populations = list({id(pop): pop for pop, _ in where}.values())
    for population in populations:
        net.connect(device, population)
    return device, where, name


def recorded(device: tuple) -> np.ndarray:
    """What a :func:`multimeter` recorded, time x nodes in the order of its ``where``."""
    device, where, name = device
    events = device.get("events")
    column = {int(s): c for c, s in enumerate(dict.fromkeys(events["senders"]))}
    values = events[name].reshape(-1, len(column))
    return np.stack([values[:, column[pop.tolist()[index]]] for pop, index in where], axis=1)


def driven(configs: list[tuple[str, dict]]) -> tuple[nd.Network, list]:
    """A network of the single targets ``configs``, each driven by the two sources
    (one population) through ``SOURCE_CONNECTIONS``; returns it and the targets."""
    net = nd.Network()
    params = {key: np.array([our_status(s)[key] for s in SOURCES])
              for key in our_status(SOURCES[0])}  # fmt: skip
    sources = net.create("lin_rate_ipn", len(SOURCES), params)
    where = create_grouped(net, configs)
    for population in {id(pop): pop for pop, _ in where}.values():
        for model in ("rate_connection_delayed", "rate_connection_instantaneous"):
            chosen = sorted((c for c in SOURCE_CONNECTIONS if c[1] == model), key=lambda c: c[0])
            assert [c[0] for c in chosen] == list(range(len(SOURCES)))  # one per source
            syn_spec = {"synapse_model": model,
                        "weight": np.repeat([c[2] for c in chosen], len(population))}  # fmt: skip
            if model == "rate_connection_delayed":
                syn_spec["delay"] = np.repeat([c[3] for c in chosen], len(population))
            net.connect(sources, population, "all_to_all", syn_spec)
    return net, where


def test_single_models_replay_nest(nest_data):
    """Every model's ``rate``, and the output-noise models' ``noisy_rate`` (noise-free
    here: the rate at the start of each step, what they send)."""
    configs = single_configs()
    net, where = driven(configs)
    rate = multimeter(net, where, "rate")
    opn = [k for k, (model, _) in enumerate(configs) if model.endswith("_opn")]
    noisy = multimeter(net, [where[k] for k in opn], "noisy_rate")
    net.simulate(len(nest_data["single_times"]) * 0.1)
    rates, theirs = recorded(rate), nest_data["single_rate"]
    assert rates.shape == theirs.shape
    for k, (model, status) in enumerate(configs):
        np.testing.assert_allclose(rates[:, k], theirs[:, k], rtol=0, atol=_TOL,
                                   err_msg=f"{model} {status}")  # fmt: skip
    np.testing.assert_allclose(recorded(noisy), nest_data["single_noisy_rate"], rtol=0,
                               atol=_TOL)  # fmt: skip


def test_network_replays_nest(nest_data):
    net = nd.Network()
    where = create_grouped(net, NETWORK_NODES)
    for pre, post, model, weight, delay in network_connections():
        (pre_pop, i), (post_pop, j) = where[pre], where[post]
        syn_spec = {"synapse_model": model, "weight": weight}
        if delay is not None:
            syn_spec["delay"] = delay
        net.connect(pre_pop[i], post_pop[j], "one_to_one", syn_spec)
    rate = multimeter(net, where, "rate")
    net.simulate(len(nest_data["network_times"]) * 0.1)
    np.testing.assert_allclose(recorded(rate), nest_data["network_rate"], rtol=0, atol=_TOL)


def our_noise_statistics() -> np.ndarray:
    nd.random.seed(3)
    net = nd.Network()
    recorded = []
    for _, model, status, variable in NOISE:
        nodes = net.create(model, NOISE_N, our_status(status))
        mm = net.create("multimeter", 1, {"record_from": [variable], "interval": 1.0,
                                       "start": NOISE_WARMUP})  # fmt: skip
        net.connect(mm, nodes)
        recorded.append((mm, variable))
        if model == "lin_rate_opn":
            target = net.create("lin_rate_ipn", NOISE_N, our_status(OPN_TARGET))
            net.connect(nodes, target, "one_to_one",
                        {"synapse_model": "rate_connection_instantaneous"})  # fmt: skip
            mm = net.create("multimeter", 1, {"record_from": ["rate"], "interval": 1.0,
                                           "start": NOISE_WARMUP})  # fmt: skip
            net.connect(mm, target)
            recorded.append((mm, "rate"))
    net.simulate(NOISE_T)
    out = []
    for mm, variable in recorded:
        samples = mm.get("events")[variable].reshape(-1, NOISE_N)
        out.append(statistics(samples, int(round(NOISE_LAG))))
    return np.array(out)


@pytest.fixture(scope="module")
def our_noise():
    nd.environ.set(precision=64)
    return our_noise_statistics()


def test_noise_statistics_match_nest(nest_data, our_noise):
    ours, theirs = our_noise, nest_data["noise_stats"]
    labels = [label for label, *_ in NOISE]
    labels.insert(labels.index("lin_opn") + 1, "opn_target")
    for label, (m1, v1, c1), (m2, v2, c2) in zip(labels, ours, theirs, strict=True):
        # 400 neurons x 200 samples, correlated over tau / lambda: about 4 standard errors
        assert abs(m1 - m2) < 0.05 * np.sqrt(v2) + 0.01, (label, m1, m2)
        assert abs(v1 - v2) < 0.08 * v2, (label, v1, v2)
        assert abs(c1 - c2) < 0.05, (label, c1, c2)


def test_noise_statistics_match_closed_forms(our_noise):
    """Independent of NEST: the stationary OU process of ``lin_rate_ipn`` (mean
    mu/lambda, variance sigma^2/(2 lambda), correlation e^{-lambda lag/tau}) and the
    white noisy rate of ``lin_rate_opn`` (variance sigma^2 tau/dt)."""
    ours = our_noise
    (_, _, ipn, _), (_, _, opn, _) = NOISE[0], NOISE[1]
    lam, tau = ipn["lambda"], ipn["tau"]
    expected = [ipn["mu"] / lam, ipn["sigma"] ** 2 / (2 * lam), np.exp(-lam * NOISE_LAG / tau)]
    np.testing.assert_allclose(ours[0], expected, rtol=0.05, atol=0.02)
    expected = [opn["mu"], opn["sigma"] ** 2 * opn["tau"] / 0.1, 0.0]
    np.testing.assert_allclose(ours[1], expected, rtol=0.03, atol=0.02)


#: NEST status entries that are not parameters of the rate models
_NOT_PARAMETERS = {"Ca", "beta_Ca", "frozen", "ignore_and_spike", "ignore_and_spike_interval",
                   "ignore_and_spike_offset", "local", "mean", "std", "node_uses_wfr", "noise",
                   "noisy_rate", "post_trace", "rate", "t_spike", "tau_Ca", "tau_minus",
                   "tau_minus_triplet"}  # fmt: skip


@pytest.mark.parametrize("model", json.loads(str(np.load(DATA)["defaults"])))
def test_parameters_and_defaults_are_nests(model):
    status = json.loads(str(np.load(DATA)["defaults"]))[model]
    cls = getattr(nd.nest, model)
    ours = {("lambda" if key == "lambda_" else key): default
            for key, (default, _) in cls.DEFAULTS.items()}  # fmt: skip
    assert set(ours) <= set(status)
    assert set(status) - _NOT_PARAMETERS <= set(ours)
    for key, default in ours.items():
        # NEST's units: ms and mV, as declared here
        value = float(u.to_float(default, u.get_unit(default))) if u.has_unit(default) else default
        if model == "gauss_rate_ipn" and key == "sigma":
            continue  # NEST reports the width's default 0 (see the model's docstring)
        assert value == status[key], key


def test_module_world_matches_the_network(nest_data):
    """:class:`RateConnection` driven by hand: a tanh_rate_ipn fed by an instantaneous
    and a delayed connection replays the same NEST target as in the network."""
    configs = single_configs()
    k = configs.index(("tanh_rate_ipn", {"sigma": 0.0}))
    sources = nd.nest.lin_rate_ipn(2, **{key: np.array([our_status(s)[key] for s in SOURCES])
                                         for key in ("lambda_", "sigma", "rate_initializer")},
                                   tau=np.array([s["tau"] for s in SOURCES]) * u.ms,
                                   mu=np.array([s["mu"] for s in SOURCES]))  # fmt: skip
    target = nd.nest.tanh_rate_ipn(1, sigma=0.0)
    connections = []
    for source, model, weight, delay in SOURCE_CONNECTIONS:
        instantaneous = model == "rate_connection_instantaneous"
        conn = Connections(
            [source], [0], 2, 1, weight=weight, delay=None if instantaneous else delay * u.ms
        )
        connections.append(nd.nest.RateConnection(sources, target, conn, instantaneous))
    for connection in connections:
        nd.init_all_states(connection)  # and its nodes
    rates = []
    for i in range(12):  # eager steps: a few delays' worth
        with nd.environ.context(i=i):
            for connection in connections:
                connection.update()
            sources.update()
            rates.append(float(target.update()[0]))
    np.testing.assert_allclose(rates, nest_data["single_rate"][:12, k], rtol=0, atol=_TOL)


def test_custom_nonlinearity_is_used():
    """``rate_neuron_ipn`` with a function: the same as the NEST model it stands for."""
    h = jnp.linspace(-2.0, 2.0, 9)
    custom = nd.nest.rate_neuron_ipn(9, input_nonlinearity=lambda x: jnp.tanh(2.0 * x))
    assert np.array_equal(custom.phi(h), nd.nest.tanh_rate_ipn(9, g=2.0).phi(h))
    coupled = nd.nest.rate_neuron_opn(1, mult_coupling_in_fn=lambda x: 3.0 * x)
    assert coupled.coupling(jnp.array(2.0)) == (-2.0, 6.0)  # default H_ex, given H_in


@pytest.mark.parametrize(
    ("syn_spec", "message"),
    [
        ({}, "rate_connection_delayed"),
        ({"synapse_model": "rate_connection_instantaneous", "delay": 1.0}, "has no delay"),
        ({"synapse_model": "rate_connection_delayed", "receptor_type": 1}, "receptor_type"),
        ({"synapse_model": "rate_connection_delayed", "U": 0.5}, "unknown keys"),
        ({"synapse_model": "rate_connection_delayed", "weight": 1.0 * u.pA}, "plain number"),
    ],
)
def test_bad_rate_connections_are_refused(syn_spec, message):
    net = nd.Network()
    a, b = net.create("lin_rate_ipn", 2), net.create("tanh_rate_opn", 2)
    with pytest.raises(nd.ParameterError, match=message):
        net.connect(a, b, "all_to_all", syn_spec)


def test_rate_synapses_do_not_connect_spiking_neurons():
    net = nd.Network()
    a, b = net.create("lin_rate_ipn", 2), net.create("iaf_psc_alpha", 2)
    with pytest.raises(nd.ParameterError, match="connects rate nodes"):
        net.connect(a, b, "all_to_all", {"synapse_model": "rate_connection_delayed"})


def test_siegert_network_replays_nest(nest_data):
    """siegert_neuron nodes (an external drive, subthreshold, suprathreshold and mixed
    regimes, with and without synaptic filtering) coupled by diffusion connections."""
    net = nd.Network()
    (nodes, _), *_ = create_grouped(net, [("siegert_neuron", s) for s in SIEGERT_NODES])
    pre, post, drift, diffusion = np.array(SIEGERT_CONNECTIONS).T
    rule = {"rule": "explicit", "pre": pre.astype(int), "post": post.astype(int)}
    syn_spec = {"synapse_model": "diffusion_connection", "drift_factor": drift,
                "diffusion_factor": diffusion}  # fmt: skip
    net.connect(nodes, nodes, rule, syn_spec)
    rate = multimeter(net, [(nodes, k) for k in range(len(SIEGERT_NODES))], "rate")
    net.simulate(len(nest_data["siegert_times"]) * 0.1)
    theirs = nest_data["siegert_rate"]
    # NEST asks GSL's qags for a relative 1.5e-8 and gets far better: the largest
    # difference seen is 3.4e-13 Hz (2.8e-14 relative) on rates up to 130 Hz
    np.testing.assert_allclose(recorded(rate), theirs, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize(("mu", "sigma_square"), [(5.0, 9.0), (14.0, 4.0), (30.0, 25.0)])
def test_siegert_formula_matches_direct_quadrature(mu, sigma_square):
    """Independent of NEST: the Siegert rate from the integral of
    :math:`e^{s^2}(1 + \\operatorname{erf} s)` by adaptive quadrature (scipy), for a
    mean below reset, between reset and threshold, and above threshold."""
    from scipy import integrate, special

    neuron = nd.nest.siegert_neuron(1, tau_m=10.0 * u.ms, t_ref=2.0 * u.ms, tau_syn=1.0 * u.ms,
                                    theta=15.0 * u.mV, V_reset=8.0 * u.mV)  # fmt: skip
    shift = 2.0652531522312172 / 2 * np.sqrt(1.0 / 10.0)
    sigma = np.sqrt(sigma_square)
    y_th, y_r = (15.0 - mu) / sigma + shift, (8.0 - mu) / sigma + shift
    integral, _ = integrate.quad(lambda s: np.exp(s * s) * special.erfc(-s), y_r, y_th,
                                 epsabs=0, epsrel=1e-12)  # fmt: skip
    expected = 1e3 / (2.0 + 10.0 * np.sqrt(np.pi) * integral)
    ours = float(jax.jit(neuron.siegert)(mu, sigma_square))
    assert ours == pytest.approx(expected, rel=1e-11)
