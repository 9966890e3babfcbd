"""What all NEST-compatible models share: eager stepping, labels, failures."""

import jax.numpy as jnp
import numpy as np

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
