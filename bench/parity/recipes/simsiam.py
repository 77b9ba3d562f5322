"""SimSiam's reference recipe, after the released code (facebookresearch/simsiam).

- Model (simsiam/builder.py SimSiam): the encoder is built with zero_init_residual=True (each residual
  block's last BN starts at γ = 0; nothing to do for the ConvNet, which has no residual blocks). The
  projector is Linear (no bias) → BN → ReLU per hidden layer, then the output Linear → BN without affine
  parameters (its bias is frozen in builder.py, a constant that the BN removes; left out here). The
  predictor is a bottleneck: Linear (no bias) → BN → ReLU → Linear (with bias). Widths and depth follow
  our config: projectionLayers layers of projectionDim (the released projector has 3 layers whose hidden
  width is the backbone's feature size and whose output is `dim`), the predictor's hidden width
  round(projectionDim / 4) (the released 512 for 2048).
- Step (builder.py forward, main_simsiam.py train): each view through the encoder on its own (BN per
  view); loss = −½(cos(p1, sg(z2)).mean() + cos(p2, sg(z1)).mean()) (nn.CosineSimilarity).
- Optimisation (main_simsiam.py): SGD with momentum and weight decay on every parameter; with
  ``--fix-pred-lr`` (our fixPredictorLr) the predictor's group keeps the initial rate lr·batch/256 while
  the encoder's follows the schedule (adjust_learning_rate).
- Views (main_simsiam.py augmentation, MoCo v2's): one transform for both crops, built by the kit from
  our augmentation fields, with blur σ scaled to the image size as ours (methods/ssl-views.ts).
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

REFERENCE = 'facebookresearch/simsiam (simsiam/builder.py, main_simsiam.py) in PyTorch'


def simsiam_loss(p1, p2, z1, z2):
    """main_simsiam.py: −(criterion(p1, z2).mean() + criterion(p2, z1).mean()) · 0.5, z detached
    (builder.py returns z1.detach(), z2.detach())."""
    return -(F.cosine_similarity(p1, z2.detach(), dim=1).mean()
             + F.cosine_similarity(p2, z1.detach(), dim=1).mean()) * 0.5


def simsiam_fixture(inputs, params):
    return simsiam_loss(inputs['p1'], inputs['p2'], inputs['z1'], inputs['z2'])


FIXTURES = {'simsiam': simsiam_fixture}


def zero_init_residual(encoder, kit):
    """torchvision's zero_init_residual for BasicBlock: the block's second BN starts at γ = 0."""
    for m in encoder.modules():
        if isinstance(m, kit.BasicBlock):
            nn.init.zeros_(m.bn2.weight)


def predictor_hidden_dim(dim):
    """round(d/4), rounding halves up as ours (methods/simsiam.ts), at least 1."""
    return max(1, int(math.floor(dim / 4 + 0.5)))


class SimSiam:
    """The recipe, mixed into the kit's Recipe by build() (so super() is kit.Recipe)."""

    def __init__(self, cfg, kit):
        super().__init__(cfg)
        dim = int(cfg['projectionDim'])
        self.encoder, features = kit.backbone(cfg)
        zero_init_residual(self.encoder, kit)
        self.projector = kit.mlp(features, dim, dim, layers=int(cfg['projectionLayers']), hidden_bn=True,
                                 last_bias=False, last_bn=True, last_bn_affine=False)
        self.predictor = kit.mlp(dim, predictor_hidden_dim(dim), dim, layers=2, hidden_bn=True, last_bias=True)
        self.fix_predictor_lr = bool(cfg['fixPredictorLr'])
        transform = kit.augmentation(cfg, 'global', sigma='paper')
        self.view_transforms = [transform, transform]

    def param_groups(self):
        """The kit's weight-decay groups, each split into the encoder's (scheduled) and the predictor's
        (fixed at the initial rate when fixPredictorLr), as main_simsiam.py's optim_params."""
        if not self.fix_predictor_lr:
            return super().param_groups()
        predictor = {id(p) for p in self.predictor.parameters()}
        groups = []
        for group in super().param_groups():
            for part, fixed in (('encoder', False), ('predictor', True)):
                params = [p for p in group['params'] if (id(p) in predictor) == fixed]
                if params:
                    groups.append({**group, 'params': params, 'name': f'{part}.{group["name"]}', 'fixed_lr': fixed})
        return groups

    def loss(self, views, progress):
        view1, view2 = views
        z1 = self.projector(self.encoder(view1))
        z2 = self.projector(self.encoder(view2))
        p1, p2 = self.predictor(z1), self.predictor(z2)
        return simsiam_loss(p1, p2, z1, z2)


def build(cfg, kit):
    class SimSiamRecipe(SimSiam, kit.Recipe):
        pass

    return SimSiamRecipe(cfg, kit)
