"""Brunel (2000) balanced network as a NEST script, run by neurodyn.

A NEST user's script in NEST's own shape: only the import differs
(``import nest`` → ``import neurodyn.network as nest``); parameters are plain numbers
in NEST's units (ms, mV, pF, Hz). Model A of Brunel (2000): sparse random
connectivity, delta synapses, g = 5, eta = 2 (asynchronous irregular state).

    python examples/brunel_delta.py [order] [simtime_ms]
"""

import sys
import time

import numpy as np

import neurodyn.network as nest
from neurodyn.networks.brunel import mean_cv

order = int(sys.argv[1]) if len(sys.argv) > 1 else 2500
simtime = float(sys.argv[2]) if len(sys.argv) > 2 else 1000.0

dt = 0.1  # ms
delay = 1.5  # ms
g, eta = 5.0, 2.0
epsilon = 0.1
NE, NI = 4 * order, 1 * order
CE, CI = int(epsilon * NE), int(epsilon * NI)
tauMem, theta, J = 20.0, 20.0, 0.1  # ms, mV, mV
J_ex, J_in = J, -g * J
nu_th = theta / (J * CE * tauMem)
nu_ex = eta * nu_th
p_rate = 1000.0 * nu_ex * CE  # Hz

nest.ResetKernel()
nest.SetKernelStatus({"resolution": dt, "rng_seed": 1})
startbuild = time.time()

neuron_params = {"C_m": 1.0, "tau_m": tauMem, "t_ref": 2.0, "E_L": 0.0, "V_reset": 0.0,
                 "V_m": 0.0, "V_th": theta}  # fmt: skip
nodes_ex = nest.Create("iaf_psc_delta", NE, params=neuron_params)
nodes_in = nest.Create("iaf_psc_delta", NI, params=neuron_params)
noise = nest.Create("poisson_generator", params={"rate": p_rate})
espikes = nest.Create("spike_recorder")
ispikes = nest.Create("spike_recorder")

nest.Connect(noise, nodes_ex, syn_spec={"weight": J_ex, "delay": delay})
nest.Connect(noise, nodes_in, syn_spec={"weight": J_ex, "delay": delay})
N_rec = 50
nest.Connect(nodes_ex[:N_rec], espikes)
nest.Connect(nodes_in[:N_rec], ispikes)
for sources, indegree, weight in ((nodes_ex, CE, J_ex), (nodes_in, CI, J_in)):
    for targets in (nodes_ex, nodes_in):
        nest.Connect(sources, targets, {"rule": "fixed_indegree", "indegree": indegree},
                     {"weight": weight, "delay": delay})  # fmt: skip

endbuild = time.time()
nest.Simulate(simtime)
endsimulate = time.time()

events_ex = nest.GetStatus(espikes, "n_events")
events_in = nest.GetStatus(ispikes, "n_events")
rate_ex = events_ex / simtime * 1000.0 / N_rec
rate_in = events_in / simtime * 1000.0 / N_rec
spikes = espikes.get("events")
cv = mean_cv(spikes["times"], spikes["senders"])

print("Brunel network simulation (neurodyn, NEST-style script)")
print(f"Number of neurons : {NE + NI}")
print(f"Number of synapses: {(NE + NI) * (CE + CI)}")
print(f"Excitatory rate   : {rate_ex:.2f} Hz")
print(f"Inhibitory rate   : {rate_in:.2f} Hz")
print(f"Mean CV of ISIs   : {cv:.2f} (recorded excitatory neurons)")
print(f"Building time     : {endbuild - startbuild:.2f} s")
print(f"Simulation time   : {endsimulate - endbuild:.2f} s")
assert np.isfinite(rate_ex)
