import { z } from 'zod';
import type { FieldMeta } from './config';

/**
 * Factories for the config fields that several methods declare: each fixes the range, unit and group of one kind
 * of field, and the method passes its own default and one-line description (with its paper's value).
 */

type Group = FieldMeta['group'];

const described = <T extends z.ZodType>(schema: T, description: string, meta: FieldMeta): T =>
  schema.describe(description).meta({ ...meta }) as T;

/** A softmax temperature τ in (0, 10]. */
export const temperatureField = (defaultValue: number, description: string) =>
  described(z.number().positive().max(10).default(defaultValue), description, { group: 'method' });

/** A size in dims of an embedding or head layer, a whole number in [min, max]. */
export const dimsField = (defaultValue: number, description: string, max: number, min = 8) =>
  described(z.number().int().min(min).max(max).default(defaultValue), description, {
    group: 'method',
    unit: 'dims',
  });

/** Output size of a projection head (and predictor), at most `max`. */
export const projectionDimField = (defaultValue: number, description: string, max = 2048) =>
  dimsField(defaultValue, description, max);

/** Hidden width of a projection / predictor MLP, in [8, 8192]. */
export const hiddenDimField = (defaultValue: number, description: string) =>
  dimsField(defaultValue, description, 8192);

/** Output and hidden sizes of a projector and a predictor that share them (BYOL, MoCo v3). */
export const projectorPredictorDimFields = () => ({
  projectionDim: projectionDimField(256, 'Output size of projector and predictor (paper: 256).', 4096),
  projectionHiddenDim: hiddenDimField(512, 'Hidden width of projector and predictor MLPs (paper: 4096).'),
});

/** Size of an L2-normalised embedding kept per image or produced by a linear layer, in [8, 1024]. */
export const embeddingDimField = (defaultValue: number, description: string) =>
  dimsField(defaultValue, description, 1024);

/** A momentum, decay or share kept by an exponential moving average, in [0, 1]. */
export const momentumField = (defaultValue: number, description: string) =>
  described(z.number().min(0).max(1).default(defaultValue), description, { group: 'method' });

/** A probability in [0, 1]. */
export const probabilityField = (defaultValue: number, description: string, group: Group = 'method') =>
  described(z.number().min(0).max(1).default(defaultValue), description, { group });

/** A number of queued embeddings or noise samples, a whole number in [1, 65536]. */
export const queueSizeField = (defaultValue: number, description: string, unit: string) =>
  described(z.number().int().min(1).max(65536).default(defaultValue), description, { group: 'method', unit });

/** NCE noise samples per image drawn from a memory bank (CMC, InstDisc). */
export const noiseSamplesField = (description: string) => queueSizeField(1024, description, 'samples');

/** Layers of an MLP or convolution stack, a whole number in [min, max]. */
export const layersField = (defaultValue: number, description: string, min: number, max: number) =>
  described(z.number().int().min(min).max(max).default(defaultValue), description, {
    group: 'method',
    unit: 'layers',
  });

/** A number of epochs, a whole number in [0, max]. */
export const epochsField = (defaultValue: number, description: string, max = 10000) =>
  described(z.number().int().min(0).max(max).default(defaultValue), description, {
    group: 'method',
    unit: 'epochs',
  });

/** Small local crops per image (multi-crop), in [0, 16]. */
export const localCropsField = (defaultValue: number, description: string) =>
  described(z.number().int().min(0).max(16).default(defaultValue), description, {
    group: 'method',
    unit: 'crops',
  });

/**
 * Side of the local crops in pixels, in [4, 512], or 0 (the default): 96/224 of the image side, the papers'
 * ratio (views.ts' localCropSide).
 */
export const localCropSizeField = (description: string, group: Group = 'method') =>
  described(
    z
      .number()
      .int()
      .min(0)
      .max(512)
      .refine((side) => side === 0 || side >= 4, 'must be 0 (automatic) or at least 4 px')
      .default(0),
    description,
    { group, unit: 'px' },
  );

/** An area fraction of a local crop, in (0, 1]. */
export const localCropScaleField = (defaultValue: number, description: string, group: Group = 'method') =>
  described(z.number().gt(0).max(1).default(defaultValue), description, { group });
