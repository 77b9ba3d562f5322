// `node --import ./test/helpers/record-imports.mjs …`: appends the URL of every module the process loads
// to the file named by RECORD_IMPORTS, one a line, so a test can say what a command start loaded.
import { register } from 'node:module';

const hooks = `
import fs from 'node:fs';
export async function load(url, context, nextLoad) {
  if (process.env.RECORD_IMPORTS) fs.appendFileSync(process.env.RECORD_IMPORTS, url + '\\n');
  return nextLoad(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
