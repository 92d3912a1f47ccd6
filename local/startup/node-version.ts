/** The Node version check of `npm start`, against package.json's `engines`. */
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { StartupError } from './startup-error';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

/** The `engines.node` range of package.json. */
export function enginesRange(): string {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { engines?: { node?: string } };
  return pkg.engines?.node ?? '*';
}

/** Throws a {@link StartupError} when `version` (default: this Node's) is outside `range`. */
export function checkNodeVersion(version: string = process.version, range: string = enginesRange()): void {
  if (semver.satisfies(version, range)) return;
  const minimum = semver.minVersion(range);
  const install = minimum ? `${minimum.version} or newer (e.g. \`nvm install ${minimum.major}\`)` : range;
  throw new StartupError(
    `Node ${version} is older than this project needs (package.json engines: node ${range}): install Node ${install}, then run \`npm ci\` and \`npm start\` again`,
  );
}
