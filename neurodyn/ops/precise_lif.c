/* One step of NEST's precise-timing integrate-and-fire neurons (the *_ps models) for N
 * neurons: XLA typed-FFI handlers, one per model, each the plain-JAX step of
 * neurodyn.nest (PreciseIAF.step) for every neuron in one loop.
 *
 *   neurodyn_precise_delta          iaf_psc_delta_ps
 *   neurodyn_precise_exp            iaf_psc_exp_ps
 *   neurodyn_precise_exp_lossless   iaf_psc_exp_ps_lossless
 *   neurodyn_precise_alpha          iaf_psc_alpha_ps
 *
 * A neuron's step: a neuron at or above threshold at the start fires at once (offset
 * h (1 - eps)); its events (the end of refractoriness, a pseudo-event at the offset of
 * the last spike, then the input spikes) are taken in time order (decreasing offset,
 * the pseudo-event first among equal offsets); the state is propagated exactly from
 * event to event and, after each piece, tested for a threshold crossing, whose time
 * Regula Falsi (Illinois) finds (iaf_psc_delta_ps: a closed form); at the crossing
 * the neuron fires, resets and turns refractory (one spike per step). A neuron with
 * no event takes the whole step in one piece, with the lower bound V_min.
 *
 * Operands (all float64 unless noted; N neurons, K event slots):
 *   the parameters   P arrays of length 1 (shared) or N, in the order of `Row` below
 *   h, t_end         scalars (ms): the step and the time at its end
 *   V                (N)  mV
 *   synapse          S arrays (N): delta none; exp I_ex, I_in; alpha I_ex, dI_ex, I_in, dI_in
 *   refractory       (N)  PRED
 *   count            (N)  S32, refractory steps left
 *   last_offset      (N)  the offset of the last spike (ms)
 *   last_time        (N)  the time of the last spike (ms)
 *   y0               (N)  the stimulation current (pA)
 *   offsets, weights (N, K): the step's input spikes; an offset < 0 is an empty slot
 *   current          (1 or N) this step's stimulation current (pA), the next step's y0
 * Results: V, synapse, refractory, count, spike_offset, last_offset, last_time, spike
 *   (float64 0 or 1), y0 of the next step (the current); the states may alias their
 *   operands (updated in place).
 *
 * The arithmetic follows the plain-JAX reference operation by operation (libm's exp,
 * expm1, log and pow standing for XLA's), so the two agree to rounding.
 */

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "ffi_handler.h"

/* With GCC on x86-64 Linux, each handler is also compiled for AVX2 and AVX-512 and the
 * widest the CPU has is chosen at load time (the neuron loop vectorises). */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define EXPORT \
  __attribute__((visibility("default"), target_clones("avx512f", "avx2", "default")))
#else
#define EXPORT __attribute__((visibility("default")))
#endif

/* invalid operands: an error naming the kernel */
/* ---- the models ------------------------------------------------------------------------ */

typedef enum { DELTA, EXP, EXP_LOSSLESS, ALPHA } Model;

/* The parameter operands: the model's parameters (voltages relative to E_L) and its
 * propagators over a whole step h. DELTA has rows up to EXPM1_M, EXP and EXP_LOSSLESS
 * up to DECAY_IN, ALPHA all. */
typedef enum {
  E_L, THETA, Y_RESET, V_MIN, TAU_M, CAP, I_E, STEPS, EXPM1_M,
  P20, TAU_EX, TAU_IN, P32_EX, P32_IN, DECAY_EX, DECAY_IN, P31_EX, P31_IN, N_ROWS
} Row;

static inline int n_rows(Model model) {
  return model == DELTA ? EXPM1_M + 1 : model == ALPHA ? N_ROWS : DECAY_IN + 1;
}
static inline int n_synapse(Model model) { return model == DELTA ? 0 : model == ALPHA ? 4 : 2; }

/* The hot path (a neuron without events) is inlined into each model's handler; pieces
 * between events, Regula Falsi and the delta model's event loop are out of line. */
#define HOT static inline __attribute__((always_inline))
#define COLD static __attribute__((noinline))

/* The propagators of a piece of length dt (those of the whole step are operands). */
typedef struct {
  double expm1_m, P20, P32[2], decay[2], P31[2];
} Propagators;

typedef struct {
  double V, s[4]; /* exp: I_ex, I_in; alpha: I_ex, dI_ex, I_in, dI_in */
} State;

/* exp and expm1 at 0 are exact (1 and 0 of the argument's sign): skip the call there
 * (a Regula Falsi starts at t = 0) */
HOT double exp_(double x) { return x == 0.0 ? 1.0 : exp(x); }
HOT double expm1_(double x) { return x == 0.0 ? x : expm1(x); }

/* NEST's IAFPropagatorExp (P32) and IAFPropagatorAlpha (P31) */
HOT void synaptic_propagators(double dt, double tau_syn, double tau_m, double C, int alpha,
                              double* P31, double* P32) {
  const double beta = tau_syn * tau_m / (tau_m - tau_syn);
  const double gamma = beta / C;
  const double exp_syn = exp_(-dt * (1.0 / tau_syn));
  const double expm1_tau = expm1_(dt * ((tau_m - tau_syn) / (tau_syn * tau_m)));
  double p32 = gamma * exp_syn * expm1_tau;
  if (!(isfinite(p32) && p32 >= DBL_MIN)) p32 = dt * (1.0 / C) * exp_(-dt * (1.0 / tau_m));
  *P32 = p32;
  if (alpha) {
    const double h_min_regular = 1e-7 * tau_m * tau_m / fabs(tau_m - tau_syn);
    *P31 = dt > h_min_regular ? gamma * exp_syn * (beta * expm1_tau - dt)
                              : 0.5 * dt * dt / C * exp_(-dt / tau_m);
  }
}

/* The propagators over dt: those of the membrane if `membrane`, of the synaptic
 * currents' decay if `decay`. */
HOT void propagators(Model model, const double* p, double dt, int membrane, int decay,
                     Propagators* c) {
  if (membrane) c->expm1_m = expm1_(-dt / p[TAU_M]);
  if (model == DELTA) return;
  if (membrane) c->P20 = -p[TAU_M] / p[CAP] * c->expm1_m;
  const double tau[2] = {p[TAU_EX], p[TAU_IN]};
  for (int k = 0; k < 2; ++k) {
    if (k == 1 && tau[1] == tau[0]) { /* the same time constants: the same values */
      c->P31[1] = c->P31[0], c->P32[1] = c->P32[0], c->decay[1] = c->decay[0];
      break;
    }
    if (membrane)
      synaptic_propagators(dt, tau[k], p[TAU_M], p[CAP], model == ALPHA, &c->P31[k], &c->P32[k]);
    if (decay) c->decay[k] = model == ALPHA ? exp(-dt * (1.0 / tau[k])) : exp(-dt / tau[k]);
  }
}

HOT void whole_step_propagators(Model model, const double* p, Propagators* c) {
  c->expm1_m = p[EXPM1_M];
  if (model == DELTA) return;
  c->P20 = p[P20];
  c->P32[0] = p[P32_EX], c->P32[1] = p[P32_IN];
  c->decay[0] = p[DECAY_EX], c->decay[1] = p[DECAY_IN];
  if (model == ALPHA) c->P31[0] = p[P31_EX], c->P31[1] = p[P31_IN];
}

/* jnp.maximum: NaN propagates */
HOT double maximum(double a, double b) { return a >= b || a != a ? a : b; }

/* The membrane potential after a piece: NEST's whole-step form (with the lower bound)
 * where `whole` (iaf_psc_alpha_ps: always), its sub-step form elsewhere. */
HOT double membrane(Model model, const double* p, const Propagators* c, const State* x,
                    double dt, double y0, int whole) {
  double drive;
  if (model == ALPHA) {
    drive = 0.0 + c->P31[0] * x->s[1] + c->P32[0] * x->s[0];
    drive = drive + c->P31[1] * x->s[3] + c->P32[1] * x->s[2];
  } else {
    drive = c->P32[0] * x->s[0] + c->P32[1] * x->s[1];
  }
  const double constant = c->P20 * (p[I_E] + y0) + drive;
  if (whole || model == ALPHA) return maximum(constant + c->expm1_m * x->V + x->V, p[V_MIN]);
  return constant + x->V * exp_(-dt / p[TAU_M]);
}

/* `to`: the state `from` after a piece of length dt (V held while refractory). */
HOT void propagate(Model model, const double* p, const Propagators* c, const State* from,
                   State* to, double dt, double y0, int refractory, int whole) {
  const double free = membrane(model, p, c, from, dt, y0, whole); /* no branch: vectorises */
  to->V = refractory ? from->V : free;
  if (model == ALPHA) {
    for (int k = 0; k < 2; ++k) {
      const double I = from->s[2 * k], dI = from->s[2 * k + 1], decay = c->decay[k];
      to->s[2 * k] = decay * dt * dI + decay * I;
      to->s[2 * k + 1] = decay * dI;
    }
  } else {
    to->s[0] = from->s[0] * c->decay[0];
    to->s[1] = from->s[1] * c->decay[1];
  }
}

#define E 2.718281828459045 /* e, as numpy's */

HOT void add_spike(Model model, const double* p, State* x, double weight) {
  const int k = weight >= 0.0 ? 0 : 1;
  if (model == ALPHA) {
    x->s[2 * k + 1] += E * (1.0 / p[k == 0 ? TAU_EX : TAU_IN]) * weight;
  } else {
    x->s[k] += weight;
  }
}

/* V - theta at time t into a piece that starts in `start` (not refractory) */
HOT double distance(Model model, const double* p, const State* start, double t, double y0) {
  Propagators c = {0};
  propagators(model, p, t, 1, 0, &c);
  return membrane(model, p, &c, start, t, y0, 0) - p[THETA];
}

enum { MAX_ITER = 500 };
#define TERMINATION 1e-14 /* mV: NEST's Regula Falsi stops where |V - V_th| is below */

/* NEST's Regula Falsi (Illinois variant) for the crossing in [0, dt]; fb, the distance
 * at dt, where known (else NaN) */
COLD double regula_falsi(Model model, const double* p, const State* start, double dt,
                         double y0, double fb) {
  double a = 0.0, b = dt;
  double fa = distance(model, p, start, a, y0);
  if (isnan(fb)) fb = distance(model, p, start, b, y0);
  double root = dt;
  int side = 0;
  for (int it = 0; it < MAX_ITER; ++it) {
    const double guess = (a * fb - b * fa) / (fb - fa);
    const double f = distance(model, p, start, guess, y0);
    root = guess;
    if (fabs(f) < TERMINATION) break;
    if (fa * f > 0.0) {
      a = guess, fa = f;
      if (side == 1) fb = fb / 2;
      side = 1;
    } else if (fb * f > 0.0) {
      b = guess, fb = f;
      if (side == -1) fa = fa / 2;
      side = -1;
    } else {
      break;
    }
  }
  return root;
}

/* iaf_psc_exp_ps_lossless: the latest time in [0, dt] at which a piece that starts in
 * `start` may cross the threshold (Krishnan et al. 2018, as NEST writes the criteria);
 * NaN where it cannot. */
HOT double lossless_latest(const double* p, const State* start, double dt, double y0) {
  const double tau_m = p[TAU_M], tau_s = p[TAU_EX], C = p[CAP], U_th = p[THETA];
  const double a1 = tau_m * tau_s, a2 = tau_m * (tau_m - tau_s);
  const double a3 = C * U_th * (tau_m - tau_s), a4 = C * (tau_m - tau_s);
  const double b1 = -tau_m * tau_m, b2 = tau_m * tau_s, b3 = tau_m * C * U_th;
  const double b4 = -C * (tau_m - tau_s);
  const double c1 = tau_m / C, c2 = (-tau_m * tau_s) / (C * (tau_m - tau_s));
  const double c3 = (tau_m * tau_m) / (C * (tau_m - tau_s)), c4 = tau_s / tau_m;
  const double c5 = (C * U_th) / tau_m, c6 = 1 - (tau_s / tau_m);
  const double I_0 = start->s[0] + start->s[1], V_0 = start->V, I_e = y0 + p[I_E];
  const double e_s = expm1(dt / tau_s), e_m = expm1(dt / tau_m);
  const double e_ms = expm1(dt / tau_m - dt / tau_s);
  const double f = (a1 * I_0 * e_ms + e_m * (a3 - I_e * a2) + a3) / a4;
  const double g = ((I_0 + I_e) * (b1 * e_m + b2 * e_s) + b3 * (e_m - e_s)) / (b4 * e_s);
  const int no_spike = V_0 < g && V_0 <= f;
  if (!no_spike && V_0 >= f) return dt;
  const double bound = c1 * I_e + c2 * I_0 + c3 * pow(I_0, c4) * pow(c5 - I_e, c6);
  if (no_spike || V_0 < bound) return NAN;
  return (a1 / tau_m * tau_s) * log(b1 * I_0 / (a2 * I_e - a1 * I_0 - a4 * V_0));
}

typedef struct {
  double offset, weight;
  int pseudo;
} Event;

/* The valid events in time order: decreasing offset, stable (the pseudo-event, placed
 * first, stays first among equal offsets). Returns their number. */
HOT int sorted_events(int refractory_end, double last_offset, const double* offsets,
                      const double* weights, int64_t K, Event* events) {
  int n = 0;
  if (refractory_end && last_offset >= 0.0) events[n++] = (Event){last_offset, 0.0, 1};
  for (int64_t k = 0; k < K; ++k) {
    if (!(offsets[k] >= 0.0)) continue;
    const Event e = {offsets[k], weights[k], 0};
    int j = n++;
    for (; j > 0 && events[j - 1].offset < e.offset; --j) events[j] = events[j - 1];
    events[j] = e;
  }
  return n;
}

typedef struct {
  int now;       /* fired in this step */
  double offset; /* its offset */
} Firing;

/* at a spike: reset, turn refractory */
HOT void fire(const double* p, double* V, Firing* fired, int* refractory, double offset) {
  *V = p[Y_RESET];
  fired->now = 1;
  fired->offset = offset;
  *refractory = 1;
}

/* A piece of length dt ending `last` before the step's end, from `start` to `end`:
 * propagate (by the whole step's propagators `c` if given), then test for a crossing
 * (once per step) and fire there. */
HOT void piece(Model model, const double* p, const Propagators* c, const State* start,
               State* end, int* refractory, Firing* fired, double last, double dt, double y0) {
  Propagators own = {0};
  if (c == NULL) propagators(model, p, dt, !*refractory, 1, &own), c = &own; /* V held */
  propagate(model, p, c, start, end, dt, y0, *refractory, c != &own);
  if (fired->now) return;
  double latest = dt, at_latest = NAN; /* the distance there, where known */
  if (model == EXP_LOSSLESS) {
    latest = lossless_latest(p, start, dt, y0);
    if (isnan(latest)) return;
  } else if (!(end->V >= p[THETA])) {
    return;
  } else if (!*refractory && (model == ALPHA || c == &own)) {
    at_latest = end->V - p[THETA]; /* V by Regula Falsi's own formula */
  }
  const double time = regula_falsi(model, p, start, latest, y0, at_latest);
  fire(p, &end->V, fired, refractory, last - time);
}

/* The event loop of the models with synaptic currents (n > 0 events). */
COLD void run_events(Model model, const double* p, State* x, int* refractory, Firing* fired,
                     const Event* events, int n, double y0, double h) {
  State states[2] = {*x, *x};
  int now = 0;
  double last = h;
  for (int k = 0; k < n; ++k) {
    const double dt = last - events[k].offset;
    if (dt > 0) {
      piece(model, p, NULL, &states[now], &states[1 - now], refractory, fired, last, dt, y0);
      now = 1 - now;
    }
    if (events[k].pseudo) {
      *refractory = 0;
    } else {
      add_spike(model, p, &states[now], events[k].weight);
    }
    last = events[k].offset;
  }
  *x = states[now];
  if (last > 0) piece(model, p, NULL, &states[now], x, refractory, fired, last, last, y0);
}

/* iaf_psc_delta_ps: V after relaxing for dt towards v_inf */
HOT double relax(double U, double dt, double v_inf, double tau_m) {
  const double expm1_m = expm1(-dt / tau_m);
  return -v_inf * expm1_m + U * expm1_m + U;
}

/* iaf_psc_delta_ps: how long before reaching U the threshold was crossed */
HOT double since_crossing(double U, double v_inf, double theta, double tau_m) {
  return -tau_m * log((v_inf - U) / (v_inf - theta));
}

/* iaf_psc_delta_ps: the rest of the step after the last event (t before its end). */
HOT double delta_rest(const double* p, double U, int* refractory, Firing* fired, double t,
                      int n, double y0) {
  if (*refractory || !(t > 0)) return U;
  const double tau_m = p[TAU_M], theta = p[THETA];
  const double v_inf = tau_m / p[CAP] * (y0 + p[I_E]);
  const double expm1_h = p[EXPM1_M];
  U = n == 0 ? maximum(-expm1_h * (tau_m / p[CAP]) * (y0 + p[I_E]) + expm1_h * U + U, p[V_MIN])
             : relax(U, t, v_inf, tau_m);
  if (U >= theta) fire(p, &U, fired, refractory, since_crossing(U, v_inf, theta, tau_m));
  return U;
}

/* iaf_psc_delta_ps with n > 0 events: exact relaxation towards v_inf between them,
 * simultaneous inputs summed, inputs while refractory dropped, the crossing time in
 * closed form. */
COLD double run_delta_events(const double* p, double U, int* refractory, Firing* fired,
                             const Event* events, int n, double y0, double h) {
  const double tau_m = p[TAU_M], theta = p[THETA];
  const double v_inf = tau_m / p[CAP] * (y0 + p[I_E]);
  double t = h, total = 0.0;
  for (int k = 0; k < n; ++k) {
    const Event* e = &events[k];
    total = total + e->weight;
    if (k + 1 < n && !e->pseudo && !events[k + 1].pseudo && events[k + 1].offset == e->offset)
      continue; /* summed with the next */
    int now_refractory = *refractory;
    if (!*refractory) {
      U = relax(U, t - e->offset, v_inf, tau_m);
      if (U >= theta) {
        fire(p, &U, fired, &now_refractory, e->offset + since_crossing(U, v_inf, theta, tau_m));
      } else {
        U = U + total;
        if (U >= theta) fire(p, &U, fired, &now_refractory, e->offset);
      }
    } else if (e->pseudo) {
      now_refractory = 0;
    }
    *refractory = now_refractory;
    total = 0.0;
    t = e->offset;
  }
  return delta_rest(p, U, refractory, fired, t, n, y0);
}

/* ---- the handlers ---------------------------------------------------------------------- */

enum { MAX_EVENTS = 256, BLOCK = 64 };

/* The operands and results of a call, as plain arrays. */
typedef struct {
  const double* rows[N_ROWS];
  int64_t strides[N_ROWS]; /* 0: shared by all neurons, 1: one per neuron */
  double h, t_end;
  int64_t K;
  const double *V, *synapse[4], *last_offset, *last_time, *y0, *offsets, *weights, *current;
  int64_t current_stride; /* 0: one current for all neurons, 1: one per neuron */
  const uint8_t* refractory;
  const int32_t* count;
  double *V_out, *synapse_out[4], *spike_offset, *last_offset_out, *last_time_out, *spike,
      *y0_out;
  uint8_t* refractory_out;
  int32_t* count_out;
} Call;

/* The new V, synaptic states and refractory counts of a block of neurons, kept until
 * the block is done (they may alias their operands). The other results are written at
 * once: where they alias their operands, only where they change. */
typedef struct {
  double V[BLOCK], synapse[4][BLOCK];
  int32_t count[BLOCK];
} Block;

HOT void load_parameters(Model model, const Call* call, int64_t i, double* p,
                         Propagators* whole_step) {
  for (int r = 0; r < n_rows(model); ++r) p[r] = call->rows[r][call->strides[r] * i];
  whole_step_propagators(model, p, whole_step);
}

/* Neuron i's step (V, synapse and count into slot j of `out`). */
HOT void neuron_step(Model model, const double* p, const Propagators* whole_step,
                     const Call* call, int64_t i, Block* out, int j) {
  const double h = call->h, y0 = call->y0[i], last_offset = call->last_offset[i];
  State x = {call->V[i] - p[E_L], {0.0, 0.0, 0.0, 0.0}};
  for (int s = 0; s < n_synapse(model); ++s) x.s[s] = call->synapse[s][i];
  int32_t count = call->count[i] - 1 > 0 ? call->count[i] - 1 : 0;
  /* a neuron at or above threshold at the start of the step fires at once */
  const int instant = x.V >= p[THETA];
  Firing fired = {instant, instant ? h * (1.0 - DBL_EPSILON) : 0.0};
  int refractory = call->refractory[i] != 0;
  if (instant) {
    x.V = p[Y_RESET];
    refractory = 1;
    count = (int32_t)p[STEPS];
  }
  const int refractory_end = refractory && count == 0 && !instant;
  Event events[MAX_EVENTS + 1];
  const int n = sorted_events(refractory_end, last_offset, call->offsets + i * call->K,
                              call->weights + i * call->K, call->K, events);
  if (model == DELTA) {
    x.V = n == 0 ? delta_rest(p, x.V, &refractory, &fired, h, 0, y0)
                 : run_delta_events(p, x.V, &refractory, &fired, events, n, y0, h);
  } else if (n == 0) { /* the whole step in one piece */
    const State start = x;
    piece(model, p, whole_step, &start, &x, &refractory, &fired, h, h, y0);
  } else {
    run_events(model, p, &x, &refractory, &fired, events, n, y0, h);
  }
  if (fired.now && !instant) count = (int32_t)p[STEPS];
  out->V[j] = x.V + p[E_L];
  for (int s = 0; s < n_synapse(model); ++s) out->synapse[s][j] = x.s[s];
  out->count[j] = count;
  call->refractory_out[i] = (uint8_t)refractory;
  call->spike_offset[i] = fired.offset;
  call->last_offset_out[i] = fired.now ? fired.offset : last_offset;
  call->last_time_out[i] = fired.now ? call->t_end - fired.offset : call->last_time[i];
  call->spike[i] = fired.now ? 1.0 : 0.0;
}

/* For neurons first .. first + n - 1: the whole step in one piece without events and
 * without a spike into `out` (the other results: as they were, no spike), and simple[j],
 * whether that is neuron j's step (below threshold at its start and end, not at the end
 * of refractoriness; events aside). Returns whether every neuron's is. A loop without
 * branches, vectorised where the parameters are shared. */
HOT int whole_steps(Model model, int shared, const Call* call, int64_t first, int n,
                    double* p, Propagators* whole_step, Block* restrict out,
                    int64_t* restrict simple) {
  const double* restrict V = call->V + first;
  const double* restrict synapse[4]; /* the absent ones: zeros */
  for (int s = 0; s < 4; ++s)
    synapse[s] = s < n_synapse(model) ? call->synapse[s] + first : call->synapse[s];
  const double* restrict y0s = call->y0 + first;
  const uint8_t* restrict refractory_in = call->refractory + first;
  const int32_t* restrict count_in = call->count + first;
  int64_t all = 1;
  for (int j = 0; j < n; ++j) {
    if (!shared) load_parameters(model, call, first + j, p, whole_step);
    const State x = {V[j] - p[E_L],
                     {synapse[0][j], synapse[1][j], synapse[2][j], synapse[3][j]}};
    State end;
    const double y0 = y0s[j];
    const int refractory = refractory_in[j] != 0;
    const int32_t count = count_in[j] - 1 > 0 ? count_in[j] - 1 : 0;
    if (model == DELTA) {
      const double expm1_h = p[EXPM1_M];
      const double free = maximum(
          -expm1_h * (p[TAU_M] / p[CAP]) * (y0 + p[I_E]) + expm1_h * x.V + x.V, p[V_MIN]);
      end.V = refractory ? x.V : free;
    } else {
      propagate(model, p, whole_step, &x, &end, call->h, y0, refractory, 1);
    }
    simple[j] = (x.V < p[THETA]) & !(refractory & (count == 0)) & (end.V < p[THETA]);
    all &= simple[j];
    out->V[j] = end.V + p[E_L];
    for (int s = 0; s < n_synapse(model); ++s) out->synapse[s][j] = end.s[s];
    out->count[j] = count;
  }
  return (int)all;
}

/* Neurons first .. first + n - 1: most (below threshold, without events, not at the end
 * of refractoriness) take the whole step in one piece and do not fire, which a loop
 * without branches computes for all (vectorised where the parameters are shared); the
 * others take neuron_step. */
HOT void step_block(Model model, int shared, const Call* call, int64_t first, int n,
                    double* p, Propagators* whole_step) {
  Block out;
  int64_t simple[BLOCK];
  /* lossless: the criteria, always; otherwise a block of simple neurons is done */
  const int done = whole_steps(model, shared, call, first, n, p, whole_step, &out, simple) &&
                   call->K == 0 && model != EXP_LOSSLESS;
  for (int j = 0; !done && j < n; ++j) {
    const int64_t i = first + j;
    for (int64_t k = 0; k < call->K; ++k) /* an event: not simple */
      simple[j] &= !(call->offsets[i * call->K + k] >= 0.0);
    if (simple[j] && model != EXP_LOSSLESS) continue;
    if (!shared) load_parameters(model, call, i, p, whole_step);
    neuron_step(model, p, whole_step, call, i, &out, j);
  }
  const size_t f64 = sizeof(double) * (size_t)n;
  if (call->current_stride) {
    memmove(call->y0_out + first, call->current + first, f64);
  } else {
    for (int j = 0; j < n; ++j) call->y0_out[first + j] = call->current[0];
  }
  memcpy(call->V_out + first, out.V, f64);
  for (int s = 0; s < n_synapse(model); ++s)
    memcpy(call->synapse_out[s] + first, out.synapse[s], f64);
  memcpy(call->count_out + first, out.count, sizeof(int32_t) * (size_t)n);
}

/* The step of all N neurons; `shared`: every parameter shared by all. */
HOT void step_all(Model model, int shared, const Call* call, int64_t N) {
  /* the results that change only where a neuron is not simple (see whole_steps) */
  if (call->refractory_out != call->refractory)
    memcpy(call->refractory_out, call->refractory, (size_t)N);
  if (call->last_offset_out != call->last_offset)
    memcpy(call->last_offset_out, call->last_offset, sizeof(double) * (size_t)N);
  if (call->last_time_out != call->last_time)
    memcpy(call->last_time_out, call->last_time, sizeof(double) * (size_t)N);
  memset(call->spike_offset, 0, sizeof(double) * (size_t)N); /* 0.0 */
  memset(call->spike, 0, sizeof(double) * (size_t)N);
  double p[N_ROWS];
  Propagators whole_step = {0};
  if (shared) load_parameters(model, call, 0, p, &whole_step);
  for (int64_t first = 0; first < N; first += BLOCK) {
    const int n = N - first < BLOCK ? (int)(N - first) : BLOCK;
    if (shared) {
      step_block(model, 1, call, first, n, p, &whole_step);
    } else {
      step_block(model, 0, call, first, n, p, &whole_step);
    }
  }
}

static int64_t element_count(const XLA_FFI_Buffer* buffer) {
  int64_t count = 1;
  for (int64_t d = 0; d < buffer->rank; ++d) count *= buffer->dims[d];
  return count;
}

HOT XLA_FFI_Error* precise_step(XLA_FFI_CallFrame* frame, Model model) {
  const XLA_FFI_Api* api = frame->api;
  const int P = n_rows(model), S = n_synapse(model);
  const int n_args = P + 2 + 1 + S + 8, n_rets = 1 + S + 7;
  int done;
  XLA_FFI_Error* error = begin_call(frame, n_args, n_rets, "precise_lif", &done);
  if (error != NULL || done) return error;
  XLA_FFI_Buffer* const* args = (XLA_FFI_Buffer* const*)frame->args.args;
  XLA_FFI_Buffer* const* rets = (XLA_FFI_Buffer* const*)frame->rets.rets;
  const int64_t N = element_count(args[P + 2]);
  const XLA_FFI_Buffer* offsets = args[n_args - 3];
  const XLA_FFI_Buffer* weights = args[n_args - 2];
  const int64_t n_current = element_count(args[n_args - 1]);
  const int64_t K = offsets->rank == 0 ? 0 : offsets->dims[offsets->rank - 1];
  /* dtypes: every operand float64 but refractory (PRED) and count (S32) */
  const int refractory_arg = P + 3 + S, refractory_ret = 1 + S;
  int ok = element_count(offsets) == N * K && element_count(weights) == N * K &&
           K < MAX_EVENTS && (n_current == 1 || n_current == N);
  for (int a = 0; ok && a < n_args; ++a) {
    const XLA_FFI_DataType want = a == refractory_arg       ? XLA_FFI_DataType_PRED
                                  : a == refractory_arg + 1 ? XLA_FFI_DataType_S32
                                                            : XLA_FFI_DataType_F64;
    const int64_t count = element_count(args[a]);
    const int shape_ok = a < P       ? count == 1 || count == N /* a parameter */
                         : a < P + 2 ? count == 1                /* h, t_end */
                                     : a >= n_args - 3 || count == N;
    ok = args[a]->dtype == want && shape_ok;
  }
  for (int r = 0; ok && r < n_rets; ++r) {
    const XLA_FFI_DataType want = r == refractory_ret       ? XLA_FFI_DataType_PRED
                                  : r == refractory_ret + 1 ? XLA_FFI_DataType_S32
                                                            : XLA_FFI_DataType_F64;
    ok = rets[r]->dtype == want && element_count(rets[r]) == N;
  }
  if (!ok) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn precise_lif: operands must be the parameters (length 1 or N), "
                      "h and t_end (scalars), the states (N), the events (N, K < 256) and the "
                      "current (1 or N), float64 but refractory (bool) and count (int32)");
  }
  static const double zeros[BLOCK];
  Call call;
  int shared = 1;
  for (int r = 0; r < P; ++r) {
    call.rows[r] = (const double*)args[r]->data;
    call.strides[r] = element_count(args[r]) == 1 ? 0 : 1;
    shared = shared && call.strides[r] == 0;
  }
  call.h = *(const double*)args[P]->data;
  call.t_end = *(const double*)args[P + 1]->data;
  call.K = K;
  call.V = (const double*)args[P + 2]->data;
  call.V_out = (double*)rets[0]->data;
  for (int s = 0; s < 4; ++s) { /* the absent ones read zeros and are not written */
    call.synapse[s] = s < S ? (const double*)args[P + 3 + s]->data : zeros;
    call.synapse_out[s] = s < S ? (double*)rets[1 + s]->data : NULL;
  }
  call.refractory = (const uint8_t*)args[refractory_arg]->data;
  call.count = (const int32_t*)args[refractory_arg + 1]->data;
  call.last_offset = (const double*)args[refractory_arg + 2]->data;
  call.last_time = (const double*)args[refractory_arg + 3]->data;
  call.y0 = (const double*)args[refractory_arg + 4]->data;
  call.offsets = (const double*)offsets->data;
  call.weights = (const double*)weights->data;
  call.current = (const double*)args[n_args - 1]->data;
  call.current_stride = n_current == 1 ? 0 : 1;
  call.refractory_out = (uint8_t*)rets[refractory_ret]->data;
  call.count_out = (int32_t*)rets[refractory_ret + 1]->data;
  call.spike_offset = (double*)rets[refractory_ret + 2]->data;
  call.last_offset_out = (double*)rets[refractory_ret + 3]->data;
  call.last_time_out = (double*)rets[refractory_ret + 4]->data;
  call.spike = (double*)rets[refractory_ret + 5]->data;
  call.y0_out = (double*)rets[refractory_ret + 6]->data;

  step_all(model, shared, &call, N);
  return NULL;
}

EXPORT XLA_FFI_Error* neurodyn_precise_delta(XLA_FFI_CallFrame* frame) {
  return precise_step(frame, DELTA);
}
EXPORT XLA_FFI_Error* neurodyn_precise_exp(XLA_FFI_CallFrame* frame) {
  return precise_step(frame, EXP);
}
EXPORT XLA_FFI_Error* neurodyn_precise_exp_lossless(XLA_FFI_CallFrame* frame) {
  return precise_step(frame, EXP_LOSSLESS);
}
EXPORT XLA_FFI_Error* neurodyn_precise_alpha(XLA_FFI_CallFrame* frame) {
  return precise_step(frame, ALPHA);
}
