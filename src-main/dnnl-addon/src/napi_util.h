// Small helpers for the addons' Node-API entry points (this one and src-main/vulkan-addon): argument decoding with clear errors, and one
// place that turns C++ exceptions into JavaScript ones.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace contrastlab {

// An error for the JavaScript caller, with its message.
struct JsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void check(napi_status status, const char *what) {
  if (status != napi_ok) throw JsError(std::string("native addon: ") + what + " failed");
}

// The first N arguments; fewer is an error.
template <size_t N>
void args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  check(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr), "napi_get_cb_info");
  if (argc < N) throw JsError("expected " + std::to_string(N) + " arguments, got " + std::to_string(argc));
}

// The data and length of a typed array of the given type (it may view a SharedArrayBuffer).
template <typename T>
T *typedArray(napi_env env, napi_value value, napi_typedarray_type want, size_t *length, const char *name,
              const char *typeName) {
  bool is = false;
  check(napi_is_typedarray(env, value, &is), "napi_is_typedarray");
  napi_typedarray_type type = napi_uint8_array;
  void *data = nullptr;
  if (is) check(napi_get_typedarray_info(env, value, &type, length, &data, nullptr, nullptr), "typed array info");
  if (!is || type != want) throw JsError(std::string(name) + " must be a " + typeName);
  return static_cast<T *>(data);
}

inline int64_t integer(napi_env env, napi_value value, const char *name) {
  int64_t v = 0;
  if (napi_get_value_int64(env, value, &v) != napi_ok) throw JsError(std::string(name) + " must be a number");
  return v;
}

inline napi_value string(napi_env env, const std::string &text) {
  napi_value result;
  check(napi_create_string_utf8(env, text.c_str(), text.size(), &result), "napi_create_string_utf8");
  return result;
}

// Runs body; a thrown exception becomes a JavaScript Error with its message.
template <typename F>
napi_value guarded(napi_env env, F body) {
  try {
    return body();
  } catch (const std::exception &e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

}  // namespace contrastlab
