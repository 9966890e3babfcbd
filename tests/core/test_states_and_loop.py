"""States, the module walk, the compiled loop and the progress bar."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u


class Counter(nd.Module):
    def __init__(self):
        super().__init__()
        self.child = nd.LIF(2)
        self.count = nd.ShortTermState(jnp.zeros(()))
        self.w = nd.ParamState(jnp.ones(2))

    def update(self, x):
        self.count.value = self.count.value + x
        return self.count.value


def test_state_kinds_and_walk():
    m = Counter()
    nd.init_all_states(m)
    assert set(m.states()) == {
        "count",
        "w",
        "child.spike",
        "child.V",
        "child.refractory",
        "clock.step",
    }
    assert set(m.states(nd.ParamState)) == {"w"}
    assert set(m.states(nd.HiddenState)) == {"child.V"}


def test_state_refuses_unit_change():
    s = nd.HiddenState(jnp.zeros(3) * u.mV, name="V")
    s.value = jnp.ones(3) * u.volt  # same dimension: fine
    with pytest.raises(nd.ParameterError, match="cannot assign a value in nS to a state in"):
        s.value = jnp.ones(3) * u.nS


def test_for_loop_threads_states_and_stacks_outputs():
    m = Counter()
    nd.init_all_states(m)
    out = nd.for_loop(m.update, jnp.arange(5.0))
    np.testing.assert_allclose(out, [0, 1, 3, 6, 10])
    assert float(m.count.value) == 10.0
    # a second loop continues from the state the first left
    out = nd.for_loop(m.update, jnp.ones(2))
    np.testing.assert_allclose(out, [11, 12])


def test_for_loop_with_units():
    V = nd.HiddenState(jnp.zeros(2) * u.mV)

    def step(dv):
        V.value = V.value + dv
        return V.value

    out = nd.for_loop(step, jnp.ones((4, 2)) * u.mV)
    np.testing.assert_allclose(np.asarray(out.to_decimal(u.mV))[:, 0], [1, 2, 3, 4])
    np.testing.assert_allclose(np.asarray(V.value.to_decimal(u.mV)), [4, 4])


def test_for_loop_with_length_only_and_context_time():
    seen = nd.ShortTermState(jnp.zeros(()))
    ts = jnp.arange(3) * 0.5 * u.ms

    def step(t):
        with nd.environ.context(t=t):
            seen.value = seen.value + nd.environ.get("t").to_decimal(u.ms)

    nd.for_loop(step, ts)
    assert float(seen.value) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="explicit length"):
        nd.for_loop(lambda: None)


def test_progress_bar_reports_every_step(capsys):
    total = nd.ShortTermState(jnp.zeros(()))

    def step(x):
        total.value = total.value + x
        return total.value

    bar = nd.ProgressBar(every=30)
    out = nd.for_loop(step, jnp.ones(100), progress_bar=bar)
    jax.effects_barrier()
    assert float(out[-1]) == 100.0
    assert bar._done == 100  # 3 chunks of 30 and a remainder of 10
    assert "100/100" in capsys.readouterr().err


def test_environment_defaults_and_errors():
    assert float(nd.environ.get_dt().to_decimal(u.ms)) == pytest.approx(0.1)
    assert float(nd.environ.get("t").to_decimal(u.ms)) == 0.0
    assert nd.environ.get("i") == 0
    with pytest.raises(nd.ParameterError, match="dt must be a time quantity"):
        nd.environ.set(dt=0.1)
    with pytest.raises(nd.ParameterError, match="dt must be a time quantity"):
        nd.environ.set(dt=0.1 * u.mV)
    with pytest.raises(nd.ParameterError, match="dt must be a finite time > 0 ms"):
        nd.environ.set(dt=-0.1 * u.ms)
    with pytest.raises(nd.ParameterError, match="dt must be a finite time > 0 ms"):
        nd.environ.set(dt=0.0 * u.ms)
    with pytest.raises(nd.ParameterError, match="precision must be 32 or 64"):
        nd.environ.set(precision=16)


def test_float64_precision_switch():
    nd.environ.set(precision=64)
    lif = nd.LIF(2)
    nd.init_all_states(lif)
    assert lif.V.value.dtype == jnp.float64
    nd.environ.set(precision=32)
    nd.init_all_states(lif)
    assert lif.V.value.dtype == jnp.float32


def test_random_streams_are_reproducible_inside_loops():
    def draw():
        return nd.for_loop(lambda i: nd.random.normal(size=3), jnp.arange(4))

    nd.random.seed(7)
    a = draw()
    nd.random.seed(7)
    b = draw()
    nd.random.seed(8)
    c = draw()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a[0], a[1])  # the stream advances each step


def test_reset_keeps_state_identity_and_restores_values():
    lif = nd.LIF(3, V_initializer=-1.0 * u.mV, V_th=5.0 * u.mV, V_reset=-2.0 * u.mV)
    nd.init_all_states(lif)
    V = lif.V
    nd.run(lif, 2.0 * u.ms, inputs=lambda i, t: 3.0 * u.amp)
    assert float(V.value[0].to_decimal(u.mV)) != -1.0
    nd.reset_all_states(lif)
    assert lif.V is V
    np.testing.assert_allclose(np.asarray(V.value.to_decimal(u.mV)), -1.0)


def test_loop_state_updated_in_another_unit_of_the_same_dimension():
    V = nd.HiddenState(jnp.zeros(2) * u.volt)

    def step(x):
        V.value = -65.0 * u.mV + V.value + x * u.mV  # a value in mV for a state in volt
        return V.value

    nd.for_loop(step, jnp.ones(3))
    np.testing.assert_allclose(np.asarray(V.value.to_decimal(u.mV)), -65.0 * 3 + 3, rtol=1e-5)


def test_assignment_broadcasts_to_the_state_shape():
    V = nd.HiddenState(jnp.zeros(3) * u.mV)
    V.value = -50.0 * u.mV  # a scalar fills the population
    assert V.value.shape == (3,)
    np.testing.assert_array_equal(V.value.to_decimal(u.mV), [-50.0] * 3)
    ports = nd.ShortTermState(jnp.zeros((2, 0)))
    ports.value = jnp.ones((2, 1))  # growing an empty axis takes the new shape
    assert ports.value.shape == (2, 1)
    wider = nd.ShortTermState(jnp.zeros(3))
    wider.value = jnp.ones((2, 3))  # a shape the state does not have is kept as given
    assert wider.value.shape == (2, 3)


def test_current_inputs_take_V_or_nothing():
    pop = nd.Dynamics(2)
    drive = {"I": 1.0 * u.pA}
    pop.add_current_input("leak", lambda V: -V * 0.1 * u.nS)
    pop.add_current_input("script", lambda: drive["I"])  # reads the value at each call
    V = jnp.array([-60.0, 0.0]) * u.mV
    np.testing.assert_allclose(pop.sum_current_inputs(0.0 * u.pA, V).to_decimal(u.pA), [7.0, 1.0])
    drive["I"] = 3.0 * u.pA
    np.testing.assert_allclose(pop.sum_current_inputs(0.0 * u.pA, V).to_decimal(u.pA), [9.0, 3.0])
    with pytest.raises(nd.ParameterError, match="must be a function"):
        pop.add_current_input("value", 1.0 * u.pA)
