r"""NEST's ``astrocyte_lr_1994`` (IP3 and calcium dynamics of an astrocyte, Li & Rinzel
1994, after De Young & Keizer 1992) and ``aeif_cond_alpha_astro``, the neuron that
receives the slow inward current (SIC) an astrocyte induces (Nadkarni & Jung 2003)."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Dynamics
from ..core._params import Param
from ..core._state import HiddenState, ShortTermState
from ..neurons._base import check_current, initial_value
from ._aeif import EX_IN_ROWS, document_parameters
from ._aeif_cond import _REVERSAL_ROWS, aeif_cond_alpha
from ._base import NESTNeuron


class astrocyte_lr_1994(Dynamics):  # noqa: N801 (NEST's model name)
    r"""An astrocyte's IP3 and cytosolic calcium, and the SIC it sends to neurons (NEST
    ``astrocyte_lr_1994``).

    .. math::

       \frac{d[\mathrm{IP3}]}{dt} = \frac{\mathrm{IP3}_0 - [\mathrm{IP3}]}{\tau_{IP3}},
       \qquad [\mathrm{IP3}] \leftarrow [\mathrm{IP3}] + \Delta_{IP3} \sum_k w_k
       \text{ at arriving spikes},

       \frac{d[\mathrm{Ca}]}{dt} = J_{channel} - J_{pump} + J_{leak} + J_{noise},

       \frac{dh}{dt} = \alpha_h (1 - h) - \beta_h h,

    with :math:`c = [\mathrm{Ca}]` kept within :math:`[0, Ca_{tot}]`,
    :math:`c_{ER} = (Ca_{tot} - c) / r_{ER}`,
    :math:`m_\infty = [\mathrm{IP3}] / ([\mathrm{IP3}] + K_{d,IP3,1})`,
    :math:`n_\infty = c / (c + K_{d,act})`,
    :math:`J_{channel} = r_{ER}\, v_{IP3R}\, m_\infty^3 n_\infty^3 h^3 (c_{ER} - c)`,
    :math:`J_{leak} = r_{ER}\, v_L (c_{ER} - c)`,
    :math:`J_{pump} = v_{SERCA}\, c^2 / (K_{m,SERCA}^2 + c^2)`,
    :math:`\alpha_h = k_{IP3R} K_{d,inh} ([\mathrm{IP3}] + K_{d,IP3,1}) /
    ([\mathrm{IP3}] + K_{d,IP3,2})`, :math:`\beta_h = k_{IP3R}\, c`.

    Each step of length :math:`dt`, in NEST's order: (1) the three equations advance by
    GSL-style RKF45 (absolute tolerance 1e-3 in µM, NEST's) with :math:`J_{noise}` the
    current buffered in the previous step; (2) ``Ca_astro`` is clipped to
    :math:`[0, Ca_{tot}]`; (3) the spikes arriving in this step raise ``IP3``; (4) the
    SIC is computed from the calcium above threshold, in nM,

    .. math::

       I_{SIC} = \text{SIC\_scale} \cdot \ln\bigl(1000\,(c - \text{SIC\_th})\bigr)
       \text{ pA if } 1000\,(c - \text{SIC\_th}) > 1, \text{ else } 0;

    (5) this step's current input is buffered as the next step's :math:`J_{noise}`
    (NEST adds a current's number in pA to :math:`d[\mathrm{Ca}]/dt` in µM/ms).

    ================  ================  ================================================
    parameter         default           meaning
    ================  ================  ================================================
    ``Ca_tot``        2.0 µM            total calcium (cytosolic volume), :math:`Ca_{tot}`
    ``IP3_0``         0.16 µM           baseline IP3
    ``Kd_IP3_1``      0.13 µM           first IP3R dissociation constant of IP3
    ``Kd_IP3_2``      0.9434 µM         second IP3R dissociation constant of IP3
    ``Kd_act``        0.08234 µM        IP3R dissociation constant of Ca (activation)
    ``Kd_inh``        1.049 µM          IP3R dissociation constant of Ca (inhibition)
    ``Km_SERCA``      0.1 µM            activation constant of the SERCA pump
    ``SIC_scale``     1.0               scale of the SIC (pA per log nM)
    ``SIC_th``        0.19669 µM        calcium threshold of the SIC
    ``delta_IP3``     0.0002 µM         IP3 rise per unit spike weight
    ``k_IP3R``        0.0002 /(µM ms)   IP3R binding rate of Ca inhibition
    ``rate_IP3R``     0.006 /ms         maximal Ca release through IP3R, :math:`v_{IP3R}`
    ``rate_L``        0.00011 /ms       Ca leak from the ER, :math:`v_L`
    ``rate_SERCA``    0.0009 µM/ms      maximal Ca uptake by SERCA, :math:`v_{SERCA}`
    ``ratio_ER_cyt``  0.185             ER to cytosol volume ratio, :math:`r_{ER}`
    ``tau_IP3``       7142 ms           decay time of IP3
    ================  ================  ================================================

    Initial values (NEST's, whatever the parameters): ``IP3`` 0.16 µM, ``Ca_astro``
    0.073 µM, ``h_IP3R`` 0.793 (``IP3_initializer``, ``Ca_astro_initializer``,
    ``h_IP3R_initializer``).
    Recordables ``IP3``, ``Ca_astro``, ``h_IP3R``. States: those, ``SIC`` (pA, this
    step's SIC), ``J_noise`` (the buffered current) and the RKF45 step sizes.
    Spike inputs: unlabelled delta inputs, dimensionless weights ``>= 0`` (NEST stops
    at a negative one). An astrocyte does not spike: in a network it sends its SIC to
    ``aeif_cond_alpha_astro`` neurons through ``synapse_model='sic_connection'``
    (``weight`` a factor, ``delay`` default 1 ms), which deliver ``weight * SIC``.

    References: Li YX, Rinzel J (1994), J. Theor. Biol. 166:461; De Young GW, Keizer J
    (1992), PNAS 89:9895; Nadkarni S, Jung P (2003), Phys. Rev. Lett. 91:268101; NEST
    ``astrocyte_lr_1994``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.environ.set(precision=64)
    >>> a = nd.init_all_states(nd.nest.astrocyte_lr_1994(1, IP3_initializer=2.0 * u.uM))
    >>> _ = nd.run(a, 500. * u.ms)
    >>> Ca, SIC = a.Ca_astro.value[0].to_decimal(u.uM), a.SIC.value[0].to_decimal(u.pA)
    >>> bool(Ca > 0.3), bool(SIC > 0)  # calcium above SIC_th: a SIC
    (True, True)
    >>> nd.environ.set(precision=32)
    """

    RECORDABLES: tuple[str, ...] = ("IP3", "Ca_astro", "h_IP3R")
    RECEPTOR_TYPES: dict[str, int] = {}
    WEIGHT_UNIT = u.UNITLESS

    Ca_tot = Param(u.uM, positive=True)
    IP3_0 = Param(u.uM, nonnegative=True)
    Kd_IP3_1 = Param(u.uM, positive=True)
    Kd_IP3_2 = Param(u.uM, positive=True)
    Kd_act = Param(u.uM, positive=True)
    Kd_inh = Param(u.uM, nonnegative=True)
    Km_SERCA = Param(u.uM, positive=True)
    SIC_scale = Param(u.UNITLESS, positive=True)
    SIC_th = Param(u.uM, nonnegative=True)
    delta_IP3 = Param(u.uM, nonnegative=True)
    k_IP3R = Param(u.uM**-1 / u.ms, nonnegative=True)
    rate_IP3R = Param(u.ms**-1, nonnegative=True)
    rate_L = Param(u.ms**-1, nonnegative=True)
    rate_SERCA = Param(u.uM / u.ms, nonnegative=True)
    ratio_ER_cyt = Param(u.UNITLESS, positive=True)
    tau_IP3 = Param(u.ms, positive=True)

    # the adaptive RKF45 bookkeeping of NEST's GSL models (step sizes, failures)
    init_adaptive_step = NESTNeuron.init_adaptive_step
    integrate_adaptive = NESTNeuron.integrate_adaptive
    keep_integration = NESTNeuron.keep_integration
    rkf45 = NESTNeuron.rkf45
    _compiled_rkf45 = NESTNeuron._compiled_rkf45
    check_health = NESTNeuron.check_health

    def __init__(
        self,
        in_size: Any,
        Ca_tot: Any = 2.0 * u.uM,
        IP3_0: Any = 0.16 * u.uM,
        Kd_IP3_1: Any = 0.13 * u.uM,
        Kd_IP3_2: Any = 0.9434 * u.uM,
        Kd_act: Any = 0.08234 * u.uM,
        Kd_inh: Any = 1.049 * u.uM,
        Km_SERCA: Any = 0.1 * u.uM,
        SIC_scale: Any = 1.0,
        SIC_th: Any = 0.19669 * u.uM,
        delta_IP3: Any = 0.0002 * u.uM,
        k_IP3R: Any = 0.0002 / (u.uM * u.ms),
        rate_IP3R: Any = 0.006 / u.ms,
        rate_L: Any = 0.00011 / u.ms,
        rate_SERCA: Any = 0.0009 * u.uM / u.ms,
        ratio_ER_cyt: Any = 0.185,
        tau_IP3: Any = 7142.0 * u.ms,
        IP3_initializer: Any = 0.16 * u.uM,
        Ca_astro_initializer: Any = 0.073 * u.uM,
        h_IP3R_initializer: Any = 0.793,
        name: str | None = None,
    ):
        super().__init__(in_size, name=name)
        self.Ca_tot = Ca_tot
        self.IP3_0 = IP3_0
        self.Kd_IP3_1 = Kd_IP3_1
        self.Kd_IP3_2 = Kd_IP3_2
        self.Kd_act = Kd_act
        self.Kd_inh = Kd_inh
        self.Km_SERCA = Km_SERCA
        self.SIC_scale = SIC_scale
        self.SIC_th = SIC_th
        self.delta_IP3 = delta_IP3
        self.k_IP3R = k_IP3R
        self.rate_IP3R = rate_IP3R
        self.rate_L = rate_L
        self.rate_SERCA = rate_SERCA
        self.ratio_ER_cyt = ratio_ER_cyt
        self.tau_IP3 = tau_IP3
        self.IP3_initializer = IP3_initializer
        self.Ca_astro_initializer = Ca_astro_initializer
        self.h_IP3R_initializer = h_IP3R_initializer

    @property
    def recordables(self) -> tuple[str, ...]:
        return self.RECORDABLES

    @property
    def spike(self) -> Any:
        """An astrocyte sends no spikes (read by a connection or spike_recorder)."""
        raise ParameterError(
            f"{self.name}: an astrocyte does not spike; connect it to aeif_cond_alpha_astro "
            "neurons with synapse_model='sic_connection'"
        )

    def record(self, name: str) -> Any:
        """The current value of the recordable ``name`` (NEST's name)."""
        if name not in self.RECORDABLES:
            raise ParameterError(
                f"{type(self).__name__} has no recordable {name!r}; it records {self.RECORDABLES}"
            )
        return getattr(self, name).value

    def init_state(self, batch_size: int | None = None) -> None:
        shape = self.varshape if batch_size is None else (batch_size, *self.varshape)
        IP3 = initial_value("IP3_initializer", self.IP3_initializer, u.uM, self.varshape,
                            batch_size)  # fmt: skip
        self.IP3 = HiddenState(IP3, name="IP3")
        Ca = initial_value("Ca_astro_initializer", self.Ca_astro_initializer, u.uM,
                           self.varshape, batch_size)  # fmt: skip
        self.Ca_astro = HiddenState(Ca, name="Ca_astro")
        h = initial_value("h_IP3R_initializer", self.h_IP3R_initializer, u.UNITLESS,
                          self.varshape, batch_size)  # fmt: skip
        self.h_IP3R = HiddenState(jnp.asarray(u.magnitude(h), environ.dftype()), name="h_IP3R")
        zeros = jnp.zeros(shape, environ.dftype())
        self.SIC = ShortTermState(u.with_unit(zeros, u.pA), name="SIC")
        self.J_noise = ShortTermState(u.with_unit(zeros, u.uM / u.ms), name="J_noise")
        self.init_adaptive_step(shape)

    def derivatives(self, y: dict, t: Any, J_noise: Any) -> dict:
        """The vector field, NEST's ``astrocyte_lr_1994_dynamics``."""
        IP3, h = y["IP3"], y["h_IP3R"]
        c = u.math.clip(y["Ca_astro"], 0.0 * u.uM, self.Ca_tot)
        alpha_h = self.k_IP3R * self.Kd_inh * (IP3 + self.Kd_IP3_1) / (IP3 + self.Kd_IP3_2)
        beta_h = self.k_IP3R * c
        J_pump = self.rate_SERCA * c**2 / (self.Km_SERCA**2 + c**2)
        m_inf = IP3 / (IP3 + self.Kd_IP3_1)
        n_inf = c / (c + self.Kd_act)
        c_ER = (self.Ca_tot - c) / self.ratio_ER_cyt
        J_leak = self.ratio_ER_cyt * self.rate_L * (c_ER - c)
        J_channel = self.ratio_ER_cyt * self.rate_IP3R * m_inf**3 * n_inf**3 * h**3 * (c_ER - c)
        return {
            "IP3": (self.IP3_0 - IP3) / self.tau_IP3,
            "Ca_astro": J_channel - J_pump + J_leak + J_noise,
            "h_IP3R": alpha_h * (1.0 - h) - beta_h * h,
        }

    def sic(self, Ca: Any) -> Any:
        """The SIC of calcium ``Ca`` (Nadkarni & Jung 2003; NEST's form)."""
        above = u.to_float(Ca - self.SIC_th, u.uM) * 1000.0  # in nM
        scale = u.to_float(self.SIC_scale, u.UNITLESS)
        safe = jnp.where(above > 1.0, above, 1.0)
        return u.with_unit(jnp.where(above > 1.0, jnp.log(safe) * scale, 0.0), u.pA)

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        check_current(self.name, x)
        state = {"IP3": self.IP3.value, "Ca_astro": self.Ca_astro.value,
                 "h_IP3R": self.h_IP3R.value}  # fmt: skip
        y = self.integrate_adaptive(self.derivatives, state, self.J_noise.value).y
        Ca = u.math.clip(y["Ca_astro"], 0.0 * u.uM, self.Ca_tot)
        weights = self.sum_delta_inputs(0.0)
        self.IP3.value = y["IP3"] + self.delta_IP3 * weights
        self.Ca_astro.value = Ca
        self.h_IP3R.value = y["h_IP3R"]
        self.SIC.value = self.sic(Ca)
        current = u.to_float(self.sum_current_inputs(x, Ca), u.pA)
        self.J_noise.value = u.with_unit(jnp.broadcast_to(current, jnp.shape(Ca)), u.uM / u.ms)
        return self.SIC.value


class aeif_cond_alpha_astro(aeif_cond_alpha):  # noqa: N801 (NEST's model name)
    r"""``aeif_cond_alpha`` that also receives the slow inward current (SIC) of
    astrocytes (NEST ``aeif_cond_alpha_astro``).

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) + g_L \Delta_T e^{(V - V_T)/\Delta_T}
       - g_{ex}(V - E_{ex}) - g_{in}(V - E_{in}) - w + I_e + I_{stim} + I_{SIC}

    and otherwise :class:`~neurodyn.nest.aeif_cond_alpha`. The SIC arriving in a step
    (the delta inputs labelled ``'SIC'``, in pA: the sum of ``weight * SIC`` of the
    astrocytes connected by ``sic_connection``) is buffered as ``I_SIC`` for the next
    step, as the stimulation current is.

    {parameters}

    Recordables ``I_SIC``, ``V_m``, ``g_ex``, ``g_in``, ``w``; states: those of
    ``aeif_cond_alpha`` and ``I_SIC``. Needs float64.

    References: Nadkarni S, Jung P (2003), Phys. Rev. Lett. 91:268101; Brette &
    Gerstner (2005), J. Neurophysiol. 94:3637; NEST ``aeif_cond_alpha_astro``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.environ.set(precision=64)
    >>> n = nd.nest.aeif_cond_alpha_astro(1, I_e=500. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> n.add_delta_input("astrocyte", lambda: 300. * u.pA, label="SIC")  # a strong SIC
    >>> out = nd.run(n, 50. * u.ms, monitors={"spike": n.spike})
    >>> int(out["spike"].sum()) > 0, float(n.record("I_SIC")[0].to_decimal(u.pA))
    (True, 300.0)
    >>> nd.environ.set(precision=32)
    """

    RECORDABLES = ("I_SIC", "V_m", "g_ex", "g_in", "w")
    RECEPTOR_TYPES = {**aeif_cond_alpha.RECEPTOR_TYPES, "SIC": 0}

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.I_SIC = ShortTermState(u.math.zeros_like(self.I_stim.value), name="I_SIC")

    def _recordable(self, name: str) -> Any:
        return self.I_SIC.value if name == "I_SIC" else super()._recordable(name)

    def derivatives(self, y: dict, t: Any, I_stim: Any, *, aux: dict) -> dict:
        return super().derivatives(y, t, I_stim + self.I_SIC.value, aux=aux)

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        spike = super().update(x)
        arrived = self.sum_delta_inputs(0.0 * u.pA, label="SIC")
        self.I_SIC.value = u.math.broadcast_to(arrived, self.I_SIC.value.shape).in_unit(u.pA)
        return spike


document_parameters(aeif_cond_alpha_astro, EX_IN_ROWS, _REVERSAL_ROWS)
