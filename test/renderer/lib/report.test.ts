import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  chartFile,
  englishWords,
  pngBytes,
  reportHtml,
  reportMarkdown,
  reportStem,
  reportZip,
  type RunReport,
} from '../../../src-renderer/src/lib/report';

/** A 1×1 PNG. */
const png =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

function report(): RunReport {
  return {
    title: 'Run #12 · lr <sweep>',
    generatedAt: '2026-12-03 22:00',
    facts: [
      { label: 'Method', value: 'simclr' },
      { label: 'Dataset', value: 'synthetic · 128 / 64 images' },
    ],
    results: [
      {
        key: 'knn_top1',
        label: 'kNN top-1',
        value: '31.2%',
        heading: 'Weighted kNN',
        how: [
          { label: 'kNN', value: 'k = 200, τ = 0.1' },
          { label: 'When', value: 'step 16 · epoch 2' },
        ],
      },
      { key: 'loss', label: 'Loss | total', value: '4.12', heading: 'Training loss', how: [] },
    ],
    charts: [
      { key: 'loss', title: 'Loss', png },
      { key: 'knn/top1', title: 'kNN top-1', png },
    ],
    tags: ['e2e', 'lr'],
    notes: '## Why\n\nLR **0.3** <script>alert(1)</script>',
    config: [
      { label: 'Learning rate', value: '0.3' },
      { label: 'Crop | scale', value: '[0.08,1]' },
    ],
    words: englishWords,
    lang: 'en',
  };
}

describe('run report', () => {
  it('writes one HTML page with the facts, numbers, how they were measured, charts, notes and config', () => {
    const html = reportHtml(report());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>Run #12 · lr &#60;sweep&#62;</title>');
    expect(html).toContain('<td class="num">31.2%</td>');
    expect(html).toContain(
      '<div class="how-head">Weighted kNN</div><span class="how"><span class="muted">kNN</span> k = 200, τ = 0.1</span><span class="how"><span class="muted">When</span> step 16 · epoch 2</span>',
    );
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(2);
    expect(html).toContain('<h2>Why</h2>');
    expect(html).toContain('<strong>0.3</strong>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<tr><th>Crop | scale</th><td>[0.08,1]</td></tr>');
    expect(html).toContain('<span class="tag">e2e</span>');
    expect(html).toContain('Exported from ContrastLab on 2026-12-03 22:00');
  });

  it('embeds only PNG data URLs', () => {
    const r = report();
    r.charts = [{ key: 'x', title: 'X', png: 'javascript:alert(1)' }];
    expect(reportHtml(r)).not.toContain('javascript:');
    expect(() => pngBytes('data:image/svg+xml;base64,PHN2Zy8+')).toThrow(/not a PNG/);
  });

  it('writes Markdown with escaped table cells and charts linked as files', () => {
    const md = reportMarkdown(report());
    expect(md).toContain('# Run #12 · lr \\<sweep\\>');
    expect(md).toContain('| Loss \\| total | 4.12 | Training loss |');
    expect(md).toContain(
      '| kNN top-1 | 31.2% | Weighted kNN · kNN: k = 200, τ = 0.1 · When: step 16 · epoch 2 |',
    );
    expect(md).toContain('![Loss](charts/loss.png)');
    expect(md).toContain('![kNN top-1](charts/knn_top1.png)');
    expect(md).toContain('| Crop \\| scale | `[0.08,1]` |');
    // The notes are Markdown already: kept as written.
    expect(md).toContain('## Why\n\nLR **0.3**');
    expect(md).toContain('- **Tags:** `e2e` `lr`');
  });

  it('zips the Markdown with each chart as a PNG file beside it, in one folder', () => {
    const stem = reportStem(12, 'lr <sweep> #3');
    expect(stem).toBe('contrastlab-run-12-lr-sweep-3');
    const files = unzipSync(reportZip(report(), stem));
    expect(Object.keys(files).sort()).toEqual([
      `${stem}/${chartFile('knn/top1')}`,
      `${stem}/charts/loss.png`,
      `${stem}/report.md`,
    ]);
    expect(new TextDecoder().decode(files[`${stem}/report.md`])).toBe(reportMarkdown(report()));
    const bytes = files[`${stem}/charts/loss.png`]!;
    expect([...bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes).toEqual(pngBytes(png));
  });
});
