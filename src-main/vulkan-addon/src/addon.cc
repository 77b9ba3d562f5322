// @contrastlab/vulkan: a Vulkan compute device for ContrastLab's `vulkan` tfjs backend
// (src-main/engine/backend/vulkan/). This file only decodes JavaScript arguments; device.cc does the work.

#include <node_api.h>

#include <vector>

#include "device.h"
#include "napi_util.h"

namespace {

using namespace contrastlab;

// The bytes of any typed array (or a DataView's or ArrayBuffer's).
struct Bytes {
  void *data = nullptr;
  size_t length = 0;
};

Bytes bytes(napi_env env, napi_value value, const char *name) {
  Bytes out;
  bool is = false;
  check(napi_is_typedarray(env, value, &is), "napi_is_typedarray");
  if (is) {
    napi_typedarray_type type;
    size_t length = 0;
    check(napi_get_typedarray_info(env, value, &type, &length, &out.data, nullptr, nullptr), "typed array info");
    size_t element = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: element = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: element = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: element = 8; break;
      default: element = 1;
    }
    out.length = length * element;
    return out;
  }
  check(napi_is_arraybuffer(env, value, &is), "napi_is_arraybuffer");
  if (!is) throw JsError(std::string(name) + " must be a typed array or an ArrayBuffer");
  check(napi_get_arraybuffer_info(env, value, &out.data, &out.length), "arraybuffer info");
  return out;
}

uint32_t index(napi_env env, napi_value value, const char *name) {
  int64_t v = integer(env, value, name);
  if (v < 0 || v > UINT32_MAX) throw JsError(std::string(name) + " must be a non-negative 32-bit integer");
  return static_cast<uint32_t>(v);
}

napi_value number(napi_env env, double v) {
  napi_value result;
  check(napi_create_double(env, v, &result), "napi_create_double");
  return result;
}

void set(napi_env env, napi_value object, const char *key, napi_value value) {
  check(napi_set_named_property(env, object, key, value), "napi_set_named_property");
}

napi_value undefined(napi_env env) {
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

napi_value Open(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    const vulkan::DeviceInfo &info = vulkan::open();
    napi_value result, deviceLocal, stagedReads;
    check(napi_create_object(env, &result), "napi_create_object");
    set(env, result, "name", string(env, info.name));
    set(env, result, "type", string(env, info.type));
    set(env, result, "driver", string(env, info.driver));
    set(env, result, "apiVersion", string(env, info.apiVersion));
    set(env, result, "memoryBytes", number(env, static_cast<double>(info.memoryBytes)));
    check(napi_get_boolean(env, info.deviceLocal, &deviceLocal), "napi_get_boolean");
    set(env, result, "deviceLocal", deviceLocal);
    check(napi_get_boolean(env, info.stagedReads, &stagedReads), "napi_get_boolean");
    set(env, result, "stagedReads", stagedReads);
    return result;
  });
}

napi_value Allocate(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value argv[1];
    args(env, info, argv);
    int64_t size = integer(env, argv[0], "bytes");
    if (size < 0) throw JsError("bytes must not be negative");
    return number(env, vulkan::allocate(static_cast<uint64_t>(size)));
  });
}

napi_value Release(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value argv[1];
    args(env, info, argv);
    vulkan::release(index(env, argv[0], "buffer"));
    return undefined(env);
  });
}

napi_value Write(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value argv[2];
    args(env, info, argv);
    Bytes data = bytes(env, argv[1], "data");
    vulkan::write(index(env, argv[0], "buffer"), data.data, data.length);
    return undefined(env);
  });
}

napi_value Read(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value argv[2];
    args(env, info, argv);
    Bytes data = bytes(env, argv[1], "data");
    vulkan::read(index(env, argv[0], "buffer"), data.data, data.length);
    return undefined(env);
  });
}

napi_value CreatePipeline(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value argv[3];
    args(env, info, argv);
    size_t words = 0;
    const uint32_t *code = typedArray<uint32_t>(env, argv[0], napi_uint32_array, &words, "spirv", "Uint32Array");
    uint32_t pipeline =
        vulkan::createPipeline(code, words, index(env, argv[1], "bindings"), index(env, argv[2], "pushBytes"));
    return number(env, pipeline);
  });
}

napi_value Dispatch(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value argv[6];
    args(env, info, argv);
    size_t count = 0;
    const uint32_t *buffers = typedArray<uint32_t>(env, argv[1], napi_uint32_array, &count, "buffers", "Uint32Array");
    Bytes push = bytes(env, argv[2], "push");
    vulkan::dispatch(index(env, argv[0], "pipeline"), buffers, static_cast<uint32_t>(count), push.data,
                     static_cast<uint32_t>(push.length), index(env, argv[3], "x"), index(env, argv[4], "y"),
                     index(env, argv[5], "z"));
    return undefined(env);
  });
}

napi_value Flush(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    vulkan::flush();
    return undefined(env);
  });
}

napi_value GetStats(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    vulkan::Stats s = vulkan::stats();
    napi_value result;
    check(napi_create_object(env, &result), "napi_create_object");
    set(env, result, "blocks", number(env, static_cast<double>(s.blocks)));
    set(env, result, "blockBytes", number(env, static_cast<double>(s.blockBytes)));
    set(env, result, "liveBuffers", number(env, static_cast<double>(s.liveBuffers)));
    set(env, result, "dispatches", number(env, static_cast<double>(s.dispatches)));
    set(env, result, "submits", number(env, static_cast<double>(s.submits)));
    set(env, result, "stagedReads", number(env, static_cast<double>(s.stagedReads)));
    return result;
  });
}

napi_value SetTiming(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    napi_value argv[1];
    args(env, info, argv);
    bool on = false;
    check(napi_get_value_bool(env, argv[0], &on), "timing takes a boolean");
    vulkan::setTiming(on);
    return undefined(env);
  });
}

napi_value TakeTimes(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    std::vector<vulkan::PipelineTime> times = vulkan::takeTimes();
    napi_value result;
    check(napi_create_array_with_length(env, times.size(), &result), "napi_create_array_with_length");
    for (size_t i = 0; i < times.size(); i++) {
      napi_value entry;
      check(napi_create_object(env, &entry), "napi_create_object");
      set(env, entry, "pipeline", number(env, times[i].pipeline));
      set(env, entry, "dispatches", number(env, static_cast<double>(times[i].dispatches)));
      set(env, entry, "ms", number(env, times[i].ms));
      check(napi_set_element(env, result, static_cast<uint32_t>(i), entry), "napi_set_element");
    }
    return result;
  });
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", nullptr, Open, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"allocate", nullptr, Allocate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"release", nullptr, Release, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"write", nullptr, Write, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"read", nullptr, Read, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"createPipeline", nullptr, CreatePipeline, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"dispatch", nullptr, Dispatch, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"flush", nullptr, Flush, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"stats", nullptr, GetStats, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setTiming", nullptr, SetTiming, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"takeTimes", nullptr, TakeTimes, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
