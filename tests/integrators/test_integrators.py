"""Integrators against closed-form solutions."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.integrators import METHODS
from neurodyn.integrators._explicit_rk import EULER, HEUN, MIDPOINT, RK4


def _solve(f, y0, t_end, dt, method):
    y = y0
    for k in range(int(round(t_end / dt))):
        y = nd.integrate(f, y, k * dt * u.ms, dt * u.ms, method=method)
    return y


def test_exp_euler_exact_on_linear_ode():
    # tau dV/dt = -(V - E) + I R, exact solution V(t) = E + IR + (V0 - E - IR) e^{-t/tau}
    tau, E, IR, V0 = 7.0, -65.0, 12.0, -80.0

    def f(V, t):
        return (-(V - E * u.mV) + IR * u.mV) / (tau * u.ms)

    dt, t_end = 0.5, 20.0  # a large step: exactness does not depend on dt
    V = _solve(f, V0 * u.mV, t_end, dt, "exp_euler")
    expected = E + IR + (V0 - E - IR) * np.exp(-t_end / tau)
    assert abs(float(V.to_decimal(u.mV)) - expected) < 1e-4


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_solves_decay(method):
    def f(y, t):
        return -y / (10.0 * u.ms)

    y = _solve(f, jnp.ones(3) * u.mV, 10.0, 0.01, method)
    np.testing.assert_allclose(np.asarray(y.to_decimal(u.mV)), np.exp(-1.0), rtol=1e-3)


def _global_error(method, dt):
    # y' = cos(t) y on t in [0, 2]: y(t) = exp(sin t); nonautonomous, exercises c_i
    def f(y, t):
        return u.math.cos(t.to_decimal(u.ms)) * y / u.ms

    y = _solve(f, jnp.asarray(1.0, jnp.float64) * u.mV, 2.0, dt, method)
    return abs(float(y.to_decimal(u.mV)) - np.exp(np.sin(2.0)))


@pytest.mark.parametrize(
    "method,order",
    [("euler", EULER.order), ("rk2", MIDPOINT.order), ("heun", HEUN.order), ("rk4", RK4.order)],
)
def test_convergence_order(method, order):
    nd.environ.set(precision=64)
    errors = [_global_error(method, dt) for dt in (0.04, 0.02, 0.01)]
    measured = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert order == {"euler": 1, "rk2": 2, "heun": 2, "rk4": 4}[method]  # the textbook orders
    assert np.all(np.abs(measured - order) < 0.1), measured


def test_system_of_two_variables_with_units():
    # harmonic oscillator x'' = -w^2 x as (x [mV], v [mV/ms]); energy after one period
    w = 2 * np.pi / 10.0  # 1/ms, period 10 ms

    def f(y, t):
        x, v = y
        return v, -(w**2) * x / u.ms**2

    nd.environ.set(precision=64)
    x, v = _solve(f, (1.0 * u.mV, 0.0 * u.mV / u.ms), 10.0, 0.01, "rk4")
    assert abs(float(x.to_decimal(u.mV)) - 1.0) < 1e-8
    assert abs(float(v.to_decimal(u.mV / u.ms))) < 1e-7


def test_wrong_derivative_units_are_reported():
    with pytest.raises(nd.ParameterError, match="derivative of state variable 0 has units"):
        nd.integrate(lambda V, t: V, 1.0 * u.mV, 0.0 * u.ms, 0.1 * u.ms, method="euler")


def test_unknown_method():
    with pytest.raises(nd.ParameterError, match="method must be one of"):
        nd.integrate(lambda V, t: V / u.ms, 1.0 * u.mV, method="rk9")
