import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);
const { version, bin, scripts } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));

describe('the model-opt bin', () => {
  it('is package.json’s bin, runs with npx from the project, and npm run drop/redrive alias it', async () => {
    expect(bin).toEqual({ 'model-opt': 'bin/model-opt.js' });
    expect(scripts.drop).toBe('node bin/model-opt.js drop');
    expect(scripts.redrive).toBe('node bin/model-opt.js redrive');

    const { stdout } = await run('npx', ['model-opt', '--version'], { cwd: ROOT });

    expect(stdout.trim()).toBe(version);
  });
});
