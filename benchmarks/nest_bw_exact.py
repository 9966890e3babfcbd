"""Per-step cost of ``iaf_bw_2001_exact``: neurodyn against a seed-style implementation.

    python benchmarks/nest_bw_exact.py [--n 1000] [--ports 10] [--steps 2000]
        [--seed-steps 10] [--precision 64]

neurodyn: the NMDA ports are a trailing state axis fixed at construction, their spikes a
``(n, ports)`` delta input, and the whole step (one vectorised RKF45 over the population,
jumps, threshold) runs inside one compiled loop (``nd.run``); its cost per step is the
run time over the steps, compilation excluded.

Seed-style: a small, faithful re-implementation of the approach of BrainPy's
``iaf_bw_2001_exact`` page: every step the NEST-style event records are parsed in Python
(receptor names, port registry, constant-weight check, multiplicity arrays), then each
neuron is integrated on its own by a NumPy RKF45 loop with GSL's step-size control. It
runs ``--seed-steps`` steps; its per-step cost is extrapolated from them (it does the
same work every step). Both integrate the same equations with the same control, so their
``V`` after ``--seed-steps`` steps agree to rounding (printed as a check).

Both get the same inputs: neuron ``i`` a constant current from 300 to 600 pA (most fire),
and a spike on NMDA port ``j`` whenever ``(step + 37 i + 101 j) % 500 == 0`` (20 Hz per
port). The ratio printed is seed-style per-step time over neurodyn's: above 1, neurodyn
is faster. The machine's other load affects both; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

# -- the seed-style model ----------------------------------------------------------------

# Fehlberg's 4(5) pair as GSL's rkf45 uses it (fifth-order solution propagated).
A = (
    (),
    (1 / 4,),
    (3 / 32, 9 / 32),
    (1932 / 2197, -7200 / 2197, 7296 / 2197),
    (439 / 216, -8.0, 3680 / 513, -845 / 4104),
    (-8 / 27, 2.0, -3544 / 2565, 1859 / 4104, -11 / 40),
)
B5 = (16 / 135, 0.0, 6656 / 12825, 28561 / 56430, -9 / 50, 2 / 55)
ERR = (1 / 360, 0.0, -128 / 4275, -2197 / 75240, 1 / 50, 2 / 55)


class SeedStyleExact:
    """``iaf_bw_2001_exact`` as the seed page does it: event records parsed in Python each
    step, ports added on the fly, one NumPy RKF45 integration per neuron (NEST defaults)."""

    E_L, E_ex, E_in, V_th, V_reset = -70.0, 0.0, -70.0, -55.0, -60.0
    C_m, g_L, t_ref, tau_AMPA, tau_GABA = 500.0, 25.0, 2.0, 2.0, 5.0
    tau_rise, tau_decay, alpha, conc_Mg2, tol = 2.0, 100.0, 0.5, 1.0, 1e-3
    RECEPTORS = {"AMPA": 1, "GABA": 2, "NMDA": 3}

    def __init__(self, n: int, dt: float = 0.1):
        self.n, self.dt = n, dt
        self.V = np.full(n, self.E_L)
        self.s_AMPA, self.s_GABA = np.zeros(n), np.zeros(n)
        self.x, self.s, self.w = np.zeros((n, 0)), np.zeros((n, 0)), np.zeros((n, 0))
        self.h = np.full(n, dt)
        self.refractory = np.zeros(n, int)
        self.I_stim = np.zeros(n)
        self.ports: dict = {}
        self.started = False

    # the page's event parsing, per event, every step
    def _receptor(self, receptor):
        if isinstance(receptor, str):
            key = receptor.strip()
            if key in self.RECEPTORS:
                return self.RECEPTORS[key]
            receptor = int(key)
        receptor = int(receptor)
        if not 1 <= receptor <= 3:
            raise ValueError(f"receptor must be in [1, 3], got {receptor}")
        return receptor

    def _port(self, port, weight):
        if port in self.ports:
            j = self.ports[port]
            if np.any(self.w[:, j] != weight):
                raise ValueError("iaf_bw_2001_exact requires constant weights per NMDA port.")
            return j
        if self.started:
            raise ValueError("NMDA ports can only be added before the first update().")
        j = self.ports[port] = len(self.ports)
        zero = np.zeros((self.n, 1))
        self.x = np.concatenate([self.x, zero], axis=1)
        self.s = np.concatenate([self.s, zero], axis=1)
        self.w = np.concatenate([self.w, np.broadcast_to(weight, (self.n,))[:, None]], axis=1)
        return j

    def parse(self, events):
        d_ampa, d_gaba = np.zeros(self.n), np.zeros(self.n)
        d_x = np.zeros((self.n, len(self.ports)))
        for event in events or ():
            if isinstance(event, dict):
                receptor, weight = event["receptor"], event["weight"]
                multiplicity, port = event.get("multiplicity", 1.0), event.get("port")
            else:
                receptor, weight, port, multiplicity = event
            receptor = self._receptor(receptor)
            weight = np.broadcast_to(np.asarray(weight, float), (self.n,))
            multiplicity = np.broadcast_to(np.asarray(multiplicity, float), (self.n,))
            if receptor == 1:
                d_ampa = d_ampa + weight * multiplicity
            elif receptor == 2:
                d_gaba = d_gaba + weight * multiplicity
            else:
                j = self._port(0 if port is None else port, weight)
                if j >= d_x.shape[1]:
                    d_x = np.concatenate([d_x, np.zeros((self.n, j + 1 - d_x.shape[1]))], 1)
                d_x[:, j] += multiplicity
        return d_ampa, d_gaba, d_x

    # one neuron's vector field and GSL-style RKF45 over one step
    def rhs(self, y, I, w):
        V, s_AMPA, s_GABA, x, s = y[0], y[1], y[2], y[3::2], y[4::2]
        I_AMPA = (V - self.E_ex) * s_AMPA
        I_GABA = (V - self.E_in) * s_GABA
        block = 1 + self.conc_Mg2 * np.exp(-0.062 * V) / 3.57
        I_NMDA = (V - self.E_ex) / block * np.dot(s, w)
        f = np.empty_like(y)
        f[0] = (-self.g_L * (V - self.E_L) - (I_AMPA + I_GABA + I_NMDA) + I) / self.C_m
        f[1] = -s_AMPA / self.tau_AMPA
        f[2] = -s_GABA / self.tau_GABA
        f[3::2] = -x / self.tau_rise
        f[4::2] = -s / self.tau_decay + self.alpha * x * (1 - s)
        return f

    def rkf45_step(self, y, h, I, w):
        t = 0.0
        while t < self.dt:
            final = h > self.dt - t
            h_try = self.dt - t if final else h
            while True:
                k = []
                for row in A:
                    step = sum(a * kj for a, kj in zip(row, k, strict=True)) if row else 0.0
                    k.append(self.rhs(y + h_try * step if row else y, I, w))
                y_new = y + h_try * sum(b * kj for b, kj in zip(B5, k, strict=True) if b)
                err = h_try * sum(e * kj for e, kj in zip(ERR, k, strict=True) if e)
                ratio = max(np.max(np.abs(err) / self.tol), np.finfo(float).tiny)
                t_after = self.dt if final else t + h_try
                if ratio > 1.1:
                    h_next = h_try * max(0.9 / ratio ** (1 / 5), 0.2)
                    if h_next < h_try and t_after + h_next != t_after:
                        h_try, final = h_next, False
                        continue
                    h_next = h_try
                elif ratio < 0.5:
                    h_next = h_try * min(max(0.9 / ratio ** (1 / 6), 1.0), 5.0)
                else:
                    h_next = h_try
                y, t, h = y_new, t_after, h_next
                break
        return y, h

    def update(self, I, events=None):
        d_ampa, d_gaba, d_x = self.parse(events)
        K = self.x.shape[1]
        for i in range(self.n):  # per neuron, as the page does
            y = np.empty(3 + 2 * K)
            y[:3] = self.V[i], self.s_AMPA[i], self.s_GABA[i]
            y[3::2], y[4::2] = self.x[i], self.s[i]
            y, self.h[i] = self.rkf45_step(y, self.h[i], self.I_stim[i], self.w[i])
            self.V[i], self.s_AMPA[i], self.s_GABA[i] = y[:3]
            self.x[i], self.s[i] = y[3::2], y[4::2]
        self.s_AMPA += d_ampa
        self.s_GABA += d_gaba
        self.x[:, : d_x.shape[1]] += d_x
        refractory = self.refractory > 0
        self.V[refractory] = self.V_reset
        spike = ~refractory & (self.V >= self.V_th)
        self.V[spike] = self.V_reset
        self.refractory = np.where(
            spike, round(self.t_ref / self.dt), np.maximum(self.refractory - 1, 0)
        )
        self.I_stim = np.broadcast_to(I, (self.n,)).astype(float)
        self.started = True
        return spike


# -- the shared protocol -------------------------------------------------------------------


def port_spikes(step: int, offsets: np.ndarray) -> np.ndarray:
    """Spike counts (n, ports) at ``step``: 1 where ``(step + offset) % 500 == 0``."""
    return ((step + offsets) % 500 == 0).astype(float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--ports", type=int, default=10)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed-steps", type=int, default=10)
    parser.add_argument("--precision", type=int, default=64, choices=(32, 64))
    args = parser.parse_args()

    import jax
    import jax.numpy as jnp

    import neurodyn as nd
    from neurodyn import units as u

    nd.environ.set(precision=args.precision)
    n, K = args.n, args.ports
    current = np.linspace(300.0, 600.0, n)
    weights = 2.0 + 0.5 * np.arange(K)  # nS per port
    offsets = 37 * np.arange(n)[:, None] + 101 * np.arange(K)[None, :]

    # neurodyn: compiled loop; the port spikes computed in the loop from the step index
    model = nd.nest.iaf_bw_2001_exact(n, nmda_weights=jnp.asarray(weights) * u.nS)
    offsets_j = jnp.asarray(offsets)
    model.add_delta_input(
        "pre", lambda: ((nd.environ.get("i") + offsets_j) % 500 == 0).astype(float), "NMDA"
    )
    I = jnp.asarray(current) * u.pA
    dt = nd.environ.get_dt()
    nd.init_all_states(model)
    nd.run(model, args.seed_steps * dt, inputs=lambda i, t: I)
    V_check = np.asarray(model.V.value.to_decimal(u.mV))
    nd.reset_all_states(model)
    result = nd.run(model, args.steps * dt, inputs=lambda i, t: I)
    per_step = result.run_time / args.steps
    spikes_per_neuron = float(np.asarray(model.last_spike_time.value.to_decimal(u.ms) > 0).mean())

    # seed-style: NEST-style events, parsed every step; per-neuron NumPy RKF45. Timed
    # from rest (checked against neurodyn) and from neurodyn's state after its run.
    def seed_steps(seed: SeedStyleExact, first: int) -> float:
        start = time.perf_counter()
        for step in range(first, first + args.seed_steps):
            counts = port_spikes(step, offsets)
            events = [(3, weights[j], f"port{j}", counts[:, j]) for j in range(K)]
            seed.update(current, events)
        return (time.perf_counter() - start) / args.seed_steps

    seed = SeedStyleExact(n)
    seed_rest = seed_steps(seed, 0)
    V_error = np.abs(V_check - seed.V).max()
    seed = SeedStyleExact(n)
    seed.update(current, [(3, weights[j], f"port{j}", 0.0) for j in range(K)])  # the ports
    for name, state in [("V", model.V), ("s_AMPA", model.s_AMPA), ("s_GABA", model.s_GABA),
                        ("x", model.x_NMDA), ("s", model.s_NMDA_components),
                        ("h", model.integration_step), ("I_stim", model.I_stim),
                        ("refractory", model.refractory_step_count)]:  # fmt: skip
        value = state.value
        setattr(seed, name, np.array(value.mantissa if hasattr(value, "mantissa") else value))
    seed_active = seed_steps(seed, args.steps)

    print(f"iaf_bw_2001_exact, {n} neurons x {K} NMDA ports, dt = 0.1 ms, "
          f"float{args.precision}, {jax.default_backend()}")  # fmt: skip
    print(f"  neurodyn (compiled loop, {args.steps} steps from rest): "
          f"{per_step * 1e3:.3f} ms/step (compile {result.compile_time:.1f} s; "
          f"{spikes_per_neuron:.0%} of the neurons fired)")  # fmt: skip
    print(f"  seed-style (per-neuron NumPy RKF45, {args.seed_steps} steps, extrapolated): "
          f"{seed_rest * 1e3:.1f} ms/step from rest, {seed_active * 1e3:.1f} ms/step from "
          f"neurodyn's state at step {args.steps}")  # fmt: skip
    print(f"  ratio seed-style / neurodyn: {seed_rest / per_step:.0f}x (from rest), "
          f"{seed_active / per_step:.0f}x (from step {args.steps})")  # fmt: skip
    print(f"  check: max |V_neurodyn - V_seed| after {args.seed_steps} steps from rest = "
          f"{V_error:.2e} mV")  # fmt: skip


if __name__ == "__main__":
    main()
