import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BAD_INPUTS, badInputsTable } from '../../harness/bad-input-catalogue';
import { outcomeOf } from '../support/bad-input-harness';

describe('the bad-input catalogue', () => {
  it('has at least 25 distinct inputs', () => {
    expect(new Set(BAD_INPUTS.map((b) => b.id)).size).toBe(BAD_INPUTS.length);
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(BAD_INPUTS.map((b) => [b.id, b] as const))(
    '%s produces exactly what the catalogue says',
    async (_id, input) => {
      const result = await outcomeOf(input);

      expect(result.jobsCreated).toBe(input.expect.outcome === 'accepted' ? 1 : 0);
      if (input.expect.outcome === 'rejected') {
        expect(result).toMatchObject({ outcome: 'rejected', errors: input.expect.errors });
        expect(result.rejectedEvents).toEqual([expect.objectContaining({ errors: input.expect.errors })]);
      } else {
        expect(result).toMatchObject(input.expect);
        expect(result.rejectedEvents).toEqual([]);
      }
    },
  );

  it('is listed in docs/reliability.md exactly as tested (npm run docs:bad-inputs)', () => {
    const doc = readFileSync(new URL('../../docs/reliability.md', import.meta.url), 'utf8');
    const section = doc.slice(
      doc.indexOf('<!-- bad-inputs:start -->'),
      doc.indexOf('<!-- bad-inputs:end -->'),
    );
    expect(section.replace('<!-- bad-inputs:start -->', '').trim()).toBe(badInputsTable());
  });
});
