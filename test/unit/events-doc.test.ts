/**
 * docs/events.md stays true: its examples are the events/eventbridge samples, and every event
 * pattern it shows is valid and matches exactly the examples its "Matches:" line names.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type EventPattern, matchesPattern, validatePattern } from '../../local/eventbridge/pattern-matcher';
import { EVENT_KINDS } from '../../src/schemas';
import { loadEvent } from '../support/events';

const DOC = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');

interface Block {
  lang: string;
  body: string;
  /** `example` or `pattern` and its name, from a `<!-- kind: name -->` line right above. */
  marker?: { kind: string; name: string };
  /** What follows the block, up to the next one. */
  after: string;
}

function fencedBlocks(markdown: string): Block[] {
  const fence = /(?:<!-- (example|pattern): ([\w-]+) -->\n)?```(\w*)\n([\s\S]*?)\n```/g;
  const found = [...markdown.matchAll(fence)];
  return found.map((match, i) => ({
    lang: match[3] ?? '',
    body: match[4] ?? '',
    ...(match[1] && match[2] && { marker: { kind: match[1], name: match[2] } }),
    after: markdown.slice((match.index ?? 0) + match[0].length, found[i + 1]?.index ?? markdown.length),
  }));
}

const blocks = fencedBlocks(DOC);
const examples = new Map(
  blocks
    .filter((b) => b.marker?.kind === 'example')
    .map((b) => [b.marker?.name as string, JSON.parse(b.body) as Record<string, unknown>]),
);

const listed = (text: string) => (text.trim() === 'none' ? [] : text.split(',').map((name) => name.trim()));

const patterns = blocks
  .filter((b) => b.marker?.kind === 'pattern')
  .map((b) => {
    const claim = /^Matches: (.+?)\. Does not match: (.+?)\.$/m.exec(b.after);
    return {
      name: b.marker?.name as string,
      pattern: JSON.parse(b.body) as unknown,
      matches: claim ? listed(claim[1] ?? '') : undefined,
      doesNotMatch: claim ? listed(claim[2] ?? '') : undefined,
    };
  });

/** Patterns written inline in the YAML and shell snippets (one line of JSON each). */
const inlinePatterns = blocks
  .filter((b) => b.lang !== 'json')
  .flatMap((b) =>
    [...b.body.matchAll(/(?:\bpattern|EventPattern):\s*(\{.*\})\s*$|--event-pattern '(\{.*\})'/gm)].map(
      (m) => m[1] ?? m[2] ?? '',
    ),
  );

describe('docs/events.md', () => {
  it('marks every JSON block as an example or a pattern, so none goes unchecked', () => {
    expect(blocks.filter((b) => b.lang === 'json' && !b.marker)).toEqual([]);
  });

  it('shows one example per detail-type', () => {
    expect([...examples.keys()].sort()).toEqual([...EVENT_KINDS].sort());
  });

  it.each(EVENT_KINDS)('shows events/eventbridge/%s.json as its example, unchanged', (kind) => {
    expect(examples.get(kind)).toEqual(loadEvent(`eventbridge/${kind}.json`));
  });

  it('shows the patterns subscribers need most, each once', () => {
    expect(patterns.map((p) => p.name)).toEqual(
      expect.arrayContaining(['all-failures', 'llama-models', 'longer-than-30-minutes', 'completed-on-inf2']),
    );
    expect(new Set(patterns.map((p) => p.name)).size).toBe(patterns.length);
  });

  describe.each(patterns)('pattern $name', ({ pattern, matches, doesNotMatch }) => {
    it('is valid for EventBridge', () => {
      expect(() => validatePattern(pattern)).not.toThrow();
    });

    it('says which examples it matches and which it does not, covering them all', () => {
      expect(matches, 'a "Matches: …. Does not match: …." line after the block').toBeDefined();
      expect([...(matches ?? []), ...(doesNotMatch ?? [])].sort()).toEqual([...examples.keys()].sort());
    });

    it('matches exactly the examples it says it matches', () => {
      const actual = [...examples].filter(([, event]) => matchesPattern(pattern as EventPattern, event));
      expect(actual.map(([name]) => name).sort()).toEqual([...(matches ?? [])].sort());
    });
  });

  it('shows inline patterns in the subscription snippets', () => {
    expect(inlinePatterns.length).toBeGreaterThanOrEqual(4);
  });

  it.each(inlinePatterns)('inline pattern %s is valid and one of the checked patterns', (text) => {
    const pattern = JSON.parse(text);
    expect(() => validatePattern(pattern)).not.toThrow();
    expect(patterns.map((p) => p.pattern)).toContainEqual(pattern);
  });
});
