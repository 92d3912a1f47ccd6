import type { Command } from 'commander';
import { explainError } from '../client/explain-error';
import { EXIT_CODES, exitCodeOfError } from './errors';
import { createOutput } from './output';
import { type GlobalOptions, openSession, type Session } from './session';

/**
 * Runs a command's body with a session: opens it from the global options, sets the process exit
 * code from the body's result, and reports errors (explained, with their exit code).
 */
export async function runCommand(
  command: Command,
  body: (session: Session) => Promise<number | undefined>,
  options: { bucket?: string } = {},
): Promise<void> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const out = createOutput({ json: Boolean(globals.json) });
  let session: Session | undefined;
  try {
    session = await openSession(globals, out, options);
    process.exitCode = (await body(session)) ?? EXIT_CODES.ok;
  } catch (error) {
    const explained = explainError(error, process.env.AWS_ENDPOINT_URL || undefined);
    out.error(explained);
    process.exitCode = exitCodeOfError(explained) ?? EXIT_CODES.usage;
  } finally {
    session?.close();
  }
}
