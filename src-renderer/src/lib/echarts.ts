import { LineChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

// Only what the charts use, so the bundle stays small. The SVG renderer and the title are for saving a
// chart as an image (lib/chart-export.ts).
echarts.use([
  LineChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomComponent,
  MarkLineComponent,
  TitleComponent,
  CanvasRenderer,
  SVGRenderer,
]);

export { echarts };

/** Tableau 10: distinguishable on light and dark backgrounds. */
export const palette = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The colour a metric gets when a chart shows one run. */
export function metricColour(key: string): string {
  const fixed: Record<string, string> = {
    loss: palette[0]!,
    lr: palette[1]!,
    knn_top1: palette[2]!,
    knn_top5: palette[5]!,
    images_per_s: palette[4]!,
  };
  if (fixed[key]) return fixed[key];
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return palette[h % palette.length]!;
}
