#version 450
// tf.image.cropAndResize (TensorFlow's crop_and_resize_op.cc, as tfjs's cpu kernel): output pixel (y, x)
// of box b samples image boxInd[b] at y1·(H−1) + y·(y2−y1)·(H−1)/(cropH−1) (the box's centre where
// cropH is 1), and likewise across; bilinear or nearest. Samples outside the image give the
// extrapolation value. A box whose image index is past the batch gives 0 (the cpu skips it, leaving its
// zeroed output); a negative index, which the cpu reads as NaN, gives 0 here too.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer Image { float image[]; };
layout(set = 0, binding = 1) readonly buffer Boxes { float boxes[]; };
layout(set = 0, binding = 2) readonly buffer BoxInd { int boxInd[]; };
layout(set = 0, binding = 3) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint n;  // boxes · cropH · cropW · channels
  uint batch, h, w, channels;
  uint cropH, cropW;
  uint nearest;
  float extrapolation;
} p;

// Where output index `i` (of `crop`) samples along an axis of `size` pixels, for a box from a to b.
float samplePosition(float a, float b, uint i, uint crop, uint size) {
  float last = float(size - 1u);
  return crop > 1u ? a * last + float(i) * ((b - a) * last / float(crop - 1u)) : 0.5 * (a + b) * last;
}

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    uint c = i % p.channels, rest = i / p.channels;
    uint x = rest % p.cropW; rest /= p.cropW;
    uint y = rest % p.cropH;
    uint b = rest / p.cropH;
    int image_ = boxInd[b];
    if (image_ < 0 || uint(image_) >= p.batch) {
      o[i] = 0.0;
      continue;
    }
    float yAt = samplePosition(boxes[b * 4u], boxes[b * 4u + 2u], y, p.cropH, p.h);
    float xAt = samplePosition(boxes[b * 4u + 1u], boxes[b * 4u + 3u], x, p.cropW, p.w);
    if (yAt < 0.0 || yAt > float(p.h - 1u) || xAt < 0.0 || xAt > float(p.w - 1u)) {
      o[i] = p.extrapolation;
      continue;
    }
    uint base = uint(image_) * p.h * p.w;
    if (p.nearest == 1u) {
      // JavaScript's Math.round: halves round up.
      uint ny = uint(floor(yAt + 0.5)), nx = uint(floor(xAt + 0.5));
      o[i] = image[((base + ny * p.w) + nx) * p.channels + c];
      continue;
    }
    uint top = uint(floor(yAt)), bottom = uint(ceil(yAt));
    uint left = uint(floor(xAt)), right = uint(ceil(xAt));
    float yLerp = yAt - float(top), xLerp = xAt - float(left);
    float topLeft = image[(base + top * p.w + left) * p.channels + c];
    float topRight = image[(base + top * p.w + right) * p.channels + c];
    float bottomLeft = image[(base + bottom * p.w + left) * p.channels + c];
    float bottomRight = image[(base + bottom * p.w + right) * p.channels + c];
    float upper = topLeft + (topRight - topLeft) * xLerp;
    float lower = bottomLeft + (bottomRight - bottomLeft) * xLerp;
    o[i] = upper + (lower - upper) * yLerp;
  }
}
