"""SimCLR's reference recipe, after the released code (google-research/simclr, TF1 version).

- Loss: objective.py add_contrastive_loss: L2-normalise, then for each half a cross-entropy over
  [h1·h2ᵀ, h1·h1ᵀ − 1e9·I]/τ with the positive on the diagonal of the first block; the loss is the SUM of
  the two halves' means (twice the mean over the 2N rows that the paper's Eq. 1 and our nt_xent average).
- Projection head: model_util.py projection_head ('nonlinear', two layers): dense without bias + BN
  (γ, β) + ReLU, then dense without bias + BN with γ and no β (center=False); dense kernels drawn from
  N(0, 0.01²) (linear_layer's kernel_initializer). Widths and the output (headOutput: 'linear' ends
  with a biased dense layer instead) follow our config.
- Both views pass through the network as one batch, so BN sees 2N samples (run.py concatenates the
  views along the batch axis).
- Optimisation: model_util.py add_weight_decay / get_optimizer: batch-norm parameters never decayed
  (the L2 loss skips 'batch_normalization'; LARS excludes 'batch_normalization' and 'bias'); the
  'momentum' optimiser is Nesterov SGD. Both are config fields here that both sides follow through the
  kit (exemptNormsFromDecay, nesterov; off by default, as torch.optim.SGD), like the head's end
  (headOutput): `--set headOutput=batch-norm --set nesterov=true --set exemptNormsFromDecay=true`
  trains the released recipe on both sides.
- Backbone (resnet.py residual_block): the last BN of each residual block starts at γ = 0 (init_zero).
- Views: data_util.py preprocess_for_train: crop (0.08, 1), flip, colour jitter p 0.8 (strength s),
  grayscale 0.2; blur off on CIFAR — all taken from our config by the kit.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import Recipe

REFERENCE = 'google-research/simclr (objective.py, model_util.py, resnet.py) in PyTorch'

# objective.py: the mask subtracted from a view's similarity with itself.
LARGE_NUM = 1e9


def contrastive_loss(z1, z2, temperature):
    """objective.py add_contrastive_loss without TPU replicas: loss_a + loss_b."""
    h1, h2 = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
    n = h1.shape[0]
    labels = torch.arange(n)
    self_mask = torch.eye(n, dtype=h1.dtype) * LARGE_NUM
    logits_aa = h1 @ h1.t() / temperature - self_mask
    logits_bb = h2 @ h2.t() / temperature - self_mask
    logits_ab = h1 @ h2.t() / temperature
    logits_ba = h2 @ h1.t() / temperature
    loss_a = F.cross_entropy(torch.cat([logits_ab, logits_aa], 1), labels)
    loss_b = F.cross_entropy(torch.cat([logits_ba, logits_bb], 1), labels)
    return loss_a + loss_b


def nt_xent_fixture(inputs, params):
    # The fixture's nt_xent is the mean over the 2N rows: half the released loss.
    return 0.5 * contrastive_loss(inputs['z1'], inputs['z2'], params['temperature'])


FIXTURES = {'nt_xent': nt_xent_fixture}


def projection_head(in_dim, hidden_dim, out_dim, released_output=True, released_init=True):
    """model_util.py projection_head, 'nonlinear' with two layers. ``released_output=False`` ends it as
    ours does (engine/nn/heads/mlp-head.ts): a dense layer with a bias and no batch norm.
    ``released_init=False`` keeps PyTorch's default dense init, U(±1/√fan_in), which ours uses."""
    mods = [
        nn.Linear(in_dim, hidden_dim, bias=False),
        nn.BatchNorm1d(hidden_dim),
        nn.ReLU(inplace=True),
        nn.Linear(hidden_dim, out_dim, bias=not released_output),
    ]
    if released_output:
        out_bn = nn.BatchNorm1d(out_dim)
        # center=False on the output BN: a scale γ but no shift β.
        nn.init.zeros_(out_bn.bias)
        out_bn.bias.requires_grad_(False)
        mods.append(out_bn)
    head = nn.Sequential(*mods)
    if released_init:
        for m in head:
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.01)
    return head


def zero_init_last_bn(encoder):
    """resnet.py residual_block: batch_norm_relu(..., init_zero=True) after each block's second conv."""
    for m in encoder.modules():
        if hasattr(m, 'bn2') and isinstance(m.bn2, nn.BatchNorm2d):
            nn.init.zeros_(m.bn2.weight)


class SimCLRRecipe(Recipe):
    """Encoder f and projection head g; NT-Xent between the two views of each image (Chen et al. 2020, Sec. 2.1)."""

    def __init__(self, cfg, kit):
        super().__init__(cfg)
        self.encoder, dim = kit.backbone(cfg)
        if cfg['backbone'] == 'resnet18':
            zero_init_last_bn(self.encoder)
        ablation = cfg.get('ablation', {})
        self.head = projection_head(dim, int(cfg['projectionHiddenDim']), int(cfg['projectionDim']),
                                    released_output=cfg.get('headOutput', 'linear') == 'batch-norm',
                                    released_init='init' not in ablation)
        self.summed_loss = 'loss' not in ablation
        view = kit.augmentation(cfg, 'global', sigma='output')
        self.view_transforms = [view, view]

    def loss(self, views, progress):
        v1, v2 = views
        z = self.head(self.encoder(torch.cat([v1, v2])))
        z1, z2 = z.chunk(2)
        loss = contrastive_loss(z1, z2, float(self.cfg['temperature']))
        return loss if self.summed_loss else 0.5 * loss


# Switches run.py's "ablation" may set, each one piece done ours' way (to measure what explains a gap):
# the switch's one value, and what it does.
ABLATIONS = {
    'loss': ('mean', 'the mean of the two directions (Eq. 1 over all 2N views), as ours, not their sum'),
    'init': ('ours', "the head's dense layers in PyTorch's default init U(±1/√fan_in), as ours, not N(0, 0.01²)"),
}


def build(cfg, kit):
    return SimCLRRecipe(cfg, kit)
