import { removeEndedBuildFolders } from './support/sls';

/**
 * A global setup of every project that only cleans up: when the run's process exits, its
 * workers gone, the `.esbuild-test-<pid>` folders `sls` bundled into go (a worker that vitest
 * ends with a signal cannot remove its own; a teardown runs before the last workers have ended).
 * Once per project is harmless: it removes only the folders of ended processes.
 */
export default function setup(): void {
  process.once('exit', removeEndedBuildFolders);
}
