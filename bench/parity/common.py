"""The parity kit: what every PyTorch reference recipe in bench/parity/recipes/ shares.

Each recipe (one file per method) follows its method's released code for the algorithm: heads, loss,
momentum updates, what gets gradients. This kit gives every recipe the parts that must be the SAME as
ContrastLab's, so that a difference in kNN accuracy is the algorithm's and not the setting's:

- the CIFAR-10 subset, sliced as ours slices it (the first N training and test images; ``load_cifar``);
- the backbones in ContrastLab's shape (``backbone``; src-main/engine/nn/backbones.ts, resnet.ts);
- the views, driven by OUR augmentation config fields (``augmentation``; methods/views.ts, ssl-views.ts)
  and built from torchvision's transforms, which the released PyTorch code uses;
- the optimiser (SGD, LARS, AdamW; engine/nn/optimizers.ts), the batch-scaled learning rate
  (domain/learning-rate.ts) with its per-step warm-up + cosine schedule (engine/nn/schedule.ts), and the
  steps per epoch with the last partial batch dropped (engine/runner/train.ts);
- the training loop, the weighted kNN monitor (engine/eval/knn.ts: k, τ, L2-normalised backbone
  features with batch norm in eval mode, the first ``evalTrainSize`` training images) and seeding.

Config fields keep ContrastLab's names (``cfg['lr']``, ``cfg['cropMinScale']``, ...), so a ``--set`` on
our side changes the reference too.
"""

import math
import os
import random
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as T

# The CIFAR-10 training-set statistics ours normalises with (engine/data/cifar10.ts).
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.247, 0.2435, 0.2616)
CIFAR_SIDE = 32
CIFAR_CLASSES = 10
RECORD_BYTES = 1 + 3 * CIFAR_SIDE * CIFAR_SIDE

# The backbones this kit builds (``backbone``); others are refused before anything trains.
BACKBONES = ('convnet', 'resnet18')

# The batch size a learning rate is stated for (domain/learning-rate.ts; Goyal et al. 2017, Sec. 2.1).
LR_REFERENCE_BATCH = 256


class Unsupported(Exception):
    """A configuration the kit cannot reproduce (a backbone it does not build); one line for the user."""


# ----------------------------------------------------------------------------------------------- data


def _read_batches(files, limit):
    images, labels, total = [], [], 0
    for path in files:
        if limit is not None and total >= limit:
            break
        raw = np.fromfile(path, dtype=np.uint8).reshape(-1, RECORD_BYTES)
        labels.append(raw[:, 0].astype(np.int64))
        images.append(raw[:, 1:].reshape(-1, 3, CIFAR_SIDE, CIFAR_SIDE))
        total += raw.shape[0]
    x = np.concatenate(images)[:limit]
    y = np.concatenate(labels)[:limit]
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y)


def load_cifar(data_dir, train_size=None, test_size=None):
    """The CIFAR-10 binary batches as uint8 [N, 3, 32, 32] tensors and int64 labels.

    As ours (engine/data/cifar10.ts): the training split is data_batch_1..5 (those present) in order,
    the test split test_batch; ``train_size``/``test_size`` keep the first N of each.
    """
    nested = os.path.join(data_dir, 'cifar-10-batches-bin')
    if not os.path.isfile(os.path.join(data_dir, 'test_batch.bin')) and os.path.isdir(nested):
        data_dir = nested
    train_files = [os.path.join(data_dir, f'data_batch_{i}.bin') for i in range(1, 6)]
    train_files = [f for f in train_files if os.path.isfile(f)]
    if not train_files:
        raise FileNotFoundError(f'no CIFAR-10 training batches in {data_dir}')
    train_x, train_y = _read_batches(train_files, train_size)
    test_x, test_y = _read_batches([os.path.join(data_dir, 'test_batch.bin')], test_size)
    return {'train_x': train_x, 'train_y': train_y, 'test_x': test_x, 'test_y': test_y}


# ------------------------------------------------------------------------------------------ backbones


def _conv(cin, cout, kernel, stride):
    # PyTorch pads 3×3 convolutions 1 on every side; ours uses TF's 'same', which pads a stride-2 one
    # 0 before and 1 after. Same shapes, a half-pixel shift of the sampling grid.
    return nn.Conv2d(cin, cout, kernel, stride, padding=kernel // 2, bias=False)


class ConvNet(nn.Module):
    """Ours' SmallConvNet (engine/nn/backbones.ts): four conv-BN-ReLU stages of w, 2w, 4w, 8w channels,
    the last three with stride 2, then global average pooling; 8w features."""

    def __init__(self, width, in_channels=3):
        super().__init__()
        layers, cin = [], in_channels
        for stage in range(4):
            cout = width * 2 ** stage
            layers += [_conv(cin, cout, 3, 1 if stage == 0 else 2), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
            cin = cout
        self.net = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.out_dim = cin

    def forward(self, x):
        return self.net(x)


class BasicBlock(nn.Module):
    """torchvision's BasicBlock (He et al. 2016, Fig. 2), with a 1×1 conv + BN shortcut on a shape change."""

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1 = _conv(cin, planes, 3, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = _conv(planes, planes, 3, 1)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = None
        if stride != 1 or cin != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.shortcut is None else self.shortcut(x)))


class CifarResNet18(nn.Module):
    """ResNet-18 with the CIFAR stem (3×3 stride-1 conv, no max-pool; SimCLR appendix B.9), as ours
    (engine/nn/resnet.ts) and as the released CIFAR code builds it (solo-learn and the MoCo CIFAR demo
    replace torchvision's 7×7 stem and drop the max-pool); stages of w, 2w, 4w, 8w planes, 8w features."""

    def __init__(self, width, in_channels=3):
        super().__init__()
        layers = [_conv(in_channels, width, 3, 1), nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
        cin = width
        for stage in range(4):
            planes = width * 2 ** stage
            for i in range(2):
                layers.append(BasicBlock(cin, planes, 2 if i == 0 and stage > 0 else 1))
                cin = planes
        self.net = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.out_dim = cin

    def forward(self, x):
        return self.net(x)


def _torchvision_init(module):
    # torchvision's ResNet init (models/resnet.py): Kaiming-normal fan-out convolutions, BN γ = 1, β = 0.
    # Ours initialises its convolutions the same way (engine/nn/layers.ts, kaimingNormal of fan-out).
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def backbone(cfg, image_size=CIFAR_SIDE):
    """The encoder of ``cfg['backbone']`` at ``cfg['width']``: (nn.Module, feature dim).

    Batch norm keeps PyTorch's momentum 0.1 and ε 1e-5, ours' values in PyTorch's convention
    (engine/nn/layers.ts BatchNorm: running ← (1 − 0.1)·running + 0.1·batch, unbiased variance).
    """
    name, width = cfg['backbone'], int(cfg['width'])
    if name not in BACKBONES:
        raise Unsupported(f'the parity kit builds the {" and ".join(BACKBONES)} backbones, not {name}')
    if name == 'resnet18' and image_size > 64:
        raise Unsupported(f'the parity kit builds ResNet-18 with the CIFAR stem only (≤ 64 px), not {image_size} px')
    net = ConvNet(width) if name == 'convnet' else CifarResNet18(width)
    _torchvision_init(net)
    return net, net.out_dim


def mlp(in_dim, hidden_dim, out_dim, layers=2, hidden_bn=True, last_bias=True, last_bn=False, last_bn_affine=False):
    """``layers`` linear layers with (BN and) ReLU between them, in PyTorch's default init; hidden linear
    layers have no bias when followed by BN. ``last_bn`` adds a BN after the output layer."""
    mods, d = [], in_dim
    for _ in range(layers - 1):
        mods.append(nn.Linear(d, hidden_dim, bias=not hidden_bn))
        if hidden_bn:
            mods.append(nn.BatchNorm1d(hidden_dim))
        mods.append(nn.ReLU(inplace=True))
        d = hidden_dim
    mods.append(nn.Linear(d, out_dim, bias=last_bias))
    if last_bn:
        mods.append(nn.BatchNorm1d(out_dim, affine=last_bn_affine))
    return nn.Sequential(*mods)


# --------------------------------------------------------------------------------------- augmentation


def blur_kernel_size(image_size):
    """SimCLR's blur kernel: 10% of the side, odd (data_util.py; ours engine/data/blur.ts): 3 at 32 px."""
    return 2 * ((image_size // 10) // 2) + 1


def local_crop_side(image_size, configured=0):
    """Multi-crop's local crop side: round(side · 96/224) (14 at 32 px) unless set (methods/views.ts)."""
    if configured and configured > 0:
        return int(configured)
    return max(1, int(math.floor(image_size * 96 / 224 + 0.5)))


def augmentation(cfg, view_kind='global', image_size=CIFAR_SIDE, sigma='output', mean=CIFAR_MEAN, std=CIFAR_STD,
                 **overrides):
    """One view's transform from OUR augmentation fields: uint8 [3, H, W] → normalised float [3, s, s].

    The order and parameters of SimCLR appendix A as torchvision writes them (and the released PyTorch
    code uses): RandomResizedCrop(scale (cropMinScale, 1), ratio (3/4, 4/3)), flip, colour jitter with
    probability jitterProb and strength s (brightness, contrast, saturation 0.8s, hue 0.2s, random order),
    grayscale, Gaussian blur (kernel 10% of the image side, σ uniform), solarisation at 0.5, then
    (x − mean) / std.

    view_kind: 'global' (the image's side) or 'local' (multi-crop: localCropSide px, crop scale
    (localCropMinScale, localCropMaxScale)). sigma: 'output' — σ ∈ [0.1, 2.0] px as SimCLR and SwAV's
    views (methods/views.ts); 'paper' — σ scaled by image_size/224 (ssl-views.ts paperBlurSigma; MoCo v2,
    SimSiam, BYOL, DINO). overrides (our AugmentConfig's names in snake case): output_size, crop_scale,
    flip_prob, jitter_prob, grayscale_prob, blur_prob, blur_sigma, solarize_prob.
    """
    size = image_size
    crop_scale = (float(cfg['cropMinScale']), 1.0)
    if view_kind == 'local':
        size = local_crop_side(image_size, cfg.get('localCropSize', 0))
        crop_scale = (float(cfg['localCropMinScale']), float(cfg.get('localCropMaxScale', cfg['cropMinScale'])))
    elif view_kind != 'global':
        raise ValueError(f'unknown view kind {view_kind!r}')
    scale = image_size / 224 if sigma == 'paper' else 1.0
    p = {
        'output_size': size,
        'crop_scale': crop_scale,
        'flip_prob': float(cfg['flipProb']),
        'jitter_prob': float(cfg['jitterProb']),
        'grayscale_prob': float(cfg['grayscaleProb']),
        'blur_prob': float(cfg['blurProb']),
        'blur_sigma': (0.1 * scale, 2.0 * scale),
        'solarize_prob': float(cfg['solarizeProb']),
    }
    unknown = set(overrides) - set(p)
    if unknown:
        raise ValueError(f'unknown augmentation overrides {sorted(unknown)}')
    p.update(overrides)
    s = float(cfg['jitterStrength'])
    steps = [
        T.ConvertImageDtype(torch.float32),
        T.RandomResizedCrop(p['output_size'], scale=tuple(p['crop_scale']), ratio=(3 / 4, 4 / 3), antialias=True),
        T.RandomHorizontalFlip(p['flip_prob']),
        T.RandomApply([T.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, min(0.5, 0.2 * s))], p=p['jitter_prob']),
        T.RandomGrayscale(p['grayscale_prob']),
    ]
    kernel = blur_kernel_size(image_size)
    if p['blur_prob'] > 0 and kernel > 1:
        steps.append(T.RandomApply([T.GaussianBlur(kernel, sigma=tuple(p['blur_sigma']))], p=p['blur_prob']))
    if p['solarize_prob'] > 0:
        steps.append(T.RandomSolarize(0.5, p=p['solarize_prob']))
    steps.append(T.Normalize(mean, std))
    return T.Compose(steps)


def apply_views(images, transform):
    """One view of every image of a uint8 batch [B, 3, H, W], each drawn independently: [B, 3, s, s]."""
    return torch.stack([transform(img) for img in images])


def normalise(images, mean=CIFAR_MEAN, std=CIFAR_STD):
    """uint8 [B, 3, H, W] → (x/255 − mean) / std, un-augmented (the kNN monitor's input)."""
    x = images.float().div_(255)
    m = torch.tensor(mean).view(1, -1, 1, 1)
    s = torch.tensor(std).view(1, -1, 1, 1)
    return (x - m) / s


# ------------------------------------------------------------------------------------------- recipes


@dataclass
class Progress:
    """Where training is: ``step`` counts from 0 over all epochs, ``epoch`` from 0."""

    step: int
    total_steps: int
    epoch: int
    epochs: int
    steps_per_epoch: int


def is_decay_exempt(param):
    """Biases and batch-norm γ, β: every 1-D parameter (ours: names ending bias/gamma/beta, optimizers.ts)."""
    return param.ndim <= 1


class Recipe(nn.Module):
    """A method's reference: set ``self.encoder`` and ``self.view_transforms`` (or override ``views``),
    implement ``loss``; override the hooks where the released code does something at that point."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.encoder = None
        self.view_transforms = []

    def views(self, images):
        return [apply_views(images, t) for t in self.view_transforms]

    def loss(self, views, progress):
        raise NotImplementedError

    def param_groups(self):
        """Ours' weight-decay rule: SGD decays every parameter (torch.optim.SGD, as ours) unless the config's
        exemptNormsFromDecay; LARS and AdamW exempt biases and BN parameters (optimizers.ts isDecayExempt;
        SimCLR appendix B.1)."""
        params = [p for p in self.parameters() if p.requires_grad]
        wd = float(self.cfg['weightDecay'])
        if self.cfg['optimizer'] == 'sgd' and not self.cfg.get('exemptNormsFromDecay', False):
            return [{'params': params, 'name': 'all', 'weight_decay': wd, 'fixed_lr': False}]
        decayed = [p for p in params if not is_decay_exempt(p)]
        exempt = [p for p in params if is_decay_exempt(p)]
        return [
            {'params': decayed, 'name': 'decayed', 'weight_decay': wd, 'fixed_lr': False},
            {'params': exempt, 'name': 'exempt', 'weight_decay': 0.0, 'fixed_lr': False, 'lars_exclude': True},
        ]

    def after_backward(self, progress):
        pass

    def after_step(self, progress):
        pass

    def weight_decay_at(self, progress):
        return None

    def lr_scale(self, group, progress):
        return 1.0


# ---------------------------------------------------------------------------------------- optimiser


class Lars(torch.optim.Optimizer):
    """LARS (You et al. 2017) as ours (optimizers.ts) and as BYOL's optax.lars and solo-learn's LARS:
    g ← g + λw; g ← g · η‖w‖/‖g‖ (η = 0.001, 1 where either norm is 0); v ← μv + g; w ← w − lr·v. Groups
    with ``lars_exclude`` (biases, BN) get neither decay nor adaptation. (SimCLR's TF LARS puts lr inside
    the momentum, v ← μv + lr·g; equal under a constant rate.)"""

    def __init__(self, params, lr, momentum=0.9, weight_decay=0.0, trust_coefficient=0.001):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay,
                                      trust_coefficient=trust_coefficient, lars_exclude=False))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                g = p.grad
                if not group['lars_exclude']:
                    g = g.add(p, alpha=group['weight_decay'])
                    w_norm, g_norm = torch.norm(p), torch.norm(g)
                    adapted = group['trust_coefficient'] * w_norm / g_norm
                    trust = torch.where((w_norm > 0) & (g_norm > 0), adapted, torch.ones_like(w_norm))
                    g = g.mul(trust)
                state = self.state[p]
                if 'velocity' not in state:
                    state['velocity'] = torch.zeros_like(p)
                v = state['velocity']
                v.mul_(group['momentum']).add_(g)
                p.add_(v, alpha=-group['lr'])


def make_optimizer(cfg, groups):
    kind = cfg['optimizer']
    if kind == 'sgd':
        # torch.optim.SGD: v ← μv + (g + λw); w ← w − lr·v (with Nesterov: w ← w − lr·(g + λw + μv)),
        # exactly ours' Sgd.
        return torch.optim.SGD(groups, lr=0.0, momentum=float(cfg['momentum']),
                               nesterov=bool(cfg.get('nesterov', False)))
    if kind == 'lars':
        return Lars(groups, lr=0.0, momentum=float(cfg['momentum']),
                    trust_coefficient=float(cfg.get('larsTrustCoefficient', 0.001)))
    if kind == 'adamw':
        # Decoupled decay w ← w(1 − lr·λ), β = (0.9, 0.999), ε = 1e-8, as ours' AdamW.
        return torch.optim.AdamW(groups, lr=0.0, betas=(0.9, 0.999), eps=1e-8)
    raise Unsupported(f'unknown optimizer {kind}')


def warmup_cosine(step, total_steps, warmup_steps, peak):
    """Ours' schedule (engine/nn/schedule.ts warmupCosine): peak·(step+1)/W during warm-up, then half a
    cosine from peak to 0 at the last step."""
    if warmup_steps > 0 and step < warmup_steps:
        return peak * (step + 1) / warmup_steps
    span = max(1, total_steps - warmup_steps)
    progress = min(1.0, (step - warmup_steps) / span)
    return 0.5 * peak * (1 + math.cos(math.pi * progress))


def scheduled_lr(cfg, step, total_steps, warmup_steps, peak):
    """The step's rate; MoCo v1's step schedule where the config asks for it (schedule.ts warmupStep)."""
    if cfg.get('lrSchedule') == 'step':
        if warmup_steps > 0 and step < warmup_steps:
            return peak * (step + 1) / warmup_steps
        passed = sum(1 for m in (0.6, 0.8) if step >= m * total_steps)
        return peak * 0.1 ** passed
    return warmup_cosine(step, total_steps, warmup_steps, peak)


# ---------------------------------------------------------------------------------------------- kNN


@torch.no_grad()
def features(encoder, images, batch=256):
    """L2-normalised features of un-augmented images with BN in eval mode (engine/eval/features.ts)."""
    was_training = encoder.training
    encoder.eval()
    out = []
    for start in range(0, len(images), batch):
        out.append(F.normalize(encoder(normalise(images[start:start + batch])), dim=1, eps=1e-12))
    encoder.train(was_training)
    return torch.cat(out)


@torch.no_grad()
def knn_top1(encoder, data, cfg, classes=CIFAR_CLASSES):
    """Weighted kNN (Wu et al. 2018, eq. 9; engine/eval/knn.ts): each of the k most cosine-similar
    training images votes exp(s/τ) for its class; fits on the first evalTrainSize training images."""
    fit = int(cfg.get('evalTrainSize', 0) or 0)
    train_x, train_y = data['train_x'], data['train_y']
    if 0 < fit < len(train_x):
        train_x, train_y = train_x[:fit], train_y[:fit]
    train_f = features(encoder, train_x)
    test_f = features(encoder, data['test_x'])
    k = min(int(cfg['knnK']), len(train_f))
    correct = 0
    for start in range(0, len(test_f), 256):
        sim = test_f[start:start + 256] @ train_f.t()
        values, idx = sim.topk(k, dim=1)
        weights = (values / float(cfg['knnTemperature'])).exp()
        votes = (F.one_hot(train_y[idx], classes).float() * weights.unsqueeze(2)).sum(1)
        correct += (votes.argmax(1) == data['test_y'][start:start + 256]).sum().item()
    return correct / len(test_f)


# ------------------------------------------------------------------------------------------ training


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def schedule_facts(cfg, train_count):
    """(batch, steps per epoch, total steps, warm-up steps, peak lr) as ours' train.ts computes them: the
    batch capped at the split, the last partial batch dropped, warm-up rounded half up."""
    batch = min(int(cfg['batchSize']), train_count)
    steps_per_epoch = train_count // batch
    total = steps_per_epoch * int(cfg['epochs'])
    warmup = int(math.floor(float(cfg['warmupEpochs']) * steps_per_epoch + 0.5))
    peak = float(cfg['lr']) * batch / LR_REFERENCE_BATCH
    return batch, steps_per_epoch, total, warmup, peak


def draw_views(recipe, images):
    """The recipe's views of a batch on one thread: torchvision's per-image ops are too small to share,
    and intra-op threads on them cost more than they save (seconds per batch on a busy 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return recipe.views(images)
    finally:
        torch.set_num_threads(threads)


def train(recipe, data, cfg, log=None):
    """Trains ``recipe`` with ours' loop semantics; returns the numbers run.py prints."""
    train_x = data['train_x']
    batch, steps_per_epoch, total, warmup, peak = schedule_facts(cfg, len(train_x))
    if steps_per_epoch == 0:
        raise Unsupported('fewer training images than one batch')
    groups = recipe.param_groups()
    for g in groups:
        g.setdefault('fixed_lr', False)
        g['base_weight_decay'] = g['weight_decay']
    optimizer = make_optimizer(cfg, groups)
    epochs = int(cfg['epochs'])
    started = time.perf_counter()
    knn_init = knn_top1(recipe.encoder, data, cfg)
    recipe.train()
    step, loss_value, train_s, views_per_image = 0, float('nan'), 0.0, None
    for epoch in range(epochs):
        order = torch.randperm(len(train_x))
        epoch_start = time.perf_counter()
        for b in range(steps_per_epoch):
            progress = Progress(step, total, epoch, epochs, steps_per_epoch)
            images = train_x[order[b * batch:(b + 1) * batch]]
            views = draw_views(recipe, images)
            views_per_image = len(views)
            loss = recipe.loss(views, progress)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            recipe.after_backward(progress)
            lr = scheduled_lr(cfg, step, total, warmup, peak)
            decay = recipe.weight_decay_at(progress)
            for g in optimizer.param_groups:
                g['lr'] = (peak if g['fixed_lr'] else lr) * recipe.lr_scale(g, progress)
                if decay is not None and g['base_weight_decay'] > 0:
                    g['weight_decay'] = decay
            optimizer.step()
            recipe.after_step(progress)
            loss_value = loss.item()
            if not math.isfinite(loss_value):
                raise FloatingPointError(f'loss became {loss_value} at step {step + 1}')
            step += 1
        train_s += time.perf_counter() - epoch_start
        if log:
            log(f'epoch {epoch + 1}/{epochs}: loss {loss_value:.4f}')
    knn_final = knn_top1(recipe.encoder, data, cfg)
    return {
        'epochs': epochs,
        'batch_size': batch,
        'steps': step,
        'views_per_image': views_per_image,
        'knn_top1_init': knn_init,
        'knn_top1': knn_final,
        'final_loss': loss_value,
        'train_s': train_s,
        'wall_s': time.perf_counter() - started,
        'train_images_per_s': step * batch / train_s if train_s > 0 else None,
    }


def crop_area_fractions(image_size, crop_min_scale, count, seed=0):
    """The area fractions of ``count`` crops as the kit's views draw them (torchvision's
    RandomResizedCrop.get_params), for comparing with ours' sampleCropRect one piece at a time."""
    torch.manual_seed(seed)
    img = torch.zeros(3, image_size, image_size)
    out = []
    for _ in range(count):
        _, _, h, w = T.RandomResizedCrop.get_params(img, (crop_min_scale, 1.0), (3 / 4, 4 / 3))
        out.append(h * w / (image_size * image_size))
    return out
