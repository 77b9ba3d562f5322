/**
 * The Chinese of what the engine describes in English: each method's one-line idea, the help of its
 * config fields (the schema's descriptions, shown under each field of the run form), the labels of the
 * fields `zh.ts` has no label for, the fields' units, and the datasets' names and descriptions. Kept in
 * the renderer, keyed by method id and field name, so the engine stays in one language; what is missing
 * here falls back to the English (method-text.ts). test/renderer/i18n/zh-methods.test.ts fails for a
 * method or field without its Chinese.
 */

/** Each method's idea (MethodInfo.idea), by method id. */
export const zhMethodIdeas: Readonly<Record<string, string>> = {
  instdisc: '每张图像自成一类：以记忆库为对照做 NCE，记忆库为每张训练图像保存一个特征。',
  cmc: '把每张图像拆成 L 通道与 ab 通道两个视图，在不同图像之间对比这两个视图。',
  invaspread: '一张图像与其增强副本共用一个编码器，批内其他图像作为负样本。',
  cpc: '根据上方各行预测图像中更靠下的图块特征，以所有其他图块为对照。',
  simclr: '两个增强视图、一个投影头，对批内所有其他视图计算 NT-Xent。',
  simclrv2: 'SimCLR 加上 3 层投影头，从其中间层开始微调，并可选用 MoCo 式记忆队列。',
  moco: '动量平均的键编码器填充一个远大于批大小的负样本队列。',
  mocov2: 'MoCo 加上 MLP 投影头、模糊增强和余弦学习率调度。',
  mocov3: '带预测器和动量编码器的对称批内对比损失，训练 ViT 时稳定。',
  swav: '由一个裁剪预测另一个裁剪的聚类编码，聚类大小由 Sinkhorn-Knopp 均衡。',
  byol: '在线网络预测缓慢平均的目标网络对另一视图的投影。',
  simsiam: '带预测器和停止梯度的孪生网络：无需负样本，也无需动量编码器。',
  dino: '学生网络在全局裁剪和小的局部裁剪上匹配经过中心化、锐化的动量教师网络。',
  supcon: '使用标签的对比学习（需要有标签的数据集）：同一类别的所有视图都是正样本。',
  wcl: '实例对比，加上由第二个头的 1-最近邻分组得到的弱标签，并在视图之间交换。',
};

/** The help of the fields every method has (the schema's descriptions), by field. */
export const zhSharedFieldHelp: Readonly<Record<string, string>> = {
  seed: '数据顺序、数据增强和初始化所用的随机种子。',
  backbone:
    '编码器网络：小型 ConvNet（最快）、ResNet-18 或 ResNet-50（64 像素及以下用 CIFAR 式 stem，更大用 ImageNet 式 stem），或 ViT-tiny（图块边长为图像边长的 1/8）。',
  width: '第一阶段的通道数，之后每个阶段翻倍（ResNet-18 论文宽度：64；ViT-tiny 的词元宽度是它的 4 倍）。',
  epochs: '遍历训练集的轮数。',
  batchSize: '每步的图像数（每张图像生成各自的视图）；每轮最后不满一批的图像会被丢弃。',
  optimizer: '带动量的 SGD、LARS（SimCLR 大批量训练）或 AdamW（ViT 类方法）。',
  lr: '以批大小 256 为基准的峰值学习率，按 batchSize/256 线性缩放（Goyal 等，2017）。',
  momentum: '优化器动量（SGD 与 LARS）。',
  nesterov:
    '仅用于 SGD：Nesterov 动量，先 v ← μv + g，再以 g + μv 为步长，同 torch.optim.SGD 的 nesterov=True 与 SimCLR 公开代码（model_util.py：MomentumOptimizer 的 use_nesterov）。关闭时：w ← w − η·v。',
  weightDecay: '权重衰减 λ。',
  exemptNormsFromDecay:
    '仅用于 SGD：偏置与归一化参数（γ、β）不做权重衰减，LARS 与 AdamW 本就从不衰减它们；同 SimCLR 公开代码（model_util.py 的 add_weight_decay 跳过批归一化）。关闭时：所有参数都衰减，同 torch.optim.SGD。',
  larsTrustCoefficient:
    '仅用于 LARS：信任系数 η；每个权重张量的步长乘以 η‖w‖/‖g + λw‖。You 等 2017 及公开的 SimCLR、BYOL、SwAV 代码用 0.001，那是为批量 4096 下数千步设计的；在每轮 36 步时它几乎不改变权重：BYOL（ConvNet 宽度 16，批量 128，10 轮，CIFAR-10 子集，种子 0）用 0.001 时 kNN 提升 0.7 个百分点，用 0.02（solo-learn 的 CIFAR 取值，此处的默认值）时提升 5.2 个百分点。',
  warmupEpochs:
    '学习率线性预热的轮数，之后按方法的调度进行：余弦衰减，或方法的 lrSchedule 为 step 时的阶梯衰减（MoCo）。',
  cropMinScale: '随机缩放裁剪的最小面积比例（SimCLR：0.08）。',
  flipProb: '水平翻转的概率。',
  jitterProb: '颜色抖动的概率（SimCLR：0.8）。',
  jitterStrength: '颜色抖动强度 s：亮度、对比度、饱和度为 0.8s，色相为 0.2s（SimCLR CIFAR：0.5）。',
  grayscaleProb: '把视图转为灰度的概率（SimCLR：0.2）。',
  blurProb: '高斯模糊的概率（SimCLR 在 CIFAR 上不用）。',
  solarizeProb: '曝光反转的概率（BYOL：第二个视图为 0.2）。',
  knnK: '加权 kNN 监控所用的近邻数（InstDisc：200）。',
  knnTemperature: 'kNN 投票权重 exp(s/τ) 的温度（InstDisc：0.1）。',
  evalTrainSize:
    'kNN、嵌入图和线性探测拟合所用的有标签训练图像数（取前 N 张；0 表示全部）。在 10 万张 96 像素图像上，每次在整个划分上评估都要在 CPU 上花几分钟。',
  checkpointEvery: '每 N 轮保存一个检查点（第 0 步和结束时总会保存）；0 表示只保存这两个。',
  linearProbe: '运行结束时，在冻结的骨干网络特征上训练一个线性分类器（SimCLR/MoCo 的评估协议）。',
  probeOptimizer:
    '线性探测的优化器：全批量 Adam，300 步，学习率 0.05（余弦）；或论文中的 SGD（SimCLR 附录 B.6、MoCo：Nesterov 动量 0.9，批量 256 时学习率 0.1，余弦，无权重衰减），此处为适应小数据集取批量 256、100 轮。默认仍为 Adam：在 CIFAR-10 子集上（SimCLR，ResNet-18 宽度 16，5 轮；`probe RUN --optimizer adam|sgd`）两者 top-1 均为 37.0%，SGD 训练分类器用时 11.6 秒，Adam 为 2.4 秒。',
};

/**
 * The help of each method's own fields, by method id and field: the same field (a temperature, a
 * projection size) means something different in each method, so each has its own text.
 */
export const zhMethodFieldHelp: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  instdisc: {
    temperature: '非参数 softmax exp(v·f/τ) 的温度 τ（公开的 CIFAR 配置：0.1；论文 ImageNet：0.07）。',
    featureDim: '记忆库中为每张图像保存的 L2 归一化特征的维度（论文：128）。',
    noiseSamples:
      '0：对记忆库每一行做精确 softmax（式 2），与公开的 CIFAR 配置相同（nce-k 0）；m > 0：每张图像用 m 个均匀噪声样本做 NCE（式 4–7；论文 ImageNet：4096），不超过训练图像数。',
    bankMomentum: '记忆库更新 v ← normalize(m·v + (1−m)·f)：保留旧行的比例（论文：0.5）。',
    proximalLambda:
      '近端正则 λ‖v − bank_i‖²（论文第 3.3 节，式 10）；0（默认）表示关闭，与公开代码相同：其记忆库动量起到同样的作用。',
  },
  cmc: {
    temperature: '跨视图得分的温度 τ（论文：0.07）。',
    featureDim: '每个视图的 L2 归一化嵌入的维度（论文：128）。',
    noiseSamples:
      '仅用于记忆库目标：每张图像抽取作为负样本的记忆库行数，即 NCE 噪声样本或 softmax 负样本（论文：16384；为 CPU 缩小，不超过数据集大小）。',
    bankMomentum: '仅用于记忆库目标：每次更新时保留旧记忆库行的比例（论文：0.5）。',
    objective:
      "'in-batch'：对批内其他图像做完整 softmax（losses/cmc）；'memory-bank'：论文的做法，每个视图一个记忆库，每个视图的嵌入与另一视图的记忆库对比（第 3.2 节），损失由 bankLoss 选择；短训练中学得慢得多（测量见 bankLoss）。",
    bankLoss:
      "仅用于记忆库目标。'softmax'：图像在另一视图记忆库中自己的行，对从该库抽取的 noiseSamples 行做交叉熵（公开代码的 --softmax，NCESoftmaxLoss；losses/infonce_queue）。'nce'：论文的 NCE（式 4），Z 在记忆库仍为随机时由第一批估计一次。在这一规模下两者都远不如批内目标，因为记忆库每行从随机开始，每轮只更新一次。测量（CIFAR-10 子集，ConvNet 宽 16，批量 128，kNN top-1 从第 0 步 → 3 轮后，种子 0 和 1）：softmax 28.0 → 29.0%、25.9 → 28.5%（10 轮后 29.6%；noiseSamples 4096 时 30.0%）；NCE 28.0 → 28.4%（第 2 轮 30.1%）、25.9 → 27.1%，速度只有五分之一；批内 28.0 → 33.1%、25.9 → 31.8%。",
  },
  invaspread: {
    temperature: '实例 softmax 的温度 τ（论文与公开代码：0.1）。',
    embeddingDim: '线性层之后 L2 归一化嵌入的维度（论文：128）。',
    originalView:
      "“原始”图像：'light' 为整张图像，只做随机翻转（论文第 3 节：未增强的图像）；'augmented' 为与其副本相同的增强（公开代码的做法）。",
  },
  cpc: {
    patchSize:
      '每个正方形图块的边长；0 表示图像边长的四分之一，即论文的 7×7 网格（论文：256×256 图像上为 64；32×32 上为 8）。',
    patchStride: '相邻图块之间的步长；0 表示图块边长的一半，即重叠一半（论文：256×256 图像上为 32）。',
    predictionSteps: '预测每个上下文下方至多 k 行的图块，每个 k 一个线性映射 W_k（论文：至多 5）。',
    maxPredictions:
      '每个步长 k 至多为这么多随机选取的网格位置打分，每个位置以其他位置的目标为对照；0 表示全部（论文：批内所有图块；因代价随其平方增长而设上限）。',
    contextLayers:
      '上下文网络中掩码（因果）3×3 卷积的层数；每行只看到自身和上方各行（论文：PixelCNN 式的堆叠）。',
  },
  simclr: {
    temperature: 'NT-Xent 温度 τ（SimCLR CIFAR-10：0.5；ImageNet：0.1）。',
    projectionDim: '投影头 g(·) 的输出维度（论文：128）。',
    projectionHiddenDim: '投影头的隐藏层宽度（论文：2048，即 ResNet-50 的特征维度）。',
    headOutput:
      "投影头的结尾。'batch-norm'：无偏置的输出层，再接只学缩放、不学平移的批归一化，同公开代码（model_util.py projection_head）。'linear'：带偏置的输出层（论文的 g(·) = W⁽²⁾σ(W⁽¹⁾h)，第 2.1 节）。在 CIFAR-10 子集上（ConvNet 宽度 16，批量 128，10 轮，种子 0–2），配合公开代码的 SGD（Nesterov、归一化参数不衰减，即此处默认值），kNN top-1 提升 10.2 ± 2.3 个百分点；用 'linear'、普通动量且所有参数衰减时为 7.9 ± 2.3（公开代码的 PyTorch 参考实现：9.7 ± 0.4；用那个投影头与 SGD 时为 7.8 ± 0.1）。",
  },
  simclrv2: {
    temperature: 'NT-Xent 温度 τ（SimCLR CIFAR-10：0.5；ImageNet：0.1）。',
    projectionDim: '投影头 g(·) 的输出维度（论文：128）。',
    projectionHiddenDim: '投影头的隐藏层宽度（论文：2048，即 ResNet-50 的特征维度）。',
    projectionLayers: '投影头的线性层数，每层带批归一化（SimCLR v2：3；v1：2）。',
    fineTuneFromLayer:
      '其输出作为微调起点表示的投影头层：0 为编码器，1 为投影头第一层之后（论文：1，即 3 层投影头的中间）。kNN 监控始终读取编码器。',
    momentumEncoder:
      '加入 MoCo 式记忆：编码器和投影头的动量副本，其输出进入队列作为额外的负样本（论文：开启，约提升 1%）。',
    encoderMomentum: '记忆网络的动量 m，θ_k ← m·θ_k + (1−m)·θ_q（MoCo：0.999）。',
    queueSize: '记忆队列中保留的负样本数（论文沿用 MoCo：65536；为 CPU 缩小）。',
  },
  moco: {
    temperature: 'InfoNCE 温度 τ（MoCo v1：0.07；v2：0.2）。',
    projectionDim: '归一化嵌入 q、k 的维度（论文：128）。',
    encoderMomentum: '键编码器动量 m，θk ← m·θk + (1 − m)·θq（论文：0.999）。',
    queueSize:
      '队列中的负样本键数 K（论文 ImageNet：65536）。会被调整为批大小的倍数，且不超过训练集大小减去批大小。',
    bnGroups: '打乱式批归一化：各组分别归一化，键在组间打乱（论文：8 块 GPU × 32 张图像）。1 表示关闭。',
    lrSchedule:
      '学习率调度：阶梯（在训练进度 60% 和 80% 处乘以 0.1，即 MoCo v1 200 轮中的第 120 和 160 轮）或余弦（MoCo v2）。',
  },
  mocov2: {
    temperature: 'InfoNCE 温度 τ（MoCo v2：0.2；v1：0.07）。',
    projectionDim: '归一化嵌入 q、k 的维度（论文：128）。',
    projectionHiddenDim: '2 层 MLP 投影头的隐藏层宽度（论文：2048，即 ResNet-50 的特征维度）。',
    encoderMomentum: '键编码器动量 m，θk ← m·θk + (1 − m)·θq（论文：0.999）。',
    queueSize:
      '队列中的负样本键数 K（论文 ImageNet：65536）。会被调整为批大小的倍数，且不超过训练集大小减去批大小。',
    bnGroups: '打乱式批归一化：各组分别归一化，键在组间打乱（论文：8 块 GPU × 32 张图像）。1 表示关闭。',
    lrSchedule:
      '学习率调度：余弦（MoCo v2，第 2 节）或阶梯（与 MoCo v1 相同，在训练进度 60% 和 80% 处乘以 0.1）。',
  },
  mocov3: {
    temperature: '对比损失的温度 τ（论文：ViT 为 0.2，ResNet-50 为 1.0）。',
    projectionDim: '投影器和预测器的输出维度（论文：256）。',
    projectionHiddenDim: '投影器和预测器 MLP 的隐藏层宽度（论文：4096）。',
    encoderMomentum: '动量编码器起始的 m，在训练中按余弦升至 1（论文：0.99）。',
    freezePatchEmbed: '仅用于 ViT：保持随机初始化的图块投影不变，这是论文对训练不稳定的修正（第 4.1 节）。',
    secondViewBlurProb:
      '第二个视图的模糊概率；第一个视图用 blurProb（BYOL：1.0 / 0.1）。σ 按图像尺寸/224 缩放。',
  },
  swav: {
    temperature: '原型得分 softmax 的温度 τ（论文：0.1）。',
    projectionDim: '投影头的输出维度，即原型所在空间（论文：128）。',
    projectionHiddenDim: '2 层投影头的隐藏层宽度（论文：2048）。',
    epsilon: 'Sinkhorn-Knopp 编码的熵正则 ε（论文：0.05）。',
    sinkhornIterations: '每次计算编码的 Sinkhorn-Knopp 迭代次数（论文：3）。',
    numPrototypes: '原型数 K（论文 ImageNet：3000；按 CIFAR 规模数据的约 10 倍类别数缩放）。',
    localCrops: '除 2 个全局裁剪外，每张图像的小局部裁剪数（多裁剪；论文：6）。',
    localCropSize:
      '局部裁剪的边长；0 表示图像边长的 96/224（论文：224 像素全局裁剪配 96 像素；32 像素时为 14）。',
    localCropMinScale: '局部裁剪的最小面积比例（论文：0.05）。',
    localCropMaxScale: '局部裁剪的最大面积比例（论文：0.14）。',
    freezePrototypesSteps: '开始时原型不更新的步数（论文：313，即第一轮）。',
    queueLength: '加入 Sinkhorn 批次的历史嵌入队列长度，0 表示关闭（论文：小批量时为 3840）。',
    queueStartEpoch: '从哪一轮开始填充队列；填满后才使用（论文：15）。',
  },
  byol: {
    projectionDim: '投影器和预测器的输出维度（论文：256）。',
    projectionHiddenDim: '投影器和预测器 MLP 的隐藏层宽度（论文：4096）。',
    targetDecay: '目标网络衰减 τ_base，按余弦升至 1：τ = 1 − (1 − τ_base)(cos(πk/K) + 1)/2（论文：0.996）。',
    secondViewBlurProb:
      '第二个视图的模糊概率；第一个视图用 blurProb（BYOL：1.0 / 0.1）。σ 按图像尺寸/224 缩放。',
  },
  simsiam: {
    projectionDim: '投影器的宽度（隐藏层与输出）以及 z、p 的维度（论文：2048）。',
    projectionLayers: '投影 MLP 的层数，每层带批归一化（论文 ImageNet：3）。',
    fixPredictorLr: '预测器的学习率保持在峰值，其余部分按调度衰减（论文：开启，第 4.1 节）。',
  },
  dino: {
    prototypes: 'DINO 头的输出维度 K，即原型数（论文：65536）。',
    headHiddenDim: '头部 3 层 MLP 的隐藏层宽度（论文：2048）。',
    bottleneckDim: '权重归一化原型层之前的 L2 归一化瓶颈维度（论文：256）。',
    studentTemperature: '学生网络 softmax 温度 τ_s（论文：0.1）。',
    teacherTemperature: '预热结束后的教师温度 τ_t；越低越锐化（论文：长训练用 0.07，默认 0.04）。',
    warmupTeacherTemperature: '教师温度线性预热的起始值（论文：0.04）。',
    teacherTemperatureWarmupEpochs: '教师温度预热的轮数（论文：100–800 轮中的 30 轮）。',
    teacherMomentum: '教师网络 EMA 动量 λ 的起始值，按余弦升至 1（论文：0.996）。',
    centerMomentum: '中心 c ← m·c + (1 − m)·教师输出均值 的动量 m（论文：0.9）。',
    localCrops: '每张图像的小局部裁剪数，只给学生网络看（论文：10；消融实验中为 6）。',
    localCropSize:
      '局部裁剪的边长；0 表示图像边长的 96/224，ViT 取整数个图块（论文：224 像素全局裁剪配 96）。',
    localCropMinScale: '局部裁剪的最小面积比例；最大为 cropMinScale（论文：0.05 到 0.4）。',
    localBlurProb: '局部裁剪的模糊概率（论文：0.5）。',
    freezeLastLayerEpochs: '原型层不接收梯度的轮数（论文：1）。',
    weightDecayEnd: '权重衰减从 weightDecay 按余弦调度到达的终值（论文：0.04 → 0.4）。',
    clipGrad: '更新前把每个参数的梯度裁剪到此 L2 范数；0 表示关闭（论文：3.0）。',
    secondViewBlurProb:
      '第二个视图的模糊概率；第一个视图用 blurProb（BYOL：1.0 / 0.1）。σ 按图像尺寸/224 缩放。',
  },
  supcon: {
    temperature: '有监督对比损失的温度 τ（论文：0.1）。',
    projectionDim: '投影头的输出维度（论文：128）。',
    projectionHiddenDim: '2 层投影头的隐藏层宽度（论文：2048，即 ResNet-50 的特征维度）。',
    baseTemperature: '损失乘以 τ/baseTemperature，与公开的 SupConLoss 相同（其默认值：0.07）。',
  },
  wcl: {
    temperature: '实例（NT-Xent）与弱标签两个对比损失共用的温度 τ（论文：0.1）。',
    projectionDim: '两个投影头各自的输出维度（论文：128）。',
    projectionHiddenDim: '两个 2 层投影头的隐藏层宽度（论文：2048）。',
    swapWeight: '交换后的弱标签损失相对于实例损失的权重（论文：1）。',
    localCrops: '用于 kNN 多裁剪的每张图像小局部裁剪数，0 表示关闭（论文：6 个 96 像素裁剪）。',
    localCropSize:
      '局部裁剪的边长；0 表示图像边长的 96/224（论文：224 像素图像配 96 像素；32 像素时为 14）。',
    localCropsKept: '预热结束后，每张图像只使用这么多个最接近其全局视图的局部裁剪。',
    multiCropWarmupEpochs: '开始 kNN 筛选之前、使用全部局部裁剪的轮数。',
  },
};

/** Labels of the methods' own fields, which `zh.ts` (fields) does not name; by field. */
export const zhFieldLabels: Readonly<Record<string, string>> = {
  evalTrainSize: '评估用训练图像数',
  checkpointEvery: '检查点间隔',
  linearProbe: '线性探测',
  probeOptimizer: '探测优化器',
  featureDim: '特征维度',
  noiseSamples: '噪声样本数',
  bankMomentum: '记忆库动量',
  proximalLambda: '近端正则 λ',
  objective: '目标函数',
  headOutput: '投影头结尾',
  bankLoss: '记忆库损失',
  embeddingDim: '嵌入维度',
  originalView: '原始视图',
  patchSize: '图块大小',
  patchStride: '图块步长',
  predictionSteps: '预测步数',
  maxPredictions: '最大预测数',
  contextLayers: '上下文网络层数',
  projectionLayers: '投影层数',
  fineTuneFromLayer: '微调起始层',
  momentumEncoder: '动量编码器',
  encoderMomentum: '编码器动量',
  queueSize: '队列大小',
  bnGroups: '批归一化分组',
  freezePatchEmbed: '冻结图块嵌入',
  secondViewBlurProb: '第二视图模糊概率',
  epsilon: 'Sinkhorn 熵正则 ε',
  sinkhornIterations: 'Sinkhorn 迭代次数',
  numPrototypes: '原型数',
  localCrops: '局部裁剪数',
  localCropSize: '局部裁剪大小',
  localCropMinScale: '局部裁剪最小比例',
  localCropMaxScale: '局部裁剪最大比例',
  freezePrototypesSteps: '冻结原型步数',
  queueLength: '队列长度',
  queueStartEpoch: '队列起始轮',
  targetDecay: '目标网络衰减',
  prototypes: '原型数',
  headHiddenDim: '头部隐藏层维度',
  bottleneckDim: '瓶颈维度',
  studentTemperature: '学生温度 τ_s',
  teacherTemperature: '教师温度 τ_t',
  warmupTeacherTemperature: '预热起始教师温度',
  teacherTemperatureWarmupEpochs: '教师温度预热轮数',
  teacherMomentum: '教师动量',
  centerMomentum: '中心动量',
  localBlurProb: '局部裁剪模糊概率',
  freezeLastLayerEpochs: '冻结最后一层轮数',
  baseTemperature: '基准温度',
  swapWeight: '交换损失权重',
  localCropsKept: '保留的局部裁剪数',
  multiCropWarmupEpochs: '多裁剪预热轮数',
  fixPredictorLr: '预测器固定学习率',
  weightDecayEnd: '最终权重衰减',
  clipGrad: '梯度裁剪范数',
  lrSchedule: '学习率调度',
};

/** The fields' units (FieldMeta.unit), by unit. */
export const zhUnits: Readonly<Record<string, string>> = {
  channels: '通道',
  epochs: '轮',
  images: '张图像',
  dims: '维',
  samples: '个样本',
  px: '像素',
  rows: '行',
  positions: '个位置',
  layers: '层',
  layer: '层',
  embeddings: '个嵌入',
  keys: '个键',
  groups: '组',
  iterations: '次迭代',
  prototypes: '个原型',
  crops: '个裁剪',
  steps: '步',
};

/** The datasets' names and descriptions (DatasetInfo), by dataset id. */
export const zhDatasets: Readonly<Record<string, { name?: string; description: string }>> = {
  synthetic: {
    name: '合成图形',
    description: '10 类 32×32 的图形与纹理，颜色随机，由随机种子生成（无需下载）。',
  },
  cifar10: {
    description: '10 个类别的 60,000 张 32×32 彩色图像，读自官方二进制文件（cifar-10-batches-bin）。',
  },
  cifar100: {
    description:
      '100 个类别（或使用粗标签时的 20 个超类）的 60,000 张 32×32 彩色图像：50,000 张训练图像和 10,000 张测试图像，读自 https://www.cs.toronto.edu/~kriz/cifar.html 的二进制版本（cifar-100-binary 文件夹：train.bin、test.bin、fine_label_names.txt、coarse_label_names.txt）。',
  },
  stl10: {
    description:
      '113,000 张 96×96 彩色图像：100,000 张无标签图像用于预训练，另有 10 个类别的 5,000 张有标签训练图像和 8,000 张测试图像用于评估，读自 https://cs.stanford.edu/~acoates/stl10/ 的二进制版本（stl10_binary 文件夹：unlabeled_X.bin、train_X.bin、train_y.bin、test_X.bin、test_y.bin、class_names.txt）；首次使用时转换进数据集缓存。',
  },
  mnist: {
    description:
      '70,000 张 28×28 灰度手写数字（0–9）：60,000 张训练图像和 10,000 张测试图像，读自四个 IDX 文件 train-images-idx3-ubyte、train-labels-idx1-ubyte、t10k-images-idx3-ubyte 和 t10k-labels-idx1-ubyte（可为 .gz 压缩），与 http://yann.lecun.com/exdb/mnist/ 发布的相同（或 torchvision 的 MNIST/raw 文件夹）。',
  },
  'fashion-mnist': {
    description:
      '10 个类别的 70,000 张 28×28 灰度服装照片（Zalando 推出的 MNIST 直接替代品）：60,000 张训练图像和 10,000 张测试图像，读自四个 IDX 文件 train-images-idx3-ubyte、train-labels-idx1-ubyte、t10k-images-idx3-ubyte 和 t10k-labels-idx1-ubyte（可为 .gz 压缩），与 https://github.com/zalandoresearch/fashion-mnist 发布的相同；在 Debian 上，dataset-fashion-mnist 软件包会把它们安装到 /usr/share/datasets/fashion-mnist。',
  },
  imagefolder: {
    name: '图像文件夹',
    description:
      '你自己的图像（JPEG、PNG、WebP、GIF、TIFF、BMP）：每个类别一个子文件夹的文件夹、含 train/ 和 test/ 子文件夹的文件夹，或没有标签的平铺文件夹。按图像尺寸（默认 64 像素）一次性解码进数据集缓存；没有测试文件夹时，每个类别留出 10% 用于测试。',
  },
};
