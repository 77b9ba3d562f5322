/**
 * Run notes as Markdown. markdown-it with raw HTML off escapes every tag a note holds, and its link
 * check refuses javascript:, vbscript:, file: and non-image data: URLs, so what it renders is safe to
 * put in the page (and in an exported report) as it is. Links open outside the app.
 */
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });

// Every link opens in a new window (the system browser in Electron), never in place of the app.
const renderLink = markdown.renderer.rules.link_open;
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return renderLink ? renderLink(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
};

/** A note's Markdown as sanitised HTML (raw HTML escaped, unsafe links left as text). */
export function renderMarkdown(text: string): string {
  return markdown.render(text);
}

/**
 * A note's lines as plain text: what each heading, paragraph, list item and code block says, without
 * the Markdown's markers (#, *, _, `, link targets); an image is its alt text. A line break inside a
 * paragraph starts a new line, as it does when rendered (`breaks`). Blank lines are left out.
 */
export function markdownLines(text: string): string[] {
  const lines: string[] = [];
  let current = '';
  const end = () => {
    const line = current.replace(/\s+/g, ' ').trim();
    if (line) lines.push(line);
    current = '';
  };
  for (const token of markdown.parse(text, {})) {
    if (token.type === 'inline') {
      for (const child of token.children ?? []) {
        if (child.type === 'softbreak' || child.type === 'hardbreak') end();
        else if (child.type === 'text' || child.type === 'code_inline' || child.type === 'image')
          current += child.content;
      }
      end();
    } else if (token.type === 'fence' || token.type === 'code_block') {
      for (const line of token.content.split('\n')) {
        current = line;
        end();
      }
    }
  }
  return lines;
}

/** A note on one line for a table cell: its plain-text lines joined by " · ". */
export function markdownExcerpt(text: string): string {
  return markdownLines(text).join(' · ');
}
