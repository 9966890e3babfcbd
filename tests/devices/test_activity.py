"""The activity window of every device kind, in steps, against NEST's rule written out.

NEST (``nestkernel/device.cpp``, ``stimulation_device.cpp``): ``t_min = (origin + start)/h``,
``t_max = (origin + stop)/h``; a current generator emits in step ``i`` iff
``t_min < i + 2 <= t_max``, a spike generator iff ``t_min < i <= t_max``, and a
``spike_generator`` spike with stamp ``S`` (emitted in step ``S - 1``) iff
``t_min < S <= t_max``.
"""

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import devices
from neurodyn import units as u

N_STEPS = 30
# (start, stop, origin) in ms: defaults, a window shifted by origin, stop == start, a
# one-step window, a window from 0.
WINDOWS = [
    (0.0, np.inf, 0.0),
    (0.5, 1.2, 0.3),
    (1.0, 1.0, 0.0),
    (0.1, 0.2, 0.0),
    (0.0, 0.4, 0.0),
]


def _expected(rule, start, stop, origin, dt=0.1, n_steps=N_STEPS):
    t_min = round((origin + start) / dt)
    t_max = np.inf if np.isinf(stop) else round((origin + stop) / dt)
    shift = {"current": 2, "spike": 0, "stamp": 1}[rule]
    steps = np.arange(n_steps)
    return (t_min < steps + shift) & (steps + shift <= t_max)


def _window(start, stop, origin):
    return {"start": start * u.ms, "stop": stop * u.ms, "origin": origin * u.ms}


def _sure_to_emit(name, window):
    """Each device set so that it emits something in every active step (with certainty or
    with probability > 1 - 1e-12)."""
    if name == "dc_generator":
        return devices.dc_generator(amplitude=1.0 * u.pA, **window), "current"
    if name == "ac_generator":
        return devices.ac_generator(offset=2.0 * u.pA, amplitude=1.0 * u.pA, **window), "current"
    if name == "step_current_generator":
        g = devices.step_current_generator([0.1] * u.ms, [3.0] * u.pA, **window)
        return g, "current"
    if name == "noise_generator":
        return devices.noise_generator(mean=1.0 * u.pA, **window), "current"
    if name == "poisson_generator":
        return devices.poisson_generator(rate=200e3 * u.Hz, **window), "spike"
    if name == "inhomogeneous_poisson_generator":
        g = devices.inhomogeneous_poisson_generator([0.1] * u.ms, [200e3] * u.Hz, **window)
        return g, "spike"
    if name == "gamma_sup_generator":  # p = 1: every component fires in every active step
        return devices.gamma_sup_generator(rate=10e3 * u.Hz, **window), "spike"
    if name == "sinusoidal_poisson_generator":  # NEST declares it a current generator
        return devices.sinusoidal_poisson_generator(rate=300e3 * u.Hz, **window), "current"
    raise AssertionError(name)


ALWAYS_ON = [
    "dc_generator",
    "ac_generator",
    "step_current_generator",
    "noise_generator",
    "poisson_generator",
    "inhomogeneous_poisson_generator",
    "gamma_sup_generator",
    "sinusoidal_poisson_generator",
]


def test_emits_exactly_in_the_active_steps(emitted):
    cases = [(name, window) for name in ALWAYS_ON for window in WINDOWS]
    built = [_sure_to_emit(name, _window(*window)) for name, window in cases]
    outs = emitted([generator for generator, _ in built], N_STEPS, n_targets=2)
    for (name, window), (_, rule), out in zip(cases, built, outs, strict=True):
        out = out.reshape(N_STEPS, -1)
        expected = _expected(rule, *window)
        for target in (0, -1):
            np.testing.assert_array_equal(out[:, target] != 0, expected, err_msg=f"{name} {window}")


def test_spike_generator_window_tests_each_stamp(emitted):
    times = np.round(np.arange(1, N_STEPS + 1) * 0.1, 10)  # a spike at every grid time
    outs = emitted([devices.spike_generator(times * u.ms, **_window(*w)) for w in WINDOWS], N_STEPS)
    for (start, stop, origin), out in zip(WINDOWS, outs, strict=True):
        # the spike with absolute stamp S = origin/h + k leaves in step S - 1
        stamps = np.round(origin / 0.1) + np.arange(1, N_STEPS + 1)
        t_min = round((origin + start) / 0.1)
        t_max = np.inf if np.isinf(stop) else round((origin + stop) / 0.1)
        expected = np.zeros(N_STEPS)
        for stamp in stamps[(stamps > t_min) & (stamps <= t_max) & (stamps - 1 < N_STEPS)]:
            expected[int(stamp) - 1] += 1
        np.testing.assert_array_equal(out, expected, err_msg=f"{(start, stop, origin)}")


@pytest.mark.parametrize("dt", [0.25])
def test_window_at_other_resolutions(dt, emitted):
    nd.environ.set(dt=dt * u.ms)
    window = (4 * dt, 9 * dt, 2 * dt)
    dc = devices.dc_generator(amplitude=1.0 * u.pA, **_window(*window))
    pg = devices.poisson_generator(rate=3e4 / dt * u.Hz, **_window(*window))
    current, spikes = emitted([dc, pg], N_STEPS, n_targets=1)
    np.testing.assert_array_equal(current != 0, _expected("current", *window, dt=dt))
    np.testing.assert_array_equal(spikes[:, 0] != 0, _expected("spike", *window, dt=dt))


def test_active_steps_and_is_active_agree():
    for rule, cls in (("current", devices.dc_generator), ("spike", devices.poisson_generator)):
        for window in WINDOWS:
            generator = cls(**_window(*window))
            flags = np.asarray(generator.is_active(np.arange(N_STEPS)))
            np.testing.assert_array_equal(flags, _expected(rule, *window))
    assert devices.dc_generator().active_steps() == (-1, 2**31 - 1)
    assert devices.poisson_generator().active_steps() == (1, 2**31 - 1)


def test_times_within_half_a_tic_of_the_grid_count_as_on_it(emitted):
    # NEST converts ms to tics (1 µs) by rounding: 0.5000004 ms is 500 tics, on the grid.
    near = devices.dc_generator(amplitude=1.0 * u.pA, start=0.5000004 * u.ms, stop=1.0 * u.ms)
    exact = devices.dc_generator(amplitude=1.0 * u.pA, start=0.5 * u.ms, stop=1.0 * u.ms)
    np.testing.assert_array_equal(emitted(near, N_STEPS), emitted(exact, N_STEPS))


@pytest.mark.parametrize("name", ["origin", "start", "stop"])
def test_off_grid_device_times_are_refused(name):
    # NEST 3.10: "start must be a multiple of the simulation resolution."
    with pytest.raises(nd.ParameterError, match=f"{name} must be a multiple of the simulation"):
        devices.dc_generator(**{name: 1.04 * u.ms})
    with pytest.raises(nd.ParameterError, match=f"{name} must be a multiple"):
        devices.poisson_generator(**{name: 0.0006 * u.ms})  # 0.6 µs rounds to 1 tic


def test_stop_before_start_is_refused_and_nothing_changes():
    with pytest.raises(nd.ParameterError, match="stop must be >= start"):
        devices.dc_generator(start=2.0 * u.ms, stop=1.0 * u.ms)
    dc = devices.dc_generator(start=1.0 * u.ms, stop=2.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="stop must be >= start"):
        dc.stop = 0.5 * u.ms
    assert float(dc.stop.to_decimal(u.ms)) == 2.0


def test_grid_is_checked_again_when_states_are_created():
    dc = devices.dc_generator(start=0.3 * u.ms)
    nd.environ.set(dt=0.2 * u.ms)
    with pytest.raises(nd.ParameterError, match="start must be a multiple"):
        nd.init_all_states(dc)
