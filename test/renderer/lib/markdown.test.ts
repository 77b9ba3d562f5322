import { describe, expect, it } from 'vitest';
import { markdownExcerpt, markdownLines, renderMarkdown } from '../../../src-renderer/src/lib/markdown';

describe('notes as Markdown', () => {
  it('renders headings, emphasis, lists, code and line breaks', () => {
    const html = renderMarkdown(
      '# Ablation\n\nLR **0.3** beat *0.03*.\n\n- crop\n- jitter\n\n`lr=0.3`\nsecond line',
    );
    expect(html).toContain('<h1>Ablation</h1>');
    expect(html).toContain('<strong>0.3</strong>');
    expect(html).toContain('<em>0.03</em>');
    expect(html).toContain('<li>crop</li>');
    expect(html).toContain('<code>lr=0.3</code><br>');
  });

  it('escapes raw HTML instead of rendering it', () => {
    const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror="alert(2)">');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('links open in a new window, and script links are never links', () => {
    const html = renderMarkdown('[paper](https://arxiv.org/abs/2002.05709) and [bad](javascript:alert(1))');
    expect(html).toContain(
      '<a href="https://arxiv.org/abs/2002.05709" target="_blank" rel="noopener noreferrer">paper</a>',
    );
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('[bad](javascript:alert(1))');
    // A bare address becomes a link too.
    expect(renderMarkdown('see https://example.org')).toContain('href="https://example.org"');
  });
});

describe('a note as a plain-text excerpt', () => {
  it('drops heading, emphasis, code and link markers, one line per block or line break', () => {
    const note =
      '# Ablation\n\nLR **0.3** beat *0.03* and _0.1_, see [paper](https://arxiv.org/abs/2002.05709).\n\n- crop\n- `jitter`\n\n![loss curve](x.png)\nsecond line';
    expect(markdownLines(note)).toEqual([
      'Ablation',
      'LR 0.3 beat 0.03 and 0.1, see paper.',
      'crop',
      'jitter',
      'loss curve',
      'second line',
    ]);
    expect(markdownExcerpt(note)).toBe(
      'Ablation · LR 0.3 beat 0.03 and 0.1, see paper. · crop · jitter · loss curve · second line',
    );
  });

  it('keeps a code block’s lines and raw HTML as the text it is, and is empty for a blank note', () => {
    expect(markdownLines('```\nlr = 0.3\n\nbatch = 256\n```')).toEqual(['lr = 0.3', 'batch = 256']);
    expect(markdownExcerpt('<b>bold</b> & more')).toBe('<b>bold</b> & more');
    expect(markdownExcerpt('  \n\n ')).toBe('');
  });
});
