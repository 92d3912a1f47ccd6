/**
 * esbuild builds of a function's handler besides the packaged one: the same options
 * serverless-esbuild used (for the metafile, and to prove they reproduce the packaged bytes),
 * the naive baseline, and the experiments behind the choices in serverless.yml.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { ROOT } from './package';

/** serverless-esbuild's own options, which it removes before calling esbuild. */
const PLUGIN_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/** The esbuild options serverless-esbuild derives from `custom.esbuild` (its defaults first). */
export function slsEsbuildOptions(custom: Record<string, unknown>, runtime: string): BuildOptions {
  const merged: Record<string, unknown> = {
    bundle: true,
    platform: 'node',
    target: runtime.replace(/^nodejs(\d+)\.x$/, 'node$1'),
    external: [],
    exclude: ['aws-sdk'],
    outputFileExtension: '.js',
    ...custom,
  };
  const exclude = (merged.exclude as string[] | string | undefined) ?? [];
  const excluded = Array.isArray(exclude) ? exclude : [exclude];
  const options: Record<string, unknown> = Object.fromEntries(
    Object.entries(merged).filter(([key]) => !PLUGIN_OPTIONS.includes(key)),
  );
  options.external = [...((merged.external as string[]) ?? []), ...(excluded.includes('*') ? [] : excluded)];
  const extension = String(merged.outputFileExtension);
  if (extension !== '.js') options.outExtension = { '.js': extension };
  return options as BuildOptions;
}

/** The handler's source file, as serverless-esbuild finds it. */
export function sourceEntry(modulePath: string): string {
  for (const ext of ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']) {
    if (existsSync(join(ROOT, `${modulePath}${ext}`))) return `${modulePath}${ext}`;
  }
  throw new Error(`no source file for ${modulePath}`);
}

/** A built bundle, written under `outDir` at the handler's module path. */
export interface Built {
  file: string;
  bytes: number;
  /** Bytes of the source map written beside it, if any. */
  mapBytes: number;
  code: Uint8Array;
  metafile: Metafile;
}

/** Builds one handler with the given options into `outDir`. */
export async function buildHandler(
  modulePath: string,
  options: BuildOptions,
  outDir: string,
): Promise<Built> {
  const extension = options.outExtension?.['.js'] ?? '.js';
  const result = await build({
    ...options,
    entryPoints: [join(ROOT, sourceEntry(modulePath))],
    outdir: join(outDir, dirname(modulePath)),
    absWorkingDir: ROOT,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const file = join(outDir, `${modulePath}${extension}`);
  let code: Uint8Array | undefined;
  let mapBytes = 0;
  for (const output of result.outputFiles ?? []) {
    mkdirSync(dirname(output.path), { recursive: true });
    writeFileSync(output.path, output.contents);
    if (output.path === file) code = output.contents;
    else if (output.path.endsWith('.map')) mapBytes += output.contents.length;
  }
  if (!code) throw new Error(`esbuild wrote no ${file}`);
  return { file, bytes: code.length, mapBytes, code, metafile: result.metafile as Metafile };
}

/** esbuild with its defaults for Node: no minify, `main` before `module`, CommonJS. */
export const NAIVE_OPTIONS: BuildOptions = { bundle: true, platform: 'node', format: 'cjs' };

/** Stands in for Powertools Tracer: what the functions cost without it (and the X-Ray SDK). */
export const withoutTracer: Plugin = {
  name: 'without-tracer',
  setup(b) {
    b.onResolve({ filter: /^@aws-lambda-powertools\/tracer(\/|$)/ }, (args) => ({
      path: args.path,
      namespace: 'no-tracer',
    }));
    b.onLoad({ filter: /.*/, namespace: 'no-tracer' }, () => ({
      loader: 'js',
      contents: `
        const passThrough = new Set(['captureAWSv3Client', 'captureAWSClient', 'captureAWS']);
        export class Tracer {
          constructor() {
            return new Proxy(this, {
              get: (_, key) => key === 'then' ? undefined : passThrough.has(key) ? (c) => c : () => undefined,
            });
          }
        }
        export const captureLambdaHandler = () => ({ before() {} });`,
    }));
  },
};

/** Bytes per package (or per project folder) in a bundle, largest first. */
export function contributors(metafile: Metafile): { name: string; bytes: number }[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
  const totals = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const pkg = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
    const name = pkg ?? `${path.split('/').slice(0, -1).join('/') || path} (this project)`;
    totals.set(name, (totals.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}
