"""csr_event_matvec: compiled kernel == plain-JAX reference == dense numpy ``W^T s``."""

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurodyn.ops import _build, csr_event_matvec, csr_event_matvec_reference

SEEDS = range(4)
PATTERNS = ["none", "all", "sparse", "float"]
TOLERANCE = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-12, atol=1e-12)}
KERNEL_TARGET = "neurodyn_csr_event_matvec"
N_PRE, N_POST, NNZ = 37, 29, 150  # fixed sizes: one compilation serves many random cases
ON_CPU = jax.default_backend() == "cpu"  # elsewhere the operator is the reference


def random_csr(rng, n_pre=N_PRE, n_post=N_POST, nnz=NNZ):
    """CSR with random fan-outs, empty rows and repeated targets (they add up)."""
    rows = np.sort(rng.integers(0, n_pre, nnz))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_pre))])
    indices = rng.integers(0, max(n_post, 1), nnz)
    return indptr.astype(np.int32), indices.astype(np.int32)


def random_weights(rng, nnz, homogeneous, dtype):
    if homogeneous:
        return np.asarray(rng.normal(), dtype)
    return rng.normal(size=nnz).astype(dtype)


def random_spikes(rng, shape, pattern, dtype):
    if pattern == "none":
        return np.zeros(shape, bool)
    if pattern == "all":
        return np.ones(shape, bool)
    if pattern == "sparse":
        return rng.random(shape) < 0.15
    values = rng.normal(size=shape) * (rng.random(shape) < 0.5)  # float, half of them zero
    return values.astype(dtype)


def dense_matrix(indptr, indices, weights, n_post):
    """Dense ``W[i, j]``, summing repeated synapses, in float64."""
    n_pre = len(indptr) - 1
    rows = np.repeat(np.arange(n_pre), np.diff(indptr))
    w = np.broadcast_to(np.asarray(weights, np.float64), indices.shape)
    matrix = np.zeros((n_pre, n_post))
    np.add.at(matrix, (rows, indices), w)
    return matrix


def dense_matvec(spikes, indptr, indices, weights, n_post):
    return np.asarray(spikes, np.float64) @ dense_matrix(indptr, indices, weights, n_post)


JITTED = {
    op: jax.jit(op, static_argnames="n_post")
    for op in (csr_event_matvec, csr_event_matvec_reference)
}


def uses_kernel(fun, *args):
    return KERNEL_TARGET in jax.jit(fun).lower(*args).as_text()


@pytest.fixture(params=[np.float32, np.float64], ids=["f32", "f64"])
def dtype(request):
    with jax.enable_x64(request.param == np.float64):
        yield request.param


@pytest.mark.skipif(not ON_CPU, reason="the compiled kernel is CPU-only")
def test_kernel_is_used_on_cpu():
    indptr, indices = random_csr(np.random.default_rng(0), 5, 4, 12)
    spikes = np.ones(5, bool)
    assert uses_kernel(lambda s: csr_event_matvec(s, indptr, indices, 1.0, 4), spikes)
    assert not uses_kernel(lambda s: csr_event_matvec_reference(s, indptr, indices, 1.0, 4), spikes)


@pytest.mark.parametrize("homogeneous", [True, False], ids=["scalar_w", "synapse_w"])
@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_dense(seed, pattern, homogeneous, dtype):
    rng = np.random.default_rng(seed)
    indptr, indices = random_csr(rng)
    weights = random_weights(rng, NNZ, homogeneous, dtype)
    batch_shape = [(), (3,)][seed % 2]
    spikes = random_spikes(rng, (*batch_shape, N_PRE), pattern, dtype)
    expected = dense_matvec(spikes, indptr, indices, weights, N_POST)
    for op in JITTED.values():
        out = op(spikes, indptr, indices, weights, n_post=N_POST)
        assert out.dtype == dtype and out.shape == expected.shape
        np.testing.assert_allclose(out, expected, **TOLERANCE[dtype])
    if pattern == "none":
        assert not np.any(np.asarray(out))


@pytest.mark.parametrize(
    ("n_pre", "n_post", "nnz"), [(0, 3, 0), (4, 0, 0), (4, 3, 0), (1, 1, 5)], ids=str
)
def test_degenerate_sizes(n_pre, n_post, nnz):
    indptr = np.zeros(n_pre + 1, np.int32)
    indptr[1:] = nnz  # every synapse on the last row
    indices = np.zeros(nnz, np.int32)
    spikes = np.ones((2, n_pre), bool)
    expected = dense_matvec(spikes, indptr, indices, 0.5, n_post)
    for op in JITTED.values():
        np.testing.assert_allclose(op(spikes, indptr, indices, 0.5, n_post=n_post), expected)


def test_out_of_range_targets_are_dropped():
    indptr = np.array([0, 3], np.int32)
    indices = np.array([0, 7, -1], np.int32)
    for op in JITTED.values():
        out = op(np.ones(1, bool), indptr, indices, np.array([1.0, 2.0, 3.0], np.float32), n_post=2)
        np.testing.assert_array_equal(out, [1.0, 0.0])


def test_all_neurons_spiking_at_scale():
    rng = np.random.default_rng(1)
    n = 2000
    indptr, indices = random_csr(rng, n, n, nnz=80 * n)
    weights = rng.normal(size=len(indices)).astype(np.float32)
    spikes = np.ones(n, bool)
    out = JITTED[csr_event_matvec](spikes, indptr, indices, weights, n_post=n)
    np.testing.assert_allclose(out, dense_matvec(spikes, indptr, indices, weights, n), atol=1e-4)
    reference = JITTED[csr_event_matvec_reference](spikes, indptr, indices, weights, n_post=n)
    np.testing.assert_allclose(out, reference, rtol=1e-6, atol=1e-6)


def test_jit_and_scan(dtype):
    rng = np.random.default_rng(2)
    n_pre, n_post, steps = N_PRE, N_POST, 25
    indptr, indices = random_csr(rng)
    weights = random_weights(rng, len(indices), False, dtype)
    train = rng.random((steps, n_pre)) < 0.3
    train[3] = True  # every neuron at once
    train[4] = False

    @jax.jit
    def run(train, indptr, indices, weights):
        def step(trace, spikes):
            out = csr_event_matvec(spikes, indptr, indices, weights, n_post)
            return 0.9 * trace + out, out

        return jax.lax.scan(step, jnp.zeros(n_post, dtype), train)

    final, outs = run(train, indptr, indices, weights)
    expected = dense_matvec(train, indptr, indices, weights, n_post)
    np.testing.assert_allclose(outs, expected, **TOLERANCE[dtype])
    trace = np.zeros(n_post)
    for out in expected:
        trace = 0.9 * trace + out
    np.testing.assert_allclose(final, trace, rtol=1e-5)


def test_vmap():
    rng = np.random.default_rng(3)
    n_pre, n_post = N_PRE, N_POST
    indptr, indices = random_csr(rng)
    weights = rng.normal(size=len(indices)).astype(np.float32)
    spikes = (rng.random((4, 3, n_pre)) < 0.4).astype(np.float32) * rng.normal(size=(4, 3, n_pre))
    expected = dense_matvec(spikes, indptr, indices, weights, n_post)  # (4, 3, n_post)

    def op(s, w=weights):
        return csr_event_matvec(s, indptr, indices, w, n_post)

    np.testing.assert_allclose(jax.vmap(op)(spikes), expected, atol=1e-5)  # (3, n_pre) each
    np.testing.assert_allclose(jax.vmap(jax.vmap(op))(spikes), expected, atol=1e-5)
    swapped = jax.vmap(op, in_axes=1, out_axes=1)(spikes)
    np.testing.assert_allclose(swapped, expected, atol=1e-5)
    assert uses_kernel(jax.vmap(op), spikes) == ON_CPU
    # Per-example weights: each example its own weights (handled by the reference).
    weight_sets = rng.normal(size=(4, len(indices))).astype(np.float32)
    out = jax.vmap(op)(spikes, weight_sets)
    for example in range(4):
        single = dense_matvec(spikes[example], indptr, indices, weight_sets[example], n_post)
        np.testing.assert_allclose(out[example], single, atol=1e-5)


def dense_op(spikes, indptr, indices, weights, n_post):
    """The same delivery as a dense, autodiff-able matrix product (numpy connectivity)."""
    n_pre = len(indptr) - 1
    rows = np.repeat(np.arange(n_pre), np.diff(indptr))
    w = jnp.broadcast_to(weights, indices.shape)
    return spikes @ jnp.zeros((n_pre, n_post), w.dtype).at[rows, indices].add(w)


@pytest.mark.parametrize("batch_shape", [(), (3,)], ids=["single", "batched"])
@pytest.mark.parametrize("homogeneous", [True, False], ids=["scalar_w", "synapse_w"])
def test_gradients_match_dense(homogeneous, batch_shape, dtype):
    rng = np.random.default_rng(4)
    indptr, indices = random_csr(rng)
    weights = random_weights(rng, NNZ, homogeneous, dtype)
    spikes = random_spikes(rng, (*batch_shape, N_PRE), "float", dtype)
    target = rng.normal(size=N_POST).astype(dtype)

    def grads(op):
        def loss(s, w):
            return jnp.sum(jnp.tanh(op(s, indptr, indices, w, N_POST) - target) ** 2)

        return jax.jit(jax.grad(loss, argnums=(0, 1)))(spikes, weights)

    for got, want in zip(grads(csr_event_matvec), grads(dense_op), strict=True):
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, **TOLERANCE[dtype])


def test_gradients_under_vmap_and_scan():
    rng = np.random.default_rng(5)
    n_pre, n_post, steps = N_PRE, N_POST, 6
    indptr, indices = random_csr(rng)
    weights = rng.normal(size=len(indices)).astype(np.float32)
    train = random_spikes(rng, (2, steps, n_pre), "float", np.float32)

    def run(op, train, weights):
        def step(total, spikes):
            return total + jnp.sin(op(spikes, indptr, indices, weights, n_post)), None

        return jnp.sum(jax.lax.scan(step, jnp.zeros(n_post), train)[0] ** 2)

    def grads(op):
        return jax.jit(jax.vmap(jax.grad(lambda t, w: run(op, t, w), (0, 1)), (0, None)))

    expected = grads(dense_op)(train, weights)
    for got, want in zip(grads(csr_event_matvec)(train, weights), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_boolean_spikes_get_no_gradient_but_weights_do():
    indptr = np.array([0, 2, 3], np.int32)
    indices = np.array([0, 1, 1], np.int32)
    spikes = np.array([True, False])
    grad = jax.jit(jax.grad(lambda w: csr_event_matvec(spikes, indptr, indices, w, 2).sum()))
    np.testing.assert_allclose(grad(jnp.array([1.0, 2.0, 3.0])), [1.0, 1.0, 0.0])
    np.testing.assert_allclose(grad(jnp.float32(2.0)), 2.0)


@pytest.mark.parametrize(
    ("spikes_shape", "indices_len", "weights_shape", "match"),
    [((3,), 4, (), "spikes"), ((), 4, (), "spikes"), ((4,), 4, (3,), "weights")],
)
def test_shape_errors(spikes_shape, indices_len, weights_shape, match):
    indptr = np.array([0, 1, 2, 3, 4], np.int32)
    with pytest.raises(ValueError, match=match):
        csr_event_matvec(
            np.ones(spikes_shape, bool),
            indptr,
            np.zeros(indices_len, np.int32),
            np.ones(weights_shape),
            3,
        )


def test_disabled_kernels_fall_back_to_reference(monkeypatch):
    rng = np.random.default_rng(6)
    indptr, indices = random_csr(rng)
    weights = rng.normal(size=NNZ).astype(np.float32)
    spikes = random_spikes(rng, (2, N_PRE), "float", np.float32)

    def op(s, w):
        return csr_event_matvec(s, indptr, indices, w, N_POST)

    def results():
        loss = jax.jit(jax.value_and_grad(lambda s, w: jnp.sum(jnp.sin(op(s, w))), (0, 1)))
        return op(spikes, weights), *jax.tree.leaves(loss(spikes, weights))

    fast = results()
    monkeypatch.setenv("NEURODYN_DISABLE_KERNELS", "1")
    monkeypatch.setattr(_build, "_warned", set())
    with pytest.warns(RuntimeWarning, match="NEURODYN_DISABLE_KERNELS"):
        assert not uses_kernel(op, spikes, weights)
    slow = results()
    for got, want in zip(slow, fast, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    expected = dense_matvec(spikes, indptr, indices, weights, N_POST)
    np.testing.assert_allclose(slow[0], expected, atol=1e-5)


def test_without_compiler_falls_back_with_one_warning(tmp_path):
    script = textwrap.dedent(
        """
        import warnings
        import numpy as np
        from neurodyn.ops import csr_event_matvec
        indptr, indices = np.array([0, 2, 3], np.int32), np.array([0, 2, 2], np.int32)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(3):
                out = csr_event_matvec(np.array([1.0, 2.0], np.float32), indptr, indices, 0.5, 3)
        messages = [str(w.message) for w in caught if "neurodyn.ops" in str(w.message)]
        assert len(messages) == 1 and "could not build" in messages[0], messages
        np.testing.assert_allclose(out, [0.5, 0.0, 1.5])
        """
    )
    env = {
        **os.environ,
        "PATH": str(tmp_path),  # no compiler to be found
        "CC": "",
        "NEURODYN_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    env.pop("NEURODYN_DISABLE_KERNELS", None)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").glob("*.so"))


def test_build_cache_is_keyed_and_safe_for_concurrent_builds(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURODYN_CACHE_DIR", str(tmp_path))
    source = b"int neurodyn_probe(void) { return 7; }\n"
    libraries = []
    threads = [
        threading.Thread(target=lambda: libraries.append(_build._compile(source, "probe")))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(libraries)) == 1 and libraries[0].parent == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == [libraries[0].name]  # no leftovers
    built_at = libraries[0].stat().st_mtime_ns
    assert _build._compile(source, "probe") == libraries[0]
    assert libraries[0].stat().st_mtime_ns == built_at  # taken from the cache
    other = _build._compile(source + b"\n", "probe")
    assert other != libraries[0]


def test_other_float_types_use_the_reference():
    rng = np.random.default_rng(7)
    indptr, indices = random_csr(rng)
    weights = jnp.asarray(rng.normal(size=NNZ), jnp.bfloat16)
    spikes = rng.random(N_PRE) < 0.5

    def op(s):
        return csr_event_matvec(s, indptr, indices, weights, N_POST)

    assert not uses_kernel(op, spikes)
    out = op(spikes)
    assert out.dtype == jnp.bfloat16
    expected = dense_matvec(spikes, indptr, indices, np.asarray(weights, np.float32), N_POST)
    np.testing.assert_allclose(np.asarray(out, np.float32), expected, rtol=0.05, atol=0.05)
