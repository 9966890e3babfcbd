"""The code examples of the ``iaf_bw_2001_exact`` page (seed page 001), run through
``neurodyn.compat`` with only their imports changed.

``import brainpy.state as bp`` becomes ``from neurodyn.compat import brainpy_state as
bp`` and ``import brainstate`` becomes ``from neurodyn.compat import brainstate``;
``saiunit`` stays. Two examples are wrong on the page: the unbound call
``bp.iaf_bw_2001_exact.get_spike(net(...))`` (``get_spike`` needs the model), and an
NMDA port first named at step 10, after the first update, which NEST refuses too.
Both fail with a :class:`~neurodyn.ParameterError` that says what to do.

(The page's ``brainstate.environ.context(dt=0.1 * u.ms)``, called without ``with``,
sets nothing, in brainstate as here; 0.1 ms is the default step anyway.)
"""

import numpy as np
import pytest

import neurodyn as nd


def test_basic_usage_with_ampa_input():
    import saiunit as u

    from neurodyn.compat import brainpy_state as bp
    from neurodyn.compat import brainstate

    brainstate.environ.context(dt=0.1 * u.ms)
    net = bp.iaf_bw_2001_exact(in_size=10)
    net.init_all_states()
    # Apply AMPA input spike
    with pytest.raises(nd.ParameterError, match=r"call net\.get_spike\(\) or net\.get_spike\(V\)"):
        spike = bp.iaf_bw_2001_exact.get_spike(net(spike_events=[(1, 100 * u.nS)]))
    print(net.V.value)

    # the step itself ran: the spike arrived after the integration, V is still E_L
    np.testing.assert_allclose(np.asarray(net.s_AMPA.value.to_decimal(u.nS)), 100.0)
    np.testing.assert_allclose(np.asarray(net.V.value.to_decimal(u.mV)), -70.0)
    # what the page means, on the model: the spikes of a step, or the surrogate of V
    spike = net(spike_events=[(1, 100 * u.nS)])
    assert spike.shape == (10,) and not spike.any()
    assert not net.get_spike().any()


def test_nmda_connections_with_unique_ports():
    import saiunit as u

    from neurodyn.compat import brainpy_state as bp
    from neurodyn.compat import brainstate

    brainstate.environ.context(dt=0.1 * u.ms)
    net = bp.iaf_bw_2001_exact(in_size=5)
    net.init_all_states()
    # Register two NMDA ports with different weights
    events = [
        (3, 50 * u.nS, "port_A", 1.0),  # NMDA port A, weight 50 nS
        (3, 75 * u.nS, "port_B", 1.0),  # NMDA port B, weight 75 nS
    ]
    spike = net(spike_events=events)  # noqa: F841
    print(net.s_NMDA_components.value.shape)

    assert net.s_NMDA_components.value.shape == (5, 2)  # 5 neurons x 2 NMDA ports
    assert net.nmda_ports == ("port_A", "port_B")
    np.testing.assert_array_equal(net.nmda_weights.value.to_decimal(u.nS)[0], [50.0, 75.0])
    np.testing.assert_array_equal(net.x_NMDA.value[0], [1.0, 1.0])
    # the ports are fixed from now on, as in NEST
    with pytest.raises(nd.ParameterError, match="only be added before the first update"):
        net(spike_events=[(3, 10 * u.nS, "port_C", 1.0)])


def test_mixing_ampa_gaba_and_nmda_refuses_a_port_first_named_at_step_10():
    import saiunit as u

    from neurodyn.compat import brainpy_state as bp
    from neurodyn.compat import brainstate

    brainstate.environ.context(dt=0.1 * u.ms)
    net = bp.iaf_bw_2001_exact(in_size=1, V_th=-50 * u.mV)
    net.init_all_states()
    events = [
        {"receptor": "AMPA", "weight": 200 * u.nS, "multiplicity": 2.0},
        {"receptor": "GABA", "weight": 100 * u.nS},
        {"receptor": "NMDA", "weight": 50 * u.nS, "port": 0},
    ]
    with pytest.raises(
        nd.ParameterError,
        match=r"NMDA port 0 is new, but NMDA ports can only be added before the first update",
    ):
        for _ in range(100):
            spike = net(spike_events=events if _ == 10 else None)  # noqa: F841
    print(net.last_spike_time.value)

    # the port registered by the first event that names it, before the first update
    # (what NEST allows): every form of event is accepted and the neuron fires
    net = bp.iaf_bw_2001_exact(in_size=1, V_th=-50 * u.mV)
    net.init_all_states()
    fired = []
    for step in range(100):
        with nd.environ.context(t=step * 0.1 * u.ms, i=step):
            fired.append(float(net(spike_events=events if step == 0 else None)[0]))
    assert net.nmda_ports == (0,) and sum(fired) >= 1
    assert float(net.last_spike_time.value[0].to_decimal(u.ms)) > 0.0


def test_monitoring_refractory_state():
    import saiunit as u

    from neurodyn.compat import brainpy_state as bp
    from neurodyn.compat import brainstate

    brainstate.environ.context(dt=0.1 * u.ms)
    net = bp.iaf_bw_2001_exact(in_size=3, ref_var=True, t_ref=5 * u.ms)
    net.init_all_states()
    net.V.value = net.V_th + 1 * u.mV  # Force spike
    spike = net()
    print(net.refractory.value)

    np.testing.assert_array_equal(net.refractory.value, [True, True, True])
    np.testing.assert_array_equal(spike, [1.0, 1.0, 1.0])
    assert net.V.value.shape == (3,)  # the scalar assignment kept the state's shape
    for _ in range(50):  # 5 ms at 0.1 ms: the refractory period ends
        net()
    np.testing.assert_array_equal(net.refractory.value, [False, False, False])
