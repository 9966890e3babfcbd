"""Expon impulse response and outputs against closed forms."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


@pytest.mark.parametrize("tau", [2.0, 5.0, 13.0])
def test_impulse_response_is_exponential(tau):
    syn = nd.Expon(1, tau=tau * u.ms)
    nd.init_all_states(syn)
    n = 500
    pulse = jnp.zeros((n, 1)).at[0].set(1.0) * u.mS
    result = nd.run(syn, n * 0.1 * u.ms, inputs=pulse, monitors={"g": syn.g})
    t = np.arange(n) * 0.1  # the pulse arrives in step 0
    np.testing.assert_allclose(
        np.asarray(result["g"].to_decimal(u.mS))[:, 0], np.exp(-t / tau), rtol=2e-5, atol=1e-7
    )


def test_expon_validation():
    with pytest.raises(nd.ParameterError, match="tau must be > 0 ms"):
        nd.Expon(2, tau=0.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="tau must be a time quantity"):
        nd.Expon(2, tau=5.0)


def test_outputs():
    g, V = 10.0 * u.nS, -60.0 * u.mV
    assert float(nd.COBA(E=0.0 * u.mV)(g, V).to_decimal(u.pA)) == pytest.approx(600.0)
    assert float(nd.COBA(E=-80.0 * u.mV)(g, V).to_decimal(u.pA)) == pytest.approx(-200.0)
    assert float(nd.CUBA(scale=2.0)(3.0 * u.pA).to_decimal(u.pA)) == pytest.approx(6.0)
    with pytest.raises(nd.ParameterError, match="E must be a voltage quantity"):
        nd.COBA(E=0.0)
