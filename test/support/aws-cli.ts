/**
 * The AWS CLI installed on this machine (`aws`, Debian's awscli in CI) run against a local
 * endpoint with throwaway credentials and an empty home, so no profile of the machine's
 * leaks in: tests use it as a second client of the local stack, beside the SDK.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs `aws <args> --endpoint-url <endpoint>`; resolves with its stdout. */
export async function awsCli(
  endpoint: string,
  region: string,
  args: string[],
  timeoutMs = 60_000,
): Promise<string> {
  const run = execFileAsync('aws', [...args, '--endpoint-url', endpoint], {
    env: {
      PATH: process.env.PATH,
      HOME: mkdtempSync(join(tmpdir(), 'mop-aws-home-')),
      AWS_ACCESS_KEY_ID: 'any',
      AWS_SECRET_ACCESS_KEY: 'thing',
      AWS_DEFAULT_REGION: region,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    timeout: timeoutMs,
  });
  const { stdout } = await run.catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new Error("the AWS CLI (`aws`) is not on PATH: .ci/run installs Debian's awscli package");
  });
  return stdout;
}
