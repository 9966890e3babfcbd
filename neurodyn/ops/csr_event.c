/* Event-driven CSR spike delivery: an XLA typed-FFI handler for the CPU.
 *
 *   out[..., j] = sum over synapses k of row i with indices[k] == j of w_k * s[..., i]
 *
 * Only presynaptic neurons with a nonzero spike value are visited, so a call costs
 * O(n_pre + n_post) per batch row plus O(spikes x fan-out).
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
#include <string.h>

#include "xla/ffi/api/c_api.h"

#define EXPORT __attribute__((visibility("default")))

static XLA_FFI_Error* make_error(const XLA_FFI_Api* api, XLA_FFI_Error_Code code,
                                 const char* message) {
  XLA_FFI_Error_Create_Args args;
  memset(&args, 0, sizeof(args));
  args.struct_size = XLA_FFI_Error_Create_Args_STRUCT_SIZE;
  args.extension_start = NULL;
  args.message = message;
  args.errc = code;
  return api->XLA_FFI_Error_Create(&args);
}

/* XLA asks a handler for its metadata (API version, traits) before using it. */
static XLA_FFI_Error* fill_metadata(const XLA_FFI_Api* api, XLA_FFI_Metadata_Extension* ext) {
  if (ext->extension_base.struct_size < XLA_FFI_Metadata_Extension_STRUCT_SIZE ||
      ext->metadata == NULL || ext->metadata->struct_size < XLA_FFI_Metadata_STRUCT_SIZE) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event: metadata struct too small");
  }
  XLA_FFI_Metadata* metadata = ext->metadata;
  metadata->api_version.struct_size = XLA_FFI_Api_Version_STRUCT_SIZE;
  metadata->api_version.extension_start = NULL;
  metadata->api_version.major_version = XLA_FFI_API_MAJOR;
  metadata->api_version.minor_version = XLA_FFI_API_MINOR;
  metadata->traits = 0;
  if (metadata->struct_size >=
      offsetof(XLA_FFI_Metadata, state_type_id) + sizeof(metadata->state_type_id)) {
    metadata->state_type_id.type_id = 0; /* stateless handler */
  }
  return NULL;
}

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

/* All batch rows; boolean spikes are scanned eight at a time (most words are zero). */
#define DEFINE_DELIVER(T)                                                                   \
  DEFINE_DELIVER_ROWS(T)                                                                    \
  static void deliver_##T(const void* spikes, int spikes_are_bool, int64_t batch,           \
                          int64_t n_pre, const int32_t* indptr, const int32_t* indices,     \
                          int64_t nnz, const T* w, int homogeneous, T* out, int64_t n_post) { \
    int64_t rows[CHUNK + 8];                                                                \
    T values[CHUNK + 8];                                                                    \
    for (int64_t b = 0; b < batch; ++b) {                                                   \
      T* out_row = out + b * n_post;                                                        \
      memset(out_row, 0, (size_t)n_post * sizeof(T));                                       \
      int64_t count = 0;                                                                    \
      for (int64_t i = 0; i < n_pre;) {                                                     \
        if (spikes_are_bool) {                                                              \
          const uint8_t* s = (const uint8_t*)spikes + b * n_pre;                            \
          uint64_t word;                                                                    \
          if (i + 8 <= n_pre && (memcpy(&word, s + i, 8), word == 0)) {                     \
            i += 8;                                                                         \
            continue;                                                                       \
          }                                                                                 \
          for (int64_t end = i + 8 < n_pre ? i + 8 : n_pre; i < end; ++i)                   \
            if (s[i]) rows[count] = i, values[count++] = (T)1;                              \
        } else {                                                                            \
          const T* s = (const T*)spikes + b * n_pre;                                        \
          for (int64_t end = i + 8 < n_pre ? i + 8 : n_pre; i < end; ++i)                   \
            if (s[i] != (T)0) rows[count] = i, values[count++] = s[i];                      \
        }                                                                                   \
        if (count >= CHUNK) {                                                               \
          deliver_rows_##T(rows, values, count, indptr, indices, nnz, w, homogeneous,       \
                           out_row, (uint32_t)n_post);                                      \
          count = 0;                                                                        \
        }                                                                                   \
      }                                                                                     \
      deliver_rows_##T(rows, values, count, indptr, indices, nnz, w, homogeneous, out_row,  \
                       (uint32_t)n_post);                                                   \
    }                                                                                       \
  }

DEFINE_DELIVER(float)
DEFINE_DELIVER(double)

EXPORT XLA_FFI_Error* neurodyn_csr_event_matvec(XLA_FFI_CallFrame* frame) {
  const XLA_FFI_Api* api = frame->api;
  // the extension list's type was renamed across jaxlib versions; its fields were not
  for (__typeof__(frame->extension_start) ext = frame->extension_start; ext != NULL;
       ext = ext->next) {
    if (ext->type == XLA_FFI_Extension_Metadata) {
      return fill_metadata(api, (XLA_FFI_Metadata_Extension*)ext);
    }
  }
  if (frame->struct_size < XLA_FFI_CallFrame_STRUCT_SIZE) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event: call frame struct too small");
  }
  if (frame->stage != XLA_FFI_ExecutionStage_EXECUTE) return NULL;
  if (frame->args.size != 4 || frame->rets.size != 1) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event: expected 4 operands and 1 result");
  }
  for (int64_t a = 0; a < 4; ++a) {
    if (frame->args.types[a] != XLA_FFI_ArgType_BUFFER) {
      return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                        "neurodyn csr_event: operands must be buffers");
    }
  }
  if (frame->rets.types[0] != XLA_FFI_RetType_BUFFER) {
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT,
                      "neurodyn csr_event: result must be a buffer");
  }
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
