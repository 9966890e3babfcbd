/* Spikes on the CPU: XLA typed-FFI handlers for their delivery and recording.
 *
 * neurodyn_csr_event_matvec:
 *   out[..., j] = sum over synapses k of row i with indices[k] == j of w_k * s[..., i]
 * neurodyn_csr_event_delayed (below): the same contributions added into a ring buffer
 *   of future steps, synapse k landing in slot (cursor + delay_k) mod n_slots; then the
 *   slot of the next step is taken out (copied to a result and zeroed).
 * neurodyn_append_spike_events: the (step, sender) of every spike of a step appended to
 *   an event list.
 * neurodyn_table_counts (near the end): random counts (e.g. Poisson spike counts of a
 *   drive) by inverse transform from a keyed hash of each draw's index.
 * neurodyn_hashed_uniform (at the end): uniform numbers from the same hash (escape noise).
 *
 * Only presynaptic neurons with a nonzero spike value are visited, so a call costs
 * O(n_pre + n_post) per batch row plus O(spikes x fan-out) (the delayed version
 * O(n_pre) plus O(spikes x fan-out): its buffer is updated in place).
 *
 * Operands (row-major):  spikes  (..., n_pre)   PRED, or the weights' float type
 *                        indptr  (n_pre + 1,)   S32
 *                        indices (nnz,)         S32
 *                        weights ()  or (nnz,)  F32 or F64 (rank 0: homogeneous)
 * Result:                out     (..., n_post)  the weights' type
 *
 * Synapses whose target lies outside [0, n_post) are skipped and row pointers are
 * clamped to [0, nnz], so malformed connectivity cannot write out of bounds.
 *
 * Written against the C API header that jaxlib ships (xla/ffi/api/c_api.h).
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ffi_handler.h"

#define EXPORT __attribute__((visibility("default")))

static int64_t element_count(const XLA_FFI_Buffer* buffer, int64_t first, int64_t last) {
  int64_t count = 1;
  for (int64_t d = first; d < last; ++d) count *= buffer->dims[d];
  return count;
}

/* Spiking rows are collected in chunks, then delivered while the synapses of rows a
 * few places ahead are prefetched: with connectivity larger than the caches, the
 * latency of fetching each row, not arithmetic, would otherwise dominate. */
enum { CHUNK = 256, AHEAD = 4 };

static inline void row_range(int64_t i, const int32_t* indptr, int64_t nnz, int64_t* lo,
                             int64_t* hi) {
  *lo = indptr[i] < 0 ? 0 : indptr[i];
  *hi = indptr[i + 1] > nnz ? nnz : indptr[i + 1];
}

/* T = float or double: deliver rows[0..count) with spike values values[0..count). */
#define DEFINE_DELIVER_ROWS(T)                                                             \
  static void deliver_rows_##T(const int64_t* rows, const T* values, int64_t count,        \
                               const int32_t* indptr, const int32_t* indices, int64_t nnz, \
                               const T* w, int homogeneous, T* out, uint32_t n_post) {     \
    for (int64_t p = 0; p < count; ++p) {                                                  \
      int64_t lo, hi;                                                                      \
      if (p + 2 * AHEAD < count) __builtin_prefetch(indptr + rows[p + 2 * AHEAD]);         \
      if (p + AHEAD < count) {                                                             \
        row_range(rows[p + AHEAD], indptr, nnz, &lo, &hi);                                 \
        for (int64_t k = lo; k < hi; k += 64 / sizeof(int32_t))                            \
          __builtin_prefetch(indices + k);                                                 \
        if (!homogeneous)                                                                  \
          for (int64_t k = lo; k < hi; k += 64 / sizeof(T)) __builtin_prefetch(w + k);     \
      }                                                                                    \
      row_range(rows[p], indptr, nnz, &lo, &hi);                                           \
      const T s = values[p];                                                               \
      if (homogeneous) {                                                                   \
        const T v = w[0] * s;                                                              \
        for (int64_t k = lo; k < hi; ++k) {                                                \
          const uint32_t j = (uint32_t)indices[k];                                         \
          if (j < n_post) out[j] += v;                                                     \
        }                                                                                  \
      } else {                                                                             \
        for (int64_t k = lo; k < hi; ++k) {                                                \
          const uint32_t j = (uint32_t)indices[k];                                         \
          if (j < n_post) out[j] += w[k] * s;                                              \
        }                                                                                  \
      }                                                                                    \
    }                                                                                      \
  }

/* For batch row b: collect the spiking presynaptic rows (and their spike values) in chunks
 * of CHUNK, running the statement __VA_ARGS__ on each chunk (`rows`, `values`, `count`);
 * boolean spikes are scanned eight at a time (most words are zero). */
#define FOR_SPIKING_ROW_CHUNKS(T, spikes, spikes_are_bool, n_pre, b, ...)                  \
  do {                                                                                      \
    int64_t rows[CHUNK + 8];                                                                \
    T values[CHUNK + 8];                                                                    \
    int64_t count = 0;                                                                      \
    for (int64_t i = 0; i < n_pre;) {                                                       \
      if (spikes_are_bool) {                                                                \
        const uint8_t* s = (const uint8_t*)spikes + b * n_pre;                              \
        uint64_t word;                                                                      \
        if (i + 8 <= n_pre && (memcpy(&word, s + i, 8), word == 0)) {                       \
          i += 8;                                                                           \
          continue;                                                                         \
        }                                                                                   \
        for (int64_t end = i + 8 < n_pre ? i + 8 : n_pre; i < end; ++i)                     \
          if (s[i]) rows[count] = i, values[count++] = (T)1;                                \
      } else {                                                                              \
        const T* s = (const T*)spikes + b * n_pre;                                          \
        for (int64_t end = i + 8 < n_pre ? i + 8 : n_pre; i < end; ++i)                     \
          if (s[i] != (T)0) rows[count] = i, values[count++] = s[i];                        \
      }                                                                                     \
      if (count >= CHUNK) {                                                                 \
        __VA_ARGS__;                                                                        \
        count = 0;                                                                          \
      }                                                                                     \
    }                                                                                       \
    __VA_ARGS__;                                                                            \
  } while (0)

/* All batch rows of the undelayed product. */
#define DEFINE_DELIVER(T)                                                                   \
  DEFINE_DELIVER_ROWS(T)                                                                    \
  static void deliver_##T(const void* spikes, int spikes_are_bool, int64_t batch,           \
                          int64_t n_pre, const int32_t* indptr, const int32_t* indices,     \
                          int64_t nnz, const T* w, int homogeneous, T* out, int64_t n_post) { \
    for (int64_t b = 0; b < batch; ++b) {                                                   \
      T* out_row = out + b * n_post;                                                        \
      memset(out_row, 0, (size_t)n_post * sizeof(T));                                       \
      FOR_SPIKING_ROW_CHUNKS(T, spikes, spikes_are_bool, n_pre, b,                          \
                             deliver_rows_##T(rows, values, count, indptr, indices, nnz, w, \
                                              homogeneous, out_row, (uint32_t)n_post));     \
    }                                                                                       \
  }

DEFINE_DELIVER(float)
DEFINE_DELIVER(double)

EXPORT XLA_FFI_Error* neurodyn_csr_event_matvec(XLA_FFI_CallFrame* frame) {
  const XLA_FFI_Api* api = frame->api;
  int done;
  XLA_FFI_Error* error = begin_call(frame, 4, 1, "csr_event", &done);
  if (error != NULL || done) return error;
  const XLA_FFI_Buffer* spikes = (const XLA_FFI_Buffer*)frame->args.args[0];
  const XLA_FFI_Buffer* indptr = (const XLA_FFI_Buffer*)frame->args.args[1];
  const XLA_FFI_Buffer* indices = (const XLA_FFI_Buffer*)frame->args.args[2];
  const XLA_FFI_Buffer* weights = (const XLA_FFI_Buffer*)frame->args.args[3];
  const XLA_FFI_Buffer* out = (const XLA_FFI_Buffer*)frame->rets.rets[0];

  const XLA_FFI_DataType wtype = weights->dtype;
  if (wtype != XLA_FFI_DataType_F32 && wtype != XLA_FFI_DataType_F64) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event: weights must be float32 or float64");
  }
  if (out->dtype != wtype || (spikes->dtype != XLA_FFI_DataType_PRED && spikes->dtype != wtype)) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event: spikes must be bool or of the weights' dtype, "
                      "and the result of the weights' dtype");
  }
  if (indptr->dtype != XLA_FFI_DataType_S32 || indices->dtype != XLA_FFI_DataType_S32 ||
      indptr->rank != 1 || indices->rank != 1 || indptr->dims[0] < 1) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event: indptr (n_pre + 1,) and indices (nnz,) must be int32");
  }
  const int64_t n_pre = indptr->dims[0] - 1;
  const int64_t nnz = indices->dims[0];
  const int homogeneous = weights->rank == 0;
  if (!homogeneous && (weights->rank != 1 || weights->dims[0] != nnz)) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event: weights must be a scalar or have shape (nnz,)");
  }
  if (spikes->rank < 1 || out->rank != spikes->rank || spikes->dims[spikes->rank - 1] != n_pre) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event: spikes must have shape (..., n_pre) and the result "
                      "(..., n_post)");
  }
  for (int64_t d = 0; d + 1 < spikes->rank; ++d) {
    if (spikes->dims[d] != out->dims[d]) {
      return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                        "neurodyn csr_event: batch dimensions of spikes and result differ");
    }
  }
  const int64_t batch = element_count(spikes, 0, spikes->rank - 1);
  const int64_t n_post = out->dims[out->rank - 1];
  if (n_post > (int64_t)UINT32_MAX) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event: n_post must be below 2**32");
  }
  if (batch == 0 || n_post == 0) return NULL;
  const int spikes_are_bool = spikes->dtype == XLA_FFI_DataType_PRED;
  if (wtype == XLA_FFI_DataType_F32) {
    deliver_float(spikes->data, spikes_are_bool, batch, n_pre, (const int32_t*)indptr->data,
                  (const int32_t*)indices->data, nnz, (const float*)weights->data, homogeneous,
                  (float*)out->data, n_post);
  } else {
    deliver_double(spikes->data, spikes_are_bool, batch, n_pre, (const int32_t*)indptr->data,
                   (const int32_t*)indices->data, nnz, (const double*)weights->data, homogeneous,
                   (double*)out->data, n_post);
  }
  return NULL;
}


/* ---- delivery into a ring buffer of future steps ------------------------------------
 *
 * Operands:  spikes  (..., n_pre)             PRED, or the weights' float type
 *            indptr  (n_pre + 1,)             S32
 *            indices (nnz,)                   S32
 *            weights ()  or (nnz,)            F32 or F64
 *            delays  ()  or (nnz,)            S32, in steps, in [0, n_slots) (others are dropped)
 *            cursor  ()                       S32, the slot of the current step
 *            buffer  (..., n_slots, n_post)   the weights' type
 * Results:   buffer  (..., n_slots, n_post)   aliased to the operand buffer by the caller
 *            arrived (..., n_post)            slot (cursor + 1) mod n_slots after the
 *                                             delivery; that slot is then zeroed
 */

/* Slots are computed without a division: cursor and every delay lie in [0, n_slots). */
#define DEFINE_DELIVER_DELAYED(T)                                                           \
  static void deliver_rows_delayed_##T(const int64_t* rows, const T* values, int64_t count, \
                                       const int32_t* indptr, const int32_t* indices,       \
                                       int64_t nnz, const T* w, int w_homogeneous,          \
                                       const int32_t* delays, int d_homogeneous,            \
                                       int64_t cursor, T* ring, int64_t n_slots,            \
                                       uint32_t n_post) {                                   \
    for (int64_t p = 0; p < count; ++p) {                                                   \
      int64_t lo, hi;                                                                       \
      if (p + 2 * AHEAD < count) __builtin_prefetch(indptr + rows[p + 2 * AHEAD]);          \
      if (p + AHEAD < count) {                                                              \
        row_range(rows[p + AHEAD], indptr, nnz, &lo, &hi);                                  \
        for (int64_t k = lo; k < hi; k += 64 / sizeof(int32_t)) {                           \
          __builtin_prefetch(indices + k);                                                  \
          if (!d_homogeneous) __builtin_prefetch(delays + k);                               \
        }                                                                                   \
        if (!w_homogeneous)                                                                 \
          for (int64_t k = lo; k < hi; k += 64 / sizeof(T)) __builtin_prefetch(w + k);      \
      }                                                                                     \
      row_range(rows[p], indptr, nnz, &lo, &hi);                                            \
      const T s = values[p];                                                                \
      if (d_homogeneous) {                                                                  \
        int64_t slot = cursor + delays[0];                                                  \
        if (slot >= n_slots) slot -= n_slots;                                               \
        T* out = ring + slot * (int64_t)n_post;                                             \
        if (w_homogeneous) {                                                                \
          const T v = w[0] * s;                                                             \
          for (int64_t k = lo; k < hi; ++k) {                                               \
            const uint32_t j = (uint32_t)indices[k];                                        \
            if (j < n_post) out[j] += v;                                                    \
          }                                                                                 \
        } else {                                                                            \
          for (int64_t k = lo; k < hi; ++k) {                                               \
            const uint32_t j = (uint32_t)indices[k];                                        \
            if (j < n_post) out[j] += w[k] * s;                                             \
          }                                                                                 \
        }                                                                                   \
      } else {                                                                              \
        for (int64_t k = lo; k < hi; ++k) {                                                 \
          const uint32_t j = (uint32_t)indices[k];                                          \
          const int64_t d = delays[k];                                                      \
          if (j >= n_post || d < 0 || d >= n_slots) continue;                               \
          int64_t slot = cursor + d;                                                        \
          if (slot >= n_slots) slot -= n_slots;                                             \
          ring[slot * (int64_t)n_post + j] += (w_homogeneous ? w[0] : w[k]) * s;            \
        }                                                                                   \
      }                                                                                     \
    }                                                                                       \
  }                                                                                         \
  static void deliver_delayed_##T(const void* spikes, int spikes_are_bool, int64_t batch,   \
                                  int64_t n_pre, const int32_t* indptr,                     \
                                  const int32_t* indices, int64_t nnz, const T* w,          \
                                  int w_homogeneous, const int32_t* delays,                 \
                                  int d_homogeneous, int64_t cursor, T* buffer,             \
                                  int64_t n_slots, int64_t n_post) {                        \
    if (d_homogeneous && (delays[0] < 0 || delays[0] >= n_slots)) return;                   \
    for (int64_t b = 0; b < batch; ++b) {                                                   \
      T* ring = buffer + b * n_slots * n_post;                                              \
      FOR_SPIKING_ROW_CHUNKS(T, spikes, spikes_are_bool, n_pre, b,                          \
                             deliver_rows_delayed_##T(rows, values, count, indptr, indices, \
                                                      nnz, w, w_homogeneous, delays,        \
                                                      d_homogeneous, cursor, ring, n_slots, \
                                                      (uint32_t)n_post));                   \
    }                                                                                       \
  }

DEFINE_DELIVER_DELAYED(float)
DEFINE_DELIVER_DELAYED(double)

EXPORT XLA_FFI_Error* neurodyn_csr_event_delayed(XLA_FFI_CallFrame* frame) {
  const XLA_FFI_Api* api = frame->api;
  int done;
  XLA_FFI_Error* error = begin_call(frame, 7, 2, "csr_event_delayed", &done);
  if (error != NULL || done) return error;
  const XLA_FFI_Buffer* spikes = (const XLA_FFI_Buffer*)frame->args.args[0];
  const XLA_FFI_Buffer* indptr = (const XLA_FFI_Buffer*)frame->args.args[1];
  const XLA_FFI_Buffer* indices = (const XLA_FFI_Buffer*)frame->args.args[2];
  const XLA_FFI_Buffer* weights = (const XLA_FFI_Buffer*)frame->args.args[3];
  const XLA_FFI_Buffer* delays = (const XLA_FFI_Buffer*)frame->args.args[4];
  const XLA_FFI_Buffer* cursor = (const XLA_FFI_Buffer*)frame->args.args[5];
  const XLA_FFI_Buffer* buffer_in = (const XLA_FFI_Buffer*)frame->args.args[6];
  const XLA_FFI_Buffer* out = (const XLA_FFI_Buffer*)frame->rets.rets[0];
  const XLA_FFI_Buffer* arrived = (const XLA_FFI_Buffer*)frame->rets.rets[1];

  const XLA_FFI_DataType wtype = weights->dtype;
  if (wtype != XLA_FFI_DataType_F32 && wtype != XLA_FFI_DataType_F64) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event_delayed: weights must be float32 or float64");
  }
  if (out->dtype != wtype || buffer_in->dtype != wtype || arrived->dtype != wtype ||
      (spikes->dtype != XLA_FFI_DataType_PRED && spikes->dtype != wtype)) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event_delayed: spikes must be bool or of the weights' "
                      "dtype, and the buffer of the weights' dtype");
  }
  if (indptr->dtype != XLA_FFI_DataType_S32 || indices->dtype != XLA_FFI_DataType_S32 ||
      delays->dtype != XLA_FFI_DataType_S32 || cursor->dtype != XLA_FFI_DataType_S32 ||
      indptr->rank != 1 || indices->rank != 1 || indptr->dims[0] < 1 || cursor->rank != 0) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event_delayed: indptr, indices, delays and cursor must be "
                      "int32, cursor a scalar");
  }
  const int64_t n_pre = indptr->dims[0] - 1;
  const int64_t nnz = indices->dims[0];
  const int w_homogeneous = weights->rank == 0;
  const int d_homogeneous = delays->rank == 0;
  if ((!w_homogeneous && (weights->rank != 1 || weights->dims[0] != nnz)) ||
      (!d_homogeneous && (delays->rank != 1 || delays->dims[0] != nnz))) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event_delayed: weights and delays must be scalars or "
                      "have shape (nnz,)");
  }
  if (spikes->rank < 1 || buffer_in->rank != spikes->rank + 1 || out->rank != buffer_in->rank ||
      spikes->dims[spikes->rank - 1] != n_pre) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event_delayed: spikes must have shape (..., n_pre) and the "
                      "buffer (..., n_slots, n_post)");
  }
  if (arrived->rank != out->rank - 1 ||
      arrived->dims[arrived->rank - 1] != out->dims[out->rank - 1]) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event_delayed: arrived must have shape (..., n_post)");
  }
  for (int64_t d = 0; d < buffer_in->rank; ++d) {
    if (buffer_in->dims[d] != out->dims[d] ||
        (d + 1 < spikes->rank && spikes->dims[d] != buffer_in->dims[d]) ||
        (d + 2 < out->rank && arrived->dims[d] != out->dims[d])) {
      return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                        "neurodyn csr_event_delayed: batch dimensions differ");
    }
  }
  const int64_t batch = element_count(spikes, 0, spikes->rank - 1);
  const int64_t n_slots = out->dims[out->rank - 2];
  const int64_t n_post = out->dims[out->rank - 1];
  if (n_post > (int64_t)UINT32_MAX) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event_delayed: n_post must be below 2**32");
  }
  const size_t elem = wtype == XLA_FFI_DataType_F32 ? sizeof(float) : sizeof(double);
  const int64_t total = batch * n_slots * n_post;
  if (out->data != buffer_in->data) memcpy(out->data, buffer_in->data, (size_t)total * elem);
  if (batch == 0 || n_slots == 0 || n_post == 0) return NULL;
  int64_t c = *(const int32_t*)cursor->data % n_slots;
  if (c < 0) c += n_slots;
  const int spikes_are_bool = spikes->dtype == XLA_FFI_DataType_PRED;
  if (wtype == XLA_FFI_DataType_F32) {
    deliver_delayed_float(spikes->data, spikes_are_bool, batch, n_pre,
                          (const int32_t*)indptr->data, (const int32_t*)indices->data, nnz,
                          (const float*)weights->data, w_homogeneous,
                          (const int32_t*)delays->data, d_homogeneous, c, (float*)out->data,
                          n_slots, n_post);
  } else {
    deliver_delayed_double(spikes->data, spikes_are_bool, batch, n_pre,
                           (const int32_t*)indptr->data, (const int32_t*)indices->data, nnz,
                           (const double*)weights->data, w_homogeneous,
                           (const int32_t*)delays->data, d_homogeneous, c, (double*)out->data,
                           n_slots, n_post);
  }
  /* take out the next step's slot */
  const int64_t next = c + 1 == n_slots ? 0 : c + 1;
  for (int64_t b = 0; b < batch; ++b) {
    char* slot = (char*)out->data + ((size_t)(b * n_slots + next) * n_post) * elem;
    memcpy((char*)arrived->data + (size_t)(b * n_post) * elem, slot, (size_t)n_post * elem);
    memset(slot, 0, (size_t)n_post * elem);
  }
  return NULL;
}


/* ---- recording: append this step's spikes to an event list --------------------------
 *
 * Operands:  spikes   (n,)    PRED, F32 or F64 (nonzero: a spike)
 *            indices  (m,)    S32, the recorded neurons (entries of spikes)
 *            ids      (m,)    S32, their sender ids
 *            step     ()      S32
 *            steps    (cap,)  S32, the event list
 *            senders  (cap,)  S32
 *            count    ()      S32, events so far (may exceed cap: events past it are lost,
 *                             and the caller sees the overflow)
 * Results:   steps, senders, count, aliased to the operands by the caller
 */
EXPORT XLA_FFI_Error* neurodyn_append_spike_events(XLA_FFI_CallFrame* frame) {
  const XLA_FFI_Api* api = frame->api;
  int done;
  XLA_FFI_Error* error = begin_call(frame, 7, 3, "append_spike_events", &done);
  if (error != NULL || done) return error;
  const XLA_FFI_Buffer* spikes = (const XLA_FFI_Buffer*)frame->args.args[0];
  const XLA_FFI_Buffer* indices = (const XLA_FFI_Buffer*)frame->args.args[1];
  const XLA_FFI_Buffer* ids = (const XLA_FFI_Buffer*)frame->args.args[2];
  const XLA_FFI_Buffer* step = (const XLA_FFI_Buffer*)frame->args.args[3];
  const XLA_FFI_Buffer* steps_in = (const XLA_FFI_Buffer*)frame->args.args[4];
  const XLA_FFI_Buffer* senders_in = (const XLA_FFI_Buffer*)frame->args.args[5];
  const XLA_FFI_Buffer* count_in = (const XLA_FFI_Buffer*)frame->args.args[6];
  const XLA_FFI_Buffer* steps = (const XLA_FFI_Buffer*)frame->rets.rets[0];
  const XLA_FFI_Buffer* senders = (const XLA_FFI_Buffer*)frame->rets.rets[1];
  const XLA_FFI_Buffer* count = (const XLA_FFI_Buffer*)frame->rets.rets[2];
  if (spikes->rank != 1 || indices->rank != 1 || ids->rank != 1 ||
      indices->dims[0] != ids->dims[0] || steps_in->rank != 1 ||
      senders_in->dims[0] != steps_in->dims[0] || step->rank != 0 || count_in->rank != 0 ||
      indices->dtype != XLA_FFI_DataType_S32 || ids->dtype != XLA_FFI_DataType_S32 ||
      step->dtype != XLA_FFI_DataType_S32 || steps_in->dtype != XLA_FFI_DataType_S32 ||
      senders_in->dtype != XLA_FFI_DataType_S32 || count_in->dtype != XLA_FFI_DataType_S32) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn append_spike_events: spikes (n,), indices and ids (m,) int32, "
                      "step and count int32 scalars, steps and senders (cap,) int32");
  }
  const int64_t n = spikes->dims[0], m = indices->dims[0], cap = steps_in->dims[0];
  if (steps->data != steps_in->data) memcpy(steps->data, steps_in->data, cap * sizeof(int32_t));
  if (senders->data != senders_in->data)
    memcpy(senders->data, senders_in->data, cap * sizeof(int32_t));
  int32_t* out_steps = (int32_t*)steps->data;
  int32_t* out_senders = (int32_t*)senders->data;
  const int32_t* index = (const int32_t*)indices->data;
  const int32_t* id = (const int32_t*)ids->data;
  const int32_t now = *(const int32_t*)step->data;
  int64_t c = *(const int32_t*)count_in->data;
  for (int64_t k = 0; k < m; ++k) {
    const int64_t i = index[k];
    if (i < 0 || i >= n) continue;
    int fired;
    switch (spikes->dtype) {
      case XLA_FFI_DataType_PRED: fired = ((const uint8_t*)spikes->data)[i] != 0; break;
      case XLA_FFI_DataType_F32: fired = ((const float*)spikes->data)[i] != 0.0f; break;
      case XLA_FFI_DataType_F64: fired = ((const double*)spikes->data)[i] != 0.0; break;
      default:
        return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                          "neurodyn append_spike_events: spikes must be bool, f32 or f64");
    }
    if (!fired) continue;
    if (c < cap) {
      out_steps[c] = now;
      out_senders[c] = id[k];
    }
    if (c < INT32_MAX) ++c;
  }
  *(int32_t*)count->data = (int32_t)c;
  return NULL;
}


/* ---- counts drawn by inverse transform from a keyed hash -----------------------------
 *
 * counts[i] = #{k : w_i < thresholds[k]} for the decreasing thresholds of a count's
 * survival function (round(2^32 P(N > k))), with w_i = fmix(fmix(i ^ key[0]) + key[1])
 * and fmix MurmurHash3's 32-bit finaliser: one uniform word per draw, compared with
 * every threshold in blocks of draws (branch-free, so the compiler vectorises it).
 *
 * Operands:  key        (2,)  U32
 *            thresholds (K,)  U32, decreasing
 * Result:    counts     (n,)  S32
 */
static inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  return h ^ (h >> 16);
}

EXPORT XLA_FFI_Error* neurodyn_table_counts(XLA_FFI_CallFrame* frame) {
  const XLA_FFI_Api* api = frame->api;
  int done;
  XLA_FFI_Error* error = begin_call(frame, 2, 1, "table_counts", &done);
  if (error != NULL || done) return error;
  const XLA_FFI_Buffer* key = (const XLA_FFI_Buffer*)frame->args.args[0];
  const XLA_FFI_Buffer* table = (const XLA_FFI_Buffer*)frame->args.args[1];
  const XLA_FFI_Buffer* counts = (const XLA_FFI_Buffer*)frame->rets.rets[0];
  if (key->dtype != XLA_FFI_DataType_U32 || key->rank != 1 || key->dims[0] != 2 ||
      table->dtype != XLA_FFI_DataType_U32 || table->rank != 1 ||
      counts->dtype != XLA_FFI_DataType_S32 || counts->rank != 1) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn table_counts: key (2,) uint32, thresholds (K,) uint32, "
                      "counts (n,) int32");
  }
  const uint32_t k0 = ((const uint32_t*)key->data)[0], k1 = ((const uint32_t*)key->data)[1];
  const uint32_t* thresholds = (const uint32_t*)table->data;
  const int64_t n_terms = table->dims[0], n = counts->dims[0];
  int32_t* out = (int32_t*)counts->data;
  /* branch-free: the count of thresholds above the word (vectorises across draws) */
  enum { BLOCK = 64 };
  for (int64_t start = 0; start < n; start += BLOCK) {
    const int64_t end = start + BLOCK < n ? start + BLOCK : n;
    uint32_t words[BLOCK];
    int32_t k[BLOCK];
    for (int64_t i = start; i < end; ++i) {
      words[i - start] = fmix32(fmix32((uint32_t)i ^ k0) + k1);
      k[i - start] = 0;
    }
    for (int64_t j = 0; j < n_terms; ++j) {
      const uint32_t threshold = thresholds[j];
      for (int64_t i = 0; i < end - start; ++i) k[i] += words[i] < threshold;
    }
    memcpy(out + start, k, (size_t)(end - start) * sizeof(int32_t));
  }
  return NULL;
}

/* ---- uniform numbers in [0, 1) from the same keyed hash ------------------------------
 *
 * Draw i of a float64 result takes the words w_{2i} (high) and w_{2i+1} (low 21 bits
 * dropped): u_i = (w_{2i} 2^21 + (w_{2i+1} >> 11)) 2^-53, 53 random bits; of a float32
 * result u_i = (w_i >> 8) 2^-24. Every value is exact, so the kernel and the plain-JAX
 * reference agree bit for bit.
 *
 * Operands:  key      (2,)  U32
 * Result:    uniform  (n,)  F32 or F64
 */
EXPORT XLA_FFI_Error* neurodyn_hashed_uniform(XLA_FFI_CallFrame* frame) {
  const XLA_FFI_Api* api = frame->api;
  int done;
  XLA_FFI_Error* error = begin_call(frame, 1, 1, "hashed_uniform", &done);
  if (error != NULL || done) return error;
  const XLA_FFI_Buffer* key = (const XLA_FFI_Buffer*)frame->args.args[0];
  const XLA_FFI_Buffer* out = (const XLA_FFI_Buffer*)frame->rets.rets[0];
  if (key->dtype != XLA_FFI_DataType_U32 || key->rank != 1 || key->dims[0] != 2 ||
      out->rank != 1 || (out->dtype != XLA_FFI_DataType_F64 && out->dtype != XLA_FFI_DataType_F32)) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn hashed_uniform: key (2,) uint32, result (n,) float32 or float64");
  }
  const uint32_t k0 = ((const uint32_t*)key->data)[0], k1 = ((const uint32_t*)key->data)[1];
  const int64_t n = out->dims[0];
  if (out->dtype == XLA_FFI_DataType_F64) {
    double* u = (double*)out->data;
    for (int64_t i = 0; i < n; ++i) {
      const uint32_t high = fmix32(fmix32((uint32_t)(2 * i) ^ k0) + k1);
      const uint32_t low = fmix32(fmix32((uint32_t)(2 * i + 1) ^ k0) + k1) >> 11;
      u[i] = ((double)high * 2097152.0 + (double)low) * 0x1p-53;
    }
  } else {
    float* u = (float*)out->data;
    for (int64_t i = 0; i < n; ++i) {
      u[i] = (float)(fmix32(fmix32((uint32_t)i ^ k0) + k1) >> 8) * 0x1p-24f;
    }
  }
  return NULL;
}
