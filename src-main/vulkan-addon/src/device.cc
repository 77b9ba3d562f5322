#include "device.h"

#include <volk.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "napi_util.h"

namespace contrastlab::vulkan {
namespace {

// Dispatches recorded before the command buffer is submitted anyway, to bound its size.
constexpr uint32_t kMaxRecorded = 4096;
// Tensors up to this size share blocks of kBlockBytes; larger ones get a block of their own.
constexpr VkDeviceSize kBlockBytes = 64ull << 20;
// vkCmdUpdateBuffer's limit: writes up to this size can be recorded instead of waited for.
constexpr uint64_t kMaxRecordedWrite = 65536;
// Reads up to this size read mapped memory directly even where reads are staged: a submission costs more.
constexpr uint64_t kMinStagedRead = 16384;

void ok(VkResult result, const char *what) {
  if (result != VK_SUCCESS) throw JsError(std::string("Vulkan: ") + what + " failed (VkResult " + std::to_string(result) + ")");
}

struct Block {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  uint8_t *mapped = nullptr;
  VkDeviceSize size = 0;
  VkDeviceSize used = 0;
};

struct Allocation {
  uint32_t block;
  VkDeviceSize offset;
  VkDeviceSize size;       // the size class, at least what was asked
  uint64_t lastBatch = 0;  // the recording batch that last used it in a dispatch
  bool live = false;
};

struct Pipeline {
  VkDescriptorSetLayout setLayout;
  VkPipelineLayout layout;
  VkPipeline pipeline;
  uint32_t bindings;
  uint32_t pushBytes;
};

struct Device {
  DeviceInfo info;
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  uint32_t family = 0;
  uint32_t memoryType = 0;
  int32_t stagingType = -1;  // host-cached memory for staged reads; -1: reads use the mapping directly
  Block staging;
  VkDeviceSize alignment = 256;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkCommandBuffer commands = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  uint64_t batch = 1;  // the batch being recorded
  uint32_t recorded = 0;
  std::vector<Block> blocks;
  std::vector<Allocation> allocations;
  std::unordered_map<VkDeviceSize, std::vector<uint32_t>> freeBySize;
  std::vector<Pipeline> pipelines;
  Stats stats{};
  // GPU timestamps (setTiming): query 0 at the start of the command buffer, query i + 1 after dispatch i.
  bool timestamps = false;  // the queue family writes timestamps
  float timestampPeriod = 1;  // nanoseconds per tick
  uint64_t timestampMask = ~0ull;
  VkQueryPool queries = VK_NULL_HANDLE;
  bool timing = false;
  std::vector<uint32_t> timedPipelines;  // the pipeline of each timed dispatch in this command buffer
  std::vector<PipelineTime> times;       // by pipeline
};

std::unique_ptr<Device> current;
std::string failure;  // why open() failed, repeated to later callers

const char *typeName(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
  }
}

// Discrete GPUs first, a CPU implementation (lavapipe) last.
int rank(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
  }
}

std::string version(uint32_t v) {
  return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "." +
         std::to_string(VK_API_VERSION_PATCH(v));
}

bool hasExtension(VkPhysicalDevice physical, const char *name) {
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> list(count);
  vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, list.data());
  return std::any_of(list.begin(), list.end(), [&](const VkExtensionProperties &e) { return std::strcmp(e.extensionName, name) == 0; });
}

void begin(Device &d) {
  VkCommandBufferBeginInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  ok(vkBeginCommandBuffer(d.commands, &info), "vkBeginCommandBuffer");
  d.timedPipelines.clear();
  if (d.timing) {
    vkCmdResetQueryPool(d.commands, d.queries, 0, kMaxRecorded + 1);
    vkCmdWriteTimestamp(d.commands, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, d.queries, 0);
  }
}

// Adds the finished command buffer's dispatch times to their pipelines' totals.
void collectTimes(Device &d) {
  if (d.timedPipelines.empty()) return;
  std::vector<uint64_t> ticks(d.timedPipelines.size() + 1);
  ok(vkGetQueryPoolResults(d.device, d.queries, 0, static_cast<uint32_t>(ticks.size()), ticks.size() * 8, ticks.data(), 8,
                           VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
     "vkGetQueryPoolResults");
  for (size_t i = 0; i < d.timedPipelines.size(); i++) {
    uint32_t pipeline = d.timedPipelines[i];
    if (d.times.size() <= pipeline) d.times.resize(pipeline + 1);
    PipelineTime &t = d.times[pipeline];
    t.pipeline = pipeline;
    t.dispatches++;
    t.ms += static_cast<double>((ticks[i + 1] - ticks[i]) & d.timestampMask) * d.timestampPeriod * 1e-6;
  }
}

std::unique_ptr<Device> create() {
  if (volkInitialize() != VK_SUCCESS) {
    throw JsError("no Vulkan loader (libvulkan.so.1 could not be loaded; install the GPU driver's Vulkan support, or Mesa's mesa-vulkan-drivers)");
  }
  auto d = std::make_unique<Device>();
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "ContrastLab";
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo instanceInfo{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  instanceInfo.pApplicationInfo = &app;
  ok(vkCreateInstance(&instanceInfo, nullptr, &d->instance), "vkCreateInstance");
  volkLoadInstanceOnly(d->instance);

  uint32_t count = 0;
  vkEnumeratePhysicalDevices(d->instance, &count, nullptr);
  std::vector<VkPhysicalDevice> devices(count);
  vkEnumeratePhysicalDevices(d->instance, &count, devices.data());
  if (count == 0) throw JsError("the Vulkan loader found no device (install the GPU driver's Vulkan support, or Mesa's mesa-vulkan-drivers)");

  // The best-ranked device that has a compute queue and push descriptors.
  std::string missing;
  int bestRank = 99;
  for (VkPhysicalDevice candidate : devices) {
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(candidate, &props);
    if (!hasExtension(candidate, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME)) {
      missing = std::string(props.deviceName) + " lacks " + VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME;
      continue;
    }
    uint32_t families = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(candidate, &families, nullptr);
    std::vector<VkQueueFamilyProperties> familyProps(families);
    vkGetPhysicalDeviceQueueFamilyProperties(candidate, &families, familyProps.data());
    for (uint32_t f = 0; f < families; f++) {
      if ((familyProps[f].queueFlags & VK_QUEUE_COMPUTE_BIT) && rank(props.deviceType) < bestRank) {
        bestRank = rank(props.deviceType);
        d->physical = candidate;
        d->family = f;
        d->timestamps = familyProps[f].timestampValidBits > 0;
        d->timestampMask = familyProps[f].timestampValidBits >= 64 ? ~0ull : (1ull << familyProps[f].timestampValidBits) - 1;
        break;
      }
    }
  }
  if (d->physical == VK_NULL_HANDLE) throw JsError("no usable Vulkan device: " + (missing.empty() ? std::string("none has a compute queue") : missing));

  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(d->physical, &props);
  d->info.name = props.deviceName;
  d->info.type = typeName(props.deviceType);
  d->info.apiVersion = version(props.apiVersion);
  d->alignment = std::max<VkDeviceSize>(256, props.limits.minStorageBufferOffsetAlignment);
  d->timestampPeriod = props.limits.timestampPeriod;
  d->info.driver = version(props.driverVersion);
  if (props.apiVersion >= VK_API_VERSION_1_2) {
    VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    VkPhysicalDeviceProperties2 props2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props2.pNext = &driver;
    vkGetPhysicalDeviceProperties2(d->physical, &props2);
    d->info.driver = std::string(driver.driverName) + " " + driver.driverInfo;
  }

  // Tensors live in memory the host can map: device-local where the GPU offers it mapped (resizable BAR,
  // unified memory, lavapipe), else host memory the GPU reads over the bus.
  VkPhysicalDeviceMemoryProperties memory;
  vkGetPhysicalDeviceMemoryProperties(d->physical, &memory);
  const VkMemoryPropertyFlags mapped = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  int chosen = -1;
  for (int pass = 0; pass < 2 && chosen < 0; pass++) {
    VkMemoryPropertyFlags want = pass == 0 ? (mapped | VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) : mapped;
    VkDeviceSize largest = 0;
    for (uint32_t t = 0; t < memory.memoryTypeCount; t++) {
      VkDeviceSize heap = memory.memoryHeaps[memory.memoryTypes[t].heapIndex].size;
      // A small mapped window (256 MiB of BAR) cannot hold a training run's tensors.
      if ((memory.memoryTypes[t].propertyFlags & want) == want && heap > largest && heap >= (1ull << 30)) {
        largest = heap;
        chosen = static_cast<int>(t);
      }
    }
  }
  if (chosen < 0) throw JsError(d->info.name + " has no host-visible memory of at least 1 GiB");
  d->memoryType = static_cast<uint32_t>(chosen);
  d->info.memoryBytes = memory.memoryHeaps[memory.memoryTypes[chosen].heapIndex].size;
  d->info.deviceLocal = (memory.memoryTypes[chosen].propertyFlags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) != 0;
  // The CPU reads device memory through the bus uncached (a GPU's resizable BAR): about 30 MB/s on an
  // H200, where a copy into host-cached memory and a read of that runs at the bus's speed. So reads
  // stage through such memory when the tensors' is device-local and not cached (or when asked to, to
  // test the path on lavapipe).
  const char *forced = std::getenv("CONTRASTLAB_VULKAN_STAGED_READS");
  const bool uncached = !(memory.memoryTypes[chosen].propertyFlags & VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
  if ((d->info.deviceLocal && uncached) || (forced && std::strcmp(forced, "1") == 0)) {
    const VkMemoryPropertyFlags cached = mapped | VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
    for (uint32_t t = 0; t < memory.memoryTypeCount && d->stagingType < 0; t++) {
      if ((memory.memoryTypes[t].propertyFlags & cached) == cached) d->stagingType = static_cast<int32_t>(t);
    }
  }
  d->info.stagedReads = d->stagingType >= 0;

  float priority = 1.0f;
  VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queueInfo.queueFamilyIndex = d->family;
  queueInfo.queueCount = 1;
  queueInfo.pQueuePriorities = &priority;
  const char *extensions[] = {VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME};
  VkDeviceCreateInfo deviceInfo{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  deviceInfo.queueCreateInfoCount = 1;
  deviceInfo.pQueueCreateInfos = &queueInfo;
  deviceInfo.enabledExtensionCount = 1;
  deviceInfo.ppEnabledExtensionNames = extensions;
  ok(vkCreateDevice(d->physical, &deviceInfo, nullptr, &d->device), "vkCreateDevice");
  volkLoadDevice(d->device);
  vkGetDeviceQueue(d->device, d->family, 0, &d->queue);

  VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  poolInfo.queueFamilyIndex = d->family;
  ok(vkCreateCommandPool(d->device, &poolInfo, nullptr, &d->pool), "vkCreateCommandPool");
  VkCommandBufferAllocateInfo commandInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  commandInfo.commandPool = d->pool;
  commandInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  commandInfo.commandBufferCount = 1;
  ok(vkAllocateCommandBuffers(d->device, &commandInfo, &d->commands), "vkAllocateCommandBuffers");
  VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  ok(vkCreateFence(d->device, &fenceInfo, nullptr, &d->fence), "vkCreateFence");
  begin(*d);
  return d;
}

Device &device() {
  if (!current) throw JsError("the Vulkan device is not open");
  return *current;
}

// A buffer of `size` bytes in its own memory of `memoryType`, mapped.
Block newBuffer(Device &d, VkDeviceSize size, uint32_t memoryType) {
  Block block;
  block.size = size;
  VkBufferCreateInfo bufferInfo{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bufferInfo.size = size;
  bufferInfo.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  ok(vkCreateBuffer(d.device, &bufferInfo, nullptr, &block.buffer), "vkCreateBuffer");
  VkMemoryRequirements needs;
  vkGetBufferMemoryRequirements(d.device, block.buffer, &needs);
  if (!(needs.memoryTypeBits & (1u << memoryType))) throw JsError("Vulkan: the chosen memory type cannot back a storage buffer");
  VkMemoryAllocateInfo allocInfo{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  allocInfo.allocationSize = needs.size;
  allocInfo.memoryTypeIndex = memoryType;
  VkResult result = vkAllocateMemory(d.device, &allocInfo, nullptr, &block.memory);
  if (result == VK_ERROR_OUT_OF_DEVICE_MEMORY || result == VK_ERROR_OUT_OF_HOST_MEMORY) {
    vkDestroyBuffer(d.device, block.buffer, nullptr);
    throw JsError("Vulkan: out of device memory allocating " + std::to_string(size >> 20) + " MiB");
  }
  ok(result, "vkAllocateMemory");
  ok(vkBindBufferMemory(d.device, block.buffer, block.memory, 0), "vkBindBufferMemory");
  void *pointer = nullptr;
  ok(vkMapMemory(d.device, block.memory, 0, VK_WHOLE_SIZE, 0, &pointer), "vkMapMemory");
  block.mapped = static_cast<uint8_t *>(pointer);
  return block;
}

uint32_t newBlock(Device &d, VkDeviceSize size) {
  d.blocks.push_back(newBuffer(d, size, d.memoryType));
  d.stats.blocks++;
  d.stats.blockBytes += size;
  return static_cast<uint32_t>(d.blocks.size() - 1);
}

// Size classes: multiples of the alignment up to 4 KiB, then 2^k and 1.5 * 2^k, so reuse wastes at most a third.
VkDeviceSize sizeClass(VkDeviceSize bytes, VkDeviceSize alignment) {
  bytes = std::max<VkDeviceSize>(bytes, 1);
  if (bytes <= 4096) return (bytes + alignment - 1) / alignment * alignment;
  VkDeviceSize power = 4096;
  while (power < bytes) {
    if (power + power / 2 >= bytes) return (power + power / 2 + alignment - 1) / alignment * alignment;
    power *= 2;
  }
  return power;
}

void barrier(Device &d, VkPipelineStageFlags srcStage, VkAccessFlags srcAccess, VkPipelineStageFlags dstStage,
             VkAccessFlags dstAccess) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = srcAccess;
  barrier.dstAccessMask = dstAccess;
  vkCmdPipelineBarrier(d.commands, srcStage, dstStage, 0, 1, &barrier, 0, nullptr, 0, nullptr);
}

// Waits for recorded work when `a` is used by it, so the host sees (or overwrites) settled contents.
void settle(Device &d, const Allocation &a) {
  if (a.lastBatch == d.batch && d.recorded > 0) flush();
}

Allocation &live(Device &d, uint32_t id) {
  if (id >= d.allocations.size() || !d.allocations[id].live) throw JsError("Vulkan: buffer " + std::to_string(id) + " is not allocated");
  return d.allocations[id];
}

}  // namespace

const DeviceInfo &open() {
  if (current) return current->info;
  if (!failure.empty()) throw JsError(failure);
  try {
    current = create();
  } catch (const std::exception &e) {
    failure = e.what();
    throw;
  }
  return current->info;
}

uint32_t allocate(uint64_t bytes) {
  Device &d = device();
  VkDeviceSize size = sizeClass(bytes, d.alignment);
  auto &reusable = d.freeBySize[size];
  if (!reusable.empty()) {
    uint32_t id = reusable.back();
    reusable.pop_back();
    d.allocations[id].live = true;
    d.stats.liveBuffers++;
    return id;
  }
  uint32_t blockIndex;
  if (size > kBlockBytes / 4) {
    blockIndex = newBlock(d, size);
  } else {
    blockIndex = UINT32_MAX;
    if (!d.blocks.empty()) {
      // The newest shared block, if the request fits in what is left of it.
      for (size_t b = d.blocks.size(); b-- > 0;) {
        if (d.blocks[b].size == kBlockBytes) {
          if (d.blocks[b].used + size <= kBlockBytes) blockIndex = static_cast<uint32_t>(b);
          break;
        }
      }
    }
    if (blockIndex == UINT32_MAX) blockIndex = newBlock(d, kBlockBytes);
  }
  Block &block = d.blocks[blockIndex];
  Allocation a{blockIndex, block.used, size};
  a.live = true;
  block.used += size;
  d.allocations.push_back(a);
  d.stats.liveBuffers++;
  return static_cast<uint32_t>(d.allocations.size() - 1);
}

void release(uint32_t id) {
  Device &d = device();
  Allocation &a = live(d, id);
  a.live = false;
  d.freeBySize[a.size].push_back(id);
  d.stats.liveBuffers--;
}

void write(uint32_t id, const void *data, uint64_t bytes) {
  Device &d = device();
  Allocation &a = live(d, id);
  if (bytes > a.size) throw JsError("Vulkan: writing " + std::to_string(bytes) + " bytes into a buffer of " + std::to_string(a.size));
  if (a.lastBatch == d.batch && d.recorded > 0 && bytes <= kMaxRecordedWrite && bytes % 4 == 0) {
    // The buffer is still read by recorded work (a constant released by one op and reused by the next):
    // a small write goes into the command buffer, after that work, instead of waiting for it.
    barrier(d, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
            VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
            VK_ACCESS_TRANSFER_WRITE_BIT);
    if (bytes > 0) vkCmdUpdateBuffer(d.commands, d.blocks[a.block].buffer, a.offset, bytes, data);
    d.recorded++;
    return;
  }
  settle(d, a);
  std::memcpy(d.blocks[a.block].mapped + a.offset, data, bytes);
}

void read(uint32_t id, void *data, uint64_t bytes) {
  Device &d = device();
  Allocation &a = live(d, id);
  if (bytes > a.size) throw JsError("Vulkan: reading " + std::to_string(bytes) + " bytes from a buffer of " + std::to_string(a.size));
  if (d.stagingType < 0 || bytes < kMinStagedRead) {
    settle(d, a);
    std::memcpy(data, d.blocks[a.block].mapped + a.offset, bytes);
    return;
  }
  if (d.staging.size < bytes) {
    // Grown by powers of two, kept for the process: a training loop reads the same sizes every step.
    flush();
    if (d.staging.buffer != VK_NULL_HANDLE) {
      vkDestroyBuffer(d.device, d.staging.buffer, nullptr);
      vkFreeMemory(d.device, d.staging.memory, nullptr);
    }
    VkDeviceSize size = 1ull << 20;
    while (size < bytes) size *= 2;
    d.staging = newBuffer(d, size, static_cast<uint32_t>(d.stagingType));
  }
  // The copy follows the recorded work that writes the buffer, and the submission's fence covers both.
  barrier(d, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
          VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
  VkBufferCopy region{a.offset, 0, bytes};
  vkCmdCopyBuffer(d.commands, d.blocks[a.block].buffer, d.staging.buffer, 1, &region);
  d.recorded++;
  flush();
  std::memcpy(data, d.staging.mapped, bytes);
  d.stats.stagedReads++;
}

uint32_t createPipeline(const uint32_t *code, size_t words, uint32_t bindings, uint32_t pushBytes) {
  Device &d = device();
  Pipeline p{};
  p.bindings = bindings;
  p.pushBytes = pushBytes;
  std::vector<VkDescriptorSetLayoutBinding> layoutBindings(bindings);
  for (uint32_t b = 0; b < bindings; b++) {
    layoutBindings[b] = {b, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  }
  VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  setInfo.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
  setInfo.bindingCount = bindings;
  setInfo.pBindings = layoutBindings.data();
  ok(vkCreateDescriptorSetLayout(d.device, &setInfo, nullptr, &p.setLayout), "vkCreateDescriptorSetLayout");
  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes};
  VkPipelineLayoutCreateInfo layoutInfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layoutInfo.setLayoutCount = 1;
  layoutInfo.pSetLayouts = &p.setLayout;
  layoutInfo.pushConstantRangeCount = pushBytes > 0 ? 1 : 0;
  layoutInfo.pPushConstantRanges = &range;
  ok(vkCreatePipelineLayout(d.device, &layoutInfo, nullptr, &p.layout), "vkCreatePipelineLayout");
  VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  moduleInfo.codeSize = words * 4;
  moduleInfo.pCode = code;
  VkShaderModule module;
  ok(vkCreateShaderModule(d.device, &moduleInfo, nullptr, &module), "vkCreateShaderModule");
  VkComputePipelineCreateInfo pipelineInfo{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  pipelineInfo.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipelineInfo.stage.module = module;
  pipelineInfo.stage.pName = "main";
  pipelineInfo.layout = p.layout;
  VkResult result = vkCreateComputePipelines(d.device, VK_NULL_HANDLE, 1, &pipelineInfo, nullptr, &p.pipeline);
  vkDestroyShaderModule(d.device, module, nullptr);
  ok(result, "vkCreateComputePipelines");
  d.pipelines.push_back(p);
  return static_cast<uint32_t>(d.pipelines.size() - 1);
}

void dispatch(uint32_t pipeline, const uint32_t *buffers, uint32_t count, const void *push, uint32_t pushBytes,
              uint32_t x, uint32_t y, uint32_t z) {
  Device &d = device();
  if (pipeline >= d.pipelines.size()) throw JsError("Vulkan: no pipeline " + std::to_string(pipeline));
  const Pipeline &p = d.pipelines[pipeline];
  if (count != p.bindings) throw JsError("Vulkan: the pipeline takes " + std::to_string(p.bindings) + " buffers, got " + std::to_string(count));
  if (pushBytes != p.pushBytes) throw JsError("Vulkan: the pipeline takes " + std::to_string(p.pushBytes) + " bytes of push constants, got " + std::to_string(pushBytes));
  std::vector<VkDescriptorBufferInfo> infos(count);
  std::vector<VkWriteDescriptorSet> writes(count);
  for (uint32_t b = 0; b < count; b++) {
    Allocation &a = live(d, buffers[b]);
    a.lastBatch = d.batch;
    infos[b] = {d.blocks[a.block].buffer, a.offset, a.size};
    writes[b] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[b].dstBinding = b;
    writes[b].descriptorCount = 1;
    writes[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[b].pBufferInfo = &infos[b];
  }
  if (d.recorded > 0) {
    // Every dispatch reads what the dispatches and recorded writes before it wrote: one full barrier.
    barrier(d, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
            VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
            VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
  }
  vkCmdBindPipeline(d.commands, VK_PIPELINE_BIND_POINT_COMPUTE, p.pipeline);
  vkCmdPushDescriptorSetKHR(d.commands, VK_PIPELINE_BIND_POINT_COMPUTE, p.layout, 0, count, writes.data());
  if (pushBytes > 0) vkCmdPushConstants(d.commands, p.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes, push);
  vkCmdDispatch(d.commands, x, y, z);
  if (d.timing) {
    d.timedPipelines.push_back(pipeline);
    vkCmdWriteTimestamp(d.commands, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, d.queries, static_cast<uint32_t>(d.timedPipelines.size()));
  }
  d.recorded++;
  d.stats.dispatches++;
  if (d.recorded >= kMaxRecorded) flush();
}

void flush() {
  Device &d = device();
  if (d.recorded == 0) return;
  // Host writes before the submission become visible to the shaders (coherent memory: the submit is
  // the host-to-device barrier); shader writes become visible to the host after the fence.
  barrier(d, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
          VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
  ok(vkEndCommandBuffer(d.commands), "vkEndCommandBuffer");
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &d.commands;
  ok(vkQueueSubmit(d.queue, 1, &submit, d.fence), "vkQueueSubmit");
  ok(vkWaitForFences(d.device, 1, &d.fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  ok(vkResetFences(d.device, 1, &d.fence), "vkResetFences");
  collectTimes(d);
  ok(vkResetCommandBuffer(d.commands, 0), "vkResetCommandBuffer");
  d.stats.submits++;
  d.recorded = 0;
  d.batch++;
  begin(d);
}

Stats stats() {
  return device().stats;
}

void setTiming(bool on) {
  Device &d = device();
  if (on == d.timing) return;
  if (on && !d.timestamps) throw JsError("Vulkan: " + d.info.name + "'s compute queue writes no timestamps");
  flush();  // what is recorded so far is not timed
  if (on && d.queries == VK_NULL_HANDLE) {
    VkQueryPoolCreateInfo info{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    info.queryType = VK_QUERY_TYPE_TIMESTAMP;
    info.queryCount = kMaxRecorded + 1;
    ok(vkCreateQueryPool(d.device, &info, nullptr, &d.queries), "vkCreateQueryPool");
  }
  // The open command buffer has no reset of the queries yet: start a fresh one.
  ok(vkEndCommandBuffer(d.commands), "vkEndCommandBuffer");
  ok(vkResetCommandBuffer(d.commands, 0), "vkResetCommandBuffer");
  d.timing = on;
  begin(d);
}

std::vector<PipelineTime> takeTimes() {
  Device &d = device();
  flush();
  std::vector<PipelineTime> result;
  for (const PipelineTime &t : d.times) {
    if (t.dispatches > 0) result.push_back(t);
  }
  d.times.clear();
  return result;
}

}  // namespace contrastlab::vulkan
