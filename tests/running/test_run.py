"""The runner: monitors, inputs, timing, NaN detection, reproducibility."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


def _lif():
    lif = nd.LIF(
        10,
        tau=10.0 * u.ms,
        R=1.0 * u.Mohm,
        V_rest=0.0 * u.mV,
        V_reset=0.0 * u.mV,
        V_th=100.0 * u.mV,
    )
    nd.init_all_states(lif)
    return lif


def test_monitor_subset_every_k_steps():
    lif = _lif()
    full = nd.run(lif, 10.0 * u.ms, inputs=lambda i, t: 1.0 * u.nA, monitors={"V": lif.V})
    lif = _lif()
    sub = nd.run(
        lif,
        10.0 * u.ms,
        inputs=lambda i, t: 1.0 * u.nA,
        monitors={"V": nd.Monitor("V", indices=[2, 7], every=4)},
    )
    assert sub["V"].shape == (25, 2)
    np.testing.assert_allclose(
        np.asarray(sub["V"].to_decimal(u.mV)),
        np.asarray(full["V"].to_decimal(u.mV))[3::4][:, [2, 7]],
        rtol=1e-6,
    )
    np.testing.assert_allclose(np.asarray(sub.ts.to_decimal(u.ms)), np.arange(1, 26) * 0.4)
    # and V matches the closed form V(t) = R I (1 - exp(-t / tau))
    t = np.asarray(full.ts.to_decimal(u.ms))
    np.testing.assert_allclose(
        np.asarray(full["V"].to_decimal(u.mV))[:, 0], 1.0 * (1 - np.exp(-t / 10.0)), rtol=1e-4
    )


def test_inputs_with_time_axis_and_function_of_time():
    lif = _lif()
    drive = jnp.ones((100, 10)) * u.nA
    a = nd.run(lif, 10.0 * u.ms, inputs=drive, monitors={"V": lif.V})
    lif = _lif()
    b = nd.run(lif, 10.0 * u.ms, inputs=lambda i, t: 1.0 * u.nA, monitors={"V": lif.V})
    np.testing.assert_allclose(np.asarray(a["V"].mantissa), np.asarray(b["V"].mantissa))
    with pytest.raises(nd.ParameterError, match="leading time axis of length 100"):
        nd.run(lif, 10.0 * u.ms, inputs=jnp.ones((99, 10)) * u.nA)


def test_run_reports_timings_and_rejects_bad_duration():
    lif = _lif()
    result = nd.run(lif, 1.0 * u.ms, monitors={"V": "V"})
    assert result.compile_time > 0 and result.run_time > 0 and result.n_steps == 10
    with pytest.raises(nd.ParameterError, match="duration must be a time quantity"):
        nd.run(lif, 10.0)
    with pytest.raises(nd.ParameterError, match="whole number of time steps"):
        nd.run(lif, 1.05 * u.ms)
    with pytest.raises(nd.ParameterError, match="no attribute 'U'"):
        nd.run(lif, 1.0 * u.ms, monitors={"U": "U"})


def test_blow_up_names_state_step_time_and_neurons_and_keeps_the_model():
    lif = _lif()
    nd.run(lif, 1.0 * u.ms, inputs=lambda i, t: 1.0 * u.nA)  # 10 steps
    V_before = np.asarray(lif.V.value.mantissa)
    # a corrupt input at step 25, for neurons 3 and 7 only, turns their V into NaN
    bad = (jnp.arange(10) == 3) | (jnp.arange(10) == 7)
    corrupt = lambda i, t: jnp.where((i == 25) & bad, jnp.nan, 1.0) * u.nA  # noqa: E731
    with pytest.raises(nd.SimulationError) as caught:
        nd.run(lif, 5.0 * u.ms, inputs=corrupt, monitors={"V": lif.V})
    message = str(caught.value)
    assert "state V became non-finite" in message
    assert "in step 25 (t = 2.5 ms to 2.6 ms)" in message
    assert "neurons [3, 7]" in message
    # the model is as it was before the failed run: same V, same time
    np.testing.assert_array_equal(np.asarray(lif.V.value.mantissa), V_before)
    assert int(lif.clock.step.value) == 10
    # the record up to the failing step is kept for inspection: steps 10..25
    partial = caught.value.result
    assert partial["V"].shape == (16, 10)
    np.testing.assert_allclose(np.asarray(partial.ts.to_decimal(u.ms)), np.arange(11, 27) * 0.1)
    assert np.isnan(np.asarray(partial["V"].mantissa)[-1, [3, 7]]).all()
    assert np.isfinite(np.asarray(partial["V"].mantissa)[:-1]).all()


def test_poisson_rate_and_seed():
    src = nd.PoissonSpike(2000, freqs=20.0 * u.Hz)
    nd.init_all_states(src)
    nd.random.seed(1)
    a = nd.run(src, 500.0 * u.ms, monitors={"n": lambda: src.spike.value.sum()})
    nd.random.seed(1)
    b = nd.run(src, 500.0 * u.ms, monitors={"n": lambda: src.spike.value.sum()})
    np.testing.assert_array_equal(np.asarray(a["n"]), np.asarray(b["n"]))
    with pytest.raises(nd.ParameterError, match="freqs \\* dt must be <= 1"):
        nd.run(nd.init_all_states(nd.PoissonSpike(3, freqs=20.0 * u.kHz)), 1.0 * u.ms)
    rate = float(np.asarray(a["n"]).sum()) / 2000 / 0.5
    assert abs(rate - 20.0) < 3 * np.sqrt(20.0 / 2000 / 0.5)  # three standard errors


def test_run_leaves_states_usable_and_does_not_consume_held_values():
    lif = _lif()
    held = lif.V.value
    nd.run(lif, 1.0 * u.ms, inputs=lambda i, t: 1.0 * u.nA, monitors={"V": lif.V})
    np.testing.assert_allclose(np.asarray(held.to_decimal(u.mV)), 0.0)  # not donated
    assert not np.allclose(np.asarray(lif.V.value.to_decimal(u.mV)), 0.0)
    # a step that fails while compiling leaves the states as they were, not as tracers
    before = np.asarray(lif.V.value.to_decimal(u.mV))
    with pytest.raises(nd.ParameterError):
        nd.run(lif, 1.0 * u.ms, inputs=lambda i, t: 1.0 * u.mV)  # a voltage is no current
    np.testing.assert_array_equal(np.asarray(lif.V.value.to_decimal(u.mV)), before)


def test_run_before_init_names_the_fix():
    with pytest.raises(nd.ParameterError, match="init_all_states"):
        nd.run(nd.LIF(3), 1.0 * u.ms)


def test_monitor_argument_errors():
    lif = _lif()
    with pytest.raises(nd.ParameterError, match="indices must lie in \\[0, 10\\)"):
        nd.run(lif, 1.0 * u.ms, monitors={"V": nd.Monitor("V", indices=[10])})
    with pytest.raises(nd.ParameterError, match="longer than the run"):
        nd.run(lif, 1.0 * u.ms, monitors={"V": nd.Monitor("V", every=11)})
    with pytest.raises(nd.ParameterError, match="positive whole number"):
        nd.Monitor("V", every=2.5)
