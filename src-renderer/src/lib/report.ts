/**
 * A run's one-page report: its facts, final numbers with how each was measured, charts, tags, notes and
 * config, written as a self-contained HTML page (charts embedded as PNG data URLs: one file that opens in
 * any browser and survives being mailed) or as Markdown zipped with its charts as PNG files beside it
 * (`report.md` + `charts/*.png`: one download that any Markdown viewer, a wiki or a Git repository shows
 * once unpacked; a browser would otherwise ask about each of the files separately). Pure: the component
 * (RunReportButton.vue) measures and draws, this only writes the documents.
 */
import { zipSync, type Zippable } from 'fflate';
import { renderMarkdown } from './markdown';

export interface ReportRow {
  label: string;
  value: string;
}

/** A final number and how it was measured (its evaluation card's lines). */
export interface ReportResult {
  key: string;
  label: string;
  value: string;
  /** What kind of measurement it is ("Weighted kNN", "Linear probe"). */
  heading: string;
  how: ReportRow[];
}

export interface ReportChart {
  /** The metric key: names the chart's file in the Markdown bundle. */
  key: string;
  title: string;
  /** The chart as a PNG data URL (data:image/png;base64,…), its title drawn in it. */
  png: string;
}

/** The words of the report's headings, in the app's language. */
export interface ReportWords {
  results: string;
  measuredHow: string;
  charts: string;
  notes: string;
  noNotes: string;
  tags: string;
  config: string;
  setting: string;
  value: string;
  metric: string;
  generated: string;
}

export const englishWords: ReportWords = {
  results: 'Final numbers',
  measuredHow: 'How it was measured',
  charts: 'Charts',
  notes: 'Notes',
  noNotes: 'No notes.',
  tags: 'Tags',
  config: 'Config',
  setting: 'Setting',
  value: 'Value',
  metric: 'Metric',
  generated: 'Exported from ContrastLab on {date}',
};

export interface RunReport {
  /** "Run #12 · SimCLR lr sweep" */
  title: string;
  /** The export's date and time as text. */
  generatedAt: string;
  /** Method, dataset, status, backend, duration… */
  facts: ReportRow[];
  results: ReportResult[];
  charts: ReportChart[];
  tags: string[];
  /** The run's notes, Markdown. */
  notes: string;
  config: ReportRow[];
  words: ReportWords;
  /** The language the words are in (the page's lang attribute). */
  lang: string;
}

const pngPrefix = 'data:image/png;base64,';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text in a Markdown table cell: pipes escaped, line breaks as spaces. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Text in Markdown prose: the characters that would start formatting escaped. */
function mdText(s: string): string {
  return s.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

/** A metric key as a file name: letters, digits, dot, dash, underscore. */
export function chartFile(key: string): string {
  return `charts/${key.replace(/[^\w.-]+/g, '_')}.png`;
}

/** The report's file name without its extension: "contrastlab-run-12-simclr-lr-sweep". */
export function reportStem(runId: number, name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\w]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return `contrastlab-run-${runId}${slug ? `-${slug}` : ''}`;
}

const generated = (r: RunReport) => r.words.generated.replace('{date}', r.generatedAt);

/** The report as one self-contained HTML page: inline styles, charts as data URLs, notes rendered. */
export function reportHtml(r: RunReport): string {
  const rows = (list: ReportRow[]) =>
    list.map((x) => `<tr><th>${escapeHtml(x.label)}</th><td>${escapeHtml(x.value)}</td></tr>`).join('');
  const results = r.results
    .map(
      (x) => `<tr>
<th>${escapeHtml(x.label)}</th><td class="num">${escapeHtml(x.value)}</td>
<td><div class="how-head">${escapeHtml(x.heading)}</div>${x.how.map((h) => `<span class="how"><span class="muted">${escapeHtml(h.label)}</span> ${escapeHtml(h.value)}</span>`).join('')}</td>
</tr>`,
    )
    .join('\n');
  // Only PNG data URLs are embedded: nothing else may reach an src attribute.
  const charts = r.charts
    .filter((c) => c.png.startsWith(pngPrefix))
    .map((c) => `<figure><img src="${escapeHtml(c.png)}" alt="${escapeHtml(c.title)}"></figure>`)
    .join('\n');
  const tags = r.tags.map((t) => `<span class="tag">${escapeHtml(t)}</span>`).join(' ');
  const notes = r.notes.trim()
    ? `<div class="notes">${renderMarkdown(r.notes)}</div>`
    : `<p class="muted">${escapeHtml(r.words.noNotes)}</p>`;
  return `<!doctype html>
<html lang="${escapeHtml(r.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.title)}</title>
<style>
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif; color: #1f2328; background: #fff; max-width: 1080px; margin: 24px auto; padding: 0 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 26px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d8dee4; }
.muted { color: #656d76; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 4px 10px 4px 0; border-bottom: 1px solid #eef1f4; }
th { font-weight: 600; white-space: nowrap; width: 1%; }
thead th:last-child { width: auto; }
.how-head { font-weight: 600; }
.how { display: inline-block; margin-right: 14px; }
td.num { font-variant-numeric: tabular-nums; font-weight: 600; white-space: nowrap; width: 1%; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 2px 24px; }
.facts div { display: flex; gap: 8px; font-size: 13px; }
.facts div.wide { grid-column: 1 / -1; }
.facts dt { color: #656d76; } .facts dd { margin: 0; font-weight: 500; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 12px; }
figure { margin: 0; border: 1px solid #d8dee4; border-radius: 6px; padding: 6px; }
figure img { width: 100%; display: block; }
.tag { display: inline-block; padding: 1px 8px; border-radius: 10px; background: #ddf4ff; color: #0969da; font-size: 12px; }
.notes code, .config td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.notes h1, .notes h2, .notes h3, .notes h4 { font-size: 14px; margin: 12px 0 4px; border: none; padding: 0; }
.notes pre { background: #f6f8fa; padding: 8px; overflow-x: auto; }
.notes blockquote { margin: 0; padding-left: 10px; border-left: 3px solid #d8dee4; color: #656d76; }
footer { margin-top: 28px; font-size: 12px; color: #656d76; }
@media print { body { margin: 0; } figure { break-inside: avoid; } }
</style>
</head>
<body>
<h1>${escapeHtml(r.title)}</h1>
<dl class="facts">${r.facts.map((f) => `<div${f.value.length > 40 ? ' class="wide"' : ''}><dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd></div>`).join('')}</dl>
${tags ? `<p>${tags}</p>` : ''}
<h2>${escapeHtml(r.words.results)}</h2>
<table class="results"><thead><tr><th>${escapeHtml(r.words.metric)}</th><th>${escapeHtml(r.words.value)}</th><th>${escapeHtml(r.words.measuredHow)}</th></tr></thead>
<tbody>
${results}
</tbody></table>
<h2>${escapeHtml(r.words.charts)}</h2>
<div class="charts">
${charts}
</div>
<h2>${escapeHtml(r.words.notes)}</h2>
${notes}
<h2>${escapeHtml(r.words.config)}</h2>
<table class="config"><tbody>${rows(r.config)}</tbody></table>
<footer>${escapeHtml(generated(r))}</footer>
</body>
</html>
`;
}

/** The report as Markdown; charts are linked as files (chartFile) that the bundle holds beside it. */
export function reportMarkdown(r: RunReport): string {
  const lines: string[] = [`# ${mdText(r.title)}`, ''];
  for (const f of r.facts) lines.push(`- **${mdText(f.label)}:** ${mdText(f.value)}`);
  if (r.tags.length)
    lines.push(
      `- **${mdText(r.words.tags)}:** ${r.tags.map((t) => `\`${t.replace(/`/g, "'")}\``).join(' ')}`,
    );
  lines.push('', `## ${mdText(r.words.results)}`, '');
  lines.push(
    `| ${cell(r.words.metric)} | ${cell(r.words.value)} | ${cell(r.words.measuredHow)} |`,
    '|---|--:|---|',
  );
  for (const x of r.results) {
    const how = [x.heading, ...x.how.map((h) => `${h.label}: ${h.value}`)].join(' · ');
    lines.push(`| ${cell(x.label)} | ${cell(x.value)} | ${cell(how)} |`);
  }
  lines.push('', `## ${mdText(r.words.charts)}`, '');
  for (const c of r.charts) lines.push(`![${mdText(c.title)}](${chartFile(c.key)})`, '');
  lines.push(
    `## ${mdText(r.words.notes)}`,
    '',
    r.notes.trim() ? r.notes.trim() : `_${mdText(r.words.noNotes)}_`,
    '',
  );
  lines.push(
    `## ${mdText(r.words.config)}`,
    '',
    `| ${cell(r.words.setting)} | ${cell(r.words.value)} |`,
    '|---|---|',
  );
  for (const c of r.config) lines.push(`| ${cell(c.label)} | \`${cell(c.value).replace(/`/g, "'")}\` |`);
  lines.push('', `_${mdText(generated(r))}_`, '');
  return lines.join('\n');
}

/** The bytes of a PNG data URL; throws on anything else. */
export function pngBytes(dataUrl: string): Uint8Array {
  if (!dataUrl.startsWith(pngPrefix)) throw new Error('a chart is not a PNG data URL');
  const binary = atob(dataUrl.slice(pngPrefix.length));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The Markdown report zipped with its charts: `<stem>/report.md` and `<stem>/charts/<key>.png`, in one
 * folder so unpacking it never scatters files.
 */
export function reportZip(r: RunReport, stem: string): Uint8Array {
  const files: Zippable = { [`${stem}/report.md`]: new TextEncoder().encode(reportMarkdown(r)) };
  // PNGs are compressed already: stored as they are; the text deflated.
  for (const c of r.charts) files[`${stem}/${chartFile(c.key)}`] = [pngBytes(c.png), { level: 0 }];
  return zipSync(files, { level: 6 });
}
