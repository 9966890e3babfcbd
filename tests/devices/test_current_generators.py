"""Current generators against closed forms: dc, ac, step_current, noise."""

import math
from fractions import Fraction

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import devices
from neurodyn import units as u

H = 0.1  # ms


def test_dc_emits_its_amplitude_in_exactly_the_active_steps(emitted):
    dc = devices.dc_generator(
        amplitude=-37.5 * u.pA, start=1.0 * u.ms, stop=2.0 * u.ms, origin=0.5 * u.ms
    )
    out = emitted(dc, 40)
    expected = np.where((np.arange(40) >= 14) & (np.arange(40) <= 23), -37.5, 0.0)
    np.testing.assert_array_equal(out, expected)


def test_dc_through_a_run():
    # the same generator inside nd.run, recorded by a monitor
    class Probe(nd.Module):
        def __init__(self):
            super().__init__()
            self.dc = devices.dc_generator(amplitude=2.0 * u.nA, start=0.3 * u.ms)

        def init_state(self, batch_size=None):
            self.I = nd.ShortTermState(jnp.zeros(()) * u.pA)

        def update(self):
            self.I.value = self.dc.update()

    probe = nd.init_all_states(Probe())
    result = nd.run(probe, 1.0 * u.ms, monitors={"I": probe.I})
    np.testing.assert_array_equal(
        np.asarray(result["I"].to_decimal(u.pA)),
        [0, 0, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000],
    )


def _ac_reference(steps, amplitude, offset, frequency, phase, first, last):
    """NEST's ac_generator: offset + amplitude sin(omega t_{i+1} + phi) in active steps."""
    omega = 2 * math.pi * frequency / 1000.0
    value = offset + amplitude * np.sin(omega * (steps + 1) * H + phase * math.pi / 180)
    return np.where((steps >= first) & (steps <= last), value, 0.0)


def test_ac_follows_nests_sine_in_every_step(emitted):
    nd.environ.set(precision=64)
    ac = devices.ac_generator(
        amplitude=80.0 * u.pA, offset=120.0 * u.pA, frequency=40.0 * u.Hz, phase=30.0,
        origin=2.0 * u.ms, start=4.0 * u.ms, stop=30.0 * u.ms,
    )  # fmt: skip
    steps = np.arange(400)
    ref = _ac_reference(steps, 80.0, 120.0, 40.0, 30.0, 59, 318)
    np.testing.assert_allclose(emitted(ac, 400), ref, rtol=0, atol=1e-11)


@pytest.mark.parametrize("precision, atol", [(32, 2e-5), (64, 1e-10)])
def test_ac_phase_stays_exact_after_many_steps(precision, atol):
    # no accumulated rounding: step 10^9 in float32 is as accurate as step 1
    nd.environ.set(precision=precision)
    ac = devices.ac_generator(amplitude=1.0 * u.pA, frequency=13.7 * u.Hz, phase=11.0)
    nd.init_all_states(ac)
    for step in (0, 12345, 10**6, 10**9):
        with nd.environ.context(i=jnp.asarray(step, jnp.int32)):
            value = float(ac.update().to_decimal(u.pA))
        cycles = float(Fraction(13.7 * H / 1000.0) * (step + 1) % 1)  # exact phase
        ref = math.sin(2 * math.pi * cycles + 11.0 * math.pi / 180)
        assert abs(value - ref) < atol, (step, value, ref)


def test_step_current_is_the_piecewise_constant(emitted):
    times = [1.0, 9.0, 14.0, 25.0]
    values = [100.0, -60.0, 200.0, 50.0]
    g = devices.step_current_generator(
        times * u.ms, values * u.pA, origin=3.0 * u.ms, start=5.0 * u.ms, stop=30.0 * u.ms
    )
    out = emitted(g, 400)
    # value in step i: amplitude_values[j] for the last time with steps <= i + 1 (one step
    # ahead); active in steps 79 .. 328 (origin does not shift amplitude_times)
    change = np.round(np.array(times) / H).astype(int)
    ref = np.zeros(400)
    for i in range(400):
        j = np.nonzero(change <= i + 1)[0]
        ref[i] = values[j[-1]] if len(j) and 79 <= i <= 328 else 0.0
    np.testing.assert_array_equal(out, ref)


def test_step_current_off_grid_times_move_to_the_end_of_their_step(emitted):
    g = devices.step_current_generator(
        [2.03, 7.05, 11.17, 20.0] * u.ms, [80.0, 160.0, -40.0, 0.0] * u.pA,
        allow_offgrid_times=True,
    )  # fmt: skip
    out = emitted(g, 250)
    # 2.03 -> 2.1 (step 21), 7.05 -> 7.1, 11.17 -> 11.2, 20.0 stays: changes at i = s - 1
    changes = np.nonzero(np.diff(out))[0] + 1
    np.testing.assert_array_equal(changes, [20, 70, 111, 199])
    np.testing.assert_array_equal(out[changes], [80.0, 160.0, -40.0, 0.0])


def test_noise_is_constant_over_its_intervals_and_redrawn_at_their_start(emitted):
    noise = devices.noise_generator(
        mean=50.0 * u.pA, std=100.0 * u.pA, dt=1.0 * u.ms, origin=0.5 * u.ms, start=2.3 * u.ms
    )
    out = emitted(noise, 300, n_targets=3)
    # active from step t_min - 1 = 27 on; redrawn at 27, 37, 47, ...
    assert (out[:27] == 0).all() and (out[27:] != 0).all()
    changes = np.nonzero((np.diff(out, axis=0) != 0).all(axis=1))[0] + 1
    np.testing.assert_array_equal(changes, np.arange(27, 300, 10))
    assert (np.diff(out, axis=0)[np.setdiff1d(np.arange(299), changes - 1)] == 0).all()
    assert len(np.unique(out[27])) == 3  # different for every target


def test_noise_mean_std_and_independence(emitted):
    noise = devices.noise_generator(mean=-20.0 * u.pA, std=40.0 * u.pA, dt=0.2 * u.ms)
    n_targets, n_steps = 50, 4000
    out = emitted(noise, n_steps, n_targets=n_targets)
    draws = out[::2]  # one sample per interval (changes at even steps from step 0 on)
    assert (out[1::2] == draws).all()
    n = draws.size
    assert abs(draws.mean() + 20.0) < 5 * 40.0 / math.sqrt(n)
    assert abs(draws.std() - 40.0) < 5 * 40.0 / math.sqrt(2 * n)
    corr = np.corrcoef(draws.T)[np.triu_indices(n_targets, 1)]
    assert np.abs(corr).max() < 5.5 / math.sqrt(draws.shape[0])  # targets independent
    lag1 = np.corrcoef(draws[:-1].ravel(), draws[1:].ravel())[0, 1]
    assert abs(lag1) < 5 / math.sqrt(n)  # intervals independent


def test_noise_std_modulation_follows_the_active_step_oscillator(emitted):
    # std_mod = std: variance std^2 (1 + sin(omega k h + phi)), k = active steps so far
    noise = devices.noise_generator(
        std=10.0 * u.pA, std_mod=10.0 * u.pA, frequency=100.0 * u.Hz, phase=0.0,
        dt=1.0 * u.ms, start=0.5 * u.ms,
    )  # fmt: skip
    out = emitted(noise, 2000, n_targets=400)
    first = 4  # t_min - 1
    draw_steps = np.arange(first, 2000, 10)
    k = draw_steps - first + 1
    variance = 100.0 * (1.0 + np.sin(2 * math.pi * 100.0 / 1000.0 * k * H))
    measured = out[draw_steps].var(axis=1)
    # 400 targets: the sample variance has relative error sqrt(2/400) ~ 7 %
    low, high = variance < 20.0, variance > 180.0
    assert abs(measured[low].mean() / variance[low].mean() - 1) < 0.1
    assert abs(measured[high].mean() / variance[high].mean() - 1) < 0.05


def test_noise_default_interval_is_ten_steps(emitted):
    out = emitted(devices.noise_generator(std=1.0 * u.pA), 35, n_targets=1)[:, 0]
    np.testing.assert_array_equal(np.nonzero(np.diff(out))[0] + 1, [10, 20, 30])
