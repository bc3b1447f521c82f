// Generates src/schema.gen.ts from docs/openapi.json, the server's committed OpenAPI document
// (`cargo run -p kefu-server -- openapi > docs/openapi.json`). With `--check` it regenerates in
// memory and fails when the committed file differs, so a server change cannot leave the UIs'
// types behind.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

export const SPEC = new URL('../../../../docs/openapi.json', import.meta.url);
export const OUTPUT = new URL('../src/schema.gen.ts', import.meta.url);

/** The generated module's text. One set of options, shared by `generate` and `--check`. */
export async function generate() {
  const spec = JSON.parse(readFileSync(SPEC, 'utf8'));
  const ast = await openapiTS(spec, {
    // `export type ConversationView = components['schemas']['ConversationView']` for every schema.
    rootTypes: true,
    rootTypesNoSchemaPrefix: true,
    silent: true,
  });
  return COMMENT_HEADER + astToString(ast);
}

/** Whether the committed file is what the document generates now. */
export async function isCurrent() {
  let committed = '';
  try {
    committed = readFileSync(OUTPUT, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  return committed === (await generate());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--check')) {
    if (!(await isCurrent())) {
      console.error(
        `${fileURLToPath(OUTPUT)} is stale relative to docs/openapi.json: run \`npm run generate -w @kefu/api\` in web/`,
      );
      process.exit(1);
    }
    console.log('@kefu/api: schema.gen.ts is current');
  } else {
    writeFileSync(OUTPUT, await generate());
    console.log(`wrote ${fileURLToPath(OUTPUT)}`);
  }
}
