"""STDP against an event-by-event NumPy reference built from the spike times."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.plasticity import STDP

DT = 0.1  # ms, the suite's default step


def reference_weight(pre_steps, post_steps, w0, *, pairing, dependence, rule):
    """The weight of one synapse after its pre and post spikes (step numbers), event by
    event in time order, a step's presynaptic spike before its postsynaptic one; each
    event pairs with the other side's spikes by their times, not through a trace."""
    tau_plus, tau_minus, A_plus, A_minus, w_min, w_max = (
        rule[k] for k in ("tau_plus", "tau_minus", "A_plus", "A_minus", "w_min", "w_max")
    )
    events = sorted([(int(s), 0) for s in pre_steps] + [(int(s), 1) for s in post_steps])
    w = w0
    for step, kind in events:
        if kind == 0:  # depression: post spikes of earlier steps
            partners = [q for q in post_steps if q < step]
            tau, sign, room = tau_minus, -A_minus, (w - w_min)
        else:  # potentiation: pre spikes of this step or earlier
            partners = [p for p in pre_steps if p <= step]
            tau, sign, room = tau_plus, A_plus, (w_max - w)
        if pairing == "nearest":
            partners = partners[-1:]
        if dependence == "additive":
            room = w_max - w_min
        pair_sum = sum(np.exp(-(step - other) * DT / tau) for other in partners)
        w = min(max(w + sign * room * pair_sum, w_min), w_max)
    return w


RULE = dict(tau_plus=15.0, tau_minus=25.0, A_plus=0.2, A_minus=0.1, w_min=0.0, w_max=1.0)


def _stdp(proj, pairing, dependence, rule=RULE):
    return STDP(
        proj,
        w_max=rule["w_max"] * u.nS,
        w_min=rule["w_min"] * u.nS,
        tau_plus=rule["tau_plus"] * u.ms,
        tau_minus=rule["tau_minus"] * u.ms,
        A_plus=rule["A_plus"],
        A_minus=rule["A_minus"],
        pairing=pairing,
        weight_dependence=dependence,
    )


def _projection(comm):
    n_post = comm.n_post
    syn = nd.Expon(n_post, tau=5.0 * u.ms, g_initializer=nd.init.ZeroInit(u.nS))
    return nd.AlignPostProj(comm, syn, nd.COBA(E=0.0 * u.mV), nd.LIF(n_post))


def _spike_trains(rng, n_steps, n):
    """Spikes whose count per step ranges from none to all neurons at once."""
    rates = rng.choice([0.0, 0.0, 0.01, 0.04, 0.15, 1.0], size=(n_steps, 1), p=[0.3, 0.2, 0.2,
                       0.15, 0.1, 0.05])  # fmt: skip
    return (rng.random((n_steps, n)) < rates).astype(np.float32)


def _pairs(comm):
    """(pre, post) of every synapse, in the order of the weights."""
    if isinstance(comm, nd.AllToAll):
        pre, post = np.meshgrid(np.arange(comm.n_pre), np.arange(comm.n_post), indexing="ij")
        return pre.ravel(), post.ravel()
    indptr = np.asarray(comm.indptr.value)
    return np.repeat(np.arange(comm.n_pre), np.diff(indptr)), np.asarray(comm.indices.value)


CONNECTIVITIES = {
    "all_to_all": lambda w: nd.AllToAll(40, 30, w),
    "fixed_prob": lambda w: nd.FixedProb(40, 30, prob=0.25, weight=w, seed=3),
    "conn_num": lambda w: nd.FixedProb(40, 30, conn_num=6, weight=w, seed=4),
}


@pytest.mark.parametrize("connectivity", list(CONNECTIVITIES))
@pytest.mark.parametrize("pairing", ["all", "nearest"])
@pytest.mark.parametrize("dependence", ["additive", "multiplicative"])
def test_weights_equal_the_event_by_event_reference(connectivity, pairing, dependence):
    rng = np.random.default_rng(7)
    comm = CONNECTIVITIES[connectivity](0.5 * u.nS)
    shape = (40, 30) if connectivity == "all_to_all" else (comm.n_synapses,)
    initial = rng.uniform(0.1, 0.9, shape).astype(np.float32)
    comm.weight.value = u.with_unit(jnp.asarray(initial), u.nS)
    initial = initial.ravel()
    stdp = _stdp(_projection(comm), pairing, dependence)
    nd.init_all_states(stdp)
    if isinstance(comm, nd.FixedProb):  # steps of 0, 1, several loop iterations, and dense
        stdp.by_pre.rows_per_iteration = stdp.by_post.rows_per_iteration = 2
    n_steps = 400
    pre, post = _spike_trains(rng, n_steps, 40), _spike_trains(rng, n_steps, 30)
    nd.for_loop(stdp, jnp.asarray(pre), jnp.asarray(post))

    learned = np.asarray(stdp.weight.value.to_decimal(u.nS)).ravel()
    pre_of, post_of = _pairs(comm)
    expected = [
        reference_weight(
            np.flatnonzero(pre[:, i]),
            np.flatnonzero(post[:, j]),
            float(w0),
            pairing=pairing,
            dependence=dependence,
            rule=RULE,
        )
        for i, j, w0 in zip(pre_of, post_of, initial, strict=True)
    ]
    np.testing.assert_allclose(learned, expected, atol=2e-5)
    if dependence == "additive":  # a bound was reached, so clipping was tested
        assert ((learned == 0.0) | (learned == 1.0)).any()
    # the traces hold the spikes: all-to-all sums them, nearest keeps the latest
    age = n_steps - 1 - np.arange(n_steps)
    decay = np.exp(-age[:, None] * DT / RULE["tau_plus"])
    if pairing == "all":
        x = (pre * decay).sum(axis=0)
    else:
        last = np.array([np.flatnonzero(pre[:, i]).max(initial=-1) for i in range(40)])
        x = np.where(last >= 0, np.exp(-(n_steps - 1 - last) * DT / RULE["tau_plus"]), 0.0)
    np.testing.assert_allclose(np.asarray(stdp.pre_trace.value), x, rtol=1e-4, atol=1e-6)


def test_all_to_all_without_bounds_sums_the_window_over_every_pair():
    """Far from the bounds, all-to-all pairing adds F(t_post - t_pre) over all pairs:
    A+ R exp(-dt/tau+) for pre before (or with) post, -A- R exp(dt/tau-) otherwise."""
    rule = dict(RULE, A_plus=1e-4, A_minus=1.2e-4)
    syn = nd.Expon(1, tau=5.0 * u.ms, g_initializer=nd.init.ZeroInit(u.pA))
    proj = nd.AlignPostProj(nd.AllToAll(1, 1, 0.0 * u.pA), syn, nd.CUBA(), nd.LIF(1))
    stdp = STDP(proj, w_min=-100.0 * u.pA, w_max=100.0 * u.pA, tau_plus=15.0 * u.ms,
                tau_minus=25.0 * u.ms, A_plus=1e-4, A_minus=1.2e-4)  # fmt: skip
    nd.init_all_states(stdp)
    pre_steps, post_steps = np.array([3, 50, 51, 120, 300]), np.array([10, 51, 90, 100, 299])
    pre = np.zeros((400, 1), np.float32)
    post = np.zeros((400, 1), np.float32)
    pre[pre_steps], post[post_steps] = 1.0, 1.0
    nd.for_loop(stdp, jnp.asarray(pre), jnp.asarray(post))
    lag = (post_steps[None, :] - pre_steps[:, None]) * DT  # t_post - t_pre, every pair
    window = np.where(
        lag >= 0,
        rule["A_plus"] * np.exp(-lag / rule["tau_plus"]),
        -rule["A_minus"] * np.exp(lag / rule["tau_minus"]),
    )
    expected = 200.0 * window.sum()
    learned = float(stdp.weight.value.to_decimal(u.pA)[0, 0])
    # float32 traces decayed step by step: relative error ~ steps * 1e-7 of each pair term
    assert learned == pytest.approx(expected, abs=1e-4 * 200.0 * rule["A_plus"])
    assert abs(expected) > 100 * 1e-4 * 200.0 * rule["A_plus"]


def test_inside_a_run_the_weights_follow_the_recorded_spikes():
    """A model run by nd.run: Poisson inputs drive LIF neurons through a plastic sparse
    projection; the learned weights equal the reference applied to the recorded spikes."""

    class Net(nd.Module):
        def __init__(self):
            super().__init__("net")
            self.source = nd.PoissonSpike(50, freqs=40.0 * u.Hz)
            self.neurons = nd.LIF(20, tau=10.0 * u.ms, V_rest=-65.0 * u.mV, V_th=-50.0 * u.mV,
                                  R=1.0 * u.Mohm)  # fmt: skip
            self.proj = nd.AlignPostProj(
                nd.FixedProb(50, 20, prob=0.3, weight=0.5 * u.nS, seed=1),
                nd.Expon(20, tau=5.0 * u.ms, g_initializer=nd.init.ZeroInit(u.nS)),
                nd.COBA(E=0.0 * u.mV),
                self.neurons,
            )
            self.stdp = _stdp(self.proj, "all", "additive")
            self.drive = jnp.linspace(15.5, 20.0, 20) * u.nA  # each neuron its own rate

        def update(self):
            pre = self.source()
            self.proj(pre)
            post = self.neurons(self.drive)
            self.stdp(pre, post)

    net = nd.init_all_states(Net())
    result = nd.run(net, 200.0 * u.ms, monitors={"pre": "source.spike", "post": "neurons.spike"})
    pre, post = np.asarray(result["pre"]), np.asarray(result["post"])
    assert post.sum() > 50 and pre.sum() > 200
    pre_of, post_of = _pairs(net.proj.comm)
    expected = [
        reference_weight(
            np.flatnonzero(pre[:, i]),
            np.flatnonzero(post[:, j]),
            0.5,
            pairing="all",
            dependence="additive",
            rule=RULE,
        )
        for i, j in zip(pre_of, post_of, strict=True)
    ]
    learned = np.asarray(net.stdp.weight.value.to_decimal(u.nS))
    np.testing.assert_allclose(learned, expected, atol=2e-5)
    assert np.abs(learned - 0.5).max() > 0.1


def _response(proj):
    """Peak depolarisation (mV) of a fresh ``post`` after one presynaptic spike."""
    post = proj.post
    nd.init_all_states(proj)
    spike = jnp.ones(1)

    def step(i):
        proj(jnp.where(i == 0, spike, 0.0 * spike))
        post()
        return post.V.value

    V = nd.for_loop(step, jnp.arange(200))
    return float(u.to_float(V.max() - post.V_rest, u.mV)), proj.syn


@pytest.mark.parametrize("lag_steps, grows", [(20, True), (-20, False)])
def test_learning_changes_the_postsynaptic_response(lag_steps, grows):
    """Pre 2 ms before post (20 pairings) potentiates, 2 ms after depresses: the
    conductance jump of a test spike is the learned weight, and the PSP follows it."""
    neuron = nd.LIF(1, tau=20.0 * u.ms, V_rest=-70.0 * u.mV, V_th=-54.0 * u.mV,
                    V_reset=-60.0 * u.mV, R=100.0 * u.Mohm)  # fmt: skip
    syn = nd.Expon(1, tau=5.0 * u.ms, g_initializer=nd.init.ZeroInit(u.nS))
    proj = nd.AlignPostProj(nd.AllToAll(1, 1, 1.0 * u.nS), syn, nd.COBA(E=0.0 * u.mV), neuron)
    before, _ = _response(proj)
    stdp = STDP(proj, w_max=2.0 * u.nS, A_plus=0.02, A_minus=0.02)
    nd.init_all_states(stdp)
    pre, post = np.zeros((20 * 2000, 1), np.float32), np.zeros((20 * 2000, 1), np.float32)
    pre[100::2000] = 1.0
    post[100 + lag_steps :: 2000] = 1.0
    nd.for_loop(stdp, jnp.asarray(pre), jnp.asarray(post))
    weight = float(stdp.weight.value.to_decimal(u.nS)[0, 0])
    change = 20 * 0.02 * 2.0 * np.exp(-2.0 / 20.0)  # pairings 200 ms apart: e^-10, negligible
    assert weight == pytest.approx(1.0 + change if grows else 1.0 - change, rel=1e-3)
    after, syn = _response(proj)
    assert (after > 1.1 * before) if grows else (after < 0.9 * before)
    g_peak = float(syn.g.value.to_decimal(u.nS)[0]) * np.exp(199 * DT / 5.0)
    assert g_peak == pytest.approx(weight, rel=1e-3)


def test_nearest_pairing_sees_only_the_latest_spike():
    proj = _projection(nd.AllToAll(1, 1, 0.5 * u.nS))
    weights = {}
    for pairing in ("all", "nearest"):
        stdp = _stdp(proj, pairing, "additive", dict(RULE, A_minus=0.0))
        proj.comm.weight.value = 0.5 * u.nS * jnp.ones((1, 1))
        nd.init_all_states(stdp)
        pre = np.zeros((60, 1), np.float32)
        post = np.zeros((60, 1), np.float32)
        pre[[0, 10, 20]], post[50] = 1.0, 1.0
        nd.for_loop(stdp, jnp.asarray(pre), jnp.asarray(post))
        weights[pairing] = float(stdp.weight.value.to_decimal(u.nS)[0, 0])
    lags = np.array([5.0, 4.0, 3.0])  # ms from each pre spike to the post spike
    steps = RULE["A_plus"] * np.exp(-lags / RULE["tau_plus"])
    assert weights["all"] == pytest.approx(0.5 + steps.sum(), rel=1e-5)
    assert weights["nearest"] == pytest.approx(0.5 + steps[-1], rel=1e-5)


def test_removed_diagonal_and_homogeneous_weights():
    dense = nd.AllToAll(5, 5, 0.5 * u.nS, include_self=False)
    stdp = _stdp(_projection(dense), "all", "additive")
    nd.init_all_states(stdp)
    nd.for_loop(stdp, jnp.ones((30, 5)), jnp.ones((30, 5)))
    learned = np.asarray(stdp.weight.value.to_decimal(u.nS))
    assert (np.diagonal(learned) == 0.0).all() and (learned[~np.eye(5, dtype=bool)] > 0.5).all()
    sparse = nd.FixedProb(30, 20, prob=0.2, weight=0.5 * u.nS, seed=0)
    before = np.asarray(sparse(jnp.ones(30)).to_decimal(u.nS))
    stdp = _stdp(_projection(sparse), "all", "additive")
    assert sparse.weight.value.shape == (sparse.n_synapses,)  # one weight per synapse now
    np.testing.assert_allclose(np.asarray(sparse(jnp.ones(30)).to_decimal(u.nS)), before)


def _proj_05():
    return _projection(nd.AllToAll(3, 2, 0.5 * u.nS))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(w_max=0.4 * u.nS), r"STDP.w_max must be >= every weight .* largest is 0.5 nS"),
        (dict(w_max=1.0 * u.nS, w_min=0.6 * u.nS), r"STDP.w_min must be <= every weight"),
        (dict(w_max=1.0 * u.mV), r"STDP.w_max must be in the unit of the weights it bounds \(nS"),
        (dict(w_max=1.0), r"STDP.w_max must be in the unit of the weights"),
        (dict(w_max=1.0 * u.nS, w_min=-0.1 * u.nS), r"STDP.w_min must be >= 0 nS with a conduc"),
        (dict(w_max=1.0 * u.nS, w_min=2.0 * u.nS), r"STDP.w_min must be < w_max"),
        (dict(w_max=1.0 * u.nS, tau_plus=20.0 * u.mV), r"STDP.tau_plus must be a time quantity"),
        (dict(w_max=1.0 * u.nS, tau_plus=20.0), r"STDP.tau_plus must be a time quantity"),
        (dict(w_max=1.0 * u.nS, tau_minus=0.0 * u.ms), r"STDP.tau_minus must be > 0 ms"),
        (dict(w_max=1.0 * u.nS, A_plus=-0.1), r"STDP.A_plus must be >= 0"),
        (dict(w_max=1.0 * u.nS, A_minus=0.1 * u.nS), r"STDP.A_minus must be dimensionless"),
        (dict(w_max=1.0 * u.nS, pairing="nn"), r"pairing must be 'all' or 'nearest', got 'nn'"),
        (dict(w_max=1.0 * u.nS, weight_dependence="soft"), r"weight_dependence must be 'addi"),
    ],
)
def test_invalid_parameters_are_refused_with_the_rule(kwargs, message):
    with pytest.raises(nd.ParameterError, match=message):
        STDP(_proj_05(), **kwargs)


def test_invalid_projection_assignment_batch_and_spikes():
    with pytest.raises(nd.ParameterError, match="proj must be an AlignPostProj, got DeltaProj"):
        STDP(nd.DeltaProj(nd.AllToAll(2, 3, 1.0 * u.mV), nd.LIF(3)), w_max=2.0 * u.mV)
    stdp = STDP(_proj_05(), w_max=1.0 * u.nS)
    with pytest.raises(nd.ParameterError, match=r"w_max must be >= every weight"):
        stdp.w_max = 0.3 * u.nS
    assert float(stdp.w_max.to_decimal(u.nS)) == 1.0  # the refused value was not kept
    stdp.w_max = 0.5 * u.nS  # equal to the largest weight is allowed
    with pytest.raises(nd.ParameterError, match=r"cannot be batched; got batch_size=2"):
        nd.init_all_states(stdp, batch_size=2)
    nd.init_all_states(stdp)
    with pytest.raises(nd.ParameterError, match=r"presynaptic spikes of shape \(4,\)"):
        stdp(jnp.zeros(4), jnp.zeros(2))
    with pytest.raises(nd.ParameterError, match=r"post_spikes must be the spikes of one step"):
        stdp(jnp.zeros(3), jnp.zeros((2, 2)))
    with pytest.raises(nd.ParameterError, match=r"pre_spikes must be the spikes of one step"):
        stdp(jnp.zeros((2, 3)), jnp.zeros(2))
