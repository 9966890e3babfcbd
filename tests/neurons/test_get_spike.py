"""``get_spike(V=None)`` of every neuron model: the surrogate spike of a membrane
potential, 1 at or past the threshold and 0 below, as the model's update detects it."""

import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.nest._binary import BinaryNeuron
from neurodyn.neurons._base import Neuron

MODELS = {
    name: cls
    for name, cls in [(n, getattr(nd, n)) for n in nd.__all__]
    + [(f"nest.{n}", getattr(nd.nest, n)) for n in nd.nest.__all__]
    if inspect.isclass(cls)
    and issubclass(cls, Neuron)
    # the relays have no membrane and no threshold; the escape-noise models draw their
    # spikes from a rate instead of crossing a threshold; binary neurons have a state
    # of 0 or 1, not a membrane potential
    and not issubclass(cls, BinaryNeuron)
    and cls
    not in (
        Neuron,
        nd.nest.NESTNeuron,
        nd.nest.parrot_neuron,
        nd.nest.ignore_and_fire,
        nd.nest.gif_psc_exp,
        nd.nest.gif_cond_exp,
        nd.nest.gif_psc_exp_multisynapse,
        nd.nest.gif_cond_exp_multisynapse,
        nd.nest.gif_pop_psc_exp,
        nd.nest.pp_psc_delta,
        nd.nest.pp_cond_exp_mc_urbanczik,
    )
}


def _threshold(model):
    """The voltage at which ``model`` emits a spike (mV)."""
    if hasattr(model, "spike_threshold"):
        return model.spike_threshold()
    if isinstance(model, nd.ALIF):
        return model.threshold()
    if isinstance(model, nd.GIF):
        return model.V_th.value
    return model.V_th


@pytest.mark.parametrize("name", sorted(MODELS))
def test_get_spike_is_one_at_threshold_and_zero_below(name):
    nd.environ.set(precision=64)
    model = nd.init_all_states(MODELS[name](3))
    V_th = u.math.broadcast_to(_threshold(model), (3,))
    step = 0.5 * u.mV if u.has_unit(V_th) else 0.5  # the oscillators are dimensionless
    below, above = V_th - step, V_th + step
    np.testing.assert_array_equal(model.get_spike(below), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(model.get_spike(above), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(model.get_spike(V_th), [1.0, 1.0, 1.0])
    voltage = getattr(model, model.VOLTAGE)
    voltage.value = above
    np.testing.assert_array_equal(model.get_spike(), [1.0, 1.0, 1.0])  # default: the state


def test_get_spike_takes_any_shape_and_has_a_surrogate_gradient():
    lif = nd.init_all_states(nd.LIF(1, V_rest=-65 * u.mV, V_th=-50 * u.mV))
    V = jnp.array([-49.0, -51.0, -60.0]) * u.mV
    np.testing.assert_array_equal(lif.get_spike(V), [1.0, 0.0, 0.0])
    slope = jax.grad(lambda v: lif.get_spike(v * u.mV).sum())(jnp.array([-50.1]))
    assert float(slope[0]) > 0.0


def test_get_spike_on_the_class_says_how_to_call_it():
    net = nd.init_all_states(nd.nest.iaf_bw_2001_exact(2))
    with pytest.raises(nd.ParameterError, match=r"call net\.get_spike\(\)"):
        nd.nest.iaf_bw_2001_exact.get_spike(net())
    assert nd.nest.iaf_bw_2001_exact.get_spike(net).shape == (2,)  # an explicit self works


@pytest.mark.parametrize("cls", [nd.LIF, nd.ALIF, nd.GIF])
def test_V_reset_defaults_to_V_rest_and_an_explicit_one_is_checked(cls):
    kwargs = {"V_th": -50 * u.mV} if cls is not nd.GIF else {}
    neuron = cls(2, V_rest=-65 * u.mV, **kwargs)
    assert float(neuron.V_reset.to_decimal(u.mV)) == -65.0
    high = (
        {"V_th": -50 * u.mV, "V_reset": -50 * u.mV}
        if cls is not nd.GIF
        else {"V_reset": -50 * u.mV}
    )
    with pytest.raises(nd.ParameterError, match="V_reset must be <"):
        cls(2, V_rest=-65 * u.mV, **high)
