/**
 * Node 22 is the floor everywhere it is stated: package.json's engines and devEngines (which
 * make npm refuse an older Node), the startup check of `npm start`, `.nvmrc`, `@types/node`,
 * the functions' runtime and esbuild target, and `.ci/run`, which tests on Node 22 and 24 only.
 * On Node 22 and later the AWS SDK prints no warning about Node versions, so nothing silences it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { checkNodeVersion, enginesRange } from '../../local/startup/node-version';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const json = (path: string) => JSON.parse(read(path));

/** The SDK's switch for its start-up warning about Node versions (spelt so as not to name it). */
const SDK_WARNING_SWITCH = ['AWS_SDK_JS', 'NODE_VERSION_SUPPORT_WARNING_DISABLED'].join('_');

/** The project's own source files, as paths relative to the root (dependencies and outputs left out). */
function sources(folder = ROOT): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      const skip = entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'coverage';
      return skip ? [] : sources(path);
    }
    return /\.(?:[cm]?[jt]s|sh)$/.test(entry.name) ? [relative(ROOT, path)] : [];
  });
}

interface PackageJson {
  engines: { node: string };
  devEngines: { runtime: { name: string; version: string; onFail: string } };
  devDependencies: Record<string, string>;
}

/**
 * The Node majors `npm test` runs on in a CI script, in order: a line `npm test` runs on the
 * Node of the last `export PATH="$NODE<n>_BIN:$PATH"`, and `PATH="$NODE<n>_BIN:$PATH" npm test`
 * on Node <n>. Each run must be preceded by `expect_node <n>` for the same Node, or it is
 * reported as `unchecked <n>`.
 */
function testRuns(script: string): string[] {
  let exported: string | undefined;
  let checked: string | undefined;
  const runs: string[] = [];
  for (const line of script.split('\n').map((l) => l.trim())) {
    const exportPath = /^export PATH="\$NODE(\d+)_BIN:\$PATH"$/.exec(line);
    if (exportPath) exported = exportPath[1];
    const expectNode = /^(?:PATH="\$NODE(\d+)_BIN:\$PATH" )?expect_node (\d+)$/.exec(line);
    if (expectNode) checked = (expectNode[1] ?? exported) === expectNode[2] ? expectNode[2] : undefined;
    const test = /^(?:PATH="\$NODE(\d+)_BIN:\$PATH" )?npm test( .+)?$/.exec(line);
    if (test) {
      const node = test[1] ?? exported ?? 'system';
      runs.push(`${checked === node ? node : `unchecked ${node}`}${test[2] ?? ''}`);
      checked = undefined;
    }
  }
  return runs;
}

describe('the Node floor', () => {
  const pkg: PackageJson = json('package.json');
  const minimum = semver.minVersion(enginesRange());

  it('is 22.13 in engines, devEngines (an error, not a warning) and the startup check alike', () => {
    expect(pkg.engines.node).toBe('>=22.13');
    expect(pkg.devEngines.runtime).toEqual({ name: 'node', version: pkg.engines.node, onFail: 'error' });
    expect(enginesRange()).toBe(pkg.engines.node);
    expect(minimum?.version).toBe('22.13.0');
    expect(() => checkNodeVersion('v22.12.0')).toThrow(/install Node 22\.13\.0 or newer/);
    expect(() => checkNodeVersion('v20.19.0')).toThrow(/install Node 22\.13\.0 or newer/);
    expect(() => checkNodeVersion('v22.13.0')).not.toThrow();
    expect(() => checkNodeVersion('v24.0.0')).not.toThrow();
  });

  it('is what .nvmrc asks for, and npm refuses dependencies whose engines exclude this Node', () => {
    expect(read('.nvmrc').trim()).toBe(String(minimum?.major));
    expect(read('.npmrc').split('\n')).toContain('engine-strict=true');
  });

  it('is the major of @types/node, in package.json and the lockfile', () => {
    const lock = json('package-lock.json');
    expect(semver.major(pkg.devDependencies['@types/node'] ?? '')).toBe(22);
    expect(semver.major(lock.packages['node_modules/@types/node'].version)).toBe(22);
    expect(lock.packages[''].engines).toEqual(pkg.engines);
  });

  it("leaves the SDK's Node-version warning on: no source file sets its switch", () => {
    const files = sources();
    expect(files).toEqual(expect.arrayContaining(['local/main.ts', 'test/setup.ts', 'bench/drop.ts']));
    expect(files.filter((file) => read(file).includes(SDK_WARNING_SWITCH))).toEqual([]);
  });

  it("is the functions' runtime and esbuild's target", () => {
    const serverless = read('serverless.yml');
    expect(serverless).toMatch(/^ {2}runtime: nodejs22\.x$/m);
    expect(serverless).toMatch(/^ {4}target: node22$/m);
    expect(serverless).not.toMatch(/nodejs(?!22\.x)\d+/);
  });
});

describe('.ci/run', () => {
  const script = read('.ci/run');

  it('runs npm test on Node 22, then on Node 24 (every project with --full, else the runtime project), each checked, and never on Node 20', () => {
    expect(testRuns(script)).toEqual(['22', '24', '24 -- --project runtime']);
    expect(script).not.toMatch(/node ?v?20|node20/i);
  });

  it('takes Node 22 and 24 from the npm registry, in .ci/node22 and .ci/node24', () => {
    for (const major of [22, 24]) {
      const folder = `.ci/node${major}`;
      expect(script).toContain(`NODE${major}_BIN="$PWD/${folder}/node_modules/.bin"`);
      expect(script).toContain(`npm ci --prefix ${folder} `);
      const wanted = json(`${folder}/package.json`).devDependencies.node;
      expect(semver.major(wanted)).toBe(major);
      expect(json(`${folder}/package-lock.json`).packages['node_modules/node'].version).toBe(wanted);
    }
  });

  it('puts Node 22 on PATH before the npm ci that devEngines would refuse on an older Node', () => {
    const exported = script.indexOf('export PATH="$NODE22_BIN:$PATH"');
    const projectCi = script.indexOf('\nnpm ci --no-audit');
    expect(exported).toBeGreaterThan(script.indexOf('npm ci --prefix .ci/node22 '));
    expect(projectCi).toBeGreaterThan(exported);
  });

  it('reads the test runs of a script, and finds a Node 20 run or an unchecked one', () => {
    const lines = (...l: string[]) => l.join('\n');
    expect(testRuns(lines('expect_node 20', 'npm test'))).toEqual(['unchecked system']);
    expect(testRuns(lines('export PATH="$NODE20_BIN:$PATH"', 'expect_node 20', 'npm test'))).toEqual(['20']);
    expect(
      testRuns(
        lines(
          'export PATH="$NODE22_BIN:$PATH"',
          'expect_node 22',
          'npm test',
          'PATH="$NODE24_BIN:$PATH" npm test',
        ),
      ),
    ).toEqual(['22', 'unchecked 24']);
    expect(testRuns(lines('export PATH="$NODE22_BIN:$PATH"', 'expect_node 24', 'npm test'))).toEqual([
      'unchecked 22',
    ]);
    expect(
      testRuns(lines('PATH="$NODE24_BIN:$PATH" expect_node 24', 'PATH="$NODE24_BIN:$PATH" npm test')),
    ).toEqual(['24']);
    expect(testRuns(lines('expect_node 22', 'npm test -- --project runtime'))).toEqual([
      'unchecked system -- --project runtime',
    ]);
  });
});
