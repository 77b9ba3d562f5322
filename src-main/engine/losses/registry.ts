/** Names and descriptions of ContrastLab's loss functionals (see ./index.ts for the functions). */

export const LOSS_NAMES = [
  'nt_xent',
  'infonce_queue',
  'mocov3',
  'byol',
  'simsiam',
  'swav',
  'dino',
  'supcon',
  'instdisc_nce',
  'invaspread',
  'cmc',
  'cpc_infonce',
  'wcl',
] as const;

export type LossName = (typeof LOSS_NAMES)[number];

export interface LossInfo {
  name: LossName;
  /** Exported function implementing it. */
  fn: string;
  /** Short description. */
  title: string;
  /** Training methods that use it. */
  methods: readonly string[];
  /** Fixture parameter keys. */
  params: readonly string[];
  /** Fixture input keys (floating-point and integer). */
  inputs: readonly string[];
  /** Floating-point inputs whose gradient is stopped (always zero). */
  stopGradient: readonly string[];
  /** Fixture side-output keys besides `loss`. */
  sideOutputs: readonly string[];
}

const info = (i: LossInfo): LossInfo => i;

export const LOSS_REGISTRY: Readonly<Record<LossName, LossInfo>> = {
  nt_xent: info({
    name: 'nt_xent',
    fn: 'ntXentLoss',
    title: 'NT-Xent: normalised-temperature cross-entropy over 2N views',
    methods: ['SimCLR v1', 'SimCLR v2', 'WCL (instance head)'],
    params: ['temperature'],
    inputs: ['z1', 'z2'],
    stopGradient: [],
    sideOutputs: [],
  }),
  infonce_queue: info({
    name: 'infonce_queue',
    fn: 'infoNceQueueLoss',
    title: 'InfoNCE with a momentum-key queue of negatives',
    methods: ['MoCo v1', 'MoCo v2'],
    params: ['temperature'],
    inputs: ['q', 'k', 'queue'],
    stopGradient: ['k', 'queue'],
    sideOutputs: [],
  }),
  mocov3: info({
    name: 'mocov3',
    fn: 'mocoV3Loss',
    title: 'Symmetrised in-batch InfoNCE against momentum keys, scaled by 2τ',
    methods: ['MoCo v3'],
    params: ['temperature'],
    inputs: ['q1', 'q2', 'k1', 'k2'],
    stopGradient: ['k1', 'k2'],
    sideOutputs: [],
  }),
  byol: info({
    name: 'byol',
    fn: 'byolLoss',
    title: 'Symmetrised normalised-MSE regression onto target projections',
    methods: ['BYOL'],
    params: [],
    inputs: ['p1', 'p2', 'z1', 'z2'],
    stopGradient: ['z1', 'z2'],
    sideOutputs: [],
  }),
  simsiam: info({
    name: 'simsiam',
    fn: 'simSiamLoss',
    title: 'Symmetrised negative cosine with stop-gradient',
    methods: ['SimSiam'],
    params: [],
    inputs: ['p1', 'p2', 'z1', 'z2'],
    stopGradient: ['z1', 'z2'],
    sideOutputs: [],
  }),
  swav: info({
    name: 'swav',
    fn: 'swavLoss',
    title: 'Swapped prediction of Sinkhorn-Knopp prototype codes',
    methods: ['SwAV'],
    params: ['temperature', 'epsilon', 'sinkhorn_iterations'],
    inputs: ['views', 'prototypes'],
    stopGradient: [],
    sideOutputs: [],
  }),
  dino: info({
    name: 'dino',
    fn: 'dinoLoss',
    title: 'Self-distillation cross-entropy to a centred, sharpened teacher',
    methods: ['DINO'],
    params: ['student_temperature', 'teacher_temperature', 'center_momentum'],
    inputs: ['student', 'teacher', 'center'],
    stopGradient: ['teacher', 'center'],
    sideOutputs: ['new_center'],
  }),
  supcon: info({
    name: 'supcon',
    fn: 'supConLoss',
    title: 'Supervised contrastive loss (L_out) over all views',
    methods: ['SupCon'],
    params: ['temperature', 'base_temperature'],
    inputs: ['features', 'labels'],
    stopGradient: [],
    sideOutputs: [],
  }),
  instdisc_nce: info({
    name: 'instdisc_nce',
    fn: 'instDiscNceLoss',
    title: 'Instance discrimination with NCE against a memory bank',
    methods: ['InstDisc'],
    params: ['temperature', 'z', 'proximal_lambda', 'bank_momentum'],
    inputs: ['v', 'bank', 'index', 'noise_index'],
    stopGradient: ['bank'],
    sideOutputs: ['updated_bank_rows'],
  }),
  invaspread: info({
    name: 'invaspread',
    fn: 'invaSpreadLoss',
    title: 'Invariant and spreading instance features (anchor-only gradients)',
    methods: ['InvaSpread'],
    params: ['temperature'],
    inputs: ['f', 'f_aug'],
    stopGradient: [],
    sideOutputs: [],
  }),
  cmc: info({
    name: 'cmc',
    fn: 'cmcLoss',
    title: 'Two-view contrastive multiview coding with in-batch negatives',
    methods: ['CMC'],
    params: ['temperature'],
    inputs: ['view_a', 'view_b'],
    stopGradient: [],
    sideOutputs: [],
  }),
  cpc_infonce: info({
    name: 'cpc_infonce',
    fn: 'cpcInfoNceLoss',
    title: 'InfoNCE of predicted against actual future codes',
    methods: ['CPC'],
    params: [],
    inputs: ['predictions', 'targets'],
    stopGradient: [],
    sideOutputs: [],
  }),
  wcl: info({
    name: 'wcl',
    fn: 'wclLoss',
    title: 'NT-Xent plus swapped supervised contrast on 1-NN graph weak labels',
    methods: ['WCL'],
    params: ['temperature', 'swap_weight'],
    inputs: ['z1', 'z2', 'v1', 'v2'],
    stopGradient: [],
    sideOutputs: ['instance_loss', 'swap_loss', 'labels_1', 'labels_2'],
  }),
};

export function isLossName(name: string): name is LossName {
  return (LOSS_NAMES as readonly string[]).includes(name);
}
