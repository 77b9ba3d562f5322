"""MoCo v2's reference recipe, after the released code (facebookresearch/moco).

- Model (moco/builder.py MoCo with ``--mlp``): a query encoder and a key encoder of the same shape, the
  key encoder a copy of the query one at the start and never given gradients; the MLP head is
  fc (with bias) → ReLU → fc (with bias), no batch norm. Widths follow our config (projectionHiddenDim,
  projectionDim; the released hidden width is the backbone's feature size).
- Step (MoCo.forward): q = normalize(f_q(x_q)); then, without gradients, the key encoder's momentum
  update θ_k ← m·θ_k + (1 − m)·θ_q over its PARAMETERS only (_momentum_update_key_encoder), and
  k = normalize(f_k(x_k)); logits [q·k, q·queueᵀ]/τ with the positive at index 0, cross-entropy; then
  the keys replace the oldest queue entries (_dequeue_and_enqueue). The queue starts as random unit
  vectors (torch.randn normalised). Everything runs in training mode (main_moco.py model.train()).
- Shuffling BN: the released code needs DistributedDataParallel (_batch_shuffle_ddp: each GPU's BN sees
  its own share of the batch; the keys are shuffled across GPUs and unshuffled after). On one device,
  as ours (methods/moco.ts groupedForward, shuffledKeyForward) and the released CIFAR-10 demo's
  SplitBatchNorm, each of ``bnGroups`` consecutive groups of the batch goes through the encoder on its
  own, and the key batch is permuted before and restored after.
- Views (main_moco.py ``--aug-plus``): one transform for both crops (loader.TwoCropsTransform), built by
  the kit from our augmentation fields, with blur σ scaled to the image size as ours
  (methods/ssl-views.ts paperBlurSigma).
- Optimisation (main_moco.py): SGD with momentum, weight decay on every parameter, ``--cos`` — the kit's.
"""

import torch
import torch.nn.functional as F

REFERENCE = 'facebookresearch/moco (moco/builder.py, main_moco.py) in PyTorch'


def infonce_queue(q, k, queue, temperature):
    """builder.py MoCo.forward's loss: keys and queue carry no gradient, the positive logit first."""
    q = F.normalize(q, dim=1)
    k = F.normalize(k, dim=1).detach()
    positive = (q * k).sum(dim=1, keepdim=True)
    negatives = q @ queue.detach().t()
    logits = torch.cat([positive, negatives], dim=1) / temperature
    labels = torch.zeros(logits.shape[0], dtype=torch.long)
    return F.cross_entropy(logits, labels)


def infonce_queue_fixture(inputs, params):
    return infonce_queue(inputs['q'], inputs['k'], inputs['queue'], params['temperature'])


FIXTURES = {'infonce_queue': infonce_queue_fixture}


def group_sizes(n, groups):
    """Sizes of near-equal consecutive groups of n samples, each of at least 2 (ours' groupSizes)."""
    g = max(1, min(groups, n // 2))
    base = n // g
    return [base + (1 if i < n % g else 0) for i in range(g)]


def grouped_forward(net, x, groups):
    """Each group normalised by its own BN statistics, as each GPU's share was in the released code."""
    sizes = group_sizes(x.shape[0], groups)
    if len(sizes) == 1:
        return net(x)
    return torch.cat([net(part) for part in torch.split(x, sizes)])


def shuffled_key_forward(net, x, groups):
    """_batch_shuffle_ddp / _batch_unshuffle_ddp on one device: a random permutation of the key batch
    across the groups, then its inverse."""
    if len(group_sizes(x.shape[0], groups)) == 1:
        return net(x)
    shuffle = torch.randperm(x.shape[0])
    keys = grouped_forward(net, x[shuffle], groups)
    return keys[torch.argsort(shuffle)]


def queue_size(requested, batch, train_images):
    """Our queueSize semantics (methods/moco.ts effectiveQueueSize): at most train − batch keys (so an
    image's own stale key is never a negative of its query), a multiple of the batch as builder.py
    asserts (K % batch == 0), at least 1."""
    b = max(1, min(batch, train_images))
    limit = min(requested, train_images - b)
    if limit < b:
        return max(1, limit)
    return (limit // b) * b


def train_images_of(cfg, batch, steps_per_epoch):
    """The training split's size. build() is not told it; with steps_per_epoch = train // batch, the
    bound train − batch rounded down to a multiple of the batch is (steps_per_epoch − 1)·batch whatever
    the remainder, so batch·steps_per_epoch stands in for it (exact unless one step fills an epoch)."""
    known = cfg.get('trainImages')
    return int(known) if known else batch * steps_per_epoch


class MocoV2:
    """The recipe, mixed into the kit's Recipe by build() (so super() is kit.Recipe)."""

    def __init__(self, cfg, kit):
        super().__init__(cfg)
        self.encoder, features = kit.backbone(cfg)
        hidden, dim = int(cfg['projectionHiddenDim']), int(cfg['projectionDim'])
        # builder.py: encoder.fc = Sequential(Linear(dim_mlp, dim_mlp), ReLU(), Linear(dim_mlp, dim)).
        self.head = kit.mlp(features, hidden, dim, layers=2, hidden_bn=False)
        self.key_encoder, _ = kit.backbone(cfg)
        self.key_head = kit.mlp(features, hidden, dim, layers=2, hidden_bn=False)
        for q, k in zip(self.query_parameters(), self.key_parameters()):
            k.data.copy_(q.data)
            k.requires_grad = False
        self.momentum = float(cfg['encoderMomentum'])
        self.temperature = float(cfg['temperature'])
        self.bn_groups = int(cfg['bnGroups'])
        self.dim = dim
        # Sized at the first step, when the batch and the epoch's steps are known (train_images_of).
        self.register_buffer('queue', None)
        self.queue_ptr = 0
        transform = kit.augmentation(cfg, 'global', sigma='paper')
        self.view_transforms = [transform, transform]

    def query_parameters(self):
        return list(self.encoder.parameters()) + list(self.head.parameters())

    def key_parameters(self):
        return list(self.key_encoder.parameters()) + list(self.key_head.parameters())

    def init_queue(self, batch, progress):
        train_images = train_images_of(self.cfg, batch, progress.steps_per_epoch)
        size = queue_size(int(self.cfg['queueSize']), batch, train_images)
        # builder.py: register_buffer('queue', randn(dim, K)) normalised per key (rows here).
        self.queue = F.normalize(torch.randn(size, self.dim), dim=1)

    @torch.no_grad()
    def momentum_update(self):
        """builder.py _momentum_update_key_encoder: parameters only; the key encoder's BN statistics are
        its own (it always runs in training mode, so they never enter a loss)."""
        for q, k in zip(self.query_parameters(), self.key_parameters()):
            k.mul_(self.momentum).add_(q.detach(), alpha=1 - self.momentum)

    @torch.no_grad()
    def enqueue(self, keys):
        """builder.py _dequeue_and_enqueue: the batch's keys overwrite the oldest rows."""
        n, size = keys.shape[0], self.queue.shape[0]
        if n >= size:
            self.queue.copy_(keys[n - size:])
            self.queue_ptr = 0
            return
        rows = (self.queue_ptr + torch.arange(n)) % size
        self.queue[rows] = keys
        self.queue_ptr = (self.queue_ptr + n) % size

    def loss(self, views, progress):
        x_q, x_k = views
        if self.queue is None:
            self.init_queue(x_q.shape[0], progress)
        q = grouped_forward(lambda x: self.head(self.encoder(x)), x_q, self.bn_groups)
        with torch.no_grad():
            self.momentum_update()
            k = shuffled_key_forward(lambda x: self.key_head(self.key_encoder(x)), x_k, self.bn_groups)
            k = F.normalize(k, dim=1)
        # builder.py uses queue.clone().detach() for the logits, so enqueueing now leaves this loss alone.
        loss = infonce_queue(q, k, self.queue.clone(), self.temperature)
        self.enqueue(k)
        return loss


def build(cfg, kit):
    class MocoV2Recipe(MocoV2, kit.Recipe):
        pass

    return MocoV2Recipe(cfg, kit)
