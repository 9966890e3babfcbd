"""iaf_bw_2001 / iaf_bw_2001_exact against NEST 3.10 recordings (GSL's RKF45 reproduced).

Every protocol of each model's data file is replayed: the unconnected protocols side
by side in one population (one compiled run), ``iaf_bw_2001``'s ``spikes_NMDA`` (neuron
0 drives neuron 1's NMDA receptor through NEST's spike offset) in a run of its own.
"""

import functools

import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special
from protocol_driver import (
    DT,
    P,
    build,
    compare,
    input_arrays,
    merge_protocols,
    nest_spike_times,
    nmda_port_inputs,
    reference,
    simulate_wired,
)

import neurodyn as nd
from neurodyn import units as u
from neurodyn.nest._iaf_bw_2001 import lower_incomplete_gamma

_MODELS = {"iaf_bw_2001": nd.nest.iaf_bw_2001, "iaf_bw_2001_exact": nd.nest.iaf_bw_2001_exact}
_PROTOCOLS = ["dc", "step", "spikes_AMPA", "spikes_GABA", "spikes_NMDA"]
# Achieved: V_m <= 7.2e-15 mV, s_* <= 6.8e-13 nS (of up to 3e3), I_* <= 4.4e-11 pA (of up
# to 2e5), spike offsets <= 2e-15 relative; spike steps identical to NEST's.
_TOL = 1e-9
_LABELS = {1: "AMPA", 2: "GABA"}


@functools.cache
def _replay(model: str, names: tuple[str, ...]) -> dict:
    """Run the protocols ``names`` in one population; per protocol (ours, spikes, ref)."""
    nd.environ.set(precision=64)
    refs = {name: reference(model, name) for name in names}
    if len(names) == 1:  # may have connections, which merge_protocols refuses
        merged = refs[names[0]]["protocol"]
        parts = {names[0]: slice(0, len(merged["neurons"]))}
    else:
        merged, parts = merge_protocols({name: ref["protocol"] for name, ref in refs.items()})
    n = len(merged["neurons"])
    _, spikes = input_arrays(merged, n)
    inputs = {label: spikes[r] for r, label in _LABELS.items() if r in spikes}
    units = {"AMPA": u.nS, "GABA": u.nS}
    fixed, payload, extra = {}, None, ()
    if model == "iaf_bw_2001_exact":
        counts, weights = nmda_port_inputs(merged, n)
        if len(weights):
            fixed["nmda_weights"] = jnp.asarray(weights) * u.nS
            units["NMDA"], inputs["NMDA"] = u.UNITLESS, counts
    else:
        units["NMDA"] = u.nS  # weight * the presynaptic neuron's offset
        payload = lambda nrn, receptor: (  # noqa: E731
            nrn.spike_offset.value if receptor == 3 else nrn.spike.value
        )
        extra = ("spike_offset",)
    neuron = build(_MODELS[model], model, merged, **fixed)
    ours, spikes = simulate_wired(neuron, merged, units, inputs, payload, extra)
    out = {}
    for name, ref in refs.items():
        steps, part = len(ref["times"]), parts[name]
        recorded = {key: value[:steps, part] for key, value in ours.items()}
        out[name] = (recorded, [s[s <= ref["times"][-1] + 1e-9] for s in spikes[part]], ref)
    return out


def _run_of(model: str, protocol: str) -> tuple:
    if model == "iaf_bw_2001" and protocol == "spikes_NMDA":
        return _replay(model, ("spikes_NMDA",))["spikes_NMDA"]
    merged = tuple(p for p in _PROTOCOLS if not (model == "iaf_bw_2001" and p == "spikes_NMDA"))
    return _replay(model, merged)[protocol]


@pytest.mark.parametrize("model", list(_MODELS))
@pytest.mark.parametrize("protocol", _PROTOCOLS)
def test_matches_nest(model, protocol):
    nd.environ.set(precision=64)
    ours, spikes, ref = _run_of(model, protocol)
    n = ref["V_m"].shape[1]
    theirs = nest_spike_times(ref, n)
    for k in range(n):  # the very same steps, not just within one step
        np.testing.assert_array_equal(np.round(spikes[k] / DT), np.round(theirs[k] / DT))
    compare(model, protocol, ours, spikes, ref, tol_before=_TOL, tol_after=_TOL)
    for name in P.RECORDABLES[model]:
        np.testing.assert_allclose(ours[name], ref[name], rtol=0, atol=_TOL, err_msg=name)
    if model == "iaf_bw_2001":  # the NMDA increments the neurons send (NEST's offsets)
        steps = ref["spike_steps"] - 1
        sent = ours["spike_offset"][steps, ref["spike_senders"]]
        np.testing.assert_allclose(sent, ref["spike_offsets"], rtol=1e-13)


def test_nmda_increment_constants():
    nd.environ.set(precision=64)
    alpha = np.array([0.5, 0.3, 2.0, 20.0])
    tau_rise = np.array([2.0, 1.0, 5.0, 5.0])
    tau_decay = np.array([100.0, 50.0, 80.0, 60.0])
    neuron = nd.nest.iaf_bw_2001(
        4, alpha=alpha / u.ms, tau_rise_NMDA=tau_rise * u.ms, tau_decay_NMDA=tau_decay * u.ms
    )
    ratio, x = tau_rise / tau_decay, alpha * tau_rise  # x = 100: the continued fraction
    s = 1 - ratio
    k0 = x**ratio * scipy.special.gammainc(s, x) * scipy.special.gamma(s)
    np.testing.assert_allclose(np.asarray(neuron.k0), k0, rtol=1e-14)
    np.testing.assert_allclose(np.asarray(neuron.k1), np.expm1(-x), rtol=1e-15)
    # NEST's first offset of every iaf_bw_2001 protocol is k0 of the defaults
    assert neuron.k0[0] == pytest.approx(reference("iaf_bw_2001", "dc")["spike_offsets"][0], 1e-15)
    assert lower_incomplete_gamma(0.5, 0.0) == 0.0


_RULES = [
    (dict(V_reset=-50.0 * u.mV), "V_reset"),
    (dict(C_m=0.0 * u.pF), "C_m"),
    (dict(t_ref=-0.1 * u.ms), "t_ref"),
    (dict(tau_AMPA=0.0 * u.ms), "tau_AMPA"),
    (dict(tau_GABA=-1.0 * u.ms), "tau_GABA"),
    (dict(tau_rise_NMDA=0.0 * u.ms), "tau_rise_NMDA"),
    (dict(tau_decay_NMDA=0.0 * u.ms), "tau_decay_NMDA"),
    (dict(alpha=0.0 / u.ms), "alpha"),
    (dict(conc_Mg2=0.0 * u.mM), "conc_Mg2"),
    (dict(gsl_error_tol=0.0), "gsl_error_tol"),
    (dict(g_L=1.0 * u.mV), "g_L"),
    (dict(E_L=-70.0), "E_L"),
]


@pytest.mark.parametrize("model", list(_MODELS))
@pytest.mark.parametrize("override,match", _RULES)
def test_parameters_validated_as_nest_does(model, override, match):
    with pytest.raises(nd.ParameterError, match=match):
        _MODELS[model](3, **override)


@pytest.mark.parametrize(
    "model,override,match",
    [
        ("iaf_bw_2001", dict(tau_rise_NMDA=100.0 * u.ms), "tau_rise_NMDA must be < tau_decay"),
        ("iaf_bw_2001_exact", dict(nmda_weights=jnp.ones(2)), "nmda_weights"),
        ("iaf_bw_2001_exact", dict(nmda_weights=jnp.ones(2) * u.nS, n_nmda_ports=3), "n_nmda"),
        ("iaf_bw_2001_exact", dict(nmda_weights=jnp.ones((2, 2)) * u.nS), "broadcast"),
        ("iaf_bw_2001_exact", dict(n_nmda_ports=-1), "n_nmda_ports"),
    ],
)
def test_model_specific_rules(model, override, match):
    with pytest.raises(nd.ParameterError, match=match):
        _MODELS[model](3, **override)


@pytest.mark.parametrize("model", list(_MODELS))
def test_defaults_and_recordables_match_nest(model):
    neuron = _MODELS[model](1)
    defaults = P.load(model)["defaults"]
    assert sorted(neuron.recordables) == sorted(P.RECORDABLES[model])
    assert neuron.RECEPTOR_TYPES == defaults["receptor_types"]
    units = {"E_L": u.mV, "E_ex": u.mV, "E_in": u.mV, "V_th": u.mV, "V_reset": u.mV,
             "C_m": u.pF, "g_L": u.nS, "t_ref": u.ms, "tau_AMPA": u.ms, "tau_GABA": u.ms,
             "tau_rise_NMDA": u.ms, "tau_decay_NMDA": u.ms, "alpha": u.kHz,
             "conc_Mg2": u.mM}  # fmt: skip
    for name, unit in units.items():
        assert float(u.to_float(getattr(neuron, name), unit)) == defaults[name], name
    assert neuron.gsl_error_tol == defaults["gsl_error_tol"]
    nd.init_all_states(neuron)
    assert float(neuron.V.value.to_decimal(u.mV)[0]) == defaults["V_m"]
    for name in ("s_AMPA", "s_GABA"):
        assert float(neuron.record(name).to_decimal(u.nS)[0]) == defaults[name]


@pytest.mark.parametrize("model", list(_MODELS))
@pytest.mark.parametrize(
    "label,value,match",
    [
        (None, 1.0 * u.nS, "labelled"),
        ("ex", 1.0 * u.nS, "ex"),
        ("AMPA", 1.0 * u.pA, "AMPA"),
    ],
)
def test_inputs_must_name_a_receptor_in_its_unit(model, label, value, match):
    neuron = _MODELS[model](2)
    nd.init_all_states(neuron)
    neuron.add_delta_input("in", lambda: value, label=label)
    with pytest.raises(nd.ParameterError, match=match):
        neuron()


@pytest.mark.parametrize(
    "ports,value,match",
    [
        (2, 1.0 * u.nS, "unitless"),
        (0, jnp.ones(1), "no NMDA ports"),
        (2, jnp.ones(3), "broadcast"),
    ],
)
def test_exact_nmda_inputs_are_counts_per_port(ports, value, match):
    neuron = nd.nest.iaf_bw_2001_exact(2, n_nmda_ports=ports)
    nd.init_all_states(neuron)
    neuron.add_delta_input("in", lambda: value, label="NMDA")
    with pytest.raises(nd.ParameterError, match=match):
        neuron()


def test_steps_in_python_see_new_parameters():
    """Stepped from Python, the model runs one cached compiled step; setting a parameter
    anew (as NEST's SetStatus between Simulate calls) recompiles it."""
    nd.environ.set(precision=64)
    neuron = nd.nest.iaf_bw_2001_exact(1, n_nmda_ports=1)
    nd.init_all_states(neuron)
    assert float(neuron()[0]) == 0.0
    with pytest.raises(nd.ParameterError, match="V_reset must be < V_th"):
        neuron.V_th = -75.0 * u.mV  # checked on assignment: V_reset is -60 mV
    neuron.set(V_th=-75.0 * u.mV, V_reset=-80.0 * u.mV)  # below V = -70 mV: fires
    assert float(neuron()[0]) == 1.0


def test_runs_repeat():
    nd.environ.set(precision=64)
    neuron = nd.nest.iaf_bw_2001(1)
    nd.init_all_states(neuron)
    first = nd.run(neuron, 0.5 * u.ms, inputs=lambda i, t: 800.0 * u.pA, monitors={"V": "V"})
    nd.reset_all_states(neuron)
    again = nd.run(neuron, 0.5 * u.ms, inputs=lambda i, t: 800.0 * u.pA, monitors={"V": "V"})
    np.testing.assert_array_equal(first["V"].mantissa, again["V"].mantissa)


# -- NEST-style spike events (eager) -----------------------------------------------------


def test_spike_event_formats():
    nd.environ.set(precision=64)
    neuron = nd.nest.iaf_bw_2001_exact(2, nmda_weights=jnp.array([80.0, 40.0]) * u.nS)
    nd.init_all_states(neuron)
    neuron(
        spike_events=[
            (3, 80.0 * u.nS, 0),
            {"receptor": "NMDA", "weight": 40.0 * u.nS, "port": 1, "multiplicity": 2},
            ("NMDA", 40.0 * u.nS, "1"),  # digit strings are port numbers
            (3, 80.0 * u.nS, None, 1),  # port None is port 0
            {"receptor_type": 3, "weight": 40.0 * u.nS, "rport": 1},
            {"receptor_type": "3", "weight": 80.0 * u.nS, "synapse_id": 0},
            ("AMPA", 5.0 * u.nS, 2),  # third entry: multiplicity for AMPA/GABA
            (2, 3.0 * u.nS),
            {"receptor_type": 1, "weight": 1.0 * u.nS},
            ("GABA", 0.5 * u.nS, "ignored", 4),
        ]
    )
    # from rest, the integration leaves all-zero synaptic states exactly zero
    np.testing.assert_array_equal(np.asarray(neuron.x_NMDA.value), [[3.0, 4.0]] * 2)
    np.testing.assert_array_equal(neuron.s_AMPA.value.to_decimal(u.nS), [11.0, 11.0])
    np.testing.assert_array_equal(neuron.s_GABA.value.to_decimal(u.nS), [5.0, 5.0])


def test_spike_events_register_ports_before_the_first_update_only():
    neuron = nd.nest.iaf_bw_2001_exact(1)
    nd.init_all_states(neuron)
    neuron(spike_events=[("NMDA", 50.0 * u.nS, "A"), ("NMDA", 30.0 * u.nS, "B", 2)])
    assert neuron.nmda_ports == ("A", "B")
    np.testing.assert_array_equal(neuron.nmda_weights.value.to_decimal(u.nS), [[50.0, 30.0]])
    np.testing.assert_array_equal(np.asarray(neuron.x_NMDA.value)[0] > 0, [True, True])
    with pytest.raises(nd.ParameterError, match="before the first update"):
        neuron(spike_events=[("NMDA", 50.0 * u.nS, "A"), ("NMDA", 50.0 * u.nS, "C")])
    with pytest.raises(nd.ParameterError, match="constant weights"):
        neuron(spike_events=[("NMDA", 60.0 * u.nS, "A")])
    assert neuron.nmda_ports == ("A", "B")  # a refused call changes nothing
    assert neuron.x_NMDA.value.shape == (1, 2)


@pytest.mark.parametrize(
    "event,match",
    [
        ((4, 1.0 * u.nS), "receptor"),
        (("XYZ", 1.0 * u.nS), "receptor"),
        ((1,), "tuple"),
        ((1, 1.0 * u.nS, 1, 1, 1), "tuple"),
        ({"weight": 1.0 * u.nS}, "receptor_type"),
        ({"receptor": 1, "weight": 1.0 * u.nS, "delay": 1.0}, "unknown keys"),
        ((1, 5.0), "conductance"),
        ((3, 1.0 * u.nS, ["unhashable"]), "hashable"),
        ((1, 1.0 * u.nS, -1.0), "multiplicity"),
        ((1, jnp.ones(3) * u.nS), "broadcast"),
    ],
)
def test_malformed_spike_events_are_refused(event, match):
    neuron = nd.nest.iaf_bw_2001_exact(2)
    nd.init_all_states(neuron)
    with pytest.raises(nd.ParameterError, match=match):
        neuron(spike_events=[event])


def test_nest_style_script_reproduces_nest():
    """The exact model's NMDA protocol stepped in Python with NEST-style events over its
    first 25 ms. The ports are declared; each gets its weight from its first event, at
    any time (port 1's first spike arrives at 13 ms), as in NEST."""
    nd.environ.set(precision=64)
    ref = reference("iaf_bw_2001_exact", "spikes_NMDA")
    protocol, steps = ref["protocol"], 250
    events = {}
    for port, stim in enumerate(protocol["stimuli"]):
        weight = stim["syn"]["weight"] * u.nS
        for t_s in stim["params"]["spike_times"]:
            step = int(round((t_s + stim["syn"]["delay"]) / DT)) - 1
            event = (3, weight, port) if port == 0 else {"receptor_type": 3, "weight": weight,
                                                         "rport": port}  # fmt: skip
            events.setdefault(step, []).append(event)
    neuron = nd.nest.iaf_bw_2001_exact(1, n_nmda_ports=2)
    nd.init_all_states(neuron)
    V, s_NMDA = [], []
    for i in range(steps):
        with nd.environ.context(t=i * DT * u.ms):
            neuron(0.0 * u.pA, spike_events=events.get(i))
        V.append(float(neuron.V.value.to_decimal(u.mV)[0]))
        s_NMDA.append(float(neuron.s_NMDA.value.to_decimal(u.nS)[0]))
    np.testing.assert_allclose(V, ref["V_m"][:steps, 0], rtol=0, atol=_TOL)
    np.testing.assert_allclose(s_NMDA, ref["s_NMDA"][:steps, 0], rtol=0, atol=_TOL)
    assert max(s_NMDA) > 10.0  # both ports were active
    np.testing.assert_array_equal(neuron.nmda_weights.value.to_decimal(u.nS), [[80.0, 40.0]])


@pytest.mark.parametrize("model", ["iaf_bw_2001", "iaf_bw_2001_exact"])
def test_synaptic_initializers_and_ref_var(model):
    """BrainPy's ``s_AMPA_initializer``, ``s_GABA_initializer`` and ``ref_var`` (a boolean
    state ``refractory``, kept equal to ``refractory_step_count > 0``)."""
    nd.environ.set(precision=64)
    cls = getattr(nd.nest, model)
    neuron = cls(2, s_AMPA_initializer=nd.init.Constant(3.0 * u.nS),
                 s_GABA_initializer=jnp.array([1.0, 2.0]) * u.nS, ref_var=True,
                 t_ref=0.3 * u.ms)  # fmt: skip
    nd.init_all_states(neuron)
    np.testing.assert_array_equal(neuron.s_AMPA.value.to_decimal(u.nS), [3.0, 3.0])
    np.testing.assert_array_equal(neuron.s_GABA.value.to_decimal(u.nS), [1.0, 2.0])
    neuron.V.value = -54.0 * u.mV  # above V_th: fires in the first step
    flags = []
    for i in range(5):
        with nd.environ.context(t=i * 0.1 * u.ms, i=i):
            neuron()
        flags.append(np.asarray(neuron.refractory.value).tolist())
    assert flags == [[True, True]] * 3 + [[False, False]] * 2  # 0.3 ms: three steps
    assert "refractory" not in vars(nd.init_all_states(cls(2)))  # only with ref_var
    with pytest.raises(nd.ParameterError, match="ref_var must be True or False"):
        cls(2, ref_var=1)
    with pytest.raises(nd.ParameterError, match="s_AMPA_initializer must give a conductance"):
        nd.init_all_states(cls(2, s_AMPA_initializer=1.0 * u.mV))
