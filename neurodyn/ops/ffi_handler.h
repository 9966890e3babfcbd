/* What every neurodyn CPU kernel shares: the XLA typed-FFI error and metadata protocol.
 * neurodyn.ops._build pastes this file in place of its #include before compiling. */

#include <stddef.h>
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
