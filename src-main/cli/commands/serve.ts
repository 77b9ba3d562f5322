import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors';
import { openApi } from '../open-api';

const help = `usage: contrastlab serve [--db FILE] [--port N] [--static DIR]

Serves the workbench in browser mode on 127.0.0.1 and prints the URL to open (it carries the access
token). Runs started from other processes on the same database show up live. Ctrl-C stops the runs
it started, then exits.

  --db FILE      SQLite database, which must exist (default: the per-user data folder, or
                 $CONTRASTLAB_DB, made on first start)
  --port N       port on 127.0.0.1 (default: any free port)
  --static DIR   the built renderer (default: out/renderer; \`npm run build\` makes it)

  $CONTRASTLAB_TOKEN, when set, is used as the access token instead of a random one.
`;

/** `serve`: the engine and the HTTP + WebSocket transport, until SIGINT or SIGTERM. */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' },
      port: { type: 'string' },
      static: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  }
  // A named database must exist (a mistyped path would serve an empty lab); the default one is made
  // on the workbench's first start.
  const { defaultStaticDir, startServer } = await import('../../transports/http/server');
  const { engine, close } = await openApi(values.db, {
    watch: true,
    create: values.db === undefined,
    autoResume: true,
  });
  const staticDir = path.resolve(values.static ?? defaultStaticDir);
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    process.stderr.write(
      `contrastlab: no built renderer in ${staticDir}; run \`npm run build\` (the API works without it)\n`,
    );
  }
  let server;
  try {
    server = await startServer({
      api: engine.api,
      port,
      staticDir,
      token: process.env.CONTRASTLAB_TOKEN || undefined,
    });
  } catch (e) {
    await close();
    throw new UsageError((e as Error).message);
  }
  process.stdout.write(`ContrastLab is running at ${server.url}\n`);

  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        process.stderr.write(`contrastlab: ${signal} again, exiting now\n`);
        process.exit(130);
      }
      process.stderr.write('contrastlab: stopping runs and closing… (again to exit at once)\n');
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await server.close();
  // Stops this engine's workers after their current step (killed after 10 s) and closes the database.
  await close();
  return 0;
}
