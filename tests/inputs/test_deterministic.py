"""Deterministic inputs against closed forms computed here, step by step."""

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u

DT = 0.1  # ms, the default


def _run(source, n_steps, unit):
    nd.init_all_states(source)
    out = nd.for_loop(source.update, length=n_steps, clock=source)
    return np.asarray(u.to_float(out, unit))


def test_section_input_switches_exactly_at_the_rounded_cumulative_ends():
    values, durations = [1.0, -2.0, 3.0], [0.3, 0.54, 0.2]  # ends at 3, 8.4 -> 8, 10.4 -> 10
    out = _run(nd.inputs.SectionInput(values * u.pA, durations * u.ms), 14, u.pA)
    expected = np.array([1.0] * 3 + [-2.0] * 5 + [3.0] * 2 + [0.0] * 4)
    np.testing.assert_array_equal(out, expected)


def test_section_input_per_neuron_values_and_a_second_run_continues():
    values = np.array([[1.0, 2.0], [3.0, 4.0]]) * u.nA
    source = nd.inputs.SectionInput(values, [0.2, 0.2] * u.ms)
    nd.init_all_states(source)
    first = nd.for_loop(source.update, length=3, clock=source).to_decimal(u.nA)
    second = nd.for_loop(source.update, length=3, clock=source).to_decimal(u.nA)
    expected = np.array([[1, 2], [1, 2], [3, 4], [3, 4], [0, 0], [0, 0]], float)
    np.testing.assert_array_equal(np.concatenate([first, second]), expected)


def test_constant_input_equals_its_pairs():
    source = nd.inputs.ConstantInput([(1.0 * u.nA, 0.2 * u.ms), (500.0 * u.pA, 0.1 * u.ms)])
    np.testing.assert_allclose(_run(source, 4, u.nA), [1.0, 1.0, 0.5, 0.0])


def test_step_input_holds_each_amplitude_from_its_step():
    source = nd.inputs.StepInput([2.0, -1.0, 4.0] * u.mV, [0.2, 0.5, 0.5] * u.ms)
    out = _run(source, 8, u.mV)
    # round(t / dt) = 2, 5, 5: the later of two equal times wins
    np.testing.assert_array_equal(out, [0, 0, 2, 2, 2, 4, 4, 4])


def test_ramp_values_at_every_step():
    c_start, c_end, t_start, t_end = -1.0, 3.0, 0.5, 2.5
    out = _run(
        nd.inputs.RampInput(c_start * u.nA, c_end * u.nA, t_end * u.ms, t_start * u.ms), 30, u.nA
    )
    t = np.arange(30) * DT
    on = (np.arange(30) >= 5) & (np.arange(30) < 25)
    line = c_start + (c_end - c_start) * (t - t_start) / (t_end - t_start)
    np.testing.assert_allclose(out, np.where(on, line, 0.0), atol=1e-6)
    assert out[5] == pytest.approx(c_start) and out[24] == pytest.approx(c_end - 4.0 * DT / 2.0)


@pytest.mark.parametrize("bias", [False, True])
def test_sine_at_every_step(bias):
    amplitude, freq_hz, t_start, t_end = 3.0, 37.0, 1.0, 150.0
    source = nd.inputs.SinusoidalInput(
        amplitude * u.pA, freq_hz * u.Hz, t_start * u.ms, t_end * u.ms, bias=bias
    )
    n = 2000
    out = _run(source, n, u.pA)
    i = np.arange(n)
    wave = amplitude * np.sin(2 * np.pi * freq_hz * (i * DT - t_start) / 1000.0)
    wave = wave + (amplitude if bias else 0.0)
    expected = np.where((i >= 10) & (i < 1500), wave, 0.0)
    np.testing.assert_allclose(out, expected, atol=2e-5 * amplitude)


def test_spike_time_emits_in_the_step_ending_at_each_time():
    # on the grid: t/dt - 1; off the grid: the step the time falls in (ceil(t/dt) - 1)
    times = [0.1, 0.5, 0.5, 0.73, 1.0, 1.0004]  # 1.0004 ms rounds to the tic of 1.0 ms
    indices = [0, 2, 2, 1, 3, 0]
    out = _run(nd.inputs.SpikeTime(4, indices, times * u.ms), 12, u.UNITLESS)
    expected = np.zeros((12, 4))
    for step, index in [(0, 0), (4, 2), (4, 2), (7, 1), (9, 3), (9, 0)]:
        expected[step, index] += 1
    np.testing.assert_array_equal(out, expected)


def test_inputs_drive_a_run():
    source = nd.inputs.StepInput([1.0] * u.nA, [0.3] * u.ms)
    nd.init_all_states(source)
    result = nd.run(source, 0.6 * u.ms, monitors={"I": source.update})
    np.testing.assert_array_equal(np.asarray(result["I"].to_decimal(u.nA)), [0, 0, 0, 1, 1, 1])
