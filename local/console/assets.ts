/**
 * The console's page and assets. The script is TypeScript (local/console/page/), bundled with
 * the diagram layout library by the project's own esbuild when first asked for, and kept in
 * memory: `npm ci && npm start` stays the whole set-up, and nothing is fetched from elsewhere.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

/** A file to answer with. */
export interface Asset {
  contentType: string;
  body: string;
}

/** Serves the page's files by name; the bundle is built once. */
export function consoleAssets(): (name: string) => Promise<Asset | undefined> {
  let script: Promise<string> | undefined;
  const bundle = async (): Promise<string> => {
    const result = await build({
      entryPoints: [`${PAGE_DIR}main.ts`],
      bundle: true,
      write: false,
      format: 'esm',
      target: 'es2022',
      platform: 'browser',
      legalComments: 'none',
      logLevel: 'silent',
    });
    return result.outputFiles[0]?.text ?? '';
  };
  return async (name) => {
    switch (name) {
      case 'index.html':
        return {
          contentType: 'text/html; charset=utf-8',
          body: readFileSync(`${PAGE_DIR}index.html`, 'utf8'),
        };
      case 'console.css':
        return {
          contentType: 'text/css; charset=utf-8',
          body: readFileSync(`${PAGE_DIR}console.css`, 'utf8'),
        };
      case 'console.js':
        script ??= bundle().catch((error: unknown) => {
          script = undefined;
          throw error;
        });
        return { contentType: 'text/javascript; charset=utf-8', body: await script };
      default:
        return undefined;
    }
  };
}
