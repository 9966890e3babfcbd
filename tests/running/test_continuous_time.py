"""Time continues: a run of T then T is the simulation of 2T, bit for bit (issue 12)."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


def _lif():
    return nd.LIF(5, tau=10.0 * u.ms, R=1.0 * u.Mohm, V_rest=-65.0 * u.mV, V_th=-50.0 * u.mV,
                  V_reset=-65.0 * u.mV, tau_ref=2.0 * u.ms)  # fmt: skip


def _ramp(i, t):
    # depends on t and i: a replay from t = 0 would show in the record
    return (10.0 + 30.0 * u.math.sin(t / (7.0 * u.ms)) + 0.001 * i) * u.nA


def _hh_noisy():
    # exponential Euler: stable at the default dt = 0.1 ms, where HH's default (rk2,
    # chosen for dt = 0.01 ms) is not; continuity, not accuracy, is tested here
    return nd.HH(4, noise=0.5 * u.mV / u.ms**0.5, method="exp_euler")


def _hh_drive(i, t):
    return (8.0 + 4.0 * u.math.sin(t / (3.0 * u.ms))) * u.uA / u.cm2


def _nest(model, **kwargs):
    def build():
        return getattr(nd.nest, model)(3, **kwargs)

    return build


def _pa_drive(i, t):
    return (600.0 + 200.0 * u.math.sin(t / (5.0 * u.ms))) * u.pA


CASES = {
    "LIF": (_lif, _ramp, ("V", "refractory", "spike"), 32),
    "HH with noise": (_hh_noisy, _hh_drive, ("V", "m", "h", "n"), 32),
    "iaf_psc_alpha": (_nest("iaf_psc_alpha"), _pa_drive, ("V", "last_spike_time"), 64),
    "aeif_cond_alpha": (
        _nest("aeif_cond_alpha", I_e=400.0 * u.pA),
        _pa_drive,
        ("V", "w", "last_spike_time"),
        64,
    ),
    "iaf_bw_2001": (_nest("iaf_bw_2001"), _pa_drive, ("V", "s_NMDA", "last_spike_time"), 64),
}


@pytest.mark.parametrize("name", list(CASES))
def test_two_runs_of_T_equal_one_run_of_2T(name):
    build, drive, recorded, precision = CASES[name]
    nd.environ.set(precision=precision)
    try:
        monitors = lambda m: {k: getattr(m, k) for k in recorded}  # noqa: E731
        nd.random.seed(3)
        whole = build()
        nd.init_all_states(whole)
        both = nd.run(whole, 40.0 * u.ms, inputs=drive, monitors=monitors(whole))
        nd.random.seed(3)
        split = build()
        nd.init_all_states(split)
        first = nd.run(split, 20.0 * u.ms, inputs=drive, monitors=monitors(split))
        second = nd.run(split, 20.0 * u.ms, inputs=drive, monitors=monitors(split))
        # the time axis continues ...
        np.testing.assert_array_equal(
            np.concatenate([first.ts.to_decimal(u.ms), second.ts.to_decimal(u.ms)]),
            np.asarray(both.ts.to_decimal(u.ms)),
        )
        assert int(split.clock.step.value) == int(whole.clock.step.value) == 400
        # ... and so does every recorded state, to the bit
        for key in recorded:
            joined = np.concatenate(
                [np.asarray(u.magnitude(first[key])), np.asarray(u.magnitude(second[key]))]
            )
            np.testing.assert_array_equal(joined, np.asarray(u.magnitude(both[key])), err_msg=key)
        assert np.asarray(u.magnitude(both[recorded[0]])).std() > 0  # something happened
        if "last_spike_time" in recorded:  # spikes in the second half, timed on one axis
            last = np.asarray(u.to_float(whole.last_spike_time.value, u.ms))
            assert (last > 20.0).any() and (last <= 40.0).all()
    finally:
        nd.environ.set(precision=32)


def test_for_loop_continues_the_models_time():
    lif = _lif()
    nd.init_all_states(lif)
    seen = nd.run(lif, 1.0 * u.ms, monitors={"t": lambda: nd.environ.get("t")})
    assert float(seen["t"][-1].to_decimal(u.ms)) == pytest.approx(0.9)

    def step():
        lif(_ramp(nd.environ.get("i"), nd.environ.get("t")))
        return nd.environ.get("i"), nd.environ.get("t")

    i, t = nd.for_loop(step, length=5, clock=lif)
    np.testing.assert_array_equal(np.asarray(i), np.arange(10, 15))
    np.testing.assert_allclose(np.asarray(t.to_decimal(u.ms)), np.arange(10, 15) * 0.1, rtol=1e-6)
    assert int(lif.clock.step.value) == 15
    after = nd.run(lif, 0.5 * u.ms, monitors={"V": lif.V})
    np.testing.assert_allclose(np.asarray(after.ts.to_decimal(u.ms)), np.arange(16, 21) * 0.1)


def test_starting_over_is_explicit():
    lif = _lif()
    nd.init_all_states(lif)
    a = nd.run(lif, 2.0 * u.ms, inputs=_ramp, monitors={"V": lif.V})
    nd.run(lif, 2.0 * u.ms, inputs=_ramp)
    b = nd.run(lif, 2.0 * u.ms, inputs=_ramp, monitors={"V": lif.V}, reset=True)
    np.testing.assert_array_equal(np.asarray(a["V"].mantissa), np.asarray(b["V"].mantissa))
    np.testing.assert_array_equal(np.asarray(a.ts.mantissa), np.asarray(b.ts.mantissa))
    nd.reset_all_states(lif)
    assert int(lif.clock.step.value) == 0
    c = nd.run(lif, 2.0 * u.ms, inputs=_ramp, monitors={"V": lif.V})
    np.testing.assert_array_equal(np.asarray(a["V"].mantissa), np.asarray(c["V"].mantissa))


def test_changed_dt_or_precision_is_refused_until_states_are_recreated():
    lif = _lif()
    nd.init_all_states(lif)
    with nd.environ.context(dt=0.05 * u.ms):
        with pytest.raises(nd.ParameterError, match="dt changed from 0.1 ms to 0.05 ms"):
            nd.run(lif, 1.0 * u.ms)
        with pytest.raises(nd.ParameterError, match="nd.init_all_states"):
            nd.for_loop(lambda: lif(), length=3, clock=lif)
        nd.init_all_states(lif)
        result = nd.run(lif, 1.0 * u.ms, monitors={"V": lif.V})
        assert result["V"].shape == (20, 5)
    nd.init_all_states(lif)
    nd.environ.set(precision=64)
    try:
        with pytest.raises(nd.ParameterError, match="precision changed from 32 to 64"):
            nd.run(lif, 1.0 * u.ms)
        nd.init_all_states(lif)
        assert nd.run(lif, 1.0 * u.ms, monitors={"V": lif.V})["V"].dtype == jnp.float64
    finally:
        nd.environ.set(precision=32)
