"""Connection rules, with NEST's names and semantics; each builds a :class:`Connections`.

Every rule takes the population sizes, its own parameter, the flags
``allow_autapses`` / ``allow_multapses`` (as NEST), ``same_population`` (whether
source and target are one population: only then is ``i -> i`` an autapse),
``weight`` and ``delay`` (a constant, one value per synapse, or a
:class:`~neurodyn.connectivity.Distribution`) and ``rng`` (a NumPy generator, a
seed, or None: drawn from the seeded default stream). :func:`connect` is the one
entry point in NEST's shape.

Building costs O(number of synapses), vectorised; the rules that draw per neuron
(``fixed_indegree``, ``fixed_outdegree``) draw in blocks of rows. Same ``rng``
seed, same network.

>>> from neurodyn.connectivity import connect
>>> c = connect(1000, 500, {"rule": "fixed_indegree", "indegree": 20}, rng=0)
>>> c.n_connections, bool((c.in_degrees() == 20).all())
(10000, True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._params import parameter
from ._connections import Connections, _population_size
from ._distributions import Distribution
from ._sampling import (
    bernoulli_positions,
    distinct_flat,
    row_blocks,
    split_flat,
    transpose_rows,
)


def all_to_all(
    n_pre: int,
    n_post: int,
    *,
    allow_autapses: bool = True,
    allow_multapses: bool = True,
    same_population: bool = False,
    weight: Any = 1.0,
    delay: Any = None,
    rng: Any = None,
) -> Connections:
    """Every presynaptic neuron onto every postsynaptic one (``i -> i`` left out
    within one population when ``allow_autapses`` is False). ``allow_multapses``
    has no effect: each pair is connected once."""
    exclude = _autapses_excluded(n_pre, n_post, same_population, allow_autapses, allow_multapses)
    width = n_post - exclude
    cols = np.arange(width, dtype=np.int32)[None, :]
    post = np.broadcast_to(cols, (n_pre, width)).copy()
    if exclude:
        post += cols >= np.arange(n_pre, dtype=np.int32)[:, None]
    pre = np.repeat(np.arange(n_pre, dtype=np.int32), width)
    return _finish(pre, post.reshape(-1), n_pre, n_post, weight, delay, rng)


def one_to_one(
    n_pre: int,
    n_post: int,
    *,
    allow_autapses: bool = True,
    allow_multapses: bool = True,
    same_population: bool = False,
    weight: Any = 1.0,
    delay: Any = None,
    rng: Any = None,
) -> Connections:
    """Neuron ``i`` onto neuron ``i``; needs ``n_pre == n_post``. Within one
    population these are all autapses: none are made when ``allow_autapses`` is False."""
    exclude = _autapses_excluded(n_pre, n_post, same_population, allow_autapses, allow_multapses)
    if n_pre != n_post:
        raise ParameterError(
            f"one_to_one needs n_pre == n_post (neuron i onto neuron i), got n_pre={n_pre}, "
            f"n_post={n_post}"
        )
    index = np.arange(0 if exclude else n_pre, dtype=np.int32)
    return _finish(index, index.copy(), n_pre, n_post, weight, delay, rng)


def pairwise_bernoulli(
    n_pre: int,
    n_post: int,
    p: float,
    *,
    allow_autapses: bool = True,
    allow_multapses: bool = True,
    same_population: bool = False,
    weight: Any = 1.0,
    delay: Any = None,
    rng: Any = None,
) -> Connections:
    """Each (pre, post) pair connected independently with probability ``p`` in
    ``[0, 1]``. Each pair is visited once, so there are never multapses
    (``allow_multapses`` has no effect, as in NEST).

    Sampled in O(number of synapses): the gaps between connected pairs (row-major)
    are geometric."""
    exclude = _autapses_excluded(n_pre, n_post, same_population, allow_autapses, allow_multapses)
    p = float(np.asarray(parameter("p", p, bounds=(0.0, 1.0))))
    rng = _generator(rng)
    pairs = n_pre * (n_post - exclude)
    room = _bernoulli_room(pairs, p)
    pre, post, count = np.empty(room, np.int32), np.empty(room, np.int32), 0
    for positions in bernoulli_positions(rng, pairs, p):
        if count + positions.size > pre.size:
            room = max(2 * pre.size, count + positions.size)
            pre, post = np.resize(pre, room), np.resize(post, room)
        rows, cols = split_flat(positions, n_post, exclude)
        pre[count : count + rows.size], post[count : count + cols.size] = rows, cols
        count += rows.size
    return _finish(pre[:count], post[:count], n_pre, n_post, weight, delay, rng)


def fixed_indegree(
    n_pre: int,
    n_post: int,
    indegree: int,
    *,
    allow_autapses: bool = True,
    allow_multapses: bool = True,
    same_population: bool = False,
    weight: Any = 1.0,
    delay: Any = None,
    rng: Any = None,
) -> Connections:
    """Each postsynaptic neuron receives exactly ``indegree`` synapses from sources
    drawn uniformly at random: independently (with multapses) or as a uniformly
    random ``indegree``-subset (without: an exact draw without replacement, see
    :func:`~neurodyn.connectivity._sampling.row_blocks`).

    Sources are drawn per target, written as int64 keys ``pre << 32 | post`` and
    sorted once into rows by presynaptic neuron."""
    exclude = _autapses_excluded(n_pre, n_post, same_population, allow_autapses, allow_multapses)
    indegree = _degree("indegree", indegree, n_pre, exclude, allow_multapses, "source", "target")
    rng = _generator(rng)
    blocks = row_blocks(
        rng, n_post, indegree, n_pre, distinct=not allow_multapses, exclude_own=exclude, sort=False
    )
    pre, post = transpose_rows(blocks, n_post, indegree)
    return _finish(pre, post, n_pre, n_post, weight, delay, rng)


def fixed_outdegree(
    n_pre: int,
    n_post: int,
    outdegree: int,
    *,
    allow_autapses: bool = True,
    allow_multapses: bool = True,
    same_population: bool = False,
    weight: Any = 1.0,
    delay: Any = None,
    rng: Any = None,
) -> Connections:
    """Each presynaptic neuron makes exactly ``outdegree`` synapses onto targets
    drawn uniformly at random: independently (with multapses) or as a uniformly
    random ``outdegree``-subset (without). Targets are sorted within each row."""
    exclude = _autapses_excluded(n_pre, n_post, same_population, allow_autapses, allow_multapses)
    outdegree = _degree(
        "outdegree", outdegree, n_post, exclude, allow_multapses, "target", "source"
    )
    rng = _generator(rng)
    post = np.empty((n_pre, outdegree), np.int32)
    for first, block in row_blocks(
        rng, n_pre, outdegree, n_post, distinct=not allow_multapses, exclude_own=exclude
    ):
        post[first : first + block.shape[0]] = block
    pre = np.repeat(np.arange(n_pre, dtype=np.int32), outdegree)
    return _finish(pre, post.reshape(-1), n_pre, n_post, weight, delay, rng)


def fixed_total_number(
    n_pre: int,
    n_post: int,
    N: int,  # noqa: N803 - NEST's name
    *,
    allow_autapses: bool = True,
    allow_multapses: bool = True,
    same_population: bool = False,
    weight: Any = 1.0,
    delay: Any = None,
    rng: Any = None,
) -> Connections:
    """Exactly ``N`` synapses, each between a pair drawn uniformly from all allowed
    pairs: independently (with multapses) or as a uniformly random ``N``-subset of
    the pairs (without)."""
    exclude = _autapses_excluded(n_pre, n_post, same_population, allow_autapses, allow_multapses)
    pairs = n_pre * (n_post - exclude)
    N = _count("N", N)  # noqa: N806
    if N and not pairs:
        raise ParameterError(f"N must be 0: there is no pair to connect, got N={N}")
    if not allow_multapses and N > pairs:
        raise ParameterError(
            f"N must be <= {pairs} without multapses (allow_multapses=False), the number of "
            f"{'distinct non-autapse pairs' if exclude else 'distinct pairs'}, got N={N}"
        )
    rng = _generator(rng)
    if N == 0:
        flat = np.zeros(0, np.int64)
    elif allow_multapses:
        flat = np.sort(rng.integers(0, pairs, size=N, dtype=np.int64))
    else:
        flat = distinct_flat(rng, pairs, N)
    pre, post = split_flat(flat, n_post, exclude)
    return _finish(pre, post, n_pre, n_post, weight, delay, rng)


def explicit(
    n_pre: int,
    n_post: int,
    pre: Any,
    post: Any,
    *,
    same_population: bool = False,
    weight: Any = 1.0,
    delay: Any = None,
    rng: Any = None,
) -> Connections:
    """The synapses ``pre[k] -> post[k]`` as given (any order; sorted stably by
    ``pre``, per-synapse weights and delays permuted along). Distributions are
    sampled in the given order."""
    _autapses_excluded(n_pre, n_post, same_population, True, True)
    size = int(np.size(pre))
    weight, delay = _sampled(weight, delay, size, rng)
    return Connections.from_arrays(pre, post, n_pre, n_post, weight=weight, delay=delay)


#: Each rule: its function and its required conn_spec keys. Every rule but
#: ``explicit`` also takes the flags ``allow_autapses`` and ``allow_multapses``.
RULES: dict[str, tuple[Callable[..., Connections], tuple[str, ...]]] = {
    "all_to_all": (all_to_all, ()),
    "one_to_one": (one_to_one, ()),
    "pairwise_bernoulli": (pairwise_bernoulli, ("p",)),
    "fixed_indegree": (fixed_indegree, ("indegree",)),
    "fixed_outdegree": (fixed_outdegree, ("outdegree",)),
    "fixed_total_number": (fixed_total_number, ("N",)),
    "explicit": (explicit, ("pre", "post")),
}
_FLAGS = ("allow_autapses", "allow_multapses")
_SYN_KEYS = ("weight", "delay")


def connect(
    n_pre: int,
    n_post: int,
    conn_spec: str | Mapping[str, Any],
    syn_spec: Mapping[str, Any] | None = None,
    *,
    same_population: bool = False,
    rng: Any = None,
) -> Connections:
    """Connect ``n_pre`` onto ``n_post`` neurons by a rule, in the shape of NEST's ``Connect``.

    Parameters
    ----------
    n_pre, n_post : int
        Population sizes.
    conn_spec : str or dict
        A rule name (for rules without parameters) or ``{"rule": name, ...}`` with the
        rule's parameter and flags. Rules and keys:

        ====================== =========================================
        rule                   keys (besides ``rule``)
        ====================== =========================================
        ``all_to_all``         flags
        ``one_to_one``         flags
        ``pairwise_bernoulli`` ``p`` (in [0, 1]), flags
        ``fixed_indegree``     ``indegree``, flags
        ``fixed_outdegree``    ``outdegree``, flags
        ``fixed_total_number`` ``N``, flags
        ``explicit``           ``pre``, ``post`` (index arrays)
        ====================== =========================================

        Flags: ``allow_autapses`` (default True; ``i -> i`` within one population) and
        ``allow_multapses`` (default True; several synapses per pair).
    syn_spec : dict, optional
        ``weight`` (default ``1.0``, unitless) and ``delay`` (default None: one
        simulation step, decided by whoever runs the network); each a constant (may
        carry units), an array with one value per synapse (in the order of the result,
        sorted by presynaptic neuron; for ``explicit``, the given order), or a
        :class:`Distribution`, sampled in the precision's float type.
    same_population : bool
        Source and target are one population (needs ``n_pre == n_post``): only then
        are ``i -> i`` synapses autapses.
    rng : numpy Generator, int seed, or None
        The randomness; None draws a generator from the seeded default stream.

    Returns
    -------
    Connections

    Examples
    --------
    >>> from neurodyn import units as u
    >>> from neurodyn.connectivity import Normal, connect
    >>> c = connect(100, 100, {"rule": "pairwise_bernoulli", "p": 0.1, "allow_autapses": False},
    ...             {"weight": Normal(0.5 * u.nS, 0.1 * u.nS), "delay": 1.5 * u.ms},
    ...             same_population=True, rng=1)
    >>> bool((c.pre != c.post).all()), c.weight.shape == (c.n_connections,)
    (True, True)
    """
    rule, params = _parse_conn_spec(conn_spec)
    weight, delay = _parse_syn_spec(syn_spec)
    function, _ = RULES[rule]
    return function(
        n_pre,
        n_post,
        **params,
        same_population=same_population,
        weight=weight,
        delay=delay,
        rng=rng,
    )


# -- helpers ---------------------------------------------------------------------------


def _parse_conn_spec(conn_spec: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(conn_spec, str):
        spec: dict[str, Any] = {"rule": conn_spec}
    elif isinstance(conn_spec, Mapping):
        spec = dict(conn_spec)
    else:
        raise ParameterError(
            f"conn_spec must be a rule name or a dict with a 'rule' key, got {conn_spec!r}"
        )
    if "rule" not in spec:
        raise ParameterError(f"conn_spec needs a 'rule' key, one of {sorted(RULES)}")
    rule = spec.pop("rule")
    if rule not in RULES:
        raise ParameterError(f"conn_spec rule {rule!r} is not known; the rules are {sorted(RULES)}")
    required = RULES[rule][1]
    valid = required + (() if rule == "explicit" else _FLAGS)
    for key in spec:
        if key not in valid:
            raise ParameterError(
                f"conn_spec key {key!r} is not valid for rule {rule!r}; valid keys are "
                f"{['rule', *valid]}"
            )
    for key in required:
        if key not in spec:
            raise ParameterError(f"conn_spec for rule {rule!r} needs the key {key!r}")
    return rule, spec


def _parse_syn_spec(syn_spec: Any) -> tuple[Any, Any]:
    if syn_spec is None:
        return 1.0, None
    if not isinstance(syn_spec, Mapping):
        raise ParameterError(
            f"syn_spec must be a dict with 'weight' and/or 'delay', got {syn_spec!r}"
        )
    for key in syn_spec:
        if key not in _SYN_KEYS:
            raise ParameterError(
                f"syn_spec key {key!r} is not valid; valid keys are {list(_SYN_KEYS)}"
            )
    return syn_spec.get("weight", 1.0), syn_spec.get("delay")


def _autapses_excluded(
    n_pre: Any, n_post: Any, same_population: Any, allow_autapses: Any, allow_multapses: Any
) -> bool:
    """Check the sizes and flags; True when ``i -> i`` pairs must be left out."""
    _population_size("n_pre", n_pre)
    _population_size("n_post", n_post)
    for name, flag in (
        ("same_population", same_population),
        ("allow_autapses", allow_autapses),
        ("allow_multapses", allow_multapses),
    ):
        if not isinstance(flag, (bool, np.bool_)):
            raise ParameterError(f"{name} must be True or False, got {flag!r}")
    if same_population and n_pre != n_post:
        raise ParameterError(
            f"same_population=True needs n_pre == n_post (one population), got n_pre={n_pre}, "
            f"n_post={n_post}"
        )
    return bool(same_population and not allow_autapses)


def _count(name: str, value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
        raise ParameterError(f"{name} must be a whole number >= 0, got {value!r}")
    return int(value)


def _degree(
    name: str, value: Any, n_other: int, exclude: bool, multapses: bool, other: str, own: str
) -> int:
    """A degree ``value`` checked against the ``n_other`` neurons it draws from."""
    value = _count(name, value)
    pool = n_other - exclude
    less_own = f", less the {own} itself (allow_autapses=False)" if exclude else ""
    if value and not pool:
        raise ParameterError(
            f"{name} must be 0: there is no possible {other} ({n_other} neuron{less_own}), "
            f"got {value}"
        )
    if not multapses and value > pool:
        raise ParameterError(
            f"{name} must be <= {pool} without multapses (allow_multapses=False): each "
            f"{own} draws distinct {other}s from {n_other} neurons{less_own}; got {value}"
        )
    return value


def _bernoulli_room(pairs: int, p: float) -> int:
    """Room for a Binomial(pairs, p) count: 6 standard deviations above the mean."""
    return int(pairs * p + 6 * np.sqrt(pairs * p * (1 - p)) + 1024)


def _generator(rng: Any) -> np.random.Generator:
    if rng is None:
        return nd_random.host_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise ParameterError(
        f"rng must be a numpy Generator, a seed (whole number >= 0) or None, got {rng!r}"
    )


def _sampled(weight: Any, delay: Any, size: int, rng: Any) -> tuple[Any, Any]:
    """Weight and delay with distributions sampled (``size`` values, weight first)."""
    dtype = np.dtype(environ.dftype())
    if rng is not None:  # checked even when nothing is drawn; None: drawn only if needed
        rng = _generator(rng)
    values = []
    for value in (weight, delay):
        if isinstance(value, Distribution):
            rng = _generator(rng)
            value = value.sample(rng, size, dtype)
        values.append(value)
    return values[0], values[1]


def _finish(
    pre: np.ndarray,
    post: np.ndarray,
    n_pre: int,
    n_post: int,
    weight: Any,
    delay: Any,
    rng: Any,
) -> Connections:
    weight, delay = _sampled(weight, delay, pre.size, rng)
    return Connections(pre, post, n_pre, n_post, weight=weight, delay=delay)
