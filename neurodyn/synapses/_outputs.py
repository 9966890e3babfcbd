"""Synaptic outputs: how a synaptic variable becomes a membrane current."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core._module import Module
from ..core._params import Param


class SynOut(Module):
    """Base class: ``update(g, V) -> current``."""


class CUBA(SynOut):
    r"""Current-based output: :math:`I = s\, g` (``g`` is already a current).

    ``scale`` (default 1, dimensionless or with units) converts ``g`` to a current.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.CUBA()(2. * u.pA, -60. * u.mV)
    Quantity(2., "pA")
    """

    def __init__(self, scale: Any = 1.0, name: str | None = None):
        super().__init__(name)
        self.scale = scale

    def update(self, g: Any, V: Any = None) -> Any:
        return g * self.scale


class COBA(SynOut):
    r"""Conductance-based output: :math:`I = g\,(E - V)`.

    ``E`` is the synaptic reversal potential.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.COBA(E=0. * u.mV)(10. * u.nS, -60. * u.mV)
    Quantity(600., "pA")
    """

    E = Param(u.mV)

    def __init__(self, E: Any, name: str | None = None):
        super().__init__(name)
        self.E = E

    def update(self, g: Any, V: Any) -> Any:
        return g * (self.E - V)


class MgBlock(SynOut):
    r"""Conductance-based output with the voltage-dependent Mg\ :sup:`2+` block of NMDA receptors.

    .. math::

       I = g\,(E - V)\,B(V),\qquad
       B(V) = \frac{1}{1 + \frac{[\mathrm{Mg}^{2+}]}{\beta}\,e^{-\alpha (V - V_{offset})}}

    :math:`B` is the fraction of channels not blocked by extracellular magnesium
    (Jahr & Stevens 1990, J. Neurosci. 10:3178; constants 0.062 /mV and 3.57 mM).

    ==============  ===========  ======================================
    parameter       default      meaning
    ==============  ===========  ======================================
    ``E``           0 mV         reversal potential
    ``cc_Mg``       1.2 mM       extracellular Mg\ :sup:`2+` concentration
    ``alpha``       0.062 /mV    steepness of the voltage dependence
    ``beta``        3.57 mM      Mg\ :sup:`2+` concentration of half block at ``V_offset``
    ``V_offset``    0 mV         voltage shift of the block curve
    ==============  ===========  ======================================

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> out = nd.MgBlock(E=0. * u.mV, cc_Mg=1. * u.mM)
    >>> round(float(out.unblocked(-60. * u.mV)), 4)
    0.0796
    >>> out(10. * u.nS, -60. * u.mV)
    Quantity(47.77..., "pA")
    """

    E = Param(u.mV)
    cc_Mg = Param(u.mM, nonnegative=True)
    alpha = Param(u.mV**-1, positive=True)
    beta = Param(u.mM, positive=True)
    V_offset = Param(u.mV)

    def __init__(
        self,
        E: Any = 0.0 * u.mV,
        cc_Mg: Any = 1.2 * u.mM,
        alpha: Any = 0.062 / u.mV,
        beta: Any = 3.57 * u.mM,
        V_offset: Any = 0.0 * u.mV,
        name: str | None = None,
    ):
        super().__init__(name)
        self.E = E
        self.cc_Mg = cc_Mg
        self.alpha = alpha
        self.beta = beta
        self.V_offset = V_offset

    def unblocked(self, V: Any) -> Any:
        """The fraction :math:`B(V)` of unblocked channels."""
        return 1.0 / (1.0 + self.cc_Mg / self.beta * u.math.exp(-self.alpha * (V - self.V_offset)))

    def update(self, g: Any, V: Any) -> Any:
        return g * (self.E - V) * self.unblocked(V)
