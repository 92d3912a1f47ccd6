/**
 * npm run sourcemaps -- [outDir] — source maps for the bundles `sls package` makes, built on
 * demand because none is deployed (docs/benchmarks.md, "Cold start"). Packages the service,
 * rebuilds every handler with the same esbuild options plus an external map (which leaves the
 * code byte-identical), checks that, and writes `<outDir>/<function>/<handler>.cjs(.map)`.
 * Run it on the deployed commit; decode a frame `file.cjs:LINE:COLUMN` with
 * `new (require('node:module').SourceMap)(JSON.parse(mapText)).findEntry(LINE - 1, COLUMN - 1)`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildHandler, slsEsbuildOptions } from '../bench/cold/builds';
import { packagedFunctions } from '../bench/cold/functions';
import { packagedBuildConfig, slsPackage } from '../bench/cold/package';

async function main() {
  const outDir = resolve(process.argv[2] ?? '.source-maps');
  const packageDir = mkdtempSync(join(tmpdir(), 'mop-maps-'));
  try {
    await slsPackage(packageDir);
    const config = packagedBuildConfig(packageDir);
    const options = slsEsbuildOptions(config.esbuild, config.runtime);
    for (const fn of packagedFunctions(packageDir)) {
      const built = await buildHandler(
        fn.modulePath,
        { ...options, sourcemap: 'external' },
        join(outDir, fn.name),
      );
      if (Buffer.compare(Buffer.from(built.code), fn.entry.read()) !== 0) {
        throw new Error(`${fn.name}: the rebuild differs from the packaged bundle; its map would not fit`);
      }
      process.stderr.write(`${fn.name}: ${built.file}.map\n`);
    }
  } finally {
    rmSync(packageDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
