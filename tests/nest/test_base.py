"""What all NEST-compatible models share: eager stepping, labels, failures."""

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


def test_stepping_from_python_compiles_once_and_equals_a_compiled_run():
    nd.environ.set(precision=64)
    stepped = nd.nest.iaf_cond_exp(3, I_e=jnp.array([300.0, 400.0, 500.0]) * u.pA)
    nd.init_all_states(stepped)
    programs = []  # held, so their ids stay unique
    for i in range(30):
        with nd.environ.context(t=i * 0.1 * u.ms):
            stepped()
        programs += [p for p in stepped._rkf45_cache.values() if p not in programs]
    assert len(programs) == 1  # one compiled RKF45 step, reused
    run = nd.nest.iaf_cond_exp(3, I_e=jnp.array([300.0, 400.0, 500.0]) * u.pA)
    nd.init_all_states(run)
    nd.run(run, 3.0 * u.ms)
    np.testing.assert_allclose(
        np.asarray(stepped.V.value.to_decimal(u.mV)), np.asarray(run.V.value.to_decimal(u.mV))
    )
    # a parameter set anew is seen (the step is compiled again)
    stepped.E_L = -60.0 * u.mV
    stepped()
    assert len(stepped._rkf45_cache) == 1
    assert all(p is not programs[0] for p in stepped._rkf45_cache.values())


# the relays have no current input to drive them (tested in tests/network and
# tests/nest/test_ignore_and_fire.py)
_RELAYS = ("parrot_neuron", "ignore_and_fire")
# nodes that take no current (NEST refuses it): iaf_chs_2007 is driven by spikes only,
# the astrocyte by spikes into its IP3 (tests/nest/test_iaf_more.py, test_astrocyte.py); rate
# nodes (tests/nest/test_rate.py) have rates, not spikes
_NO_CURRENT = ("iaf_chs_2007", "astrocyte_lr_1994")
_STEPPED_MODELS = [
    n
    for n in nd.nest.__all__
    if n not in ("NESTNeuron", "GapJunction", *_RELAYS, *_NO_CURRENT)
    and not issubclass(getattr(nd.nest, n), nd.nest.RateNode)
]
#: A drive that makes each model fire within the 20 ms stepped (NEST's units: pA).
_DRIVE = {"izhikevich": 10.0, "iaf_chxk_2008": 3000.0, "cm_default": 3000.0,
          "pp_cond_exp_mc_urbanczik": 10000.0}  # fmt: skip


@pytest.mark.parametrize("name", _STEPPED_MODELS)
def test_every_model_stepped_from_python_equals_nd_run(name):
    """A NEST-style script steps the model itself, ``with nd.environ.context(t=..., i=...):
    n.update(x)``, for 200 steps; it gives the spikes and states of ``nd.run``."""
    nd.environ.set(precision=64)  # the aeif models need it; the same for all
    x = _DRIVE.get(name, 800.0) * u.pA
    steps, dt = 200, nd.environ.get_dt()
    nd.random.seed(0)  # the stochastic models draw the same numbers in both runs
    stepped = nd.init_all_states(getattr(nd.nest, name)(2))
    spikes = []
    for i in range(steps):
        with nd.environ.context(t=i * dt, i=i):
            spikes.append(np.asarray(stepped.update(x)))
    nd.random.seed(0)
    run = nd.init_all_states(getattr(nd.nest, name)(2))
    result = nd.run(run, steps * dt, inputs=lambda i, t: x, monitors={"spike": run.spike})
    np.testing.assert_array_equal(np.stack(spikes), np.asarray(result["spike"]))
    assert np.stack(spikes).sum() > 0, "the drive should make the model fire"
    for key, state in run.states().items():
        if key.startswith("clock"):  # a script keeps its own time; nd.run keeps the model's
            continue
        np.testing.assert_allclose(
            np.asarray(u.magnitude(stepped.states()[key].value), float),
            np.asarray(u.magnitude(state.value), float),
            rtol=1e-9, atol=1e-9, err_msg=f"{name}.{key}",
        )  # fmt: skip
