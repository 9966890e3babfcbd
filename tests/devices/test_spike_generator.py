"""spike_generator and the deterministic pulsepacket_generator: the step of every spike."""

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import devices
from neurodyn import units as u

H = 0.1


def _steps(out):
    """Emission steps, each repeated by its count."""
    out = np.asarray(out)
    return np.repeat(np.nonzero(out)[0], out[out != 0].astype(int)).tolist()


def test_each_time_leaves_in_the_step_ending_at_it(emitted):
    times = [0.1, 0.5, 1.0, 1.0, 2.3, 4.0]
    out = emitted(devices.spike_generator(times * u.ms), 50)
    # a spike at t = k h is stamped k and sent in step k - 1; two at 1.0 give a count of 2
    assert _steps(out) == [0, 4, 9, 9, 22, 39]


def test_origin_shifts_spikes_and_window_is_left_open(emitted):
    times = [1.0, 5.0, 5.1, 8.0, 10.0, 10.0, 12.3, 17.0, 20.0, 20.1, 23.0]
    sg = devices.spike_generator(
        times * u.ms, origin=3.0 * u.ms, start=5.0 * u.ms, stop=20.0 * u.ms
    )
    out = emitted(sg, 300)
    # absolute stamps 40, 80, 81, 110, 130, 130, 153, 200, 230, 231, 260 (steps);
    # emitted iff 80 < S <= 230, in step S - 1
    assert _steps(out) == [80, 109, 129, 129, 152, 199, 229]


def test_multiplicities_and_weights(emitted):
    sg = devices.spike_generator(
        [0.5, 2.0, 6.0, 6.0, 11.5, 15.0] * u.ms,
        spike_weights=[5.0, 1.0, 0.5, -2.0, 3.0, 1.5],
        spike_multiplicities=[1, 1, 2, 1, 3, 1],
    )
    assert sg.has_spike_weights and not devices.spike_generator().has_spike_weights
    sg.bind(1)
    nd.init_all_states(sg)

    def step():
        return sg.update(), sg.spike_weight_sums.value

    counts, sums = nd.for_loop(step, length=200, clock=sg)
    counts, sums = np.asarray(counts), np.asarray(sums)
    assert _steps(counts) == [4, 19, 59, 59, 59, 114, 114, 114, 149]
    expected = np.zeros((200, 2))
    expected[[4, 19, 114, 149], 0] = [5.0, 1.0, 9.0, 1.5]
    expected[59] = [2 * 0.5, -2.0]  # positive and negative parts kept apart
    np.testing.assert_allclose(sums, expected)


@pytest.mark.parametrize(
    "times, steps",
    [
        ([3.04, 3.05, 7.15, 9.99, 14.0], [30, 30, 71, 99, 139]),  # to the end of their step
        ([0.01, 0.1, 0.11], [0, 0, 1]),
    ],
)
def test_off_grid_times_move_to_the_end_of_their_step(times, steps, emitted):
    sg = devices.spike_generator(times * u.ms, allow_offgrid_times=True)
    assert _steps(emitted(sg, 200)) == steps


def test_shift_now_spikes_moves_a_spike_at_zero_one_step(emitted):
    with pytest.raises(nd.ParameterError, match="must not contain 0 ms"):
        devices.spike_generator([0.0, 1.0] * u.ms)
    sg = devices.spike_generator([0.0, 1.0] * u.ms, shift_now_spikes=True)
    assert _steps(emitted(sg, 20)) == [0, 9]


def test_spikes_before_the_first_step_are_dropped(emitted):
    # NEST's Time::ms truncates t * 1000 + 0.5 towards zero, so -1.0 ms is "off the grid"
    # (-999 tics); with allow_offgrid_times it is stamped at -1.0 ms and never sent
    sg = devices.spike_generator([-1.0, 0.5] * u.ms, origin=0.5 * u.ms, allow_offgrid_times=True)
    assert _steps(emitted(sg, 20)) == [9]  # absolute stamps -5 (dropped) and 10


def test_spike_generator_errors():
    with pytest.raises(nd.ParameterError, match=r"spike_times must lie on the simulation grid"):
        devices.spike_generator([5.04] * u.ms)
    with pytest.raises(nd.ParameterError, match="non-descending"):
        devices.spike_generator([2.0, 1.0] * u.ms)
    with pytest.raises(nd.ParameterError, match="spike_weights must have as many elements"):
        devices.spike_generator([1.0, 2.0] * u.ms, spike_weights=[1.0])
    with pytest.raises(nd.ParameterError, match="whole numbers"):
        devices.spike_generator([1.0] * u.ms, spike_multiplicities=[1.5])
    with pytest.raises(nd.ParameterError, match="spike_multiplicities must be >= 0"):
        devices.spike_generator([1.0] * u.ms, spike_multiplicities=[-1])
    with pytest.raises(nd.ParameterError, match="precise_times cannot be True"):
        devices.spike_generator([1.0] * u.ms, precise_times=True, allow_offgrid_times=True)
    with pytest.raises(nd.ParameterError, match="must be a time quantity"):
        devices.spike_generator([1.0, 2.0])
    sg = devices.spike_generator([1.0] * u.ms)
    with pytest.raises(nd.ParameterError, match="not representable"):
        sg.spike_times = [1.0, 1.05] * u.ms
    assert np.asarray(sg.spike_times.to_decimal(u.ms)).tolist() == [1.0]


def test_pulsepacket_without_spread_rounds_pulse_times_up(emitted):
    pp = devices.pulsepacket_generator([2.0, 5.95, 6.0, 6.01, 9.0] * u.ms, activity=2)
    # a spike at x leaves in step ceil(x / h) (NEST Time::get_steps): stamp one step later
    # than a spike_generator spike at the same grid time
    assert _steps(emitted(pp, 120)) == [20, 20, 60, 60, 60, 60, 61, 61, 90, 90]


@pytest.mark.parametrize(
    "min_delay, expected",
    [
        # NEST 3.10, one pulse per kernel, window start 6, stop 8 (tests/nest_reference:
        # network_devices.npz, pulsepacket_edges): emission stamps in ms
        (0.1, {5.9: [6.0], 5.95: [6.1], 6.0: [6.1], 6.05: [6.2], 7.0: [7.1], 7.9: [], 8.0: []}),
        (1.0, {5.9: [], 5.95: [], 6.0: [6.1], 6.05: [6.2], 7.0: [7.1], 7.9: [8.0], 7.95: []}),
    ],
)
def test_pulsepacket_window_depends_on_the_communication_interval(min_delay, expected, emitted):
    generators = [
        devices.pulsepacket_generator(
            [x] * u.ms, activity=1, min_delay=min_delay * u.ms, start=6.0 * u.ms, stop=8.0 * u.ms
        )
        for x in expected
    ]
    outs = emitted(generators, 120)
    for (x, stamps), out in zip(expected.items(), outs, strict=True):
        assert [round((s + 1) * H, 10) for s in _steps(out)] == stamps, x
