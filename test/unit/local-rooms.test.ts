/**
 * local/ is in rooms (README, "Architecture"): only the entry point and the stack's wiring sit
 * at its root; the rest lives in a room for what it is.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const LOCAL = new URL('../../local/', import.meta.url);

describe('local/ in rooms', () => {
  const entries = readdirSync(LOCAL, { withFileTypes: true });

  it('has nothing loose at its root but main.ts and stack.ts', () => {
    const files = entries.filter((e) => e.isFile()).map((e) => e.name);
    expect(files.filter((name) => name.endsWith('.ts')).sort()).toEqual(['main.ts', 'stack.ts']);
  });

  it('has the protocol, admin, diagnostics, startup, time and wiring rooms beside one folder per service', () => {
    const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders).toEqual(
      expect.arrayContaining(['protocol', 'admin', 'diagnostics', 'startup', 'time', 'wiring']),
    );
    expect(folders).toEqual(
      expect.arrayContaining(['s3', 'sqs', 'sns', 'lambda', 'sagemaker', 'stepfunctions', 'eventbridge']),
    );
  });
});
