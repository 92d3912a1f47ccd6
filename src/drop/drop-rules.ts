/**
 * Where drops go in the models bucket and which file triggers a folder drop. The stage sets
 * them (serverless.yml's params `modelsPrefix` and `manifestName`, read by src/config.ts); these
 * are the defaults, the one place the code states them.
 */

/** The prefix drops are made under, and the manifest name that triggers a folder drop. */
export interface DropRules {
  modelsPrefix: string;
  manifestName: string;
}

/** The stage's defaults: drops under `models/`, a folder triggered by its `optimization.json`. */
export const DEFAULT_DROP_RULES: Readonly<DropRules> = Object.freeze({
  modelsPrefix: 'models/',
  manifestName: 'optimization.json',
});
