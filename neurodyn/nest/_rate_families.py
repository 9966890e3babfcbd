"""NEST's rate models with a fixed nonlinearity (``tanh_rate_ipn``, ...): each is one
of the templates of :mod:`neurodyn.nest._rate` with one nonlinearity of
:mod:`neurodyn.nest._rate_nonlinearities`, built from that data (parameters,
defaults, docstring)."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ._rate import _InputNoise, _OutputNoise, _Transformer
from ._rate_nonlinearities import (
    GAUSS,
    LIN,
    SIGMOID,
    SIGMOID_GG_1998,
    TANH,
    THRESHOLD_LIN,
    Nonlinearity,
)

#: The public template of each private one (for the docstrings).
_TEMPLATES = {"_InputNoise": ("rate_neuron_ipn", "rate neuron with input noise"),
              "_OutputNoise": ("rate_neuron_opn", "rate neuron with output noise"),
              "_Transformer": ("rate_transformer_node", "rate transformer node")}  # fmt: skip


def _family(template: type, nonlinearity: Nonlinearity, name: str, example: str) -> type:
    """NEST's model ``name``: ``template``'s update with ``nonlinearity``."""
    shared = sorted(key for key in nonlinearity.params if key in template.DEFAULTS)
    defaults = {**template.DEFAULTS, **nonlinearity.params}
    for key in shared:  # one parameter, two roles (NEST's default: the nonlinearity's)
        defaults[key] = (defaults[key][0], f"{template.DEFAULTS[key][1]}; {defaults[key][1]}")
    public, noun = _TEMPLATES[template.__name__]
    note = ""
    if shared:
        note = (
            f"As in NEST, ``{'``, ``'.join(shared)}`` are both the dynamics' and the "
            "nonlinearity's\n    parameters of that name, with the defaults NEST reports (NEST's "
            "noise amplitude\n    stays 1 until ``sigma`` is set). With the width 0 the rate is "
            "NaN unless\n    ``linear_summation`` is False.\n"
        )
    doc = f"""NEST's ``{name}``: a {noun} (the update of :class:`{public}`) with

    .. math::

       {nonlinearity.formula}

{_table(defaults)}

    {note}
    Reference: Hahne J et al. (2017) Integration of continuous-time dynamics in a
    spiking neural network simulator. Front. Neuroinform. 11:34.

    >>> import neurodyn as nd
    >>> n = nd.nest.{name}(2, {example})
    >>> _ = nd.init_all_states(n)
    >>> bool(nd.units.math.isfinite(n.update()).all())
    True
    """
    namespace: dict[str, Any] = {
        key: nonlinearity.declare(key) for key in nonlinearity.params if key not in shared
    }
    namespace.update(NONLINEARITY=nonlinearity, DEFAULTS=defaults, __module__=__name__,
                     __doc__=doc, __qualname__=name)  # fmt: skip
    return type(name, (template,), namespace)


def _table(defaults: dict[str, tuple[Any, str]]) -> str:
    """The parameter table of a docstring (reStructuredText)."""
    rows = [(f"``{key}``", u.describe(default) if u.has_unit(default) else str(default), meaning)
            for key, (default, meaning) in defaults.items()]  # fmt: skip
    rows.append(("``rate_initializer``", "0.0", "initial rate (NEST's ``rate``)"))
    widths = [max(len(row[k]) for row in [*rows, ("parameter", "default", "meaning")])
              for k in range(3)]  # fmt: skip
    rule = "    " + "  ".join("=" * w for w in widths)

    def line(row: tuple[str, str, str]) -> str:
        return "    " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()

    header = line(("parameter", "default", "meaning"))
    return "\n".join([rule, header, rule, *map(line, rows), rule])


lin_rate_ipn = _family(_InputNoise, LIN, "lin_rate_ipn", "sigma=0.0, mu=1.0")
tanh_rate_ipn = _family(_InputNoise, TANH, "tanh_rate_ipn", "g=2.0")
threshold_lin_rate_ipn = _family(_InputNoise, THRESHOLD_LIN, "threshold_lin_rate_ipn",
                                 "theta=0.5")  # fmt: skip
sigmoid_rate_ipn = _family(_InputNoise, SIGMOID, "sigmoid_rate_ipn", "beta=2.0")
sigmoid_rate_gg_1998_ipn = _family(_InputNoise, SIGMOID_GG_1998, "sigmoid_rate_gg_1998_ipn",
                                   "g=0.5")  # fmt: skip
gauss_rate_ipn = _family(_InputNoise, GAUSS, "gauss_rate_ipn", "sigma=0.5, mu=0.2")
lin_rate_opn = _family(_OutputNoise, LIN, "lin_rate_opn", "mu=1.0")
tanh_rate_opn = _family(_OutputNoise, TANH, "tanh_rate_opn", "theta=0.1")
threshold_lin_rate_opn = _family(_OutputNoise, THRESHOLD_LIN, "threshold_lin_rate_opn",
                                 "alpha=2.0")  # fmt: skip
rate_transformer_lin = _family(_Transformer, LIN, "rate_transformer_lin", "g=2.0")
rate_transformer_tanh = _family(_Transformer, TANH, "rate_transformer_tanh", "g=2.0")
rate_transformer_threshold_lin = _family(
    _Transformer, THRESHOLD_LIN, "rate_transformer_threshold_lin", "theta=-1.0"
)
rate_transformer_sigmoid = _family(_Transformer, SIGMOID, "rate_transformer_sigmoid",
                                   "beta=3.0")  # fmt: skip
rate_transformer_sigmoid_gg_1998 = _family(_Transformer, SIGMOID_GG_1998,
                                           "rate_transformer_sigmoid_gg_1998", "g=0.5")  # fmt: skip
rate_transformer_gauss = _family(_Transformer, GAUSS, "rate_transformer_gauss",
                                 "sigma=1.0")  # fmt: skip
