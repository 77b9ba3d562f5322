"""DINO's reference recipe, after the released code (facebookresearch/dino), on the kit's backbones.

- Networks (main_dino.py train_dino, utils.py MultiCropWrapper, vision_transformer.py DINOHead): student
  and teacher are each backbone + DINOHead, built separately; the teacher then loads the student's
  state (weights and BN statistics) and gets no gradients. DINOHead without BN: Linear → GELU → Linear →
  GELU → Linear to the bottleneck (trunc-normal σ 0.02 weights, zero biases), L2 normalisation, then
  weight_norm(Linear(bottleneck, K, bias=False)) with the gain g filled with 1 and frozen
  (norm_last_layer), its direction v in PyTorch's default Linear initialisation (the head's init runs
  before the last layer is made). Widths follow our config (headHiddenDim, bottleneckDim, prototypes).
  MultiCropWrapper: one backbone pass per run of equal-size crops, then the head on all features.
- Step (main_dino.py train_one_epoch): the teacher (in training mode, so its BN normalises with batch
  statistics and keeps its own running statistics) sees the 2 global crops, the student every crop;
  DINOLoss: teacher softmax((t − c)/τ_t) detached, −Σ q log softmax(s/τ_s) for every (teacher crop,
  other student crop) pair, averaged; then the centre c ← m·c + (1 − m)·mean of this batch's teacher
  outputs. τ_t: np.linspace(warm-up τ, τ, warm-up epochs) indexed by the EPOCH, then τ.
- Update: backward; per-parameter clipping (utils.clip_gradients: g · clip/(‖g‖ + 1e-6) where that is
  below 1); then, while epoch < freezeLastLayerEpochs, the last layer's gradients set to None
  (utils.cancel_gradients_last_layer: the optimiser skips it, no decay, no moment update); the step;
  then the teacher's PARAMETERS (not its BN statistics) move to m·θ_t + (1 − m)·θ_s with
  m = 1 + (m₀ − 1)(1 + cos(π·it/total))/2 (utils.cosine_scheduler from teacherMomentum to 1).
- Weight decay (main_dino.py): cosine_scheduler(weightDecay, weightDecayEnd) per step on the regularised
  group only (weights; biases and norms have none: utils.get_params_groups, as the kit's groups).
- Views (main_dino.py DataAugmentationDINO): global crop 1 blurred with probability blurProb and not
  solarised, global crop 2 blurred with secondViewBlurProb and solarised with solarizeProb, localCrops
  local crops with localBlurProb and no solarisation, crop scale (localCropMinScale, cropMinScale);
  σ scaled to the image as ours (methods/ssl-views.ts paperView); the rest from our fields via the kit.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import Recipe

REFERENCE = 'facebookresearch/dino (main_dino.py, utils.py, vision_transformer.py DINOHead) in PyTorch'

# DINOLoss: the teacher's output is chunked into the 2 global crops.
TEACHER_CROPS = 2


def dino_loss(student_output, teacher_output, center, student_temp, teacher_temp, n_crops):
    """main_dino.py DINOLoss.forward (without the centre update): [V·B, K] student and [2·B, K] teacher
    logits, centre [1, K]."""
    student_out = (student_output / student_temp).chunk(n_crops)
    teacher_out = F.softmax((teacher_output - center) / teacher_temp, dim=-1).detach().chunk(TEACHER_CROPS)
    total, terms = 0.0, 0
    for iq, q in enumerate(teacher_out):
        for v, s in enumerate(student_out):
            if v == iq:  # the same view seen by teacher and student is skipped
                continue
            total = total + torch.sum(-q * F.log_softmax(s, dim=-1), dim=-1).mean()
            terms += 1
    return total / terms


@torch.no_grad()
def updated_center(center, teacher_output, center_momentum):
    """main_dino.py DINOLoss.update_center: EMA of the mean teacher output over the batch's 2·B rows."""
    batch_center = torch.sum(teacher_output, dim=0, keepdim=True) / len(teacher_output)
    return center * center_momentum + batch_center * (1 - center_momentum)


def dino_fixture(inputs, params):
    student, teacher, center = inputs['student'], inputs['teacher'], inputs['center']
    k = student.shape[-1]
    student_output, teacher_output = student.reshape(-1, k), teacher.reshape(-1, k)
    loss = dino_loss(student_output, teacher_output, center.view(1, k), params['student_temperature'],
                     params['teacher_temperature'], student.shape[0])
    new_center = updated_center(center.view(1, k), teacher_output, params['center_momentum'])
    return {'loss': loss, 'new_center': new_center.view(k)}


FIXTURES = {'dino': dino_fixture}


def cosine_at(step, total_steps, base_value, final_value):
    """utils.cosine_scheduler without warm-up, at one iteration: final + (base − final)(1 + cos(π·it/N))/2."""
    return final_value + 0.5 * (base_value - final_value) * (1 + math.cos(math.pi * step / total_steps))


def teacher_temperature_at(epoch, warmup_temp, temp, warmup_epochs):
    """DINOLoss.teacher_temp_schedule[epoch]: np.linspace(warmup_temp, temp, warmup_epochs), then temp."""
    if epoch >= warmup_epochs:
        return temp
    if warmup_epochs == 1:
        return warmup_temp
    return warmup_temp + (temp - warmup_temp) * epoch / (warmup_epochs - 1)


class DinoHead(nn.Module):
    """vision_transformer.py DINOHead with use_bn=False, norm_last_layer=True."""

    def __init__(self, in_dim, out_dim, hidden_dim, bottleneck_dim, nlayers=3):
        super().__init__()
        dims = [in_dim] + [hidden_dim] * (nlayers - 1) + [bottleneck_dim]
        layers = []
        for i in range(nlayers):
            layers.append(nn.Linear(dims[i], dims[i + 1]))
            if i < nlayers - 1:
                layers.append(nn.GELU())
        self.mlp = nn.Sequential(*layers)
        for m in self.mlp:
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
        self.last_layer = nn.utils.weight_norm(nn.Linear(bottleneck_dim, out_dim, bias=False))
        self.last_layer.weight_g.data.fill_(1)
        self.last_layer.weight_g.requires_grad = False

    def forward(self, x):
        x = F.normalize(self.mlp(x), dim=-1, p=2)
        return self.last_layer(x)


class MultiCropWrapper(nn.Module):
    """utils.py MultiCropWrapper: one backbone pass per run of equal-size crops, the head on all."""

    def __init__(self, backbone, head):
        super().__init__()
        self.backbone = backbone
        self.head = head

    def forward(self, crops):
        outputs, start = [], 0
        for end in range(1, len(crops) + 1):
            if end == len(crops) or crops[end].shape[-1] != crops[start].shape[-1]:
                outputs.append(self.backbone(torch.cat(crops[start:end])))
                start = end
        return self.head(torch.cat(outputs))


class DinoRecipe(Recipe):
    """Self-distillation with no labels (Caron et al. 2021, Alg. 1) on the kit's backbone."""

    def __init__(self, cfg, kit):
        super().__init__(cfg)
        self.student = self._network(cfg, kit)
        self.teacher = self._network(cfg, kit)
        self.teacher.load_state_dict(self.student.state_dict())
        for p in self.teacher.parameters():
            p.requires_grad = False
        # The teacher's backbone is the one evaluated (the released eval_knn.py loads the teacher).
        self.encoder = self.teacher.backbone
        self.register_buffer('center', torch.zeros(1, int(cfg['prototypes'])))
        self.n_crops = 2 + int(cfg['localCrops'])
        global_1 = kit.augmentation(cfg, 'global', sigma='paper', solarize_prob=0.0)
        global_2 = kit.augmentation(cfg, 'global', sigma='paper', blur_prob=float(cfg['secondViewBlurProb']))
        local_min = float(cfg['localCropMinScale'])
        local = kit.augmentation(cfg, 'local', sigma='paper', blur_prob=float(cfg['localBlurProb']),
                                 solarize_prob=0.0,
                                 crop_scale=(local_min, max(local_min, float(cfg['cropMinScale']))))
        self.view_transforms = [global_1, global_2] + [local] * int(cfg['localCrops'])

    @staticmethod
    def _network(cfg, kit):
        backbone, features = kit.backbone(cfg)
        head = DinoHead(features, int(cfg['prototypes']), int(cfg['headHiddenDim']), int(cfg['bottleneckDim']))
        return MultiCropWrapper(backbone, head)

    def loss(self, views, progress):
        cfg = self.cfg
        with torch.no_grad():
            teacher_output = self.teacher(views[:TEACHER_CROPS])
        student_output = self.student(views)
        temp = teacher_temperature_at(progress.epoch, float(cfg['warmupTeacherTemperature']),
                                      float(cfg['teacherTemperature']),
                                      int(cfg['teacherTemperatureWarmupEpochs']))
        loss = dino_loss(student_output, teacher_output, self.center, float(cfg['studentTemperature']), temp,
                         self.n_crops)
        with torch.no_grad():
            self.center.copy_(updated_center(self.center, teacher_output, float(cfg["centerMomentum"])))
        return loss

    def after_backward(self, progress):
        clip = float(self.cfg['clipGrad'])
        if clip:
            for p in self.student.parameters():
                if p.grad is not None:
                    coefficient = clip / (p.grad.norm(2) + 1e-6)
                    if coefficient < 1:
                        p.grad.mul_(coefficient)
        if progress.epoch < float(self.cfg['freezeLastLayerEpochs']):
            for name, p in self.student.named_parameters():
                if 'last_layer' in name:
                    p.grad = None

    def weight_decay_at(self, progress):
        return cosine_at(progress.step, progress.total_steps, float(self.cfg['weightDecay']),
                         float(self.cfg['weightDecayEnd']))

    @torch.no_grad()
    def after_step(self, progress):
        m = cosine_at(progress.step, progress.total_steps, float(self.cfg['teacherMomentum']), 1.0)
        for student, teacher in zip(self.student.parameters(), self.teacher.parameters()):
            teacher.mul_(m).add_(student.detach(), alpha=1 - m)


def build(cfg, kit):
    return DinoRecipe(cfg, kit)
