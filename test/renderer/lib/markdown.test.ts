import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src-renderer/src/lib/markdown';

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
