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
