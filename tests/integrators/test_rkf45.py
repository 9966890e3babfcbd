"""Adaptive RKF45 against closed forms, scipy, and a scalar transcription of GSL's algorithm."""

import math
import os
import platform
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurodyn as nd
from neurodyn import units as u
from neurodyn.integrators import RKF45Status, check_rkf45_status, rkf45_step

DT = 0.1  # ms


@pytest.fixture(autouse=True)
def float64():
    nd.environ.set(precision=64)


# --- an independent scalar transcription of GSL (ode-initval: rkf45.c, cstd.c, evolve.c)
# called as NEST calls it: ``t = 0; while (t < dt) evolve_apply(..., &t, dt, &h, y)``.
# Coefficients as GSL writes them; sums in GSL's order; plain Python floats.

GSL_AH = (1.0 / 4.0, 3.0 / 8.0, 12.0 / 13.0, 1.0, 1.0 / 2.0)
GSL_B3 = (3.0 / 32.0, 9.0 / 32.0)
GSL_B4 = (1932.0 / 2197.0, -7200.0 / 2197.0, 7296.0 / 2197.0)
GSL_B5 = (8341.0 / 4104.0, -32832.0 / 4104.0, 29440.0 / 4104.0, -845.0 / 4104.0)
GSL_B6 = (
    -6080.0 / 20520.0,
    41040.0 / 20520.0,
    -28352.0 / 20520.0,
    9295.0 / 20520.0,
    -5643.0 / 20520.0,
)
GSL_C = (
    902880.0 / 7618050.0,
    3953664.0 / 7618050.0,
    3855735.0 / 7618050.0,
    -1371249.0 / 7618050.0,
    277020.0 / 7618050.0,
)
GSL_EC = (1.0 / 360.0, -128.0 / 4275.0, -2197.0 / 75240.0, 1.0 / 50.0, 2.0 / 55.0)
DBL_MIN = 2.2250738585072014e-308


def gsl_rkf45_apply(f, t, h, y, k1):
    n = range(len(y))
    k2 = f(t + GSL_AH[0] * h, [y[i] + GSL_AH[0] * h * k1[i] for i in n])
    k3 = f(t + GSL_AH[1] * h, [y[i] + h * (GSL_B3[0] * k1[i] + GSL_B3[1] * k2[i]) for i in n])
    b = GSL_B4
    k4 = f(t + GSL_AH[2] * h, [y[i] + h * (b[0] * k1[i] + b[1] * k2[i] + b[2] * k3[i]) for i in n])
    b = GSL_B5
    y5 = [y[i] + h * (b[0] * k1[i] + b[1] * k2[i] + b[2] * k3[i] + b[3] * k4[i]) for i in n]
    k5 = f(t + GSL_AH[3] * h, y5)
    b = GSL_B6
    y6 = [
        y[i] + h * (b[0] * k1[i] + b[1] * k2[i] + b[2] * k3[i] + b[3] * k4[i] + b[4] * k5[i])
        for i in n
    ]
    k6 = f(t + GSL_AH[4] * h, y6)
    c, e = GSL_C, GSL_EC
    y_new = [
        y[i] + h * (c[0] * k1[i] + c[1] * k3[i] + c[2] * k4[i] + c[3] * k5[i] + c[4] * k6[i])
        for i in n
    ]
    yerr = [
        h * (e[0] * k1[i] + e[1] * k3[i] + e[2] * k4[i] + e[3] * k5[i] + e[4] * k6[i]) for i in n
    ]
    return y_new, yerr


def gsl_hadjust(ctrl, y, yerr, yp, h):
    eps_abs, eps_rel, a_y, a_dydt = ctrl
    order = 5
    rmax = DBL_MIN
    for i in range(len(y)):
        d0 = eps_rel * (a_y * abs(y[i]) + a_dydt * abs(h * yp[i])) + eps_abs
        r = abs(yerr[i]) / abs(d0)
        rmax = r if r > rmax else rmax
    if rmax > 1.1:
        return "dec", h * max(0.9 / rmax ** (1.0 / order), 0.2)
    if rmax < 0.5:
        return "inc", h * min(max(0.9 / rmax ** (1.0 / (order + 1.0)), 1.0), 5.0)
    return "nil", h


def gsl_evolve_apply(f, t, t1, h, y, ctrl):
    t0, h0, dt = t, h, t1 - t
    dydt_in = f(t0, y)
    while True:
        final = h0 > dt
        if final:
            h0 = dt
        y_new, yerr = gsl_rkf45_apply(f, t0, h0, y, dydt_in)
        dydt_out = f(t0 + h0, y_new)
        t_new = t1 if final else t0 + h0
        h_old = h0
        status, h0 = gsl_hadjust(ctrl, y_new, yerr, dydt_out, h0)
        if status == "dec":
            if abs(h0) < abs(h_old) and t_new + h0 != t_new:
                continue  # undo the step (y is untouched here) and retry
            h0 = h_old
        return y_new, t_new, h0


def nest_reference(f, y, h, n_steps, ctrl, event=None, after_step=None, aux=None):
    """One neuron, NEST's update loop; ``f(t, y, aux)``; returns y and h after each step."""
    ys, hs = [], []
    for step in range(n_steps):
        t = 0.0
        while t < DT:
            field = lambda tt, yy, t0=step * DT, aux=aux: f(t0 + tt, yy, aux)  # noqa: E731
            y, t, h = gsl_evolve_apply(field, t, DT, h, y, ctrl)
            if event is not None:
                y, aux = event(y, aux)
        if after_step is not None:
            aux = after_step(aux)
        ys.append(list(y))
        hs.append(h)
    return np.array(ys), np.array(hs)


# --- test systems, written once with units for neurodyn and once with floats for the reference


def van_der_pol(mu, speed=1.0):
    # x in mV, v in mV (time scaled by ``speed`` per ms): x' = w v, v' = w (mu (1 - x^2) v - x)
    def f(y, t):
        x, v = y
        return speed * v / u.ms, speed * (mu * (1 - (x / u.mV) ** 2) * v - x) / u.ms

    return f


def van_der_pol_float(mu, speed=1.0):
    # x * x, not x ** 2: Python's pow(x, 2.0) is not always the correctly rounded x * x
    return lambda t, y, aux=None: [speed * y[1], speed * (mu * (1 - y[0] * y[0]) * y[1] - y[0])]


def simulate(f, y0, h0, n_steps, *args, **kwargs):
    """``n_steps`` calls of rkf45_step in one jitted scan; returns y, h, status per step."""

    @jax.jit
    def run(y0, h0):
        def body(carry, i):
            y, h = carry
            res = rkf45_step(f, y, i * DT * u.ms, DT * u.ms, h, *args, **kwargs)
            return (res.y, res.h), (res.y, res.h, res.status)

        return jax.lax.scan(body, (y0, h0), jnp.arange(n_steps))[1]

    return run(y0, h0)


def magnitudes(y, units):
    return np.stack(
        [np.asarray(leaf.to_decimal(unit)) for leaf, unit in zip(y, units, strict=True)], -1
    )


def vdp_population(mu, y0, h0, speed=None):
    speed = np.ones(len(mu)) if speed is None else np.asarray(speed)
    y = (jnp.array([p[0] for p in y0]) * u.mV, jnp.array([p[1] for p in y0]) * u.mV)
    return van_der_pol(jnp.asarray(mu), jnp.asarray(speed)), y, jnp.full(len(mu), h0) * u.ms


# A smooth oscillator, a relaxation oscillator and a 10x faster one: step sizes from 3e-5 ms
# (clamped final substeps) to 0.26 ms, all limited by accuracy.
VDP_MU, VDP_SPEED = np.array([0.2, 3.0, 1.0]), np.array([1.0, 1.0, 10.0])
VDP_Y0 = ((2.0, 0.0), (1.0, 1.0), (2.0, 0.0))
CONTROLS = {
    "control_y": ((1e-6, 0.0, 1.0, 0.0), DT),  # gsl_odeiv_control_y_new(1e-6, 0): hh_psc_alpha
    "control_yp": ((1e-6, 1e-6, 0.0, 1.0), 0.01),  # gsl_odeiv_control_yp_new(1e-6, 1e-6): aeif_*
}


def deviation_from_gsl(control, mu, speed, y0, n_steps):
    """Largest |y - y_GSL| and relative |h - h_GSL| over a run, and the step sizes used."""
    (eps_abs, eps_rel, a_y, a_dydt), h0 = CONTROLS[control]
    f, y, h = vdp_population(mu, y0, h0, speed)
    ys, hs, status = simulate(
        f, y, h, n_steps, eps_abs=eps_abs, eps_rel=eps_rel, a_y=a_y, a_dydt=a_dydt
    )
    assert not np.any(status)
    ys, hs = magnitudes(ys, (u.mV, u.mV)), np.asarray(hs.to_decimal(u.ms))
    ctrl = CONTROLS[control][0]
    y_dev = h_dev = 0.0
    for k in range(len(mu)):
        ref_y, ref_h = nest_reference(
            van_der_pol_float(mu[k], speed[k]), list(y0[k]), h0, n_steps, ctrl
        )
        y_dev = max(y_dev, float(np.abs(ys[:, k] - ref_y).max()))
        h_dev = max(h_dev, float(np.abs(hs[:, k] / ref_h - 1).max()))
    return y_dev, h_dev, hs


@pytest.mark.parametrize("control", sorted(CONTROLS))
def test_matches_gsl_trajectory_and_step_sizes(control):
    y_dev, h_dev, hs = deviation_from_gsl(control, VDP_MU, VDP_SPEED, VDP_Y0, 250)
    # Bit-identical where XLA computes as GSL does (see the next test); with fused
    # multiply-adds (XLA:CPU on AVX2, GPUs) the last bits differ, and the error estimate,
    # a small difference of large terms, turns them into ~1e-7 relative noise in h.
    assert y_dev < 1e-11
    assert h_dev < 1e-5
    # the neurons need very different step sizes
    assert hs[:, 0].min() > 5 * hs[:, 2].max()
    assert hs[:, 1].max() > 100 * hs[:, 1].min()


@pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64"), reason="XLA:CPU ISA flag is x86"
)
def test_bit_identical_to_gsl_without_fused_multiply_add():
    # In a fresh process with XLA:CPU limited to SSE4.2 (no FMA contraction), every state
    # and every step size equals GSL's bit for bit, for both controls, including a stiff
    # relaxation oscillator (mu = 25) whose stability-limited steps amplify any difference.
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import neurodyn as nd, numpy as np\n"
        "nd.environ.set(precision=64); import test_rkf45 as t\n"
        "mu, speed = np.append(t.VDP_MU, 25.0), np.append(t.VDP_SPEED, 1.0)\n"
        "y0 = t.VDP_Y0 + ((2.0, -0.6),)\n"
        "print([t.deviation_from_gsl(c, mu, speed, y0, 150)[:2] for c in sorted(t.CONTROLS)])\n"
    )
    env = dict(os.environ, XLA_FLAGS="--xla_cpu_max_isa=SSE4_2", JAX_PLATFORMS="cpu")
    out = subprocess.run(
        [sys.executable, "-c", script, os.path.dirname(__file__)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[(0.0, 0.0), (0.0, 0.0)]"


def test_step_size_after_a_clamped_final_step():
    # dt = 0.1, h = 0.3: clamped to 0.1, error tiny -> h becomes 5 * 0.1, not 5 * 0.3
    res = rkf45_step(
        lambda V, t: -V / (1e3 * u.ms),
        jnp.ones(1) * u.mV,
        0 * u.ms,
        DT * u.ms,
        jnp.full(1, 0.3) * u.ms,
    )
    assert float(res.h.to_decimal(u.ms)[0]) == 5 * DT


# --- aeif-like neuron: spike reset and adaptation jump between substeps (event hook)

AEIF = dict(C=281.0, g_L=30.0, E_L=-70.6, V_T=-50.4, Delta_T=2.0, tau_w=144.0, a=4.0, b=80.5)
V_PEAK, V_RESET, REF_STEPS = 0.0, -70.6, 5


def aeif_float(I_e):
    p = AEIF

    def f(t, y, aux):
        refractory = aux[0] > 0
        V = V_RESET if refractory else min(y[0], V_PEAK)
        w = y[1]
        spike = p["g_L"] * p["Delta_T"] * math.exp((V - p["V_T"]) / p["Delta_T"])
        dV = 0.0 if refractory else (-p["g_L"] * (V - p["E_L"]) + spike - w + I_e) / p["C"]
        return [dV, (p["a"] * (V - p["E_L"]) - w) / p["tau_w"]]

    def event(y, aux):
        r, n = aux
        if r > 0:
            return [V_RESET, y[1]], aux
        if y[0] >= V_PEAK:
            return [V_RESET, y[1] + p["b"]], (REF_STEPS + 1, n + 1)
        return y, aux

    return f, event


def aeif_field(y, t, I_e, aux):
    p = {k: v for k, v in AEIF.items()}
    V_m, w = y
    refractory = aux["r"] > 0
    V = u.math.where(refractory, V_RESET * u.mV, u.math.minimum(V_m, V_PEAK * u.mV))
    spike = (
        p["g_L"]
        * u.nS
        * p["Delta_T"]
        * u.mV
        * u.math.exp((V - p["V_T"] * u.mV) / (p["Delta_T"] * u.mV))
    )
    dV = (-p["g_L"] * u.nS * (V - p["E_L"] * u.mV) + spike - w + I_e) / (p["C"] * u.pF)
    dV = u.math.where(refractory, 0.0 * u.mV / u.ms, dV)
    dw = (p["a"] * u.nS * (V - p["E_L"] * u.mV) - w) / (p["tau_w"] * u.ms)
    return dV, dw


def aeif_event(y, aux):
    V, w = y
    refractory = aux["r"] > 0
    spike = ~refractory & (V >= V_PEAK * u.mV)
    V = u.math.where(refractory | spike, V_RESET * u.mV, V)
    w = u.math.where(spike, w + AEIF["b"] * u.pA, w)
    r = jnp.where(spike, REF_STEPS + 1, aux["r"])
    return (V, w), {"r": r, "n": aux["n"] + spike}


def test_event_hook_matches_nest_aeif_loop():
    I_e = np.array([0.0, 1000.0, 2500.0])  # pA: silent, one spike, fast spiking
    n_steps, h0, ctrl = 200, 0.01, (1e-6, 1e-6, 0.0, 1.0)
    V = nd.ShortTermState(jnp.full(3, -70.6) * u.mV)
    w = nd.ShortTermState(jnp.zeros(3) * u.pA)
    h = nd.ShortTermState(jnp.full(3, h0) * u.ms)
    aux = nd.ShortTermState({"r": jnp.zeros(3, jnp.int32), "n": jnp.zeros(3, jnp.int32)})

    def step(i):
        res = rkf45_step(
            aeif_field, (V.value, w.value), i * DT * u.ms, DT * u.ms, h.value, I_e * u.pA,
            eps_abs=1e-6, eps_rel=1e-6, a_y=0.0, a_dydt=1.0, event=aeif_event, aux=aux.value,
        )  # fmt: skip
        (V.value, w.value), h.value = res.y, res.h
        aux.value = {"r": jnp.maximum(res.aux["r"] - 1, 0), "n": res.aux["n"]}
        return V.value.to_decimal(u.mV), w.value.to_decimal(u.pA), h.value.to_decimal(u.ms)

    Vs, ws, hs = nd.for_loop(step, jnp.arange(n_steps))
    spikes = np.asarray(aux.value["n"])
    assert spikes[0] == 0 and 0 < spikes[1] < spikes[2]
    for k in range(3):
        f, event = aeif_float(I_e[k])
        ref_y, ref_h = nest_reference(
            f, [-70.6, 0.0], h0, n_steps, ctrl, event, lambda a: (max(a[0] - 1, 0), a[1]), (0, 0)
        )
        # XLA's exp differs from libm's in the last bit; the error estimate amplifies that in h
        np.testing.assert_allclose(np.asarray(Vs)[:, k], ref_y[:, 0], rtol=0, atol=1e-9)
        np.testing.assert_allclose(np.asarray(ws)[:, k], ref_y[:, 1], rtol=0, atol=1e-9)
        np.testing.assert_allclose(np.asarray(hs)[:, k], ref_h, rtol=1e-5)


# --- accuracy


def test_closed_forms_within_tolerance():
    # decays with very different time constants, and a harmonic oscillator (x in mV, v in mV/ms)
    tau = np.array([0.02, 1.0, 50.0])
    omega = 2 * np.pi / 3.0  # 1/ms

    def f(y, t):
        V, x, v = y
        return -V / (tau * u.ms), v, -(omega**2) * x / u.ms**2

    y0 = (jnp.ones(3) * u.mV, jnp.ones(3) * u.mV, jnp.zeros(3) * u.mV / u.ms)
    n_steps, eps_abs = 100, 1e-7
    ys, hs, status = simulate(f, y0, jnp.full(3, DT) * u.ms, n_steps, eps_abs=eps_abs)
    assert not np.any(status)
    t = (np.arange(n_steps) + 1)[:, None] * DT
    V, x, v = (
        np.asarray(leaf.to_decimal(unit))
        for leaf, unit in zip(ys, (u.mV, u.mV, u.mV / u.ms), strict=True)
    )
    assert np.abs(V - np.exp(-t / tau)).max() < 10 * eps_abs
    assert np.abs(x - np.cos(omega * t)).max() < 10 * eps_abs
    assert np.abs(v + omega * np.sin(omega * t)).max() < 10 * eps_abs


def test_nonautonomous_field_sees_substep_times():
    # y' = cos(t) y: y(t) = exp(sin t); stage times must be t + t_local + c h
    def f(y, t):
        return u.math.cos(t.to_decimal(u.ms)) * y / u.ms

    ys, _, status = simulate(f, jnp.ones(2) * u.mV, jnp.array([DT, 0.003]) * u.ms, 30, eps_abs=1e-9)
    assert not np.any(status)
    t = (np.arange(30) + 1) * DT
    np.testing.assert_allclose(
        np.asarray(ys.to_decimal(u.mV)), np.exp(np.sin(t))[:, None] * [1, 1], atol=1e-8
    )


def test_van_der_pol_against_solve_ivp():
    mu, y0, n_steps = np.array([0.5, 2.0, 8.0]), ((2.0, 0.0), (0.5, 1.0), (2.0, 0.0)), 200
    t_eval = (np.arange(n_steps) + 1) * DT
    reference = [
        solve_ivp(
            lambda t, z, m=m: van_der_pol_float(m)(t, z), (0, t_eval[-1]), y0[k],
            method="DOP853", rtol=1e-10, atol=1e-12, t_eval=t_eval,
        ).y.T
        for k, m in enumerate(mu)
    ]  # fmt: skip
    errors = []
    for eps_abs in (1e-5, 1e-8):
        f, y, h = vdp_population(mu, y0, DT)
        ys, _, status = simulate(f, y, h, n_steps, eps_abs=eps_abs)
        assert not np.any(status)
        ys = magnitudes(ys, (u.mV, u.mV))
        errors.append(max(np.abs(ys[:, k] - reference[k]).max() for k in range(3)))
    # local errors <= eps_abs per substep, accumulated over ~1000 substeps and a relaxation jump
    assert errors[0] < 200 * 1e-5 and errors[1] < 200 * 1e-8, errors
    assert errors[1] < errors[0] / 100  # the tolerance is what limits the accuracy


# --- structure: independence, jit/for_loop, units


def test_neurons_are_independent_of_their_population():
    # the population finishes when its slowest neuron does; the others wait, unchanged
    f, y, h = vdp_population(VDP_MU, VDP_Y0, DT, VDP_SPEED)
    together = simulate(f, y, h, 60, eps_abs=1e-6)
    for k in (0, 2):
        f_k, y_k, h_k = vdp_population(
            VDP_MU[k : k + 1], VDP_Y0[k : k + 1], DT, VDP_SPEED[k : k + 1]
        )
        (x, v), h_alone, _ = simulate(f_k, y_k, h_k, 60, eps_abs=1e-6)
        # equal up to the contraction of multiply-adds, which XLA may do differently
        # for different population sizes (see test_matches_gsl_trajectory_and_step_sizes)
        np.testing.assert_allclose(
            x.mantissa[:, 0], together[0][0].mantissa[:, k], rtol=0, atol=1e-12
        )
        np.testing.assert_allclose(
            v.mantissa[:, 0], together[0][1].mantissa[:, k], rtol=0, atol=1e-12
        )
        np.testing.assert_allclose(h_alone.mantissa[:, 0], together[1].mantissa[:, k], rtol=1e-6)


def test_for_loop_with_states_equals_jitted_scan():
    f, y, h = vdp_population(VDP_MU, VDP_Y0, DT, VDP_SPEED)
    x, v, h_state = nd.ShortTermState(y[0]), nd.ShortTermState(y[1]), nd.ShortTermState(h)

    def step(i):
        res = rkf45_step(
            f, (x.value, v.value), i * DT * u.ms, DT * u.ms, h_state.value, eps_abs=1e-6
        )
        (x.value, v.value), h_state.value = res.y, res.h
        return res.status

    status = nd.for_loop(step, jnp.arange(20))
    assert not np.any(status)
    (xs, _), hs, _ = simulate(f, y, h, 20, eps_abs=1e-6)
    # the same computation, up to how XLA fuses (and contracts) it in each program
    np.testing.assert_allclose(x.value.mantissa, xs.mantissa[-1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_state.value.mantissa, hs.mantissa[-1], rtol=1e-6)


def test_tolerance_is_absolute_in_each_states_own_unit():
    # the same oscillator stored in volts needs eps_abs in volts to take the same steps
    f = van_der_pol(jnp.asarray([3.0]))
    y_mV = (jnp.array([2.0]) * u.mV, jnp.array([0.0]) * u.mV)
    y_V = (y_mV[0].in_unit(u.volt), y_mV[1].in_unit(u.volt))
    h = jnp.full(1, DT) * u.ms
    ys_mV, hs_mV, _ = simulate(f, y_mV, h, 30, eps_abs=1e-6)
    ys_V, hs_V, _ = simulate(f, y_V, h, 30, eps_abs=1e-9)
    # equal up to rounding (the magnitudes differ by 1000, not a power of two); with the
    # tolerance taken in the wrong unit the step sizes would differ by a factor of ~4
    np.testing.assert_allclose(np.asarray(hs_V.mantissa), np.asarray(hs_mV.mantissa), rtol=1e-6)
    np.testing.assert_allclose(
        np.asarray(ys_V[0].to_decimal(u.mV)), np.asarray(ys_mV[0].mantissa), rtol=1e-8
    )
    assert ys_V[0].unit == u.volt


# --- failures


def test_blow_up_is_reported_not_nan():
    # y' = y^2: from y = 1 it blows up at t = 1 ms; from y = -1 it decays as -1 / (1 + t)
    def f(y, t):
        return y * y / (u.mV * u.ms)

    ys, hs, status = simulate(
        f, jnp.array([1.0, -1.0]) * u.mV, jnp.full(2, DT) * u.ms, 20, eps_abs=1e-6
    )
    status, ys = np.asarray(status), np.asarray(ys.mantissa)
    assert np.all(np.isfinite(ys))
    assert np.all(status[:9, 0] == RKF45Status.OK) and np.all(status[10:, 0] != RKF45Status.OK)
    assert np.all(status[:, 1] == RKF45Status.OK)
    np.testing.assert_allclose(ys[:, 1], -1 / (1 + (np.arange(20) + 1) * DT), rtol=1e-6)
    with pytest.raises(nd.SimulationError, match=r"blow-up.*neuron\(s\) \(0,\)|neuron\(s\) \(0,\)"):
        check_rkf45_status(status[-1], "blow-up")
    check_rkf45_status(status[:9].max(0))  # no failure, no error


def test_iteration_cap_and_bad_step_are_reported():
    decay = lambda V, t: -V / u.ms  # noqa: E731
    res = rkf45_step(
        decay, jnp.ones(2) * u.mV, 0 * u.ms, DT * u.ms, jnp.array([1e-6, 0.05]) * u.ms, max_iters=3
    )
    assert list(np.asarray(res.status)) == [RKF45Status.TOO_MANY_ITERATIONS, RKF45Status.OK]
    assert np.all(np.isfinite(np.asarray(res.y.mantissa)))
    res = rkf45_step(decay, jnp.ones(2) * u.mV, 0 * u.ms, DT * u.ms, jnp.array([0.0, 0.05]) * u.ms)
    assert list(np.asarray(res.status)) == [RKF45Status.STEP_TOO_SMALL, RKF45Status.OK]
    with pytest.raises(nd.SimulationError, match="fell below h_min"):
        check_rkf45_status(res.status)


def test_non_finite_field_is_reported():
    def f(y, t):
        return u.math.log(y / u.mV) * u.mV / u.ms  # NaN once y < 0

    res = rkf45_step(f, jnp.array([-1.0, 1.0]) * u.mV, 0 * u.ms, DT * u.ms, jnp.full(2, DT) * u.ms)
    assert list(np.asarray(res.status)) == [RKF45Status.NON_FINITE, RKF45Status.OK]
    assert float(res.y.mantissa[0]) == -1.0  # left at the last finite state


def test_parameter_errors():
    decay = lambda V, t: -V / u.ms  # noqa: E731
    y, h = jnp.ones(2) * u.mV, jnp.full(2, DT) * u.ms
    with pytest.raises(nd.ParameterError, match="eps_abs must be >= 0"):
        rkf45_step(decay, y, 0 * u.ms, DT * u.ms, h, eps_abs=-1.0)
    with pytest.raises(nd.ParameterError, match="tolerance must be positive"):
        rkf45_step(decay, y, 0 * u.ms, DT * u.ms, h, eps_abs=0.0)
    with pytest.raises(nd.ParameterError, match="h must have the population's shape"):
        rkf45_step(decay, y, 0 * u.ms, DT * u.ms, jnp.full(3, DT) * u.ms)
    with pytest.raises(nd.ParameterError, match="h must be a time quantity"):
        rkf45_step(decay, y, 0 * u.ms, DT * u.ms, jnp.full(2, DT))
