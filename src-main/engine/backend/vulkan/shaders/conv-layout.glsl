// The push constants every 2-D convolution shader takes: NHWC activations, HWIO filters (TensorFlow's
// layouts), and the geometry tfjs's computeConv2DInfo gives.
layout(push_constant) uniform Push {
  uint n, h, w, cin;     // the input x
  uint oh, ow, cout;     // the output y
  uint kh, kw;           // the filter
  uint strideH, strideW;
  int padTop, padLeft;
  uint dilationH, dilationW;
  uint slices;           // the filter gradient's: how many parts the batch is summed in
} p;
