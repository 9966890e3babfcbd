/* One step of NEST's current-based linear integrate-and-fire neurons for N neurons: XLA
 * typed-FFI handlers, one per model, each the plain-JAX step of neurodyn.nest
 * (_LinearMembrane.step) for every neuron in one loop that reads and writes each state
 * once, in place.
 *
 *   neurodyn_linear_iaf_delta   iaf_psc_delta
 *   neurodyn_linear_iaf_exp     iaf_psc_exp, iaf_psc_exp_htum
 *   neurodyn_linear_iaf_alpha   iaf_psc_alpha
 *
 * A neuron's step (voltages relative to E_L, y = V - E_L): the drive of the buffered
 * stimulation current (I_stim + I_e) P20 and of the synaptic currents, which decay;
 * the step's spike inputs added to the currents (alpha: e/tau w to dI; delta: w to the
 * drive); y P22 + drive unless refractory (count > held_above); the lower bound y_min
 * (delta, alpha); the threshold test (y - theta) / (theta - y_reset) >= 0 (the
 * surrogate's forward; only at count == 0 where `waits`), the hard reset, the
 * refractory count (steps on a spike, else max(count - 1, 0)), the last spike time
 * (t_end on a spike) and the new I_stim.
 *
 * Operands (float64 unless noted; N neurons):
 *   table            (2, P): the P parameters in the order of ROWS[model]; row 0 their
 *                    values, row 1 1.0 where a parameter is given per neuron instead
 *   per-neuron       (N) each parameter given per neuron, in that order
 *   t_end            scalar (ms): the time at the step's end
 *   stim             (1 or N) pA, the stimulation current to buffer for the next step
 *   inputs           (1 or N) the step's spike inputs: delta w (mV); exp, alpha w_ex, w_in (pA)
 *   V                (N)  mV
 *   synapse          S arrays (N): delta none; exp I_ex, I_in; alpha I_ex, dI_ex, I_in, dI_in
 *   count            (N)  S32, refractory steps left
 *   last_spike_time  (N)  ms
 *   I_stim           (N)  pA
 * Results: V, synapse, count, last_spike_time, I_stim (each may alias its operand:
 *   updated in place) and spike (0.0 or 1.0).
 *
 * The arithmetic follows the plain-JAX reference operation by operation (XLA does not
 * reassociate). XLA:CPU contracts multiply-adds into FMAs where the CPU has them and
 * this kernel does not (-std=c11), so the two agree to rounding (an ulp in a step).
 */

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

#define HOT static inline __attribute__((always_inline))

typedef enum { DELTA, EXP, ALPHA } Model;

/* The coefficients (Python: the models' kernel_parameters). */
typedef enum {
  E_L, I_E, P20, P22, THETA, Y_RESET, STEPS, HELD_ABOVE, WAITS, /* every model */
  Y_MIN,                                                         /* delta, alpha */
  P11_EX, P11_IN, P21_EX, P21_IN,                                /* exp, alpha */
  P31_EX, P31_IN, E_TAU_EX, E_TAU_IN, H,                         /* alpha */
  N_ROWS
} Row;

/* Each model's parameter operands, in order (neurodyn.ops._linear_iaf.PARAMETERS). */
static const Row DELTA_ROWS[] = {E_L, I_E, P20, P22, THETA, Y_RESET, STEPS, HELD_ABOVE, WAITS,
                                 Y_MIN};
static const Row EXP_ROWS[] = {E_L, I_E, P20, P22, THETA, Y_RESET, STEPS, HELD_ABOVE, WAITS,
                               P11_EX, P11_IN, P21_EX, P21_IN};
static const Row ALPHA_ROWS[] = {E_L, I_E, P20, P22, THETA, Y_RESET, STEPS, HELD_ABOVE, WAITS,
                                 Y_MIN, P11_EX, P11_IN, P21_EX, P21_IN, P31_EX, P31_IN,
                                 E_TAU_EX, E_TAU_IN, H};

static inline const Row* rows_of(Model model, int* n) {
  switch (model) {
    case DELTA: *n = sizeof(DELTA_ROWS) / sizeof(Row); return DELTA_ROWS;
    case EXP: *n = sizeof(EXP_ROWS) / sizeof(Row); return EXP_ROWS;
    default: *n = sizeof(ALPHA_ROWS) / sizeof(Row); return ALPHA_ROWS;
  }
}
static inline int n_synapse(Model model) { return model == DELTA ? 0 : model == ALPHA ? 4 : 2; }
static inline int n_inputs(Model model) { return model == DELTA ? 1 : 2; }

/* The loop's selects are if-converted (vectorised) only where floating-point exceptions
 * need not be kept in order; no result changes. */
#pragma GCC optimize("no-trapping-math")

/* Neurons per block: operands of length 1 are broadcast into blocks of this size once
 * per call, so that the loop over a block reads every operand with unit stride. */
#define BLOCK 64

typedef struct {
  double* V;
  double* synapse[4];
  int32_t* count;
  double* last;
  double* I_stim;
  double* spike;
} States;

/* jnp.maximum: NaN propagates */
HOT double maximum(double a, double b) { return (a >= b) | (a != a) ? a : b; }

/* Neurons 0 .. n - 1 of a block: their coefficient r `p[r]` (shared) or `c[r][j]` (one
 * each, where `per_neuron`), their inputs stim, w0, w1, their states read, then
 * written. The restrict-qualified pointers let the loop vectorise. */
HOT void block(Model model, int per_neuron, const double* restrict p,
               const double (*restrict c)[BLOCK], int64_t n,
               double t_end, const double* restrict stim, const double* restrict w0,
               const double* restrict w1, double* restrict V, double* restrict s0,
               double* restrict s1, double* restrict s2, double* restrict s3,
               int32_t* restrict count_, double* restrict last, double* restrict I_stim,
               double* restrict spike) {
#pragma GCC ivdep /* iteration j touches index j only */
  for (int64_t j = 0; j < n; ++j) {
#define C(r) (per_neuron ? c[r][j] : p[r])
    const double y0 = V[j] - C(E_L);
    const int32_t count = count_[j];
    double drive = (I_stim[j] + C(I_E)) * C(P20);
    if (model == EXP) {
      const double I_ex = s0[j], I_in = s1[j];
      drive = I_ex * C(P21_EX) + I_in * C(P21_IN) + drive;
      s0[j] = I_ex * C(P11_EX) + w0[j];
      s1[j] = I_in * C(P11_IN) + w1[j];
    } else if (model == ALPHA) {
      const double I_ex = s0[j], dI_ex = s1[j], I_in = s2[j], dI_in = s3[j];
      drive = drive + (dI_ex * C(P31_EX) + I_ex * C(P21_EX));
      drive = drive + (dI_in * C(P31_IN) + I_in * C(P21_IN));
      s0[j] = C(P11_EX) * (I_ex + C(H) * dI_ex);
      s1[j] = C(P11_EX) * dI_ex + C(E_TAU_EX) * w0[j];
      s2[j] = C(P11_IN) * (I_in + C(H) * dI_in);
      s3[j] = C(P11_IN) * dI_in + C(E_TAU_IN) * w1[j];
    } else {
      drive = drive + w0[j];
    }
    const double y_free = y0 * C(P22) + drive;
    double y = (double)count > C(HELD_ABOVE) ? y0 : y_free;
    if (model != EXP) y = maximum(y, C(Y_MIN));
    const double theta = C(THETA), y_reset = C(Y_RESET);
    const int fires =
        ((y - theta) / (theta - y_reset) >= 0.0) & ((C(WAITS) == 0.0) | (count == 0));
    V[j] = (fires ? y_reset : y) + C(E_L);
    const int32_t down = count - 1 > 0 ? count - 1 : 0;
    count_[j] = fires ? (int32_t)C(STEPS) : down;
    last[j] = fires ? t_end : last[j];
    spike[j] = fires ? 1.0 : 0.0;
    I_stim[j] = stim[j];
#undef C
  }
}

/* All N neurons; `rows[r]` the coefficient r (length 1 where !per_neuron[r]), `inputs`
 * stim, w0, w1 (length 1 where !input_per_neuron). */
HOT void step_all(Model model, const double* const* rows, const int* per_neuron,
                  const double* const* inputs, const int* input_per_neuron, double t_end,
                  const States* x, int64_t N) {
  double filled[3][BLOCK]; /* the inputs of length 1, broadcast */
  for (int k = 0; k < 3; ++k)
    if (!input_per_neuron[k])
      for (int j = 0; j < BLOCK; ++j) filled[k][j] = inputs[k][0];
  int shared = 1;
  for (int r = 0; r < N_ROWS; ++r) shared &= !per_neuron[r];
  /* the coefficients: shared, or a block's (copied block by block) */
  double p[N_ROWS], c[N_ROWS][BLOCK];
  for (int r = 0; r < N_ROWS; ++r) p[r] = rows[r][0];
  for (int r = 0; !shared && r < N_ROWS; ++r)
    if (!per_neuron[r])
      for (int j = 0; j < BLOCK; ++j) c[r][j] = p[r];
  for (int64_t first = 0; first < N; first += BLOCK) {
    const int64_t n = N - first < BLOCK ? N - first : BLOCK;
    const double* in[3];
    for (int k = 0; k < 3; ++k) in[k] = input_per_neuron[k] ? inputs[k] + first : filled[k];
    for (int r = 0; r < N_ROWS; ++r)
      if (per_neuron[r]) memcpy(c[r], rows[r] + first, sizeof(double) * (size_t)n);
    double* s[4] = {NULL, NULL, NULL, NULL};
    for (int k = 0; k < n_synapse(model); ++k) s[k] = x->synapse[k] + first;
    double* V = x->V + first;
    int32_t* count = x->count + first;
    double *last = x->last + first, *I_stim = x->I_stim + first, *spike = x->spike + first;
    if (shared) {
      block(model, 0, p, c, n, t_end, in[0], in[1], in[2], V, s[0], s[1], s[2], s[3], count,
            last, I_stim, spike);
    } else {
      block(model, 1, p, c, n, t_end, in[0], in[1], in[2], V, s[0], s[1], s[2], s[3], count,
            last, I_stim, spike);
    }
  }
}

static int64_t element_count(const XLA_FFI_Buffer* buffer) {
  int64_t count = 1;
  for (int64_t d = 0; d < buffer->rank; ++d) count *= buffer->dims[d];
  return count;
}

/* A state's result, holding the operand's values (a copy unless they alias). */
static void* in_place(const XLA_FFI_Buffer* arg, const XLA_FFI_Buffer* ret, size_t bytes) {
  if (ret->data != arg->data) memcpy(ret->data, arg->data, bytes);
  return ret->data;
}

HOT XLA_FFI_Error* linear_iaf_step(XLA_FFI_CallFrame* frame, Model model) {
  const XLA_FFI_Api* api = frame->api;
  int done; /* the operands' number depends on the parameter table: checked below */
  XLA_FFI_Error* error = begin_call(frame, -1, -1, "linear_iaf", &done);
  if (error != NULL || done) return error;
  int P;
  const Row* order = rows_of(model, &P);
  const int S = n_synapse(model), I = n_inputs(model);
  if (frame->args.size < 1 || frame->args.types[0] != XLA_FFI_ArgType_BUFFER) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn linear_iaf: the first operand must be the parameter table");
  }
  XLA_FFI_Buffer* const* args = (XLA_FFI_Buffer* const*)frame->args.args;
  XLA_FFI_Buffer* const* rets = (XLA_FFI_Buffer* const*)frame->rets.rets;
  const double* table = (const double*)args[0]->data;
  int ok = args[0]->dtype == XLA_FFI_DataType_F64 && element_count(args[0]) == 2 * P;
  int K = 0; /* the parameters given per neuron */
  for (int r = 0; ok && r < P; ++r) K += table[P + r] != 0.0;
  const int t_arg = 1 + K, first_state = t_arg + 2 + I, count_arg = first_state + 1 + S;
  const int n_args = first_state + S + 4, n_rets = S + 5;
  ok = ok && frame->args.size == n_args && frame->rets.size == n_rets;
  for (int a = 0; ok && a < n_args; ++a) ok = frame->args.types[a] == XLA_FFI_ArgType_BUFFER;
  for (int r = 0; ok && r < n_rets; ++r) ok = frame->rets.types[r] == XLA_FFI_RetType_BUFFER;
  if (!ok) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn linear_iaf: wrong number or kind of operands or results");
  }
  const int64_t N = element_count(args[first_state]);
  for (int a = 1; ok && a < n_args; ++a) {
    const int64_t count = element_count(args[a]);
    ok = args[a]->dtype == (a == count_arg ? XLA_FFI_DataType_S32 : XLA_FFI_DataType_F64) &&
         (a == t_arg               ? count == 1
          : a < t_arg              ? count == N
          : a < first_state        ? count == 1 || count == N
                                   : count == N);
  }
  for (int r = 0; ok && r < n_rets; ++r) {
    ok = rets[r]->dtype == (r == S + 1 ? XLA_FFI_DataType_S32 : XLA_FFI_DataType_F64) &&
         element_count(rets[r]) == N;
  }
  if (!ok) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn linear_iaf: operands must be the parameter table (2, P), the "
                      "parameters given per neuron (N), t_end (a scalar), stim and the spike "
                      "inputs (length 1 or N) and the states (N), float64 but the refractory "
                      "count (int32)");
  }
  static const double unused = 0.0;
  const double* rows[N_ROWS];
  int per_neuron[N_ROWS];
  for (int r = 0; r < N_ROWS; ++r) rows[r] = &unused, per_neuron[r] = 0;
  for (int r = 0, k = 1; r < P; ++r) {
    per_neuron[order[r]] = table[P + r] != 0.0;
    rows[order[r]] = per_neuron[order[r]] ? (const double*)args[k++]->data : &table[r];
  }
  const double t_end = *(const double*)args[t_arg]->data;
  const double* inputs[3] = {&unused, &unused, &unused};
  int input_per_neuron[3] = {0, 0, 0};
  for (int k = 0; k < 1 + I; ++k) {
    inputs[k] = (const double*)args[t_arg + 1 + k]->data;
    input_per_neuron[k] = element_count(args[t_arg + 1 + k]) != 1;
  }
  const size_t f64 = sizeof(double) * (size_t)N;
  States all = {NULL, {NULL}, NULL, NULL, NULL, (double*)rets[S + 4]->data};
  all.V = in_place(args[first_state], rets[0], f64);
  for (int s = 0; s < S; ++s) all.synapse[s] = in_place(args[first_state + 1 + s], rets[1 + s], f64);
  all.count = in_place(args[count_arg], rets[S + 1], sizeof(int32_t) * (size_t)N);
  all.last = in_place(args[count_arg + 1], rets[S + 2], f64);
  all.I_stim = in_place(args[count_arg + 2], rets[S + 3], f64);
  step_all(model, rows, per_neuron, inputs, input_per_neuron, t_end, &all, N);
  return NULL;
}

EXPORT XLA_FFI_Error* neurodyn_linear_iaf_delta(XLA_FFI_CallFrame* frame) {
  return linear_iaf_step(frame, DELTA);
}
EXPORT XLA_FFI_Error* neurodyn_linear_iaf_exp(XLA_FFI_CallFrame* frame) {
  return linear_iaf_step(frame, EXP);
}
EXPORT XLA_FFI_Error* neurodyn_linear_iaf_alpha(XLA_FFI_CallFrame* frame) {
  return linear_iaf_step(frame, ALPHA);
}
