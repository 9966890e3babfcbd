"""Stochastic generators against their laws, within sampling error.

Every bound is several standard errors wide; the seed is fixed (tests/conftest.py), so the
outcomes are reproducible.
"""

import math

import numpy as np
from scipy import stats

import neurodyn as nd
from neurodyn import devices
from neurodyn import units as u

H = 0.1  # ms


def _chi2_pvalue(counts, mean):
    """Chi-square test of integer counts against Poisson(mean), bins with >= 5 expected."""
    counts = counts.astype(int).ravel()
    top = int(counts.max()) + 1
    observed = np.bincount(counts, minlength=top).astype(float)
    expected = stats.poisson.pmf(np.arange(top), mean) * counts.size
    expected[-1] += stats.poisson.sf(top - 1, mean) * counts.size
    keep = expected >= 5
    pooled_obs = np.append(observed[keep], observed[~keep].sum())
    pooled_exp = np.append(expected[keep], expected[~keep].sum())
    if pooled_exp[-1] < 5:
        pooled_obs[-2] += pooled_obs[-1]
        pooled_exp[-2] += pooled_exp[-1]
        pooled_obs, pooled_exp = pooled_obs[:-1], pooled_exp[:-1]
    chi2 = ((pooled_obs - pooled_exp) ** 2 / pooled_exp).sum()
    return stats.chi2.sf(chi2, max(len(pooled_obs) - 1, 1))


def test_poisson_counts_mean_variance_and_law(emitted):
    rates_hz = [200.0, 20e3, 400e3]  # rate * dt = 0.02, 2 (tables) and 40 (jax.random.poisson)
    generators = [devices.poisson_generator(rate=r * u.Hz) for r in rates_hz]
    outs = emitted(generators, 801, n_targets=500)
    for rate, out in zip(rates_hz, outs, strict=True):
        mean = rate * H / 1000.0
        assert (out[0] == 0).all()  # step 0 is never active
        counts = out[1:]
        n = counts.size
        assert (counts == np.round(counts)).all() and (counts >= 0).all()
        assert abs(counts.mean() - mean) < 5 * math.sqrt(mean / n), rate
        assert abs(counts.var() - mean) < 5 * math.sqrt((mean + 2 * mean**2) / n), rate
        assert _chi2_pvalue(counts, mean) > 1e-4, rate
        # targets are independent: correlations of per-target totals over windows
        windows = counts.reshape(40, 20, 500).sum(axis=1)
        corr = np.corrcoef(windows.T)[np.triu_indices(500, 1)]
        assert abs(corr.mean()) < 5 / math.sqrt(40 * corr.size), rate


def test_same_seed_same_draws(emitted):
    def draw(seed):
        nd.random.seed(seed)
        return emitted(devices.poisson_generator(rate=3e3 * u.Hz), 50, n_targets=20)

    a, b, c = draw(7), draw(7), draw(8)
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()


def test_sinusoidal_rate_profile(emitted):
    rate, amplitude, frequency, phase = 30.0, 20.0, 8.0, 45.0
    sp = devices.sinusoidal_poisson_generator(
        rate=rate * u.Hz, amplitude=amplitude * u.Hz, frequency=frequency * u.Hz, phase=phase
    )
    shared = devices.sinusoidal_poisson_generator(
        rate=1e3 * u.Hz, amplitude=1e3 * u.Hz, frequency=50.0 * u.Hz,
        individual_spike_trains=False,
    )  # fmt: skip
    n_targets, n_steps = 1000, 2500
    out, one_train = emitted([sp, shared], n_steps, n_targets=n_targets)
    assert one_train.shape == (n_steps,)  # one count per step, for all targets
    # NEST: r_i = rate + amplitude sin(omega (i + 1) h + phi), clipped at 0
    steps = np.arange(n_steps)
    r = np.maximum(rate + amplitude * np.sin(
        2 * math.pi * frequency / 1000 * (steps + 1) * H + math.radians(phase)
    ), 0.0)  # fmt: skip
    expected = (r * H / 1000).reshape(-1, 10).sum(axis=1) * n_targets  # per 1 ms bin
    observed = out.sum(axis=1).reshape(-1, 10).sum(axis=1)
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(chi2, len(expected)) > 1e-4
    # the fitted modulation: amplitude and phase within a few standard errors
    t = (np.arange(len(expected)) + 0.5) * 1.0
    design = np.stack([np.ones_like(t), np.sin(2 * math.pi * frequency / 1000 * t),
                       np.cos(2 * math.pi * frequency / 1000 * t)], axis=1)  # fmt: skip
    (c0, cs, cc), *_ = np.linalg.lstsq(design, observed / n_targets * 1000, rcond=None)
    assert abs(c0 - rate) < 1.0
    assert abs(math.hypot(cs, cc) - amplitude) < 1.5
    # fitted phase at the bin centres: phase + omega (h - h/2 ... ) is within 1 step of 45 deg
    assert abs(math.degrees(math.atan2(cc, cs)) - phase) < 6.0
    # the shared train: clipped half-wave, mean rate = the clipped sinusoid's mean
    r_shared = np.maximum(
        1e3 + 1e3 * np.sin(2 * math.pi * 50 / 1000 * (steps + 1) * H), 0.0
    ) * H / 1000  # fmt: skip
    assert abs(one_train.sum() - r_shared.sum()) < 5 * math.sqrt(r_shared.sum())


def test_inhomogeneous_rate_steps(emitted):
    times, values = [10.0, 30.0, 55.0, 80.0], [100.0, 600.0, 0.0, 300.0]
    g = devices.inhomogeneous_poisson_generator(times * u.ms, values * u.Hz)
    n_targets, n_steps = 1000, 1000
    out = emitted(g, n_steps, n_targets=n_targets)
    per_step = out.sum(axis=1)
    # step i uses the rate of the last change time with steps <= i + 1; step 0 is inactive
    edges = [1, 99, 299, 549, 799, n_steps]
    rates = [0.0, *values]
    for a, b, r in zip(edges[:-1], edges[1:], rates, strict=True):
        mean = r * H / 1000 * n_targets * (b - a)
        total = per_step[a:b].sum()
        if r == 0:
            assert total == 0
        else:
            assert abs(total - mean) < 5 * math.sqrt(mean), (a, b, r)
    assert per_step[0] == 0


def _fano_theory(k, p, window):
    """Fano factor of spike counts in windows of ``window`` steps of the stationary
    discrete-time renewal process whose intervals are sums of ``k`` geometric(p) waiting
    times (one gamma component): ``Var N = lam T + 2 lam sum_tau (T - tau)(u(tau) - lam)``
    with the renewal sequence ``u`` (Cox 1962). Superposing independent copies adds
    means and variances, so the Fano factor is the same for any ``n_proc``."""
    n = np.arange(window + 1)
    interval = np.where(n >= k, stats.nbinom.pmf(n - k, k, p), 0.0)
    renewal = np.zeros(window + 1)
    renewal[0] = 1.0
    for m in range(1, window + 1):
        renewal[m] = np.dot(interval[1 : m + 1], renewal[m - 1 :: -1])
    lam = p / k
    tau = np.arange(1, window)
    variance = lam * window + 2 * lam * np.sum((window - tau) * (renewal[1:window] - lam))
    return variance / (lam * window)


def test_gamma_superposition_rate_cv_and_fano(emitted):
    rate, k, n_targets, n_steps = 50.0, 4, 100, 12000
    configs = [1, 5]
    generators = [
        devices.gamma_sup_generator(rate=rate * u.Hz, gamma_shape=k, n_proc=n) for n in configs
    ]
    outs = emitted(generators, n_steps, n_targets=n_targets)
    p = k * rate * H / 1000
    warm = 2000  # steps left out: the components start out of equilibrium
    for n_proc, out in zip(configs, outs, strict=True):
        counts = out[warm:]
        total_rate = n_proc * rate * H / 1000
        n = counts.size
        # rate (the Fano factor ~ 1/k shrinks the error)
        assert abs(counts.mean() - total_rate) < 5 * math.sqrt(total_rate / k / n)
        # Fano factor of counts in 100 ms windows
        windows = counts.reshape(-1, 1000, n_targets).sum(axis=1)
        fano = windows.var() / windows.mean()
        theory = _fano_theory(k, p, 1000)  # 0.281 (-> (1 - p) / k for long windows)
        assert abs(fano - theory) < 5 * theory * math.sqrt(2 / windows.size), (n_proc, fano)
    # one component: ISIs are sums of k geometric waiting times, CV^2 = (1 - p) / k
    single = outs[0][warm:]
    isis = []
    for target in range(n_targets):
        steps = np.repeat(
            np.nonzero(single[:, target])[0], single[:, target][single[:, target] > 0].astype(int)
        )
        isis.append(np.diff(steps))
    isis = np.concatenate(isis)
    cv = isis.std() / isis.mean()
    assert abs(isis.mean() - 1 / p * k) < 5 * isis.std() / math.sqrt(len(isis))
    assert abs(cv - math.sqrt((1 - p) / k)) < 0.02


def test_pulsepacket_spread(emitted):
    centres = 25.0 * (np.arange(40) + 1)
    pp = devices.pulsepacket_generator(centres * u.ms, activity=100, sdev=2.0 * u.ms)
    out = emitted(pp, 10200, n_targets=3)
    assert out.shape == (10200,)  # one train for all targets
    steps = np.repeat(np.nonzero(out)[0], out[out > 0].astype(int))
    assert len(steps) == 4000
    nearest = centres[np.argmin(np.abs(steps[:, None] * H - centres[None, :]), axis=1)]
    offsets = steps * H - nearest  # = x - c + (rounding up to the grid, uniform on [0, h))
    n = len(offsets)
    assert abs(offsets.mean() - H / 2) < 5 * 2.0 / math.sqrt(n)
    assert abs(offsets.std() - math.sqrt(4.0 + H**2 / 12)) < 5 * 2.0 / math.sqrt(2 * n)
    assert stats.normaltest(offsets).pvalue > 1e-4
    # every pulse gets its 100 spikes
    np.testing.assert_array_equal(np.bincount(np.searchsorted(centres, nearest)), 100)


def test_batched_states(emitted):
    generators = [
        devices.poisson_generator(rate=1e3 * u.Hz),
        devices.noise_generator(std=1.0 * u.pA),
        devices.sinusoidal_poisson_generator(rate=1e3 * u.Hz, individual_spike_trains=False),
        devices.dc_generator(amplitude=1.0 * u.pA),
    ]
    outs = emitted(generators, 20, n_targets=4, batch_size=3)
    assert [out.shape for out in outs] == [(20, 3, 4), (20, 3, 4), (20, 3, 1), (20,)]
    assert (outs[1][:, 0] != outs[1][:, 1]).all()  # every batch element draws its own
