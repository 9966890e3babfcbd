"""PoissonInput: the added amount per step against the binomial's exact moments and pmf,
its independence across steps and elements, its target, indices and errors."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.inputs import PoissonInput

N_NEURONS, N_STEPS = 500, 2000


def _jumps(num_input, freq_hz, weight_mv, n_neurons=N_NEURONS, n_steps=N_STEPS, batch_size=None):
    """The amount added to each neuron's V in each step (mV), ``(steps, [batch,] neurons)``."""
    nd.environ.set(precision=64, dt=0.1 * u.ms)
    nd.random.seed(3)
    lif = nd.LIF(n_neurons, V_rest=0.0 * u.mV, V_th=1e9 * u.mV)
    noise = PoissonInput((lif, "V"), None, num_input, freq_hz * u.Hz, weight_mv * u.mV)
    nd.init_all_states(noise, batch_size)
    V = nd.run(noise, n_steps * 0.1 * u.ms, monitors={"V": lif.V})["V"]
    V = np.asarray(V.to_decimal(u.mV))
    return np.diff(V, axis=0, prepend=np.zeros_like(V[:1]))


def _binomial_moments(n, p, w):
    q = 1.0 - p
    mean, var = n * p * w, n * p * q * w**2
    mu4 = n * p * q * (1 + 3 * (n - 2) * p * q) * w**4  # fourth central moment
    return mean, var, mu4


@pytest.mark.parametrize(
    "num_input,freq_hz,weight_mv",
    [
        (100, 20.0, 0.5),  # n p = 0.2: the table sampler
        (5, 2000.0, -1.5),  # p = 0.2, inhibitory: the table sampler
        (20000, 100.0, 0.1),  # n p = 200: jax.random.binomial
    ],
)
def test_moments_and_independence(num_input, freq_hz, weight_mv):
    jumps = _jumps(num_input, freq_hz, weight_mv)
    samples = jumps.size
    p = freq_hz * 1e-4
    mean, var, mu4 = _binomial_moments(num_input, p, weight_mv)
    assert abs(jumps.mean() - mean) < 5 * math.sqrt(var / samples)
    assert abs(jumps.var() - var) < 5 * math.sqrt((mu4 - var**2) / samples)
    centred = (jumps - jumps.mean()) / jumps.std()
    bound = 5 / math.sqrt(samples)
    assert abs((centred[1:] * centred[:-1]).mean()) < bound  # lag-1 autocorrelation
    assert abs((centred[5:] * centred[:-5]).mean()) < bound  # lag-5
    assert abs((centred[:, 1:] * centred[:, :-1]).mean()) < bound  # neighbouring neurons


def test_counts_follow_the_binomial_pmf():
    """Counts of Binomial(8, 0.3): every frequency within 5 standard errors of the pmf."""
    jumps = _jumps(8, 3000.0, 1.0, n_neurons=200, n_steps=1000)
    counts = np.rint(jumps).astype(int).ravel()
    np.testing.assert_allclose(jumps.ravel(), counts, atol=1e-9)  # whole spikes of 1 mV
    n, p = 8, 0.3
    pmf = np.array([math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)])
    observed = np.bincount(counts, minlength=n + 1) / counts.size
    assert observed.size == n + 1  # never more than n sources spike
    np.testing.assert_array_less(np.abs(observed - pmf), 5 * np.sqrt(pmf * (1 - pmf) / counts.size))


def test_batch_elements_receive_independent_counts():
    jumps = _jumps(100, 50.0, 1.0, n_neurons=50, n_steps=2000, batch_size=3)
    assert jumps.shape == (2000, 3, 50)
    a = (jumps[:, 0] - jumps[:, 0].mean()) / jumps[:, 0].std()
    b = (jumps[:, 1] - jumps[:, 1].mean()) / jumps[:, 1].std()
    assert abs((a * b).mean()) < 5 / math.sqrt(a.size)
    assert abs(jumps.mean() - 0.5) < 5 * math.sqrt(0.5 * 0.995 / jumps.size)


def test_indices_weights_and_named_target():
    """Only the listed elements receive; an index given twice receives two counts; any
    state of the population can be the target (here a synapse's conductance)."""
    nd.environ.set(precision=64, dt=0.1 * u.ms)
    syn = nd.Expon(5, tau=1e9 * u.ms, g_initializer=nd.init.ZeroInit(u.nS))  # no decay
    weight = jnp.array([1.0, 2.0, 2.0]) * u.nS
    drive = PoissonInput((syn, "g"), [0, 3, 3], 10, 5000.0 * u.Hz, weight)  # p = 0.5
    nd.init_all_states(drive)
    steps = 4000
    total = nd.run(drive, steps * 0.1 * u.ms, monitors={"g": syn.g})["g"][-1]
    total = np.asarray(total.to_decimal(u.nS))
    assert (total[[1, 2, 4]] == 0).all()
    # means: n p w per count; element 3 receives two counts of weight 2 nS
    sd = math.sqrt(steps * 10 * 0.25)
    assert abs(total[0] - steps * 5 * 1.0) < 5 * sd * 1.0
    assert abs(total[3] - steps * 5 * 4.0) < 5 * sd * 2.0 * math.sqrt(2)
    # the target state is modified in place, in its unit
    assert u.get_unit(syn.g.value) == u.nS


def test_seeded_and_reproducible():
    a, b = _jumps(50, 40.0, 1.0, 20, 50), _jumps(50, 40.0, 1.0, 20, 50)
    np.testing.assert_array_equal(a, b)
    assert a.any()


def test_errors_name_the_argument():
    lif = nd.LIF(4)
    with pytest.raises(nd.ParameterError, match="target must be a pair"):
        PoissonInput(lif, None, 10, 10.0 * u.Hz, 1.0 * u.mV)
    with pytest.raises(nd.ParameterError, match="num_input must be a whole number"):
        PoissonInput((lif, "V"), None, 2.5, 10.0 * u.Hz, 1.0 * u.mV)
    with pytest.raises(nd.ParameterError, match="indices must lie in"):
        PoissonInput((lif, "V"), [0, 4], 10, 10.0 * u.Hz, 1.0 * u.mV)
    with pytest.raises(nd.ParameterError, match="freq must be a frequency quantity"):
        PoissonInput((lif, "V"), None, 10, 10.0, 1.0 * u.mV)
    with pytest.raises(nd.ParameterError, match="freq must be >= 0 Hz"):
        PoissonInput((lif, "V"), None, 10, -1.0 * u.Hz, 1.0 * u.mV)
    with pytest.raises(nd.ParameterError, match="weight has shape"):
        PoissonInput((lif, "V"), [0, 1], 10, 10.0 * u.Hz, jnp.ones(3) * u.mV)
    nd.environ.set(dt=0.1 * u.ms)
    nd.init_all_states(lif)
    with pytest.raises(nd.ParameterError, match=r"weight \(1 nA\) must have the unit of LIF.V"):
        PoissonInput((lif, "V"), None, 10, 10.0 * u.Hz, 1.0 * u.nA)()
    with pytest.raises(nd.ParameterError, match="LIF has no state 'v'"):
        PoissonInput((lif, "v"), None, 10, 10.0 * u.Hz, 1.0 * u.mV)()
    with pytest.raises(nd.ParameterError, match="freq \\* dt must be <= 1"):
        PoissonInput((lif, "V"), None, 10, 20.0 * u.kHz, 1.0 * u.mV)()
