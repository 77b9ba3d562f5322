"""Reference training-step throughput for ContrastLab's small ConvNet: one SimCLR step (two views,
NT-Xent, SGD) in PyTorch on the CPU or a CUDA GPU. The companion of ../shared/bench/torch_simclr_step.py (which
covers the CIFAR ResNet-18), with the same command line and the same JSON output, so that
`contrastlab bench --backbone convnet --compare-torch` has a yardstick.

The network mirrors src-main/engine/nn/backbones.ts `SmallConvNet` and the SimCLR method's head:
  four stages of conv 3x3 (no bias) -> BatchNorm -> ReLU with w, 2w, 4w, 8w channels, stride 1 then
  2, 2, 2; global average pooling (feature size 8w); projection head
  Linear(8w, hidden, no bias) -> BatchNorm1d -> ReLU -> Linear(hidden, 128) with hidden = 2 * 8w
  (what `bench` uses for SimCLR, as the ResNet yardstick's head does). NT-Xent with tau = 0.5,
  SGD(lr 0.06, momentum 0.9, weight decay 5e-4) as in the ResNet script.
  tfjs 'same' padding pads stride-2 convolutions (0, 1) where PyTorch's padding=1 pads (1, 1): the
  output shapes and the arithmetic are the same.

Needs Debian's PyTorch: apt-get install -y python3-torch   (then run with /usr/bin/python3)
Usage: /usr/bin/python3 torch_convnet_step.py [--width 32] [--batch-size 128] [--steps 5] [--threads N] [--device cpu|cuda]
Prints one JSON object: images_per_s counts both views of every image in the batch.
"""
import argparse, json, os, time
import torch, torch.nn as nn, torch.nn.functional as F


def small_convnet(width):
    layers, cin = [], 3
    for stage in range(4):
        cout = width * 2 ** stage
        layers += [nn.Conv2d(cin, cout, 3, 1 if stage == 0 else 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
        cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten()), cin


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--width', type=int, default=32); ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--steps', type=int, default=5); ap.add_argument('--threads', type=int, default=os.cpu_count())
    ap.add_argument('--device', default='cpu', help='cpu or cuda (cuda:N)')
    a = ap.parse_args()
    dev = torch.device(a.device)
    torch.manual_seed(0); torch.set_num_threads(a.threads)
    backbone, dim = small_convnet(a.width)
    hidden = 2 * dim
    model = nn.Sequential(backbone, nn.Linear(dim, hidden, bias=False), nn.BatchNorm1d(hidden), nn.ReLU(),
                          nn.Linear(hidden, 128)).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.06, momentum=0.9, weight_decay=5e-4)
    n = a.batch_size
    views = torch.randn(2 * n, 3, 32, 32, device=dev)
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(n)]).to(dev)
    mask = torch.eye(2 * n, dtype=torch.bool, device=dev)
    # loss.item() waits for each step; the synchronisations make the timing's edges exact too.
    sync = torch.cuda.synchronize if dev.type == 'cuda' else (lambda: None)

    def step():
        z = F.normalize(model(views), dim=1)
        loss = F.cross_entropy((z @ z.t() / 0.5).masked_fill(mask, float('-inf')), target)
        opt.zero_grad(); loss.backward(); opt.step()
        return loss.item()

    step(); sync()
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    sync()
    seconds = (time.perf_counter() - start) / a.steps
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else 'cpu'
    print(json.dumps({'reference': f'pytorch {torch.__version__} {name}', 'device': dev.type, 'backbone': 'convnet',
                      'width': a.width, 'batch_size': n, 'threads': a.threads, 'step_ms': seconds * 1000,
                      'images_per_s': 2 * n / seconds}))


if __name__ == '__main__':
    main()
