"""Class-specific parameter rules of the input generators (the declared ones are
covered by tests/test_bad_input.py)."""

import pytest

import neurodyn as nd
from neurodyn import units as u


def test_section_input_needs_one_duration_per_value():
    with pytest.raises(
        nd.ParameterError, match=r"values and .*durations must have the same length"
    ):
        nd.inputs.SectionInput([1.0, 2.0, 3.0] * u.nA, [1.0, 2.0] * u.ms)
    source = nd.inputs.SectionInput([1.0, 2.0] * u.nA, [1.0, 2.0] * u.ms)
    with pytest.raises(nd.ParameterError, match="same length"):
        source.durations = [1.0] * u.ms
    assert source.durations.shape == (2,)  # unchanged


def test_constant_input_needs_pairs_of_one_unit():
    with pytest.raises(nd.ParameterError, match="pairs"):
        nd.inputs.ConstantInput([1.0 * u.nA])
    with pytest.raises(nd.ParameterError, match="unit of the first"):
        nd.inputs.ConstantInput([(1.0 * u.nA, 1.0 * u.ms), (1.0 * u.mV, 1.0 * u.ms)])
    with pytest.raises(nd.ParameterError, match="durations"):
        nd.inputs.ConstantInput([(1.0 * u.nA, 1.0)])


def test_step_input_times_sorted_and_matched():
    with pytest.raises(nd.ParameterError, match="step_times must be sorted"):
        nd.inputs.StepInput([1.0, 2.0] * u.nA, [2.0, 1.0] * u.ms)
    with pytest.raises(nd.ParameterError, match="same length"):
        nd.inputs.StepInput([1.0, 2.0] * u.nA, [1.0] * u.ms)


def test_ramp_and_sine_rules():
    with pytest.raises(nd.ParameterError, match="c_end must have the dimension of c_start"):
        nd.inputs.RampInput(0.0 * u.nA, 1.0 * u.mV, 5.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="t_start must be < t_end"):
        nd.inputs.SinusoidalInput(1.0 * u.nA, 5.0 * u.Hz, t_start=3.0 * u.ms, t_end=2.0 * u.ms)


def test_ou_rules():
    with pytest.raises(nd.ParameterError, match=r"OUProcessInput.tau must be > 0 ms"):
        nd.inputs.OUProcessInput(3, 0.0 * u.nA, 1.0 * u.nA, -2.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="sigma must have the dimension of mean"):
        nd.inputs.OUProcessInput(3, 0.0 * u.nA, 1.0 * u.mV, 2.0 * u.ms)


def test_spike_time_rules():
    with pytest.raises(nd.ParameterError, match="times must be sorted"):
        nd.inputs.SpikeTime(3, [0, 1], [2.0, 1.0] * u.ms)
    with pytest.raises(nd.ParameterError, match="same length"):
        nd.inputs.SpikeTime(3, [0, 1, 2], [1.0, 2.0] * u.ms)
    with pytest.raises(nd.ParameterError, match="indices must be whole numbers below"):
        nd.inputs.SpikeTime(3, [0, 3], [1.0, 2.0] * u.ms)
    with pytest.raises(nd.ParameterError, match="indices must be whole numbers below"):
        nd.inputs.SpikeTime(3, [0.5], [1.0] * u.ms)
    with pytest.raises(nd.ParameterError, match=r"times must be > 0 ms"):
        nd.inputs.SpikeTime(3, [0], [0.0] * u.ms)
