// One Vulkan compute device per process: memory, pipelines and a command buffer that records every
// dispatch until a value is read back (or the buffer fills), so a training step costs one submission,
// not one per op. The JavaScript side (src-main/engine/backend/vulkan/) owns the kernels; this file
// knows nothing of tensors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace contrastlab::vulkan {

struct DeviceInfo {
  std::string name;        // "NVIDIA H200", "llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string type;        // "discrete", "integrated", "virtual", "cpu" or "other"
  std::string driver;      // "NVIDIA 550.54.15", "llvmpipe Mesa 22.3.6 (LLVM 15.0.6)"
  std::string apiVersion;  // "1.3.230"
  uint64_t memoryBytes;    // the heap tensors live in
  bool deviceLocal;        // the mapped memory tensors live in is the GPU's own, not host memory over the bus
  bool stagedReads;        // reads copy through a host-cached buffer: the CPU reads mapped device memory slowly
};

struct Stats {
  uint64_t blocks;       // device memory allocations (each a block that many tensors share)
  uint64_t blockBytes;   // their total size
  uint64_t liveBuffers;  // buffers handed out and not yet released
  uint64_t dispatches;   // since the device opened
  uint64_t submits;      // command buffers submitted since the device opened
  uint64_t stagedReads;  // reads copied through the staging buffer
};

// Opens the device (once; later calls return the same). Throws JsError with one line saying why not:
// no Vulkan loader, no device, or no device with what the kernels need.
const DeviceInfo &open();

// A buffer of at least `bytes` bytes; its contents are undefined. Released buffers are reused by later
// requests of the same size class, so a training loop stops allocating after its first step.
uint32_t allocate(uint64_t bytes);
void release(uint32_t id);

// Host copies into and out of a buffer. A read waits for recorded work that uses the buffer; so does a
// write, except a small one (up to 64 KiB), which is recorded after that work instead.
void write(uint32_t id, const void *data, uint64_t bytes);
void read(uint32_t id, void *data, uint64_t bytes);

// A compute pipeline from SPIR-V whose entry point is `main`, with `bindings` storage buffers in set 0
// (bindings 0..n-1) and `pushBytes` of push constants.
uint32_t createPipeline(const uint32_t *code, size_t words, uint32_t bindings, uint32_t pushBytes);

// Records one dispatch after a barrier on everything recorded before it. Nothing runs until flush() or
// a read of a buffer it writes.
void dispatch(uint32_t pipeline, const uint32_t *buffers, uint32_t count, const void *push, uint32_t pushBytes,
              uint32_t x, uint32_t y, uint32_t z);

// Submits what was recorded and waits for it.
void flush();

Stats stats();

// The device time of each pipeline's dispatches, read from GPU timestamps: one is written after every
// dispatch while timing is on, and a dispatch's time runs from the one before it (so it includes its
// barrier and any copy recorded just before it). Throws where the queue has no timestamps.
struct PipelineTime {
  uint32_t pipeline;
  uint64_t dispatches;
  double ms;
};
void setTiming(bool on);
// The times since timing was switched on or last taken, then starts again from zero.
std::vector<PipelineTime> takeTimes();

}  // namespace contrastlab::vulkan
