// The push constants every 2-D convolution and pooling shader takes: NHWC activations, HWIO filters
// (TensorFlow's layouts), and the geometry tfjs's computeConv2DInfo (computePool2DInfo for a pool, whose
// cout is cin and whose kh, kw are its window) gives.
layout(push_constant) uniform Push {
  uint n, h, w, cin;     // the input x
  uint oh, ow, cout;     // the output y
  uint kh, kw;           // the filter
  uint strideH, strideW;
  int padTop, padLeft;
  uint dilationH, dilationW;
  uint slices;           // the filter gradient's: how many parts the batch is summed in
} p;
