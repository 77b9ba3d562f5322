#version 450
// tf.topk along the last axis, sorted: the k largest values of each row, largest first, ties to the
// lower index (tfjs's cpu topKImpl). One workgroup per row: a radix select over the values' bits finds
// the k-th largest in four passes of 8 bits; the values above it, and the first of its ties, are
// gathered; a bitonic sort in shared memory orders them. k ≤ 1024; the kernel leaves larger k to the cpu.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) writeonly buffer Values { float values[]; };
layout(set = 0, binding = 2) writeonly buffer Indices { int indices[]; };
layout(push_constant) uniform Push {
  uint rows;
  uint columns;  // the row length
  uint k;
  uint sortSize;  // the power of two ≥ k that the sort runs over
} p;

shared uint histogram[256];
shared uint threshold;  // the k-th largest key: its digits found so far
// While selecting, how many of the k are still to be found among the keys that share those digits;
// after, how many keys equal to the threshold are among the k.
shared uint ties;
shared uint gathered;
shared uint tiesBefore[256];
shared uint sortKey[1024];
shared int sortIndex[1024];

// Float bits as an unsigned key in the floats' order: larger values give larger keys, and −0 the key of
// +0 (the cpu compares them equal, so their order is by index).
uint keyOf(float v) {
  uint bits = floatBitsToUint(v);
  if (bits == 0x80000000u) bits = 0u;
  return (bits & 0x80000000u) != 0u ? ~bits : bits | 0x80000000u;
}

// Whether sort entry a goes before entry b: a larger key, or an equal key at a lower index.
bool goesBefore(uint a, uint b) {
  return sortKey[a] > sortKey[b] || (sortKey[a] == sortKey[b] && sortIndex[a] < sortIndex[b]);
}

void main() {
  uint t = gl_LocalInvocationID.x;
  for (uint row = gl_WorkGroupID.x; row < p.rows; row += gl_NumWorkGroups.x) {
    uint base = row * p.columns;
    if (t == 0u) {
      threshold = 0u;
      ties = p.k;
    }
    barrier();
    // 1. Radix select, most significant digit first: among the keys that share the digits found so far,
    //    the digit of the k-th largest, and how many of the k are still to be found below it.
    for (int shift = 24; shift >= 0; shift -= 8) {
      histogram[t] = 0u;
      barrier();
      uint mask = shift == 24 ? 0u : 0xffffffffu << uint(shift + 8);
      uint prefix = threshold;
      for (uint i = t; i < p.columns; i += 256u) {
        uint key = keyOf(x[base + i]);
        if ((key & mask) == prefix) atomicAdd(histogram[(key >> uint(shift)) & 255u], 1u);
      }
      barrier();
      if (t == 0u) {
        uint need = ties;
        for (int digit = 255; digit >= 0; digit--) {
          uint count = histogram[digit];
          if (count >= need) {
            threshold |= uint(digit) << uint(shift);
            ties = need;
            break;
          }
          need -= count;
        }
      }
      barrier();
    }
    // 2. Gather: every key above the threshold, and the first `ties` keys equal to it in index order (each
    //    invocation scans a contiguous span, so its ties rank after those of the spans before it).
    uint span = (p.columns + 255u) / 256u;
    uint start = min(t * span, p.columns), end = min(start + span, p.columns);
    uint mine = 0u;
    for (uint i = start; i < end; i++) {
      if (keyOf(x[base + i]) == threshold) mine++;
    }
    tiesBefore[t] = mine;
    if (t == 0u) gathered = 0u;
    barrier();
    if (t == 0u) {
      uint sum = 0u;
      for (uint i = 0u; i < 256u; i++) {
        uint count = tiesBefore[i];
        tiesBefore[i] = sum;
        sum += count;
      }
    }
    barrier();
    uint rank = tiesBefore[t];
    for (uint i = start; i < end; i++) {
      uint key = keyOf(x[base + i]);
      bool take = key > threshold;
      if (key == threshold) {
        take = rank < ties;
        rank++;
      }
      if (take) {
        uint slot = atomicAdd(gathered, 1u);
        sortKey[slot] = key;
        sortIndex[slot] = int(i);
      }
    }
    barrier();
    // Padding that sorts last: the smallest key at an index past every real one.
    for (uint i = p.k + t; i < p.sortSize; i += 256u) {
      sortKey[i] = 0u;
      sortIndex[i] = 0x7fffffff;
    }
    barrier();
    // 3. Bitonic sort into "goes before" order.
    for (uint size = 2u; size <= p.sortSize; size <<= 1u) {
      for (uint stride = size >> 1u; stride > 0u; stride >>= 1u) {
        for (uint i = t; i < p.sortSize; i += 256u) {
          uint j = i ^ stride;
          if (j > i) {
            bool forward = (i & size) == 0u;
            if (forward ? goesBefore(j, i) : goesBefore(i, j)) {
              uint key = sortKey[i];
              int index = sortIndex[i];
              sortKey[i] = sortKey[j];
              sortIndex[i] = sortIndex[j];
              sortKey[j] = key;
              sortIndex[j] = index;
            }
          }
        }
        barrier();
      }
    }
    for (uint i = t; i < p.k; i += 256u) {
      int at = sortIndex[i];
      values[row * p.k + i] = x[base + uint(at)];
      indices[row * p.k + i] = at;
    }
    barrier();  // before the next row reuses the shared memory
  }
}
