"""Alpha and DualExpon impulse responses and peaks against their closed forms."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


def _impulse_response(syn, n=1000):
    nd.init_all_states(syn)
    pulse = jnp.zeros((n, 1)).at[0].set(1.0) * u.mS
    result = nd.run(syn, n * 0.1 * u.ms, inputs=pulse, monitors={"g": syn.output})
    return np.arange(n) * 0.1, np.asarray(result["g"].to_decimal(u.mS))[:, 0]


@pytest.mark.parametrize("tau", [2.0, 5.0])
def test_alpha_impulse_response_and_peak(tau):
    t, g = _impulse_response(nd.Alpha(1, tau=tau * u.ms))
    np.testing.assert_allclose(g, t / tau * np.exp(-t / tau), rtol=1e-4, atol=1e-7)
    assert abs(t[np.argmax(g)] - tau) <= 0.1
    assert g.max() == pytest.approx(np.exp(-1.0), rel=1e-3)


@pytest.mark.parametrize("tau_rise,tau_decay", [(1.0, 10.0), (0.5, 3.0)])
def test_dual_expon_impulse_response_peak_normalised(tau_rise, tau_decay):
    t, g = _impulse_response(nd.DualExpon(1, tau_decay=tau_decay * u.ms, tau_rise=tau_rise * u.ms))
    shape = np.exp(-t / tau_decay) - np.exp(-t / tau_rise)
    t_peak = tau_decay * tau_rise / (tau_decay - tau_rise) * np.log(tau_decay / tau_rise)
    expected = shape / (np.exp(-t_peak / tau_decay) - np.exp(-t_peak / tau_rise))
    np.testing.assert_allclose(g, expected, rtol=1e-4, atol=1e-6)
    assert abs(t[np.argmax(g)] - t_peak) <= 0.1
    assert g.max() == pytest.approx(1.0, abs=2e-3)  # peak within a step of 1


def test_dual_expon_with_amplitude_and_validation():
    t, g = _impulse_response(nd.DualExpon(1, tau_decay=8.0 * u.ms, tau_rise=2.0 * u.ms, A=3.0))
    np.testing.assert_allclose(g, 3.0 * (np.exp(-t / 8.0) - np.exp(-t / 2.0)), rtol=1e-4, atol=1e-6)
    with pytest.raises(nd.ParameterError, match="tau_rise must be < tau_decay"):
        nd.DualExpon(1, tau_decay=2.0 * u.ms, tau_rise=2.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="tau must be > 0 ms"):
        nd.Alpha(1, tau=-1.0 * u.ms)
