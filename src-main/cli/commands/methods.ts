import { parseArgs } from 'node:util';

const help = `usage: contrastlab methods [--json]

  Lists every method with its paper and one-line idea, then each config field with its default and
  what it does (the fields \`train --set key=value\` accepts).

  --json                 the methods with their full config schemas (JSON Schema) as JSON
`;

/** `methods [--json]`: every registered method with its paper and config schema. */
export async function methodsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const { describeMethod, methods } = await import('../../engine/methods');
  const described = methods.map(describeMethod);
  if (values.json) {
    process.stdout.write(JSON.stringify(described, null, 2) + '\n');
    return 0;
  }
  for (const m of described) {
    process.stdout.write(`${m.id.padEnd(12)} ${m.title} — ${m.idea}\n`);
    process.stdout.write(`${''.padEnd(12)} ${m.paper.authors} (${m.paper.year}), ${m.paper.title}\n`);
    const props = (m.config as { properties: Record<string, { default?: unknown; description?: string }> })
      .properties;
    for (const [key, p] of Object.entries(props)) {
      process.stdout.write(`${''.padEnd(14)}${key}=${JSON.stringify(p.default)}  ${p.description ?? ''}\n`);
    }
    process.stdout.write('\n');
  }
  return 0;
}
