import { Module } from './module';

/**
 * A feature extractor: images NHWC → features [N, outputDim]. Its own file so that every backbone file
 * (resnet.ts, vit.ts) can extend it while backbones.ts, the registry, imports them all without a cycle.
 */
export abstract class Backbone extends Module {
  abstract readonly outputDim: number;
}
