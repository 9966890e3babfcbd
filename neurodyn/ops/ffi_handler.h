/* What every neurodyn CPU kernel shares: the XLA typed-FFI error, metadata and call
 * protocol.
 * neurodyn.ops._build pastes this file in place of its #include before compiling. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "xla/ffi/api/c_api.h"

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
                      "neurodyn kernel: metadata struct too small");
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

/* What every handler does first: answer XLA's metadata query, skip stages other than
 * execution, and require n_args buffer operands and n_rets buffer results (n_args < 0:
 * the handler checks its operands itself). Returns an error, or NULL with *done set
 * when the call ends here (metadata, other stages). */
static XLA_FFI_Error* begin_call(XLA_FFI_CallFrame* frame, int64_t n_args, int64_t n_rets,
                                 const char* kernel, int* done) {
  const XLA_FFI_Api* api = frame->api;
  char message[160];
  *done = 1;
  // the extension list's type was renamed across jaxlib versions; its fields were not
  for (__typeof__(frame->extension_start) ext = frame->extension_start; ext != NULL;
       ext = ext->next) {
    if (ext->type == XLA_FFI_Extension_Metadata) {
      return fill_metadata(api, (XLA_FFI_Metadata_Extension*)ext);
    }
  }
  if (frame->struct_size < XLA_FFI_CallFrame_STRUCT_SIZE) {
    snprintf(message, sizeof(message), "neurodyn %s: call frame struct too small", kernel);
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT, message);
  }
  if (frame->stage != XLA_FFI_ExecutionStage_EXECUTE) return NULL;
  *done = 0;
  if (n_args < 0) return NULL;
  int buffers = frame->args.size == n_args && frame->rets.size == n_rets;
  for (int64_t a = 0; buffers && a < n_args; ++a)
    buffers = frame->args.types[a] == XLA_FFI_ArgType_BUFFER;
  for (int64_t r = 0; buffers && r < n_rets; ++r)
    buffers = frame->rets.types[r] == XLA_FFI_RetType_BUFFER;
  if (!buffers) {
    snprintf(message, sizeof(message),
             "neurodyn %s: expected %lld buffer operands and %lld buffer results", kernel,
             (long long)n_args, (long long)n_rets);
    *done = 1;
    return make_error(api, XLA_FFI_Error_Code_INVALID_ARGUMENT, message);
  }
  return NULL;
}
