"""Connection rules against their definitions (NEST's semantics), checked on the arrays.

Exact degrees and totals, binomial counts and pair independence for Bernoulli,
uniform sources (chi-square), uniform subsets for draws without replacement, no
autapses / multapses when refused, same seed same network, and every refusal.
"""

import itertools
import math

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u
from neurodyn.connectivity import (
    Normal,
    Uniform,
    _rules,
    all_to_all,
    connect,
    fixed_indegree,
    fixed_outdegree,
    fixed_total_number,
    one_to_one,
    pairwise_bernoulli,
)


def _pairs(c):
    return c.pre.astype(np.int64) * c.n_post + c.post


def _has_multapses(c):
    return np.unique(_pairs(c)).size < c.n_connections


def _chi_square_ok(counts, expected):
    """Pearson's statistic below dof + 6 sqrt(2 dof): loose, but fails a biased sampler."""
    counts = np.asarray(counts, float)
    dof = counts.size - 1
    statistic = ((counts - expected) ** 2 / expected).sum()
    return statistic < dof + 6 * math.sqrt(2 * dof), statistic


def _check_sorted_csr(c):
    assert (np.diff(c.pre) >= 0).all()
    np.testing.assert_array_equal(
        c.indptr, np.concatenate([[0], np.cumsum(np.bincount(c.pre, minlength=c.n_pre))])
    )


# -- deterministic rules ---------------------------------------------------------------


def test_all_to_all():
    c = all_to_all(4, 3)
    np.testing.assert_array_equal(c.to_dense(), np.ones((4, 3)))
    _check_sorted_csr(c)
    own = all_to_all(5, 5, allow_autapses=False, same_population=True)
    np.testing.assert_array_equal(own.to_dense(), 1 - np.eye(5))
    # across two populations of equal size, i -> i is no autapse
    np.testing.assert_array_equal(
        all_to_all(5, 5, allow_autapses=False).to_dense(), np.ones((5, 5))
    )


def test_one_to_one():
    c = one_to_one(6, 6, weight=2.0 * u.nS)
    np.testing.assert_array_equal(c.pre, np.arange(6))
    np.testing.assert_array_equal(c.post, np.arange(6))
    assert one_to_one(6, 6, allow_autapses=False, same_population=True).n_connections == 0
    with pytest.raises(nd.ParameterError, match="one_to_one needs n_pre == n_post"):
        one_to_one(6, 7)


# -- pairwise_bernoulli ------------------------------------------------------------------


@pytest.mark.parametrize("same_population", [False, True])
def test_bernoulli_count_within_binomial_bounds(same_population):
    n, p = 400, 0.1
    c = pairwise_bernoulli(
        n, n, p, allow_autapses=not same_population, same_population=same_population, rng=0
    )
    pairs = n * (n - 1) if same_population else n * n
    assert abs(c.n_connections - pairs * p) < 5 * math.sqrt(pairs * p * (1 - p))
    assert not _has_multapses(c)
    if same_population:
        assert (c.pre != c.post).all()
    _check_sorted_csr(c)
    # in-degrees are Binomial(n, p): their spread too
    assert abs(c.in_degrees().std() - math.sqrt(n * p * (1 - p))) < 1.0


def test_bernoulli_pairs_are_independent():
    # over many networks, the 12 pair indicators (across row ends too) are uncorrelated
    p, reps = 0.3, 2000
    samples = np.stack(
        [pairwise_bernoulli(3, 4, p, rng=seed).to_dense().ravel() for seed in range(reps)]
    )
    assert np.abs(samples.mean(axis=0) - p).max() < 5 * math.sqrt(p * (1 - p) / reps)
    covariance = np.cov(samples.T)
    off_diagonal = covariance[~np.eye(12, dtype=bool)]
    assert np.abs(off_diagonal).max() < 5 * p * (1 - p) / math.sqrt(reps)


def test_bernoulli_storage_grows_past_its_estimate(monkeypatch):
    expected = pairwise_bernoulli(300, 200, 0.2, rng=4)
    monkeypatch.setattr(_rules, "_bernoulli_room", lambda pairs, p: 10)
    grown = pairwise_bernoulli(300, 200, 0.2, rng=4)
    np.testing.assert_array_equal(grown.pre, expected.pre)
    np.testing.assert_array_equal(grown.post, expected.post)


def test_bernoulli_extremes():
    assert pairwise_bernoulli(30, 20, 0.0, rng=0).n_connections == 0
    np.testing.assert_array_equal(pairwise_bernoulli(30, 20, 1.0, rng=0).to_dense(), 1.0)


# -- fixed in- and out-degree ------------------------------------------------------------


@pytest.mark.parametrize("multapses", [True, False])
@pytest.mark.parametrize("autapses", [True, False])
def test_fixed_indegree_exact_and_uniform(multapses, autapses):
    n, indegree = 60, 25
    c = fixed_indegree(
        n,
        n,
        indegree,
        allow_autapses=autapses,
        allow_multapses=multapses,
        same_population=True,
        rng=1,
    )
    assert (c.in_degrees() == indegree).all()
    assert c.n_connections == n * indegree
    _check_sorted_csr(c)
    if not multapses:
        assert not _has_multapses(c)
    if not autapses:
        assert (c.pre != c.post).all()
    many = fixed_indegree(
        50,
        4000,
        20,
        allow_multapses=multapses,
        allow_autapses=autapses,
        rng=2,
    )
    ok, statistic = _chi_square_ok(many.out_degrees(), 4000 * 20 / 50)
    assert ok, statistic


@pytest.mark.parametrize("multapses", [True, False])
def test_fixed_outdegree_exact_and_uniform(multapses):
    c = fixed_outdegree(70, 50, 30, allow_multapses=multapses, rng=3)
    assert (c.out_degrees() == 30).all()
    _check_sorted_csr(c)
    assert _has_multapses(c) == multapses  # at 30 of 50 targets, repeats are certain
    own = fixed_outdegree(
        40, 40, 39, allow_autapses=False, allow_multapses=False, same_population=True, rng=0
    )
    np.testing.assert_array_equal(own.to_dense(), 1 - np.eye(40))
    many = fixed_outdegree(4000, 40, 15, allow_multapses=multapses, rng=4)
    ok, statistic = _chi_square_ok(many.in_degrees(), 4000 * 15 / 40)
    assert ok, statistic


def _subset_counts(rows, pool):
    """How often each k-subset of range(pool) occurs among the sorted ``rows``."""
    index = {s: i for i, s in enumerate(itertools.combinations(range(pool), rows.shape[1]))}
    codes = [index[tuple(row)] for row in rows.tolist()]
    return np.bincount(codes, minlength=len(index))


@pytest.mark.parametrize("k", [2, 4], ids=["sparse", "dense"])  # 2k <= pool and 2k > pool
@pytest.mark.parametrize("exclude_own", [False, True])
def test_draw_without_replacement_gives_uniform_subsets(k, exclude_own):
    # every k-subset of the candidates equally likely: an exact draw without replacement
    n, networks = 7, 300
    rows = np.concatenate(
        [
            fixed_outdegree(
                n, n, k, allow_multapses=False, allow_autapses=not exclude_own,
                same_population=exclude_own, rng=seed,
            ).post.reshape(n, k)
            for seed in range(networks)
        ]
    )  # fmt: skip
    assert (np.diff(rows, axis=1) > 0).all()
    if exclude_own:
        own = np.tile(np.arange(n), networks)[:, None]
        assert (rows != own).all()
        rows = rows - (rows > own)  # relabel: every row's candidates become range(n - 1)
    counts = _subset_counts(rows, n - exclude_own)
    ok, statistic = _chi_square_ok(counts, rows.shape[0] / counts.size)
    assert ok, statistic


@pytest.mark.parametrize("k", [2, 4], ids=["sparse", "dense"])
def test_fixed_indegree_sources_are_uniform_subsets(k):
    c = fixed_indegree(7, 6000, k, allow_multapses=False, rng=6)
    sources = c.pre[c.post_order].reshape(6000, k)  # per target, ascending (stable view)
    counts = _subset_counts(sources, 7)
    ok, statistic = _chi_square_ok(counts, 6000 / counts.size)
    assert ok, statistic


def test_fixed_indegree_odd_and_empty_sizes():
    pre, post = np.repeat(np.arange(3), 3), np.tile(np.arange(3), 3)
    odd = fixed_indegree(3, 3, 3, allow_multapses=False, rng=0)  # 9 synapses: all pairs
    np.testing.assert_array_equal(odd.pre, pre)
    np.testing.assert_array_equal(odd.post, post)
    assert odd.pre.dtype == np.int32 and odd.pre.flags.c_contiguous
    assert fixed_indegree(4, 5, 0, rng=0).n_connections == 0


def test_high_density_multapses_occur_and_are_refused_on_request():
    dense = fixed_indegree(20, 30, 15, rng=0)
    assert _has_multapses(dense)
    assert not _has_multapses(fixed_indegree(20, 30, 15, allow_multapses=False, rng=0))
    full = fixed_indegree(20, 30, 20, allow_multapses=False, rng=0)
    np.testing.assert_array_equal(full.to_dense(), np.ones((20, 30)))


# -- fixed_total_number ------------------------------------------------------------------


@pytest.mark.parametrize("multapses", [True, False])
@pytest.mark.parametrize("N", [300, 1100])  # sparse and dense (more than half the pairs)
def test_fixed_total_number(multapses, N):
    c = fixed_total_number(
        40, 40, N, allow_multapses=multapses, allow_autapses=False, same_population=True, rng=7
    )
    assert c.n_connections == N
    assert (c.pre != c.post).all()
    _check_sorted_csr(c)
    if not multapses:
        assert not _has_multapses(c)
    pairs = fixed_total_number(6, 5, 30, allow_multapses=False, rng=0)
    np.testing.assert_array_equal(pairs.to_dense(), np.ones((6, 5)))
    spread = fixed_total_number(300, 200, 24_000, allow_multapses=multapses, rng=8)
    ok, statistic = _chi_square_ok(spread.out_degrees(), 24_000 / 300)
    assert ok, statistic


def test_fixed_total_number_multapses_occur():
    assert _has_multapses(fixed_total_number(10, 10, 500, rng=0))
    with pytest.raises(nd.ParameterError, match=r"N must be <= 90 without multapses"):
        fixed_total_number(10, 10, 91, allow_multapses=False, allow_autapses=False,
                           same_population=True)  # fmt: skip


# -- the entry point ----------------------------------------------------------------------


def test_connect_dispatches_and_samples_synapses():
    c = connect(
        200,
        100,
        {"rule": "fixed_indegree", "indegree": 10, "allow_multapses": False},
        {"weight": Normal(0.5 * u.nS, 0.1 * u.nS), "delay": Uniform(1.0 * u.ms, 2.0 * u.ms)},
        rng=0,
    )
    assert (c.in_degrees() == 10).all()
    assert c.weight.shape == (1000,) and c.weight.mantissa.dtype == np.float32
    steps = c.delay_steps(0.1 * u.ms)
    assert steps.min() >= 10 and steps.max() <= 20
    assert connect(5, 5, "one_to_one").n_connections == 5
    fixed = connect(4, 3, "all_to_all", {"weight": np.arange(12.0) * u.mV, "delay": 2.0 * u.ms})
    np.testing.assert_array_equal(fixed.weight.to_decimal(u.mV), np.arange(12.0))
    assert int(fixed.delay_steps(0.1 * u.ms)) == 20
    explicit = connect(
        3, 3, {"rule": "explicit", "pre": [2, 0], "post": [0, 1]}, {"weight": np.array([5.0, 6.0])}
    )
    np.testing.assert_array_equal(explicit.pre, [0, 2])
    np.testing.assert_array_equal(explicit.weight, [6.0, 5.0])


@pytest.mark.parametrize(
    "spec",
    [
        "all_to_all",
        {"rule": "pairwise_bernoulli", "p": 0.2},
        {"rule": "fixed_indegree", "indegree": 5, "allow_multapses": False},
        {"rule": "fixed_outdegree", "outdegree": 5},
        {"rule": "fixed_total_number", "N": 300, "allow_multapses": False},
    ],
    ids=lambda spec: spec if isinstance(spec, str) else spec["rule"],
)
def test_same_seed_same_network(spec):
    syn = {"weight": Normal(1.0 * u.nS, 0.2 * u.nS)}
    a, b = connect(50, 40, spec, syn, rng=11), connect(50, 40, spec, syn, rng=11)
    for name in ("pre", "post", "indptr"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.weight.mantissa, b.weight.mantissa)
    nd.random.seed(3)
    c = connect(50, 40, spec, syn)
    nd.random.seed(3)
    d = connect(50, 40, spec, syn)
    np.testing.assert_array_equal(c.post, d.post)
    np.testing.assert_array_equal(c.weight.mantissa, d.weight.mantissa)
    e = connect(50, 40, spec, syn, rng=np.random.default_rng(11))
    np.testing.assert_array_equal(a.post, e.post)


@pytest.mark.parametrize(
    "args, match",
    [
        ((10, 10, "ring"), "conn_spec rule 'ring' is not known; the rules are"),
        ((10, 10, {"indegree": 3}), "conn_spec needs a 'rule' key"),
        ((10, 10, 3), "conn_spec must be a rule name or a dict"),
        (
            (10, 10, {"rule": "fixed_indegree", "indegre": 3}),
            r"conn_spec key 'indegre' is not valid for rule 'fixed_indegree'; valid keys are "
            r"\['rule', 'indegree', 'allow_autapses', 'allow_multapses'\]",
        ),
        (
            (10, 10, "fixed_indegree"),
            "conn_spec for rule 'fixed_indegree' needs the key 'indegree'",
        ),
        ((10, 10, {"rule": "pairwise_bernoulli", "p": 1.5}), r"p must lie in \[0.0, 1.0\]"),
        ((10, 10, {"rule": "pairwise_bernoulli", "p": -0.1}), r"p must lie in \[0.0, 1.0\]"),
        (
            (10, 5, {"rule": "fixed_indegree", "indegree": 11, "allow_multapses": False}),
            r"indegree must be <= 10 without multapses",
        ),
        (
            (10, 10, {"rule": "fixed_outdegree", "outdegree": 11, "allow_multapses": False}),
            r"outdegree must be <= 10 without multapses",
        ),
        ((10, 10, {"rule": "fixed_indegree", "indegree": -1}), "indegree must be a whole number"),
        ((10, 10, {"rule": "fixed_outdegree", "outdegree": 2.5}), "outdegree must be a whole"),
        ((10, 10, {"rule": "fixed_total_number", "N": -3}), "N must be a whole number >= 0"),
        ((10, 10, "all_to_all", {"synapse_model": "x"}), "syn_spec key 'synapse_model' is not"),
        ((10, 10, "all_to_all", 1.0), "syn_spec must be a dict"),
        ((10, 10, "all_to_all", {"delay": 1.0}), "delay must be a time quantity"),
        (
            (10, 10, {"rule": "fixed_outdegree", "outdegree": 2}, {"weight": np.ones(3)}),
            r"weight has shape \(3,\); give a single value or one per synapse, shape \(20,\)",
        ),
        ((10, 10, {"rule": "all_to_all", "allow_autapses": "no"}), "allow_autapses must be True"),
        ((0, 10, "all_to_all"), "n_pre must be a whole number"),
    ],
)
def test_connect_refusals(args, match):
    with pytest.raises(nd.ParameterError, match=match):
        connect(*args, rng=0)


def test_refusals_within_one_population():
    spec = {"rule": "fixed_indegree", "indegree": 10, "allow_multapses": False}
    connect(10, 10, spec, rng=0)  # ten distinct sources of ten: fine with autapses
    with pytest.raises(nd.ParameterError, match=r"indegree must be <= 9 .* less the target itself"):
        connect(10, 10, {**spec, "allow_autapses": False}, same_population=True, rng=0)
    with pytest.raises(nd.ParameterError, match=r"outdegree must be <= 9 .* less the source"):
        fixed_outdegree(10, 10, 10, allow_multapses=False, allow_autapses=False,
                        same_population=True)  # fmt: skip
    with pytest.raises(nd.ParameterError, match="indegree must be 0: there is no possible source"):
        fixed_indegree(1, 1, 2, allow_autapses=False, same_population=True)
    with pytest.raises(nd.ParameterError, match="same_population=True needs n_pre == n_post"):
        connect(10, 12, "all_to_all", same_population=True)
    with pytest.raises(nd.ParameterError, match="rng must be a numpy Generator"):
        connect(10, 10, "all_to_all", rng="seed")
