"""The code examples of the synapse tutorial (seed page 004), run through
``neurodyn.compat`` with only their imports changed.

The page's ``import brainstate``, ``import braintools`` and ``import brainpy.state``
become ``from neurodyn.compat import brainstate, braintools, brainpy`` (so that
``brainpy.state.LIF`` reads as on the page); ``saiunit``, ``jax.numpy`` and
``matplotlib`` stay. After each example come the checks of what the page states. Two examples are
wrong on the page and fail with neurodyn's clear errors: a 100-element synapse on 50
neurons, and a unitless ``tau``.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import neurodyn as nd  # noqa: E402
from neurodyn import units as nu  # noqa: E402


def _impulse_response(syn, n_steps):
    """``syn``'s variable (mS) after one 1 mS input in the first step, one value per step."""
    nd.init_all_states(syn)
    drive = np.zeros((n_steps, *syn.varshape))
    drive[0] = 1.0
    result = nd.run(syn, n_steps * 0.1 * nu.ms, inputs=drive * nu.mS, monitors={"g": syn.output})
    return np.asarray(result["g"].to_decimal(nu.mS))[:, 0]


def test_creating_synapses_refuses_a_100_element_synapse_on_50_neurons():
    import jax.numpy as jnp  # noqa: F401
    import matplotlib.pyplot as plt  # noqa: F401
    import saiunit as u

    from neurodyn.compat import brainpy, brainstate, braintools  # noqa: F401

    # Set simulation timestep (required by brainstate.environ)
    brainstate.environ.set(dt=0.1 * u.ms)

    # Create neurons for demonstration
    neurons = brainpy.state.LIF(50, V_rest=-65 * u.mV, V_th=-50 * u.mV, tau=10 * u.ms)

    # Create synapse descriptor
    syn = brainpy.state.Expon(
        in_size=100,  # Number of synapses
        tau=5.0 * u.ms,  # Time constant
    )

    # Use in projection
    with pytest.raises(nd.ParameterError, match=r"syn has in_size=\(100,\), but post has"):
        projection = brainpy.state.AlignPostProj(  # noqa: F841
            comm=brainstate.nn.EventFixedProb(100, 50, 0.1, 0.5),
            syn=syn,  # Synapse here
            out=brainpy.state.CUBA(),
            post=neurons,
        )
    # the tutorial's own LIF call is well-formed: V_reset defaults to V_rest
    assert float(neurons.V_reset.to_decimal(u.mV)) == -65.0


def test_synapse_lifecycle_refuses_a_unitless_tau():
    import jax.numpy as jnp
    import saiunit as u

    from neurodyn.compat import brainpy, brainstate, braintools

    brainstate.environ.set(dt=0.1 * u.ms)
    neurons = brainpy.state.LIF(50, V_rest=-65 * u.mV, V_th=-50 * u.mV, tau=10 * u.ms)

    # Example presynaptic spikes
    presynaptic_spikes = jnp.zeros(100)  # 100 presynaptic neurons  # noqa: F841

    with pytest.raises(nd.ParameterError, match=r"Expon\.tau must be a time quantity"):
        projection = brainpy.state.AlignPostProj(  # noqa: F841
            comm=brainstate.nn.AllToAll(100, 100, braintools.init.KaimingNormal(unit=u.mS)),
            syn=brainpy.state.Expon(100, tau=5.0),
            out=brainpy.state.COBA(E=0),
            post=neurons,
        )
    # with the units the page means, the next faults are named too: E of COBA ...
    with pytest.raises(nd.ParameterError, match=r"COBA\.E must be a voltage"):
        brainpy.state.COBA(E=0)
    # ... and a 100-neuron projection onto 50 neurons
    with pytest.raises(nd.ParameterError, match=r"comm projects onto 100 neurons"):
        brainpy.state.AlignPostProj(
            comm=brainstate.nn.AllToAll(100, 100, braintools.init.KaimingNormal(unit=u.mS)),
            syn=brainpy.state.Expon(100, tau=5.0 * u.ms),
            out=brainpy.state.COBA(E=0 * u.mV),
            post=neurons,
        )


def test_expon_example():
    import saiunit as u

    from neurodyn.compat import brainpy, braintools

    syn = brainpy.state.Expon(
        in_size=100, tau=5.0 * u.ms, g_initializer=braintools.init.Constant(0.0 * u.mS)
    )

    # g(t) = exp(-t/tau) after one unit input at t = 0
    g = _impulse_response(syn, 100)
    t = np.arange(100) * 0.1
    np.testing.assert_allclose(g, np.exp(-t / 5.0), rtol=1e-5)


def test_alpha_example():
    import saiunit as u

    from neurodyn.compat import brainpy, braintools

    syn = brainpy.state.Alpha(
        in_size=100, tau=5.0 * u.ms, g_initializer=braintools.init.Constant(0.0 * u.mS)
    )

    # g(t) = (t/tau) exp(-t/tau): gradual rise to its peak 1/e at tau, then decay
    g = _impulse_response(syn, 200)
    t = np.arange(200) * 0.1
    assert abs(t[np.argmax(g)] - 5.0) <= 0.05
    assert g.max() == pytest.approx(np.exp(-1.0), rel=1e-4)


def test_descriptor_pattern():
    import saiunit as u

    from neurodyn.compat import brainpy, brainstate

    # Define neurons for example
    example_neurons = brainpy.state.LIF(100, V_rest=-65 * u.mV, V_th=-50 * u.mV, tau=10 * u.ms)

    # Instantiated within projection
    example_projection = brainpy.state.AlignPostProj(
        comm=brainstate.nn.EventFixedProb(100, 100, 0.1, 0.5 * u.mS),
        syn=brainpy.state.Expon(in_size=100, tau=5 * u.ms),
        out=brainpy.state.CUBA(),
        post=example_neurons,
    )
    brainstate.nn.init_all_states(example_projection)

    # Access instantiated synapse
    actual_synapse = example_projection.syn
    g_value = actual_synapse

    assert isinstance(g_value, nd.Expon) and g_value.varshape == (100,)
    assert float(g_value.g.value.to_decimal(u.mS).sum()) == 0.0


def test_accessing_synaptic_state():
    import saiunit as u

    from neurodyn.compat import brainpy, brainstate

    # Define neurons for this example
    demo_neurons = brainpy.state.LIF(100, V_rest=-65 * u.mV, V_th=-50 * u.mV, tau=10 * u.ms)

    # Within projection
    demo_projection = brainpy.state.AlignPostProj(
        comm=brainstate.nn.EventFixedProb(100, 100, conn_num=10, conn_weight=0.5 * u.mS),
        syn=brainpy.state.Expon(in_size=100, tau=5 * u.ms),
        out=brainpy.state.CUBA(),
        post=demo_neurons,
    )

    # Initialize states
    brainstate.nn.init_all_states(demo_projection)

    # Access the synaptic conductance state
    synaptic_var = demo_projection.syn.g.value  # Current value with units

    # Convert to array for plotting
    g_array = u.get_magnitude(synaptic_var)

    assert u.get_unit(synaptic_var) == u.mS and g_array.shape == (100,)
    comm = demo_projection.comm
    assert comm.n_synapses == 100 * 10  # conn_num targets per presynaptic neuron
    assert np.all(np.asarray(comm.weight.value.to_decimal(u.mS)) == 0.5)


def test_synaptic_dynamics_visualization():
    import jax.numpy as jnp
    import matplotlib.pyplot as plt
    import saiunit as u

    from neurodyn.compat import brainpy, brainstate

    # Set simulation timestep
    brainstate.environ.set(dt=0.1 * u.ms)

    # Create different synapses (without unit initializers to avoid mismatch)
    expon = brainpy.state.Expon(1, tau=5 * u.ms)
    alpha = brainpy.state.Alpha(1, tau=5 * u.ms)
    ampa = brainpy.state.AMPA(1, T=2 * u.mM)
    gaba = brainpy.state.GABAa(1, T=1.0 * u.mM)

    # Initialize
    for syn in [expon, alpha, ampa, gaba]:
        brainstate.nn.init_all_states(syn)

    # Single spike at t=0 (dimensionless spike count)
    spike_input = jnp.zeros(100) * u.mS
    spike_input = spike_input.at[0].set(1.0 * u.mS)

    # Simulate
    times = u.math.arange(0 * u.ms, 50 * u.ms, 0.1 * u.ms)
    responses = {"Expon": [], "Alpha": [], "AMPA": [], "GABAa": []}

    for syn, name in zip([expon, alpha], ["Expon", "Alpha"]):  # noqa: B905
        brainstate.nn.init_all_states(syn)

        def step_run(i, t):
            with brainstate.environ.context(t=t, i=i):
                inp = u.math.where(i == 0, 1.0 * u.mS, 0.0 * u.mS)
                g_val = syn(inp)  # noqa: B023
                return g_val

        responses[name] = brainstate.transform.for_loop(
            step_run,
            u.math.arange(times.size),
            times,
        )

    for syn, name in zip([ampa, gaba], ["AMPA", "GABAa"]):  # noqa: B905
        brainstate.nn.init_all_states(syn)

        def step_run(i, t):
            with brainstate.environ.context(t=t, i=i):
                inp = u.math.where(i == 0, 1.0, 0.0)
                g_val = syn(inp)  # noqa: B023
                return g_val

        responses[name] = brainstate.transform.for_loop(
            step_run,
            u.math.arange(times.size),
            times,
        )

    # Plot
    plt.figure(figsize=(10, 6))
    for name, response in responses.items():
        plt.plot(times, response, label=name, linewidth=2)
    plt.xlabel("Time (ms)")
    plt.ylabel("Synaptic Variable (normalized)")
    plt.title("Comparison of Synapse Models (Single Spike)")
    plt.legend()
    plt.grid(True, alpha=0.3)
    plt.show()
    plt.close("all")

    # the curves the page describes: Expon jumps then decays as exp(-t/tau); Alpha
    # peaks at 1/e at t = tau; AMPA and GABAa peak when the transmitter pulse ends
    t = np.arange(500) * 0.1
    curves = {
        name: np.asarray(u.get_magnitude(response))[:, 0] for name, response in responses.items()
    }
    np.testing.assert_allclose(curves["Expon"], np.exp(-t / 5.0), rtol=1e-4, atol=1e-7)
    assert abs(t[np.argmax(curves["Alpha"])] - 5.0) <= 0.05
    assert curves["Alpha"].max() == pytest.approx(np.exp(-1.0), rel=1e-4)
    for name, T_dur in (("AMPA", 0.5), ("GABAa", 1.0)):
        assert abs(t[np.argmax(curves[name])] - T_dur) <= 0.05
