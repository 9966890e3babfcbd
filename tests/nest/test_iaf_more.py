"""iaf_cond_exp_sfa_rr, iaf_chs_2007, iaf_chxk_2008 and iaf_cond_alpha_mc against NEST 3.10
recordings (``make_iaf_more.py``; ``data/iaf_more.npz``, ``data/iaf_cond_alpha_mc.npz``).

A model's protocols are replayed in one run (their neurons side by side; neurons are
independent, each with its own RKF45 step size); every recordable and every spike step
is compared, and ``iaf_chxk_2008``'s spike offsets too.
"""

import inspect

import jax.numpy as jnp
import numpy as np
import pytest
from make_iaf_more import chs_noise, load, protocols
from protocol_driver import DT, _Stimulated, input_arrays, merge_protocols

import neurodyn as nd
from neurodyn import units as u

#: NEST's units of the recordables (and of spike_offset), by first letter
_UNITS = {"V": u.mV, "g": u.nS, "I": u.pA, "s": u.ms, "t": u.ms}


def _build(cls, defaults: dict, protocol: dict, **fixed):
    """A population of ``cls``, one neuron per protocol neuron, NEST's overrides applied
    (``V_m``: the initial membrane potential)."""
    neurons = protocol["neurons"]
    signature = inspect.signature(cls).parameters
    params = dict(fixed)
    for key in sorted({k for n in neurons for k in n} - set(fixed)):
        values = np.array([n.get(key, defaults[key]) for n in neurons], np.float64)
        if key == "V_m":
            params["V_initializer"] = u.with_unit(jnp.asarray(values), u.mV)
        else:
            params[key] = u.with_unit(jnp.asarray(values), u.get_unit(signature[key].default))
    return cls(len(neurons), **params)


def _spike_weights(protocol: dict, n: int, sign: int) -> np.ndarray:
    """Per-step weights (steps, n) of the protocol's spike trains of that sign."""
    trains = [s for s in protocol["stimuli"]
              if s["device"] == "spike_generator" and sign * s["syn"]["weight"] > 0]  # fmt: skip
    _, weights = input_arrays(dict(protocol, stimuli=trains), n)
    return weights.get(0, np.zeros((round(protocol["duration"] / DT), n)))


def _signed_inputs(protocol: dict, n: int) -> tuple[np.ndarray, dict]:
    """The protocol's currents (steps, n) and spike weights by label: positive ones
    labelled ``'ex'``, negative ones unlabelled (NEST keeps the two apart even within
    one step)."""
    current, _ = input_arrays(protocol, n)
    return current, {"ex": _spike_weights(protocol, n, +1), None: _spike_weights(protocol, n, -1)}


def _replay(neuron, current, weights: dict, weight_unit, extra=()) -> tuple[dict, np.ndarray]:
    """Recordings (NEST's units) and spikes per step of ``neuron`` driven by ``current``
    (pA, per step) and spike ``weights`` (per step, by delta-input label); ``extra``:
    further states to record."""
    keys = {label: f"input-{label}" for label in weights}
    driven = _Stimulated(neuron, {key: label for label, key in keys.items()}, weight_unit)
    nd.init_all_states(driven)

    def step(i, current, weights):
        with nd.environ.context(t=i * DT * u.ms):
            record, spike = driven(current, weights)
            return record | {name: getattr(neuron, name).value for name in extra}, spike

    weights = {keys[label]: jnp.asarray(value) for label, value in weights.items()}
    records, spike = nd.for_loop(step, jnp.arange(len(current)), jnp.asarray(current), weights)
    out = {
        name: np.asarray(u.to_float(value, _UNITS[name[0]]) if u.is_quantity(value) else value)
        for name, value in records.items()
    }
    return out, np.asarray(spike)


def _replay_protocols(cls, model, names, weight_unit, extra=(), build=None, inputs=None,
                      **fixed) -> dict:  # fmt: skip
    """The protocols ``names`` of ``model`` replayed in one run: per protocol, (NEST's
    recording, ours, our spikes per step). ``build(cls, defaults, protocol, **fixed)``
    makes the population (default :func:`_build`), ``inputs(protocol, n)`` its inputs
    (default :func:`_signed_inputs`)."""
    refs = {name: load(model, name) for name in names}
    merged, parts = merge_protocols({name: ref["protocol"] for name, ref in refs.items()})
    defaults = next(iter(refs.values()))["defaults"]
    nd.environ.set(precision=64)
    try:
        neuron = (build or _build)(cls, defaults, merged, **fixed)
        current, weights = (inputs or _signed_inputs)(merged, neuron.num)
        ours, spike = _replay(neuron, current, weights, weight_unit, extra)
    finally:
        nd.environ.set(precision=32)
    out = {}
    for name, ref in refs.items():
        steps, part = len(ref["times"]), parts[name]
        out[name] = (ref, {k: v[:steps, part] for k, v in ours.items()}, spike[:steps, part])
    return out


def _same_spikes(ref: dict, spike: np.ndarray) -> None:
    """Our spikes are NEST's, step by step (and there are some)."""
    expected = np.zeros(spike.shape)
    np.add.at(expected, (ref["spike_steps"] - 1, ref["spike_senders"]), 1)
    np.testing.assert_array_equal(spike, expected)
    assert spike.sum() > 0


def _same_recordings(ref: dict, ours: dict, tolerances: dict) -> None:
    for name, tol in tolerances.items():
        if name in ref:
            np.testing.assert_allclose(ours[name], ref[name], rtol=0, atol=tol, err_msg=name)


def _defaults_match(cls, model: str, recordables) -> None:
    ref = load(model, protocols(model).popitem()[0])
    defaults = ref["defaults"]
    assert sorted(cls.RECORDABLES) == sorted(ref["recordables"]) == sorted(recordables)
    neuron = nd.init_all_states(cls(1))
    for name, p in inspect.signature(cls).parameters.items():
        if name in defaults and p.default is not None:
            value = getattr(neuron, name)
            if isinstance(p.default, bool):
                assert value is defaults[name], name
                continue
            value = u.to_float(value, u.get_unit(p.default)) if u.is_quantity(value) else value
            assert float(value) == pytest.approx(defaults[name], rel=1e-7), name
    V = neuron.record("V_m")
    assert float(u.to_float(V, u.mV)[0] if u.is_quantity(V) else V[0]) == defaults["V_m"]


# -- iaf_cond_exp_sfa_rr -----------------------------------------------------------------

_SFA_RR = nd.nest.iaf_cond_exp_sfa_rr
# Largest differences from NEST seen (float64, x86-64): V_m 2.4e-13 mV, g_rr 9.1e-13 nS
# (of ~3000 nS), other conductances 3e-14 nS; tolerances as test_iaf_cond.py's:
_TOL_SFA_RR = {"V_m": 1e-11, "g_ex": 1e-10, "g_in": 1e-10, "g_sfa": 1e-10, "g_rr": 1e-10}


@pytest.fixture(scope="module")
def sfa_rr():
    return _replay_protocols(_SFA_RR, "iaf_cond_exp_sfa_rr", protocols("iaf_cond_exp_sfa_rr"),
                             u.nS)  # fmt: skip


@pytest.mark.parametrize("protocol", list(protocols("iaf_cond_exp_sfa_rr")))
def test_sfa_rr_matches_nest(sfa_rr, protocol):
    ref, ours, spike = sfa_rr[protocol]
    _same_spikes(ref, spike)
    _same_recordings(ref, ours, _TOL_SFA_RR)


def test_sfa_rr_defaults_and_recordables_match_nest():
    _defaults_match(_SFA_RR, "iaf_cond_exp_sfa_rr", ["V_m", "g_ex", "g_in", "g_sfa", "g_rr"])


def test_sfa_rr_conductances_jump_at_spikes(sfa_rr):
    # the adaptation conductance is 0 until the first spike and jumps by q_sfa there
    ref, ours, spike = sfa_rr["dc"]
    first = int(np.argmax(spike[:, 1]))
    assert np.all(ours["g_sfa"][:first, 1] == 0.0)
    jump = ours["g_sfa"][first, 1] - ours["g_sfa"][first - 1, 1]
    assert jump == pytest.approx(14.48, abs=0.01)  # q_sfa, less one step of decay (~0)


@pytest.mark.parametrize(
    "override,match",
    [(dict(tau_sfa=0.0 * u.ms), "tau_sfa must be > 0"), (dict(tau_rr=-1.0 * u.ms), "tau_rr"),
     (dict(q_sfa=-1.0 * u.nS), "q_sfa must be >= 0"), (dict(V_reset=-50.0 * u.mV), "V_reset"),
     (dict(E_rr=1.0 * u.nS), "E_rr")],
)  # fmt: skip
def test_sfa_rr_parameters_validated(override, match):
    with pytest.raises(nd.ParameterError, match=match):
        _SFA_RR(2, **override)


# -- iaf_chs_2007 ------------------------------------------------------------------------

_CHS = nd.nest.iaf_chs_2007


class _ChsDriven(_CHS):
    """The protocol driver passes every neuron a current (here none: NEST's model takes
    none, and ours refuses one)."""

    def update(self, x=None):
        return super().update()


# Largest difference from NEST seen (float64, x86-64): V_m 1.2e-14 (exact propagators);
# tolerance with a wide margin:
_TOL_CHS = {"V_m": 1e-12}


def _chs_noise(protocol: dict) -> np.ndarray:
    """The protocol's noise, one row per neuron (zeros where a neuron has none)."""
    noise = chs_noise(round(protocol["duration"] / DT))
    return np.stack([noise * ("noise" in n) for n in protocol["neurons"]])


@pytest.fixture(scope="module")
def chs():
    protocol = load("iaf_chs_2007", "spikes")["protocol"]
    return _replay_protocols(_ChsDriven, "iaf_chs_2007", ["spikes"], u.UNITLESS,
                             noise=_chs_noise(protocol))["spikes"]  # fmt: skip


def test_chs_matches_nest(chs):
    ref, ours, spike = chs
    _same_spikes(ref, spike)
    _same_recordings(ref, ours, _TOL_CHS)
    assert np.all(ref["V_m"][:, 5] == 0.0)  # negative weights only: ignored
    assert not np.array_equal(ours["V_m"][:, 2], ours["V_m"][:, 0])  # the noise counts
    np.testing.assert_array_equal(ours["V_m"][:, 3], ours["V_m"][:, 0])  # V_noise = 0


def test_chs_defaults_and_recordables_match_nest():
    _defaults_match(_CHS, "iaf_chs_2007", ["V_m"])


def test_chs_noise_must_last_the_run():
    neuron = nd.init_all_states(_CHS(2, V_noise=[0.1, 0.0], noise=np.ones(5)))
    nd.run(neuron, 0.5 * u.ms)  # five steps: the noise suffices
    np.testing.assert_array_equal(neuron.noise_position.value, [5, 0])
    with pytest.raises(nd.SimulationError, match=r"noise sequence \(5 values\)"):
        nd.run(neuron, 0.1 * u.ms)


def test_chs_takes_no_current():
    neuron = nd.init_all_states(_CHS(1))
    with pytest.raises(nd.ParameterError, match="takes no current"):
        neuron(1.0 * u.pA)
    with pytest.raises(nd.ParameterError, match="I_e"):
        neuron.I_e = 1.0 * u.pA


@pytest.mark.parametrize(
    "override,match",
    [(dict(tau_epsp=0.0 * u.ms), "tau_epsp must be > 0"), (dict(tau_reset=-1.0 * u.ms),
     "tau_reset"), (dict(V_epsp=-0.1), "V_epsp must be >= 0"), (dict(V_reset=-1.0), "V_reset"),
     (dict(noise=np.ones((3, 4))), "population shape")],
)  # fmt: skip
def test_chs_parameters_validated(override, match):
    with pytest.raises(nd.ParameterError, match=match):
        _CHS(2, **override)


# -- iaf_chxk_2008 -----------------------------------------------------------------------

_CHXK = nd.nest.iaf_chxk_2008
# Largest differences from NEST seen (float64, x86-64): V_m 1.5e-12 mV, g_ahp 2.4e-10 nS
# (of ~500 nS), g_ex 5.7e-14 nS, I_ahp 8.8e-10 pA, I_syn_ex 7.3e-12 pA, spike offsets
# 1.2e-13 ms. Up to the first spike V_m is exact; the AHP's onset, interpolated from V,
# divides V's rounding differences by V - V_prev, and the steep AHP carries them on.
# Tolerances with a ~50x margin:
_TOL_CHXK = {"V_m": 1e-10, "g_ex": 1e-10, "g_in": 1e-10, "g_ahp": 1e-8, "I_syn_ex": 1e-9,
             "I_syn_in": 1e-9, "I_ahp": 1e-7}  # fmt: skip
_TOL_OFFSET = 1e-11  # ms


def _chxk_runs(ahp_bug: bool) -> dict:
    names = ["ahp_bug"] if ahp_bug else [n for n in protocols("iaf_chxk_2008") if n != "ahp_bug"]
    return _replay_protocols(_CHXK, "iaf_chxk_2008", names, u.nS, extra=("spike_offset",),
                             ahp_bug=ahp_bug)  # fmt: skip


@pytest.fixture(scope="module")
def chxk():
    return _chxk_runs(False) | _chxk_runs(True)


@pytest.mark.parametrize("protocol", list(protocols("iaf_chxk_2008")))
def test_chxk_matches_nest(chxk, protocol):
    ref, ours, spike = chxk[protocol]
    _same_spikes(ref, spike)
    _same_recordings(ref, ours, _TOL_CHXK)
    steps, senders = ref["spike_steps"] - 1, ref["spike_senders"]
    offsets = ours["spike_offset"][steps, senders]
    np.testing.assert_allclose(offsets, ref["spike_offsets"], rtol=0, atol=_TOL_OFFSET)
    assert np.all((offsets > 0) & (offsets <= DT))
    assert np.count_nonzero(ours["spike_offset"]) == len(steps)


def test_chxk_spike_recorder_has_nest_times():
    """A network's spike_recorder gets iaf_chxk_2008's spikes at their off-grid times (the
    step's end less the offset), as NEST's recorder did in the DC protocol."""
    ref = load("iaf_chxk_2008", "dc")
    I_e = [neuron["I_e"] for neuron in ref["protocol"]["neurons"]]
    nd.environ.set(precision=64)
    try:
        net = nd.Network()
        pop = net.create("iaf_chxk_2008", len(I_e), {"I_e": I_e})
        recorder = net.create("spike_recorder")
        net.connect(pop, recorder)
        net.simulate(ref["protocol"]["duration"])
        events = recorder.get("events")
    finally:
        nd.environ.set(precision=32)
    senders = np.asarray(events["senders"]) - pop.tolist()[0]
    order = np.lexsort((senders, events["times"]))
    want = ref["spike_steps"] * DT - ref["spike_offsets"]
    want_order = np.lexsort((ref["spike_senders"], want))
    np.testing.assert_array_equal(senders[order], ref["spike_senders"][want_order])
    np.testing.assert_allclose(np.asarray(events["times"])[order], want[want_order], rtol=0,
                               atol=_TOL_OFFSET)  # fmt: skip
    assert np.any(np.asarray(events["offsets"]) > 0)


def test_chxk_sends_offsets_to_precise_targets():
    """iaf_chxk_2008 is one of NEST's off-grid neurons: an iaf_psc_exp_ps it drives gets
    each spike at its off-grid time, exactly as from a precise spike_generator that
    replays the same times."""
    nd.environ.set(precision=64)
    try:
        net = nd.Network()
        source = net.create("iaf_chxk_2008", 1, {"I_e": 2000.0})
        recorder = net.create("spike_recorder")
        net.connect(source, recorder)
        net.simulate(40.0)
        times = np.asarray(recorder.get("events")["times"])
        assert len(times) >= 2 and np.any(np.abs(times / DT - np.round(times / DT)) > 1e-6)

        net = nd.Network()
        source = net.create("iaf_chxk_2008", 1, {"I_e": 2000.0})
        replay = net.create(
            "spike_generator", params={"spike_times": times.tolist(), "precise_times": True}
        )
        targets = net.create("iaf_psc_exp_ps", 2)
        syn = {"weight": 400.0, "delay": 1.0}
        net.connect(source, targets[:1], syn_spec=syn)
        net.connect(replay, targets[1:], syn_spec=syn)
        meter = net.create("voltmeter", params={"interval": DT})
        net.connect(meter, targets)
        net.simulate(45.0)
        V = np.asarray(meter.get("events")["V_m"]).reshape(-1, 2)
    finally:
        nd.environ.set(precision=32)
    assert V[:, 0].max() > -69.0  # the spikes arrived
    # the replayed times went through ms once (time = stamp - offset, offset = stamp -
    # time): they differ in the last bit; 1.4e-14 mV seen. On the grid: 0.06 mV.
    np.testing.assert_allclose(V[:, 0], V[:, 1], rtol=0, atol=1e-12)


def test_chxk_defaults_and_recordables_match_nest():
    _defaults_match(_CHXK, "iaf_chxk_2008",
                    ["V_m", "g_ex", "g_in", "g_ahp", "I_syn_ex", "I_syn_in", "I_ahp"])  # fmt: skip


@pytest.mark.parametrize(
    "override,match",
    [(dict(tau_ahp=0.0 * u.ms), "tau_ahp must be > 0"), (dict(C_m=0.0 * u.pF), "C_m"),
     (dict(tau_syn_in=-1.0 * u.ms), "tau_syn_in"), (dict(g_ahp=-1.0 * u.nS), "g_ahp"),
     (dict(ahp_bug=1), "ahp_bug must be True or False")],
)  # fmt: skip
def test_chxk_parameters_validated(override, match):
    with pytest.raises(nd.ParameterError, match=match):
        _CHXK(2, **override)


# -- iaf_cond_alpha_mc -------------------------------------------------------------------

_MC = nd.nest.iaf_cond_alpha_mc
_COMPARTMENTS = ("soma", "proximal", "distal")
# Largest differences from NEST seen (float64, x86-64): V_m 2.8e-14 mV, g 4.3e-14 nS,
# t_ref_remaining 0; tolerances as test_iaf_cond.py's:
_TOL_MC = {
    **{f"{name}.{c}": tol for c in "spd" for name, tol in (("V_m", 1e-11), ("g_ex", 1e-10),
                                                          ("g_in", 1e-10))},
    "t_ref_remaining": 1e-12,
}  # fmt: skip


class _McDriven(_MC):
    """Takes the currents of the three compartments along the last axis of ``x``."""

    def update(self, x):
        return super().update({c: x[..., k] for k, c in enumerate(_COMPARTMENTS)})


def _build_mc(cls, defaults: dict, protocol: dict):
    """NEST's overrides (nested by compartment) as per-neuron parameters."""
    neurons = protocol["neurons"]

    def values(key, unit, compartment=None):
        pick = (lambda d: d.get(compartment, {})) if compartment else (lambda d: d)
        default = pick(defaults)[key]
        return np.array([pick(n).get(key, default) for n in neurons]) * unit

    units = {k: u.get_unit(p.default) for k, p in inspect.signature(cls).parameters.items()
             if u.is_quantity(p.default)}  # fmt: skip
    compartment_units = {"g_L": u.nS, "C_m": u.pF, "E_ex": u.mV, "E_in": u.mV, "E_L": u.mV,
                         "tau_syn_ex": u.ms, "tau_syn_in": u.ms, "I_e": u.pA}  # fmt: skip
    return cls(
        len(neurons),
        **{key: values(key, unit) for key, unit in units.items()},
        **{c: {k: values(k, unit, c) for k, unit in compartment_units.items()}
           for c in _COMPARTMENTS},
        V_initializer={c: values("V_m", u.mV, c) for c in _COMPARTMENTS},
    )  # fmt: skip


def _mc_inputs(protocol: dict, n: int) -> tuple[np.ndarray, dict]:
    """Currents per compartment (steps, n, 3), from the current receptors 7, 8, 9, and
    spike weights by receptor name."""
    currents = []
    for receptor in (7, 8, 9):
        stimuli = [s for s in protocol["stimuli"] if s["syn"].get("receptor_type") == receptor]
        currents.append(input_arrays(dict(protocol, stimuli=stimuli), n)[0])
    _, spikes = input_arrays(protocol, n)
    names = {number: name for name, number in _MC.RECEPTOR_TYPES.items()}
    return np.stack(currents, axis=-1), {names[r]: weights for r, weights in spikes.items()}


@pytest.fixture(scope="module")
def mc():
    return _replay_protocols(_McDriven, "iaf_cond_alpha_mc", protocols("iaf_cond_alpha_mc"),
                             u.nS, build=_build_mc, inputs=_mc_inputs)  # fmt: skip


@pytest.mark.parametrize("protocol", list(protocols("iaf_cond_alpha_mc")))
def test_mc_matches_nest(mc, protocol):
    ref, ours, spike = mc[protocol]
    _same_spikes(ref, spike)
    _same_recordings(ref, ours, _TOL_MC)


def test_mc_defaults_receptors_and_recordables_match_nest():
    ref = load("iaf_cond_alpha_mc", "spikes")
    defaults = ref["defaults"]
    assert sorted(_MC.RECORDABLES) == sorted(ref["recordables"])
    spike_receptors = {k: v for k, v in defaults["receptor_types"].items() if v <= 6}
    assert _MC.RECEPTOR_TYPES == spike_receptors
    neuron = nd.init_all_states(_MC(1))
    for name, unit in (("V_th", u.mV), ("V_reset", u.mV), ("t_ref", u.ms), ("g_sp", u.nS),
                       ("g_pd", u.nS)):  # fmt: skip
        assert float(u.to_float(getattr(neuron, name), unit)) == defaults[name], name
    for c in _COMPARTMENTS:
        for key, value in defaults[c].items():
            if key == "V_m":
                got = neuron.record(f"V_m.{c[0]}")[0]
            else:
                got = getattr(neuron, f"{key}_{c}")
            assert float(u.magnitude(got)) == value, (c, key)


def test_mc_takes_spikes_on_its_receptors_only():
    neuron = nd.init_all_states(_MC(1))
    neuron.add_delta_input("unlabelled", lambda: 1.0 * u.nS)
    with pytest.raises(nd.ParameterError, match="unlabelled spike input"):
        neuron(0.0 * u.pA)
    with pytest.raises(nd.ParameterError, match="no compartment 'apical'"):
        nd.init_all_states(_MC(1))({"apical": 1.0 * u.pA})


def test_mc_current_receptors_are_refused_by_the_network():
    # NEST's current receptors 7, 8, 9: drive the compartments through update's x
    net = nd.Network()
    neuron = net.create("iaf_cond_alpha_mc")
    source = net.create("dc_generator", params={"amplitude": 100.0})
    with pytest.raises(nd.ParameterError, match="receptor_type 8"):
        net.connect(source, neuron, syn_spec={"receptor_type": 8})


@pytest.mark.parametrize(
    "override,match",
    [(dict(soma={"C_m": 0.0 * u.pF}), "C_m_soma must be > 0"),
     (dict(distal={"tau_syn_in": -1.0 * u.ms}), "tau_syn_in_distal must be > 0"),
     (dict(proximal={"g_L": 1.0 * u.mV}), "g_L_proximal"),
     (dict(proximal={"V_th": 1.0 * u.mV}), "proximal has no parameter 'V_th'"),
     (dict(V_reset=-50.0 * u.mV), "V_reset must be < V_th"),
     (dict(g_sp=-1.0 * u.nS), "g_sp must be >= 0")],
)  # fmt: skip
def test_mc_parameters_validated(override, match):
    with pytest.raises(nd.ParameterError, match=match):
        _MC(2, **override)
