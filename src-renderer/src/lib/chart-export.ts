/**
 * A chart saved as an image: PNG, or SVG through ECharts' SVG renderer. Charts draw on a canvas, so the
 * chart is drawn again off screen, with the renderer asked for and its title above it (a saved image
 * must say what it shows; on screen the title is the card's HTML header).
 */
import { echarts } from './echarts';

export type ImageType = 'png' | 'svg';

export interface ChartImageOptions {
  title: string;
  type: ImageType;
  /** The page's panel colour: the image is opaque, as the chart looks on screen. */
  background: string;
  titleColour: string;
  font: string;
}

/** Room for the title above the plot, in pixels. */
const titleHeight = 28;

/** The chart as a data URL of the given type (the zoom and the visible lines as on screen). */
export function chartImage(chart: echarts.ECharts, options: ChartImageOptions): string {
  const width = chart.getWidth();
  const height = chart.getHeight() + titleHeight;
  const host = document.createElement('div');
  host.style.cssText = `position:fixed;left:-${width + 100}px;top:0;width:${width}px;height:${height}px`;
  document.body.appendChild(host);
  const copy = echarts.init(host, null, {
    renderer: options.type === 'svg' ? 'svg' : 'canvas',
    width,
    height,
  });
  try {
    const option = chart.getOption() as Record<string, unknown> & {
      grid?: { top?: number }[];
      legend?: { top?: number }[];
    };
    const below = <T extends { top?: number }>(c: T) => ({ ...c, top: (Number(c.top) || 0) + titleHeight });
    // The SVG renderer writes the font into a double-quoted style attribute: its own quotes must be single.
    const fontFamily = options.font.replace(/"/g, "'");
    copy.setOption({
      ...option,
      animation: false,
      backgroundColor: options.background,
      textStyle: { fontFamily },
      grid: (option.grid ?? [{}]).map(below),
      legend: (option.legend ?? []).map(below),
      title: {
        text: options.title,
        left: 8,
        top: 6,
        textStyle: { color: options.titleColour, fontSize: 14, fontWeight: 600, fontFamily },
      },
    });
    return copy.getDataURL({
      type: options.type,
      pixelRatio: options.type === 'png' ? 2 : 1,
      backgroundColor: options.background,
    });
  } finally {
    copy.dispose();
    host.remove();
  }
}

/** A file name from a chart's title: "Loss (NT-Xent)" → "loss-nt-xent.png". */
export function imageFileName(title: string, type: ImageType): string {
  const stem =
    title
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '') || 'chart';
  return `${stem}.${type}`;
}

/** Offers a data URL as a file download. */
export function downloadDataUrl(name: string, url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
