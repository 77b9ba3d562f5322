"""BYOL's reference recipe, after the released code (google-deepmind/deepmind-research, byol/).

- Networks (byol_experiment.py _forward, utils/networks.py MLP): the online network is encoder →
  projector → predictor, the target network encoder → projector; each MLP is Linear (with bias) → BN →
  ReLU → Linear (no bias), BN with decay 0.9 and ε 1e-5 (PyTorch's momentum 0.1). Haiku's Linear
  initialisation: weights from a normal truncated at 2σ with σ = 1/√fan_in, biases 0. Widths follow our
  config (projectionHiddenDim for both hidden layers, projectionDim).
- The target starts from its OWN random initialisation (_make_initial_state draws online and target
  parameters with different keys), not a copy of the online network.
- Each view goes through the networks on its own (apply_once_fn), so BN statistics are per view; the
  target runs in training mode too (is_training=True), without gradients.
- Loss (loss_fn, utils/helpers.py regression_loss): ‖normalize(p) − normalize(sg(z′))‖² summed over
  features, i.e. 2 − 2cos, for (p1, z2) and (p2, z1), added per image and averaged over the batch. The
  released online linear classifier on sg(features) is left out: it changes no representation weight.
- Update (_update_fn): the optimiser step on the online parameters, then the target's PARAMETERS
  move toward the NEW online ones, ξ ← ξ + (1 − τ)(θ − ξ), with τ = 1 − (1 − τ_base)(cos(πk/K) + 1)/2 at
  the step k just taken (utils/schedules.py target_ema); the target's BN statistics are its own.
- Views (utils/augmentations.py augment_config): view 1 blurred with probability blurProb and never
  solarised, view 2 blurred with secondViewBlurProb and solarised with solarizeProb; σ scaled to the
  image size as ours (methods/ssl-views.ts asymmetricViews, paperBlurSigma); the rest from our fields.
- Optimisation: LARS excluding biases and BN parameters from decay and adaptation
  (optimizers.exclude_bias_and_norm), warm-up + cosine — the kit's.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

REFERENCE = 'google-deepmind/deepmind-research byol/ (byol_experiment.py, utils/) in PyTorch'


def regression_loss(x, y):
    """utils/helpers.py regression_loss: per image, the squared distance of the L2-normalised rows."""
    return ((F.normalize(x, dim=-1) - F.normalize(y, dim=-1)) ** 2).sum(dim=-1)


def byol_loss(p1, p2, z1, z2):
    """byol_experiment.py loss_fn's representation loss; the target projections get no gradient."""
    return (regression_loss(p1, z2.detach()) + regression_loss(p2, z1.detach())).mean()


def byol_fixture(inputs, params):
    return byol_loss(inputs['p1'], inputs['p2'], inputs['z1'], inputs['z2'])


FIXTURES = {'byol': byol_fixture}


def target_ema(step, base_ema, max_steps):
    """utils/schedules.py target_ema: τ rises from base_ema to 1 on a half cosine over max_steps."""
    progress = min(step, max_steps) / max(1, max_steps)
    return 1.0 - (1.0 - base_ema) * 0.5 * (1.0 + math.cos(math.pi * progress))


def haiku_linear(in_dim, out_dim, bias):
    """hk.Linear's default initialisation: TruncatedNormal(1/√fan_in) weights, zero bias."""
    layer = nn.Linear(in_dim, out_dim, bias=bias)
    std = 1.0 / math.sqrt(in_dim)
    nn.init.trunc_normal_(layer.weight, std=std, a=-2 * std, b=2 * std)
    if bias:
        nn.init.zeros_(layer.bias)
    return layer


def byol_mlp(in_dim, hidden_dim, out_dim):
    """utils/networks.py MLP: Linear(bias) → BatchNorm → ReLU → Linear(no bias)."""
    return nn.Sequential(
        haiku_linear(in_dim, hidden_dim, bias=True),
        nn.BatchNorm1d(hidden_dim, eps=1e-5, momentum=0.1),
        nn.ReLU(inplace=True),
        haiku_linear(hidden_dim, out_dim, bias=False),
    )


class Byol:
    """The recipe, mixed into the kit's Recipe by build() (so super() is kit.Recipe)."""

    def __init__(self, cfg, kit):
        super().__init__(cfg)
        hidden, dim = int(cfg['projectionHiddenDim']), int(cfg['projectionDim'])
        self.encoder, features = kit.backbone(cfg)
        self.projector = byol_mlp(features, hidden, dim)
        self.predictor = byol_mlp(dim, hidden, dim)
        # A second, independent draw (byol_experiment.py _make_initial_state: rng_target).
        self.target_encoder, _ = kit.backbone(cfg)
        self.target_projector = byol_mlp(features, hidden, dim)
        if cfg.get('ablation', {}).get('target_init') == 'copy':
            # Ours' start (and lucidrains/byol-pytorch's): the target a copy of the online network.
            self.target_encoder.load_state_dict(self.encoder.state_dict())
            self.target_projector.load_state_dict(self.projector.state_dict())
        for p in self.target_parameters():
            p.requires_grad = False
        self.base_ema = float(cfg['targetDecay'])
        first_view = kit.augmentation(cfg, 'global', sigma='paper', solarize_prob=0.0)
        second_view = kit.augmentation(cfg, 'global', sigma='paper', blur_prob=float(cfg['secondViewBlurProb']))
        self.view_transforms = [first_view, second_view]

    def online_parameters(self):
        """The online parameters the target averages (encoder and projector, in the target's order)."""
        return list(self.encoder.parameters()) + list(self.projector.parameters())

    def target_parameters(self):
        return list(self.target_encoder.parameters()) + list(self.target_projector.parameters())

    def loss(self, views, progress):
        view1, view2 = views
        p1 = self.predictor(self.projector(self.encoder(view1)))
        p2 = self.predictor(self.projector(self.encoder(view2)))
        with torch.no_grad():
            z1 = self.target_projector(self.target_encoder(view1))
            z2 = self.target_projector(self.target_encoder(view2))
        return byol_loss(p1, p2, z1, z2)

    @torch.no_grad()
    def after_step(self, progress):
        tau = target_ema(progress.step, self.base_ema, progress.total_steps)
        for online, target in zip(self.online_parameters(), self.target_parameters()):
            target.add_(online - target, alpha=1 - tau)


# Switches run.py's "ablation" may set, each one piece done ours' way (to measure what explains a gap):
# the switch's one value, and what it does.
ABLATIONS = {'target_init': ('copy', 'the target starts as a copy of the online network, as ours does')}


def build(cfg, kit):
    class ByolRecipe(Byol, kit.Recipe):
        pass

    return ByolRecipe(cfg, kit)
