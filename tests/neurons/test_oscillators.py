"""FitzHugh-Nagumo and Hindmarsh-Rose against solve_ivp at tight tolerance: the whole
trajectory, and the spikes as upward crossings of V_th."""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurodyn as nd
from neurodyn import units as u
from neurodyn.neurons import FitzHughNagumo, HindmarshRose

DT = 0.01  # ms


def _fhn_field(I, a=0.7, b=0.8, tau=1.0, tau_w=12.5):
    return lambda t, y: [(y[0] - y[0] ** 3 / 3 - y[1] + I) / tau, (y[0] + a - b * y[1]) / tau_w]


def _hr_field(I, a=1.0, b=3.0, c=1.0, d=5.0, r=0.006, s=4.0, V_r=-1.6):
    def field(t, y):
        V, fast, slow = y
        return [fast - a * V**3 + b * V**2 - slow + I, c - d * V**2 - fast,
                r * (s * (V - V_r) - slow)]  # fmt: skip

    return field


# model, its reference field, initial state, inputs, duration (ms), tolerance on the
# variables (worst seen with rk4 at dt = 0.01 ms in float64: FHN 3.1e-9, HR 5.2e-5 on y)
CASES = {
    "FitzHughNagumo": (FitzHughNagumo, _fhn_field, [-1.2, -0.62], [0.0, 0.5, 1.0], 200.0, 1e-8),
    "HindmarshRose": (HindmarshRose, _hr_field, [-1.6, -10.0, 0.0], [1.5, 3.0], 300.0, 1e-4),
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_trajectory_and_spikes_match_solve_ivp(key):
    nd.environ.set(dt=DT * u.ms, precision=64)
    cls, field, y0, inputs, duration, tol = CASES[key]
    neuron = cls(len(inputs), method="rk4")
    nd.init_all_states(neuron)
    result = nd.run(
        neuron, duration * u.ms, inputs=lambda i, t: jnp.asarray(inputs),
        monitors={"spike": neuron.spike, **{k: getattr(neuron, k) for k in cls.STATES}},
    )  # fmt: skip
    n = round(duration / DT)
    t = np.arange(1, n + 1) * DT
    for column, I in enumerate(inputs):
        ref = solve_ivp(field(I), (0, duration), y0, t_eval=t, rtol=1e-12, atol=1e-12,
                        method="DOP853")  # fmt: skip
        for row, k in enumerate(cls.STATES):
            np.testing.assert_allclose(np.asarray(result[k])[:, column], ref.y[row], atol=tol)
        V_prev = np.concatenate([[y0[0]], ref.y[0][:-1]])
        crossings = np.flatnonzero((V_prev < 1.0) & (ref.y[0] >= 1.0))
        spikes = np.flatnonzero(np.asarray(result["spike"])[:, column] > 0)
        np.testing.assert_array_equal(spikes, crossings)
    assert np.asarray(result["spike"]).sum(axis=0)[1:].min() > 0  # the driven ones spike


def test_fitzhugh_nagumo_default_integrator_is_close():
    """brainpy.state's exponential Euler at dt = 0.01 ms: within 0.05 of the reference
    (worst seen 0.028, around the fast upstroke)."""
    nd.environ.set(dt=DT * u.ms, precision=64)
    neuron = FitzHughNagumo(1)
    nd.init_all_states(neuron)
    result = nd.run(neuron, 100.0 * u.ms, inputs=lambda i, t: 0.5, monitors={"V": neuron.V})
    t = np.arange(1, 10001) * DT
    ref = solve_ivp(_fhn_field(0.5), (0, 100), [-1.2, -0.62], t_eval=t, rtol=1e-12, atol=1e-12)
    assert np.abs(np.asarray(result["V"])[:, 0] - ref.y[0]).max() < 0.05


def test_input_must_be_dimensionless():
    neuron = HindmarshRose(1)
    nd.init_all_states(neuron)
    with pytest.raises(nd.ParameterError, match="input x must be dimensionless"):
        with nd.environ.context(t=0.0 * u.ms, i=0):
            neuron.update(1.0 * u.nA)
