"""LIF against its closed-form firing period."""

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


def _test_neuron(**overrides):
    """tau 10 ms, R 10 Mohm, V_rest -65 mV, V_reset -70 mV, V_th -50 mV, plus overrides."""
    params = dict(
        tau=10.0 * u.ms,
        R=10.0 * u.Mohm,
        V_rest=-65.0 * u.mV,
        V_reset=-70.0 * u.mV,
        V_th=-50.0 * u.mV,
    )
    lif = nd.LIF(1, **(params | overrides))
    nd.init_all_states(lif)
    return lif


def _closed_form_isi(tau, R, I, V_rest, V_reset, V_th, tau_ref):
    # time to climb from V_reset to V_th under constant drive R*I, plus refractory time
    V_inf = V_rest + R * I
    return tau_ref + tau * np.log((V_inf - V_reset) / (V_inf - V_th))


@pytest.mark.parametrize("current_nA,tau_ref", [(2.0, 0.0), (2.0, 2.0), (5.0, 2.0), (1.6, 5.0)])
def test_isi_matches_closed_form(current_nA, tau_ref):
    tau, R, V_rest, V_reset, V_th = 10.0, 10.0, -65.0, -70.0, -50.0  # ms, Mohm, mV
    lif = _test_neuron(tau_ref=tau_ref * u.ms, V_initializer=V_reset * u.mV)
    result = nd.run(
        lif, 300.0 * u.ms, inputs=lambda i, t: current_nA * u.nA, monitors={"spike": lif.spike}
    )
    spike_times = np.asarray(result.ts.to_decimal(u.ms))[np.asarray(result["spike"])[:, 0] > 0]
    isis = np.diff(spike_times)
    expected = _closed_form_isi(tau, R, current_nA, V_rest, V_reset, V_th, tau_ref)
    assert len(isis) >= 5
    # the first spike starts from V_reset at t=0, so it has no refractory part
    assert abs(spike_times[0] - (expected - tau_ref)) <= 0.1 + 1e-6
    assert np.all(np.abs(isis - expected) <= 0.1 + 1e-6), (isis, expected)


def test_subthreshold_drive_never_spikes():
    lif = _test_neuron()
    result = nd.run(
        lif, 200.0 * u.ms, inputs=lambda i, t: 1.4 * u.nA, monitors={"spike": lif.spike, "V": lif.V}
    )
    assert float(np.asarray(result["spike"]).sum()) == 0.0
    # V relaxes to V_rest + R I = -51 mV
    assert abs(float(result["V"][-1, 0].to_decimal(u.mV)) + 51.0) < 1e-3


def test_refractory_clamps_membrane():
    lif = _test_neuron(tau_ref=3.0 * u.ms, V_initializer=-50.5 * u.mV)
    result = nd.run(
        lif, 10.0 * u.ms, inputs=lambda i, t: 5.0 * u.nA, monitors={"V": lif.V, "spike": lif.spike}
    )
    first = int(np.argmax(np.asarray(result["spike"])[:, 0]))
    V = np.asarray(result["V"].to_decimal(u.mV))[:, 0]
    np.testing.assert_allclose(V[first : first + 31], -70.0)  # spike step + 30 clamped steps
    assert V[first + 31] > -70.0


def test_batched_state_has_batch_axis():
    lif = nd.LIF((2, 3), V_th=1.0 * u.mV)
    nd.init_all_states(lif, batch_size=4)
    assert lif.V.value.shape == (4, 2, 3)
    assert lif(5.0 * u.amp).shape == (4, 2, 3)


def test_soft_reset_subtracts_threshold_distance():
    lif = nd.LIF(
        1,
        tau=10.0 * u.ms,
        R=1.0 * u.Mohm,
        V_rest=0.0 * u.mV,
        V_reset=0.0 * u.mV,
        V_th=10.0 * u.mV,
        spk_reset="soft",
        V_initializer=12.0 * u.mV,
    )
    nd.init_all_states(lif)
    lif(0.0 * u.nA)
    expected = 12.0 * np.exp(-0.01) - 10.0
    assert abs(float(lif.V.value[0].to_decimal(u.mV)) - expected) < 1e-4


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"spk_reset": "medium"}, "spk_reset must be 'hard' or 'soft'"),
        ({"method": "rk9"}, "method must be one of"),
    ],
)
def test_parameter_validation(kwargs, message):
    with pytest.raises(nd.ParameterError, match=message):
        nd.LIF(3, **kwargs)


def test_no_spike_during_refractory_period_with_soft_reset():
    # after a soft reset V is still above threshold; refractoriness must hold it silent
    lif = _test_neuron(
        V_rest=0.0 * u.mV,
        V_reset=0.0 * u.mV,
        V_th=10.0 * u.mV,
        spk_reset="soft",
        tau_ref=1.0 * u.ms,
        V_initializer=25.0 * u.mV,
    )
    result = nd.run(lif, 3.0 * u.ms, inputs=lambda i, t: 0.0 * u.nA, monitors={"s": lif.spike})
    spikes = np.asarray(result["s"])[:, 0]
    assert spikes[0] == 1.0 and spikes[1:11].sum() == 0.0  # 10 refractory steps
    assert spikes[11] == 1.0  # V = 25 e^{-dt/tau} - 10 > 10 mV: fires again once free


def test_voltage_initializer_must_be_a_voltage():
    with pytest.raises(nd.ParameterError, match="V_initializer must give a voltage"):
        nd.init_all_states(nd.LIF(2, V_initializer=1.0 * u.nS))


def test_refractory_period_counts_whole_steps_rounded_up():
    # as NEST counts t_ref: to the nearest microsecond, then up to whole steps, so a
    # refractory period shorter than half a step still lasts one step
    from neurodyn.neurons._base import refractory_steps

    tau_ref = np.array([0.0, 0.04, 0.1, 0.1004, 0.15, 2.0]) * u.ms
    assert refractory_steps(tau_ref).tolist() == [0, 1, 1, 1, 2, 20]
    lif = _test_neuron(tau_ref=0.04 * u.ms, V_initializer=-50.5 * u.mV)
    result = nd.run(
        lif, 2.0 * u.ms, inputs=lambda i, t: 5.0 * u.nA, monitors={"V": lif.V, "spike": lif.spike}
    )
    first = int(np.argmax(np.asarray(result["spike"])[:, 0]))
    V = np.asarray(result["V"].to_decimal(u.mV))[:, 0]
    np.testing.assert_allclose(V[first : first + 2], -70.0)  # spike step + 1 held step
    assert V[first + 2] > -70.0
