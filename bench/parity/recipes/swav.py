"""SwAV's reference recipe, after the released code (facebookresearch/swav).

- Network (src/resnet50.py): backbone → projection head Linear (with bias) → BatchNorm1d → ReLU → Linear
  (with bias) → L2 normalisation → prototypes, a Linear without bias whose rows are the prototypes, in
  PyTorch's default initialisation. Crops of one resolution go through the backbone together
  (ResNet.forward groups consecutive crops of equal size); the head then sees every crop at once.
  Widths follow our config (projectionHiddenDim, projectionDim, numPrototypes).
- Step (main_swav.py train): the prototypes are L2-normalised in place BEFORE each forward (outside the
  graph), so the scores are z·c with gradients reaching c directly; for each assignment crop (0 and 1) the
  codes are Sinkhorn-Knopp on that crop's detached scores (distributed_sinkhorn: Q = exp(s/ε)ᵀ over the
  whole batch, alternate row and column normalisation, our config's ε and iterations), then every other
  crop predicts them: −mean Σ q log softmax(s_v/τ), averaged over the other crops, then over the
  assignment crops.
- Queue (main_swav.py main/train, when queueLength > 0): created empty (zeros) at the start of epoch
  queueStartEpoch with queueLength rounded down to a multiple of the batch; each step it takes the
  assignment crops' detached normalised embeddings, newest first; once its last row is filled, its scores
  against the current prototypes are put before the batch's for Sinkhorn and only the batch's codes
  are kept. The scores use the queue as it was before this step's batch was pushed.
- Prototype freezing (main_swav.py train): while the global step is below freezePrototypesSteps the
  prototypes' gradient is set to None after the backward, so the optimiser skips them entirely.
- Views (src/multicropdataset.py): 2 global crops and localCrops small ones, every crop with the same
  flip / colour / blur pipeline, differing only in size and crop scale — our config's values through the
  kit (σ in output pixels, as ours' SwAV views).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import Recipe

REFERENCE = 'facebookresearch/swav (main_swav.py, src/resnet50.py, src/multicropdataset.py) in PyTorch'

# main_swav.py --crops_for_assign default: the two global crops give the codes.
CROPS_FOR_ASSIGN = (0, 1)


@torch.no_grad()
def sinkhorn(scores, epsilon, iterations):
    """main_swav.py distributed_sinkhorn on one process: scores [B, K] → codes [B, K], rows summing to 1.

    Q = exp(s/ε)ᵀ, Q /= ΣQ; repeat: rows /= row sums, /= K (equal prototype mass); columns /= column
    sums, /= B (equal sample mass); finally Q · B, transposed.
    """
    q = torch.exp(scores / epsilon).t()
    k, b = q.shape
    q /= q.sum()
    for _ in range(iterations):
        q /= q.sum(dim=1, keepdim=True)
        q /= k
        q /= q.sum(dim=0, keepdim=True)
        q /= b
    return (q * b).t()


def swapped_prediction(scores, codes, temperature, crops_for_assign=CROPS_FOR_ASSIGN):
    """main_swav.py train's loss: scores is one [B, K] tensor per crop, codes one per assignment crop.

    For each assignment crop s: the mean over every other crop v of −mean_i Σ_k q_s log softmax(s_v/τ);
    then the mean over the assignment crops.
    """
    loss = 0.0
    for q, crop_id in zip(codes, crops_for_assign):
        others = [v for v in range(len(scores)) if v != crop_id]
        subloss = 0.0
        for v in others:
            subloss = subloss - torch.mean(torch.sum(q * F.log_softmax(scores[v] / temperature, dim=1), dim=1))
        loss = loss + subloss / len(others)
    return loss / len(crops_for_assign)


def swav_fixture(inputs, params):
    """The fixture's functional: scores of L2-normalised embeddings against L2-normalised prototypes.

    The fixture normalises the prototypes inside the graph (as ours' losses/swav.ts does); the released
    step normalises them in place before the forward instead, so in training the gradient reaches the
    prototypes without the normalisation's projection. Sinkhorn and the swapped prediction are the
    functions training uses.
    """
    views, prototypes = inputs['views'], inputs['prototypes']
    scores = F.normalize(views, dim=-1) @ F.normalize(prototypes, dim=1).t()
    codes = [sinkhorn(scores[s].detach(), params['epsilon'], params['sinkhorn_iterations'])
             for s in CROPS_FOR_ASSIGN]
    return swapped_prediction(list(scores), codes, params['temperature'])


FIXTURES = {'swav': swav_fixture}


def resolution_groups(crops):
    """(start, end) of each run of consecutive crops of one size (resnet50.py ResNet.forward)."""
    groups, start = [], 0
    for i in range(1, len(crops) + 1):
        if i == len(crops) or crops[i].shape[-1] != crops[start].shape[-1]:
            groups.append((start, i))
            start = i
    return groups


class SwavRecipe(Recipe):
    """Swapped prediction of Sinkhorn-Knopp codes over multi-crop views (Caron et al. 2020, Eq. 1–3)."""

    def __init__(self, cfg, kit):
        super().__init__(cfg)
        hidden, dim = int(cfg['projectionHiddenDim']), int(cfg['projectionDim'])
        self.encoder, features = kit.backbone(cfg)
        self.projection_head = nn.Sequential(
            nn.Linear(features, hidden),
            nn.BatchNorm1d(hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, dim),
        )
        self.prototypes = nn.Linear(dim, int(cfg['numPrototypes']), bias=False)
        self.temperature = float(cfg['temperature'])
        self.epsilon = float(cfg['epsilon'])
        self.sinkhorn_iterations = int(cfg['sinkhornIterations'])
        self.freeze_prototypes_steps = int(cfg['freezePrototypesSteps'])
        self.queue_length = int(cfg['queueLength'])
        self.queue_start_epoch = float(cfg['queueStartEpoch'])
        self.queue = None
        global_view = kit.augmentation(cfg, 'global', sigma='output')
        local_view = kit.augmentation(cfg, 'local', sigma='output')
        self.view_transforms = [global_view] * 2 + [local_view] * int(cfg['localCrops'])

    def forward_crops(self, crops):
        """ResNet.forward + forward_head: normalised embeddings [V·B, D] and prototype scores [V·B, K]."""
        features = torch.cat([self.encoder(torch.cat(crops[a:b])) for a, b in resolution_groups(crops)])
        embedding = F.normalize(self.projection_head(features), dim=1, p=2)
        return embedding, self.prototypes(embedding)

    @torch.no_grad()
    def _start_queue(self, progress, batch):
        # main_swav.py main: the queue's length is rounded down to a multiple of the batch; it starts as
        # zeros at the first epoch ≥ epoch_queue_starts. (A length below one batch leaves no queue.)
        length = self.queue_length - self.queue_length % batch
        if self.queue is None and length > 0 and progress.epoch >= self.queue_start_epoch:
            dim = self.prototypes.weight.shape[1]
            self.queue = torch.zeros(len(CROPS_FOR_ASSIGN), length, dim)

    @torch.no_grad()
    def _codes(self, embedding, output, batch):
        codes = []
        for i, crop_id in enumerate(CROPS_FOR_ASSIGN):
            rows = slice(batch * crop_id, batch * (crop_id + 1))
            out = output[rows].detach()
            if self.queue is not None:
                # The queue joins once its last row holds an embedding (main_swav.py: use_the_queue).
                if not torch.all(self.queue[i, -1, :] == 0):
                    out = torch.cat((self.queue[i] @ self.prototypes.weight.t(), out))
                self.queue[i, batch:] = self.queue[i, :-batch].clone()
                self.queue[i, :batch] = embedding[rows]
            codes.append(sinkhorn(out, self.epsilon, self.sinkhorn_iterations)[-batch:])
        return codes

    def loss(self, views, progress):
        # main_swav.py train: the prototypes are put back on the unit sphere before every step.
        with torch.no_grad():
            self.prototypes.weight.copy_(F.normalize(self.prototypes.weight, dim=1, p=2))
        batch = views[0].shape[0]
        embedding, output = self.forward_crops(views)
        self._start_queue(progress, batch)
        codes = self._codes(embedding.detach(), output, batch)
        return swapped_prediction(list(output.split(batch)), codes, self.temperature)

    def after_backward(self, progress):
        # main_swav.py train: "cancel some gradients" — no update of the prototypes for the first iterations.
        if progress.step < self.freeze_prototypes_steps:
            self.prototypes.weight.grad = None


def build(cfg, kit):
    return SwavRecipe(cfg, kit)
