"""Nothing silently wrong: parameters checked whenever they are set, settings, inputs and
monitors checked, a clear message when states are missing (issue 12)."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


def _lif(n=10, **kwargs):
    params = dict(tau=10.0 * u.ms, R=1.0 * u.Mohm, V_rest=-65.0 * u.mV, V_th=-50.0 * u.mV)
    return nd.LIF(n, **{**params, **kwargs})


def test_assignment_is_checked_like_construction_and_changes_nothing_on_error():
    lif = _lif()
    with pytest.raises(nd.ParameterError, match=r"LIF.tau must be > 0 ms, got -1"):
        lif.tau = -1.0 * u.ms
    assert lif.tau == 10.0 * u.ms
    with pytest.raises(nd.ParameterError, match="V_reset must be < V_th"):
        lif.V_reset = -40.0 * u.mV
    assert lif.V_reset == -65.0 * u.mV
    with pytest.raises(nd.ParameterError, match="LIF.tau must be a time quantity"):
        lif.tau = 10.0
    with pytest.raises(nd.ParameterError, match="LIF has no parameter 'taux'"):
        lif.set(taux=1.0 * u.ms)
    # several related parameters change together, checked as a whole
    lif.set(V_th=-70.0 * u.mV, V_reset=-75.0 * u.mV)
    assert lif.V_th == -70.0 * u.mV and lif.V_reset == -75.0 * u.mV


def test_a_bad_assignment_never_reaches_the_simulation():
    """The issue's example: tau = -1 ms set after construction drove V to -7e9 mV."""
    lif = _lif()
    nd.init_all_states(lif)
    with pytest.raises(nd.ParameterError):
        lif.tau = -1.0 * u.ms
    result = nd.run(lif, 5.0 * u.ms, inputs=lambda i, t: 5.0 * u.nA, monitors={"V": lif.V})
    V = np.asarray(result["V"].to_decimal(u.mV))
    assert V.min() >= -65.0 - 1e-4 and V.max() < -50.0 + 1e-4


def test_compiled_programs_see_a_parameter_set_later():
    lif = _lif(1, V_th=100.0 * u.mV)
    nd.init_all_states(lif)

    @nd.jit
    def step(x):
        lif(x)
        return lif.V.value

    V0 = -65.0
    first = float(step(1.0 * u.nA).to_decimal(u.mV)[0])
    lif.tau = 2.0 * u.ms  # a constant of the compiled program: it must be rebuilt
    second = float(step(1.0 * u.nA).to_decimal(u.mV)[0])
    # exponential Euler is exact for constant input: V(t+dt) = V_inf + (V - V_inf) e^{-dt/tau}
    V_inf = V0 + 1.0  # R I = 1 mV
    expect_first = V_inf + (V0 - V_inf) * np.exp(-0.1 / 10.0)
    np.testing.assert_allclose(first, expect_first, rtol=1e-6)
    np.testing.assert_allclose(second, V_inf + (first - V_inf) * np.exp(-0.1 / 2.0), rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(tau=jnp.inf * u.ms), "LIF.tau must be finite"),
        (dict(V_th=jnp.inf * u.mV), "LIF.V_th must be finite"),
        (dict(V_rest=jnp.nan * u.mV), "LIF.V_rest must not be NaN"),
        (dict(tau=jnp.ones((10, 1)) * u.ms), r"LIF.tau has shape \(10, 1\), which does not"),
        (dict(tau=jnp.ones(3) * u.ms), r"LIF.tau has shape \(3,\)"),
    ],
)
def test_non_finite_and_widening_shapes_are_refused(kwargs, match):
    with pytest.raises(nd.ParameterError, match=match):
        _lif(**kwargs)


def test_infinity_where_a_model_documents_it():
    neuron = nd.nest.iaf_psc_delta(2, V_min=-jnp.inf * u.mV)  # NEST's "no lower bound"
    assert np.isneginf(float(neuron.V_min.to_decimal(u.mV)))
    with pytest.raises(nd.ParameterError, match="V_min must not be NaN"):
        neuron.V_min = jnp.nan * u.mV


@pytest.mark.parametrize("size", [10.0, 0, -3, True, (10, 0), "10", None])
def test_population_sizes_must_be_positive_whole_numbers(size):
    with pytest.raises(nd.ParameterError, match="in_size must be a positive whole number"):
        nd.LIF(size)


def test_negative_conductances_are_refused():
    post = _lif(20)
    with pytest.raises(nd.ParameterError, match="comm.weight must be >= 0 with a conductance"):
        nd.AlignPostProj(
            comm=nd.FixedProb(20, 20, prob=0.5, weight=-1.0 * u.nS, seed=1),
            syn=nd.Expon(20, g_initializer=nd.init.ZeroInit(u.nS)),
            out=nd.COBA(E=0.0 * u.mV),
            post=post,
        )
    with pytest.raises(nd.ParameterError, match="HH.gNa must be >= 0"):
        nd.HH(3, gNa=-1.0 * u.mS / u.cm2)


def test_settings_refuse_unknown_names_and_bad_dt():
    with pytest.raises(nd.ParameterError, match=r"unknown setting 'precison' \(did you mean"):
        nd.environ.set(precison=64)
    assert nd.environ.get_precision() == 32
    for bad in (jnp.nan * u.ms, jnp.inf * u.ms, 0.0 * u.ms, -0.1 * u.ms):
        with pytest.raises(nd.ParameterError, match="dt must be a finite time > 0 ms"):
            nd.environ.set(dt=bad)
        with pytest.raises(nd.ParameterError, match="dt must be a finite time > 0 ms"):
            with nd.environ.context(dt=bad):
                pass
    with pytest.raises(nd.ParameterError, match="unknown setting 'fit'"):
        with nd.environ.context(fit=True):
            pass
    assert nd.environ.get_dt() == 0.1 * u.ms


def test_monitor_indices_must_be_whole_numbers_in_range():
    lif = _lif()
    nd.init_all_states(lif)
    with pytest.raises(nd.ParameterError, match="monitor indices must be whole numbers"):
        nd.Monitor("V", indices=[0.5])
    with pytest.raises(nd.ParameterError, match=r"monitor indices must lie in \[0, 10\)"):
        nd.run(lif, 1.0 * u.ms, monitors={"V": nd.Monitor("V", indices=[3, 10])})


def test_ambiguous_input_arrays_are_refused_and_the_explicit_forms_work():
    lif = _lif(20, V_th=100.0 * u.mV)  # 20 neurons, and a 2 ms run has 20 steps
    nd.init_all_states(lif)
    ramp = jnp.linspace(0.0, 1.0, 20) * u.nA
    with pytest.raises(nd.ParameterError, match="one value per step or one value per neuron"):
        nd.run(lif, 2.0 * u.ms, inputs=ramp)
    per_step = nd.run(lif, 2.0 * u.ms, inputs=ramp[:, None], monitors={"V": lif.V}, reset=True)
    per_neuron = nd.run(lif, 2.0 * u.ms, inputs=lambda i, t: ramp, monitors={"V": lif.V},
                        reset=True)  # fmt: skip
    V_step = np.asarray(per_step["V"].to_decimal(u.mV))
    V_neuron = np.asarray(per_neuron["V"].to_decimal(u.mV))
    assert np.ptp(V_step[-1]) == 0 and np.ptp(V_step[:, 0]) > 0  # same for all, grows in time
    assert np.ptp(V_neuron[-1]) > 0  # differs across neurons


def test_input_shapes_that_do_not_fit_the_population_name_both_shapes():
    lif = _lif(10)
    nd.init_all_states(lif)
    with pytest.raises(nd.ParameterError, match=r"inputs\(i, t\) has shape \(3,\).*\(10,\)"):
        nd.run(lif, 1.0 * u.ms, inputs=lambda i, t: jnp.ones(3) * u.nA)
    with pytest.raises(nd.ParameterError, match=r"inputs\[step\] has shape \(3,\).*\(10,\)"):
        nd.run(lif, 1.0 * u.ms, inputs=jnp.ones((10, 3)) * u.nA)
    with pytest.raises(nd.ParameterError, match=r"leading time axis of length 10"):
        nd.run(lif, 1.0 * u.ms, inputs=jnp.ones((9, 10)) * u.nA)


def test_update_before_init_all_states_says_what_to_do():
    lif = _lif()
    with pytest.raises(AttributeError, match=r"call nd.init_all_states\(model\) first"):
        lif(1.0 * u.nA)
    with pytest.raises(nd.ParameterError, match=r"init_all_states"):
        nd.run(lif, 1.0 * u.ms)
