/**
 * Whether a manifest optimizes a model already registered in SageMaker
 * (`source.sageMakerModel`): such a drop is the manifest alone. Read leniently, on the JSON's
 * shape only, so that a manifest with other mistakes is still planned as what it means to be
 * and the pipeline reports those mistakes with their paths, as for any drop.
 */
import { readFileSync } from 'node:fs';
import { DropError } from '../drop/drop-plan';

/** The registered model a manifest file names as its source, or undefined. */
export function registeredSourceOf(manifestPath: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(manifestPath, 'utf8');
  } catch (error) {
    throw new DropError(`could not read ${manifestPath}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
  const name = (json as { source?: { sageMakerModel?: { name?: unknown } } } | null)?.source?.sageMakerModel
    ?.name;
  return typeof name === 'string' ? name : undefined;
}
