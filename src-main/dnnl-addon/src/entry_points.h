// The addon's JavaScript entry points, one file per concept (see addon.cc for their registration).
#pragma once

#include <node_api.h>

namespace contrastlab {

// convolution.cc
napi_value Convolution(napi_env env, napi_callback_info info);
napi_value Implementation(napi_env env, napi_callback_info info);
napi_value Version(napi_env env, napi_callback_info info);
napi_value SetThreads(napi_env env, napi_callback_info info);

// matmul.cc
napi_value MatMul(napi_env env, napi_callback_info info);

// batch_norm.cc
napi_value BatchNormStats(napi_env env, napi_callback_info info);
napi_value BatchNormNormalize(napi_env env, napi_callback_info info);
napi_value BatchNormGradSums(napi_env env, napi_callback_info info);
napi_value BatchNormInputGrad(napi_env env, napi_callback_info info);

}  // namespace contrastlab
