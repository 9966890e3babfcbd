"""The code examples of the ``hh_psc_alpha_gap`` page (seed page 003), run through
``neurodyn.compat`` with only their imports changed.

``import brainpy.state as bs`` becomes ``from neurodyn.compat import brainpy_state as
bs`` and ``import brainstate as bst`` becomes ``from neurodyn.compat import brainstate
as bst``; ``saiunit`` and ``jax.numpy`` stay. Examples that continue an earlier one
repeat the lines they build on. Every example runs.
"""

import numpy as np

import neurodyn as nd

#: NEST's default initial V_m and the gating values at equilibrium there (NEST 3.10).
V_M0 = -69.60401191631222


def _spikes_of_a_compiled_run(x, steps):
    """The spike train of a fresh neuron driven by ``x`` for ``steps`` steps, by nd.run."""
    from neurodyn import units as u

    neuron = nd.init_all_states(nd.nest.hh_psc_alpha_gap(1))
    result = nd.run(
        neuron, steps * 0.1 * u.ms, inputs=lambda i, t: x, monitors={"spike": neuron.spike}
    )
    return np.asarray(result["spike"])[:, 0]


def test_create_a_single_neuron():
    import saiunit as u

    from neurodyn.compat import brainpy_state as bs

    neuron = bs.hh_psc_alpha_gap(in_size=1, E_L=-70 * u.mV, C_m=40 * u.pF)
    neuron.init_all_states()

    np.testing.assert_allclose(neuron.V.value.to_decimal(u.mV), [V_M0], rtol=1e-7)
    alpha_m, beta_m = neuron.rates(V_M0)["m"]
    np.testing.assert_allclose(neuron.m.value, alpha_m / (alpha_m + beta_m), rtol=1e-6)


def test_simulate_with_constant_input_current():
    import saiunit as u

    from neurodyn.compat import brainpy_state as bs
    from neurodyn.compat import brainstate as bst

    neuron = bs.hh_psc_alpha_gap(in_size=1, E_L=-70 * u.mV, C_m=40 * u.pF)
    neuron.init_all_states()

    with bst.environ.context(dt=0.1 * u.ms):
        neuron.init_all_states()
        spikes = []
        for i in range(1000):  # noqa: B007
            spk = neuron.update(x=500 * u.pA)  # 500 pA input
            spikes.append(spk.item())

    # the same spikes as a compiled run of the same model: tonic firing
    expected = _spikes_of_a_compiled_run(500 * u.pA, 1000)
    np.testing.assert_array_equal(np.asarray(spikes), expected)
    assert sum(spikes) >= 5


def test_population_with_heterogeneous_capacitance():
    import jax.numpy as jnp
    import saiunit as u

    from neurodyn.compat import brainpy_state as bs

    C_m_values = jnp.linspace(30, 50, 10) * u.pF
    neurons = bs.hh_psc_alpha_gap(in_size=10, C_m=C_m_values)
    neurons.init_all_states()

    np.testing.assert_allclose(neurons.C_m.to_decimal(u.pF), np.linspace(30, 50, 10), rtol=1e-6)
    assert neurons.V.value.shape == (10,)


def test_gap_junction_coupling_between_two_neurons():
    import saiunit as u

    from neurodyn.compat import brainpy_state as bs

    neuron1 = bs.hh_psc_alpha_gap(in_size=1)
    neuron2 = bs.hh_psc_alpha_gap(in_size=1)
    neuron1.init_all_states()
    neuron2.init_all_states()
    g_gap = 0.5 * u.nS  # gap-junction conductance
    # In update loop:
    I_gap_1 = g_gap * (neuron2.V.value - neuron1.V.value)
    I_gap_2 = g_gap * (neuron1.V.value - neuron2.V.value)
    spk1 = neuron1.update(x=I_gap_1)
    spk2 = neuron2.update(x=I_gap_2)

    assert spk1.shape == spk2.shape == (1,)
    # the currents are buffered for the next step, as NEST's are
    assert float(neuron1.I_stim.value[0].to_decimal(u.pA)) == 0.0  # equal voltages


def test_get_spike_direct():
    import saiunit as u

    from neurodyn.compat import brainpy_state as bs

    neuron = bs.hh_psc_alpha_gap(in_size=1)
    neuron.init_all_states()
    neuron.V.value = 10 * u.mV  # depolarized
    spk = neuron.get_spike()
    print(f"Spike signal: {spk}")

    np.testing.assert_array_equal(spk, [1.0])  # V / (1 mV) = 10 >= 0: spiking


def test_get_spike_of_a_custom_voltage_signal():
    import jax.numpy as jnp
    import saiunit as u

    from neurodyn.compat import brainpy_state as bs

    neuron = bs.hh_psc_alpha_gap(in_size=1)
    neuron.init_all_states()
    V_custom = jnp.array([1e-12, -1.0]) * u.mV  # spike/no-spike
    spk = neuron.get_spike(V=V_custom)

    np.testing.assert_array_equal(spk, [1.0, 0.0])


def test_init_state():
    from neurodyn.compat import brainpy_state as bs

    neuron = bs.hh_psc_alpha_gap(in_size=10)
    neuron.init_state()
    print(neuron.V.value.shape)

    assert neuron.V.value.shape == (10,)


def test_custom_initial_voltage():
    import jax.numpy as jnp
    import saiunit as u

    from neurodyn.compat import brainpy_state as bs

    V_init = jnp.linspace(-75, -65, 10) * u.mV
    neuron = bs.hh_psc_alpha_gap(in_size=10, V_m_init=V_init)
    neuron.init_state()
    print(neuron.V.value)  # voltage varies across population

    np.testing.assert_allclose(neuron.V.value.to_decimal(u.mV), np.linspace(-75, -65, 10))
    # the gates start at their equilibrium at each neuron's own V_m_init
    alpha_h, beta_h = neuron.rates(np.linspace(-75, -65, 10))["h"]
    np.testing.assert_allclose(neuron.h.value, alpha_h / (alpha_h + beta_h), rtol=1e-5)


def test_custom_gating_variables():
    from neurodyn.compat import brainpy_state as bs

    neuron = bs.hh_psc_alpha_gap(
        in_size=1,
        Act_m_init=0.1,  # specific sodium activation
        Inact_h_init=0.9,  # specific sodium inactivation
    )
    neuron.init_state()
    print(f"m={neuron.m.value}, h={neuron.h.value}")

    np.testing.assert_allclose(neuron.m.value, [0.1])
    np.testing.assert_allclose(neuron.h.value, [0.9])
    alpha_n, beta_n = neuron.rates(V_M0)["n"]  # the others: equilibrium at V_m_init
    np.testing.assert_allclose(neuron.n.value, alpha_n / (alpha_n + beta_n), rtol=1e-6)


def test_gap_junction_usage_with_a_coupling_matrix():
    import saiunit as u

    from neurodyn.compat import brainpy_state as bs

    neuron1 = bs.hh_psc_alpha_gap(in_size=1)
    neuron2 = bs.hh_psc_alpha_gap(in_size=1, V_m_init=-60 * u.mV)
    neuron1.init_all_states()
    neuron2.init_all_states()

    G = [[0, 0.5], [0.5, 0]] * u.nS  # coupling conductances
    V1, V2 = neuron1.V.value, neuron2.V.value
    I_gap1 = G[0, 1] * (V2 - V1)
    I_gap2 = G[1, 0] * (V1 - V2)
    spk1 = neuron1.update(x=I_gap1)  # noqa: F841
    spk2 = neuron2.update(x=I_gap2)  # noqa: F841

    # 0.5 nS x (-60 + 69.604 mV), buffered for the next step
    expected = 0.5 * (-60.0 - V_M0)
    np.testing.assert_allclose(neuron1.I_stim.value.to_decimal(u.pA), [expected], rtol=1e-6)
    np.testing.assert_allclose(neuron2.I_stim.value.to_decimal(u.pA), [-expected], rtol=1e-6)


def test_gap_current_as_a_named_current_input():
    import saiunit as u

    from neurodyn.compat import brainpy_state as bs

    neuron = bs.hh_psc_alpha_gap(in_size=1)
    neuron.init_all_states()
    I_gap = 3.0 * u.pA

    neuron.add_current_input("gap", lambda: I_gap)
    spk = neuron.update()  # gap current applied automatically  # noqa: F841

    np.testing.assert_allclose(neuron.I_stim.value.to_decimal(u.pA), [3.0])
    I_gap = 5.0 * u.pA  # the function reads the script's variable at each step
    neuron.update()
    np.testing.assert_allclose(neuron.I_stim.value.to_decimal(u.pA), [5.0])
