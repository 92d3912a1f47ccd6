/**
 * serverless.yml keeps its CloudFormation resources in files under resources/, one per concern,
 * merged by the Framework in the order `resources:` lists them. The merge is a deep merge: a
 * logical id declared in two files would silently become one resource made of both. These
 * checks keep the split honest; scripts/compare-templates.sh shows that a change to the split
 * leaves the packaged template as it was.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packagedTemplate } from '../support/template';

const ROOT = join(import.meta.dirname, '../..');
const INCLUDE = /^\$\{file\((resources\/[^)]+\.yml)\)\}$/;
const SECTIONS = ['Conditions', 'Resources', 'Outputs', 'extensions'] as const;

type ResourceFile = Partial<Record<(typeof SECTIONS)[number], Record<string, unknown>>>;

function readYaml<T>(path: string): T {
  return parse(readFileSync(join(ROOT, path), 'utf8')) as T;
}

/** The files serverless.yml's `resources:` lists, in its order. */
function listedFiles(): string[] {
  const { resources } = readYaml<{ resources: unknown }>('serverless.yml');
  if (!Array.isArray(resources)) throw new Error('serverless.yml: resources is not a list of files');
  return resources.map((entry) => {
    const path = typeof entry === 'string' ? INCLUDE.exec(entry)?.[1] : undefined;
    if (!path) throw new Error(`serverless.yml: resources lists ${JSON.stringify(entry)}, not a file`);
    return path;
  });
}

describe('serverless.yml: resources in files by concern', () => {
  it('lists every file under resources/ once, and only those', () => {
    // resources/fragments/ holds pieces that resource files include, not resource files.
    const onDisk = readdirSync(join(ROOT, 'resources'))
      .filter((name) => name.endsWith('.yml'))
      .map((name) => `resources/${name}`);
    const listed = listedFiles();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(onDisk.sort());
  });

  it('declares no logical id in two files (the merge would silently make one of both)', () => {
    const declaredIn = new Map<string, string[]>();
    for (const file of listedFiles()) {
      const content = readYaml<ResourceFile>(file);
      const unknownSections = Object.keys(content).filter(
        (key) => !(SECTIONS as readonly string[]).includes(key),
      );
      expect(unknownSections, file).toEqual([]);
      for (const section of SECTIONS) {
        for (const id of Object.keys(content[section] ?? {})) {
          const key = `${section}.${id}`;
          declaredIn.set(key, [...(declaredIn.get(key) ?? []), file]);
        }
      }
    }
    expect([...declaredIn].filter(([, files]) => files.length > 1)).toEqual([]);
    // Every file contributes something the template then holds.
    const template: Record<string, Record<string, unknown> | undefined> = { ...packagedTemplate() };
    for (const key of declaredIn.keys()) {
      const [section, id] = key.split('.') as [string, string];
      const inTemplate = section === 'extensions' ? template.Resources : template[section];
      expect(inTemplate?.[id], key).toBeDefined();
    }
  });
});
