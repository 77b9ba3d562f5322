import type { Rng } from '../util/rng';

/** A crop in pixel units: rows top … top+height-1, columns left … left+width-1. */
export interface CropRect {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * Samples a crop as torchvision's RandomResizedCrop.get_params does (the crop of SimCLR, appendix A):
 * area fraction uniform in `scale`, aspect ratio log-uniform in `ratio`, up to ten tries, then a centre
 * crop with the ratio clamped into range.
 */
export function sampleCropRect(
  rng: Rng,
  height: number,
  width: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
): CropRect {
  const area = height * width;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: rng.int(height - h + 1), left: rng.int(width - w + 1), height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/**
 * The crop as a tf.image.cropAndResize box [y1, x1, y2, x2] for the image after `pad` pixels of border
 * were added on every side (coordinates normalised so that 0 and 1 are the centres of the first and last
 * pixel of the padded image). Swapping x1 and x2 samples the crop mirrored, which is how flips are done.
 */
export function cropBox(
  rect: CropRect,
  height: number,
  width: number,
  flip: boolean,
  pad = 0,
): [number, number, number, number] {
  const norm = (p: number, size: number) => (size + 2 * pad > 1 ? (p + pad) / (size + 2 * pad - 1) : 0.5);
  const y1 = norm(rect.top, height);
  const y2 = norm(rect.top + rect.height - 1, height);
  const x1 = norm(rect.left, width);
  const x2 = norm(rect.left + rect.width - 1, width);
  return flip ? [y1, x2, y2, x1] : [y1, x1, y2, x2];
}
