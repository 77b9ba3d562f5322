import { adamWUpdateKernel } from './adamw-update';
import { batchMatMulKernel } from './batch-mat-mul';
import { batchNormKernel } from './batch-norm';
import { batchNormTrainKernels } from './batch-norm-train';
import { binaryKernels } from './binary';
import { castKernel } from './cast';
import { conv2dKernels } from './conv2d';
import { emaUpdateKernel } from './ema-update';
import { fillKernels } from './fill';
import { gatherKernels } from './gather';
import { imageKernels } from './image';
import type { VulkanKernel } from './kernel';
import { larsUpdateKernel } from './lars-update';
import { poolKernels } from './pool';
import { reduceKernels } from './reduce';
import { scaledSumKernel } from './scaled-sum';
import { scatterKernels } from './scatter';
import { selectKernels } from './select';
import { sgdUpdateKernel } from './sgd-update';
import { softmaxKernel } from './softmax';
import { viewKernels } from './reshape';
import { stridedCopyKernels } from './strided-copy';
import { topKKernel } from './top-k';
import { unaryKernels } from './unary';

/** Every kernel the vulkan backend runs with a shader (or as a view); the rest run on the cpu. */
export const vulkanKernels: readonly VulkanKernel[] = [
  ...binaryKernels,
  ...unaryKernels,
  castKernel,
  ...fillKernels,
  ...viewKernels,
  ...stridedCopyKernels,
  ...reduceKernels,
  batchMatMulKernel,
  ...conv2dKernels,
  batchNormKernel,
  ...batchNormTrainKernels,
  ...selectKernels,
  ...gatherKernels,
  softmaxKernel,
  ...imageKernels,
  ...scatterKernels,
  ...poolKernels,
  topKKernel,
  sgdUpdateKernel,
  larsUpdateKernel,
  adamWUpdateKernel,
  emaUpdateKernel,
  scaledSumKernel,
];
