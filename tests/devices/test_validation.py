"""Parameter checks: every error names the parameter and the rule (NEST's BadProperty)."""

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import devices
from neurodyn import units as u

CASES = [
    # (factory, message fragment)
    (lambda: devices.dc_generator(amplitude=5.0 * u.mV), "amplitude must be a current"),
    (lambda: devices.dc_generator(amplitude=5.0), "amplitude must be a current"),
    (lambda: devices.dc_generator(start=1.0 * u.pA), "start must be a time"),
    (lambda: devices.dc_generator(start=np.inf * u.ms), "start must be finite"),
    (lambda: devices.ac_generator(frequency=1.0 * u.ms), "frequency must be a frequency"),
    (lambda: devices.poisson_generator(rate=-1.0 * u.Hz), "rate must be >= 0"),
    (lambda: devices.poisson_generator(rate=[1.0, 2.0] * u.Hz), "rate must be a single value"),
    (lambda: devices.noise_generator(std=-1.0 * u.pA), "std must be >= 0"),
    (
        lambda: devices.noise_generator(std=1.0 * u.pA, std_mod=2.0 * u.pA),
        "std_mod must be <= std",
    ),
    (lambda: devices.noise_generator(dt=0.25 * u.ms), "dt must be a positive multiple"),
    (lambda: devices.noise_generator(dt=0.0 * u.ms), "dt must be > 0"),
    (
        lambda: devices.step_current_generator([2.0, 1.0] * u.ms, [1.0, 2.0] * u.pA),
        "strictly increasing",
    ),
    (
        lambda: devices.step_current_generator(
            [1.01, 1.02] * u.ms, [1.0, 2.0] * u.pA, allow_offgrid_times=True
        ),
        "strictly increasing",  # both move to 1.1 ms
    ),
    (
        lambda: devices.step_current_generator([1.0] * u.ms, [1.0, 2.0] * u.pA),
        "must have the same length",
    ),
    (lambda: devices.step_current_generator([0.0] * u.ms, [1.0] * u.pA), "must be > 0 ms"),
    (
        lambda: devices.step_current_generator([1.05] * u.ms, [1.0] * u.pA),
        "amplitude_times must lie on the simulation grid",
    ),
    (
        lambda: devices.inhomogeneous_poisson_generator([1.0] * u.ms, [-5.0] * u.Hz),
        "rate_values must be >= 0",
    ),
    (
        lambda: devices.inhomogeneous_poisson_generator([1.0, 1.0] * u.ms, [1.0, 2.0] * u.Hz),
        "strictly increasing",
    ),
    (lambda: devices.gamma_sup_generator(gamma_shape=1.5), "gamma_shape must be a whole number"),
    (lambda: devices.gamma_sup_generator(n_proc=0), "n_proc must be a whole number >= 1"),
    (
        lambda: devices.gamma_sup_generator(rate=6e3 * u.Hz, gamma_shape=2),
        "gamma_shape \\* rate \\* dt must be <= 1",
    ),
    (lambda: devices.pulsepacket_generator(activity=-1), "activity must be >= 0"),
    (lambda: devices.pulsepacket_generator(activity=2.5), "activity must be a whole number"),
    (lambda: devices.pulsepacket_generator(sdev=-1.0 * u.ms), "sdev must be >= 0"),
    (
        lambda: devices.pulsepacket_generator(min_delay=0.15 * u.ms),
        "min_delay must be a positive multiple",
    ),
]


@pytest.mark.parametrize("factory, message", CASES)
def test_invalid_parameters_are_refused(factory, message):
    with pytest.raises(nd.ParameterError, match=message):
        factory()


def test_assignment_is_checked_and_leaves_the_device_unchanged():
    noise = devices.noise_generator(std=2.0 * u.pA, std_mod=1.0 * u.pA)
    with pytest.raises(nd.ParameterError, match="std_mod must be <= std"):
        noise.std = 0.5 * u.pA
    assert float(noise.std.to_decimal(u.pA)) == 2.0
    with pytest.raises(nd.ParameterError, match="has no parameter 'amplitude'"):
        noise.set(amplitude=1.0 * u.pA)


def test_bind_needs_a_positive_whole_number():
    g = devices.poisson_generator()
    with pytest.raises(nd.ParameterError, match="n_targets must be >= 1"):
        g.bind(0)
    with pytest.raises(nd.ParameterError, match="whole number"):
        g.bind(2.5)
    g.bind(np.int64(7))
    assert g.n_targets == 7


def test_kinds_and_nest_defaults():
    currents = ["dc_generator", "ac_generator", "step_current_generator", "noise_generator"]
    for name in devices.__all__[1:]:
        generator = getattr(devices, name)()
        assert isinstance(generator, devices.Generator)
        assert generator.kind == ("current" if name in currents else "spike")
        assert float(generator.start.to_decimal(u.ms)) == 0.0
        assert float(generator.origin.to_decimal(u.ms)) == 0.0
        assert np.isinf(float(generator.stop.to_decimal(u.ms)))
    assert devices.noise_generator().interval_steps() == 10  # NEST: dt = 10 * resolution
    assert bool(devices.sinusoidal_poisson_generator().individual_spike_trains)
