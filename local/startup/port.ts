/** Whether the edge port is free, asked before the stack starts, and said plainly when not. */
import { createServer } from 'node:net';
import { StartupError } from './startup-error';

/** The message for a port something else listens on; `port + 1` is offered instead. */
export function portInUseMessage(port: number): string {
  const next = port + 1;
  return `port ${port} is in use (another local stack or LocalStack?): stop it, or start on another port with --port ${next} or LOCAL_PORT=${next}`;
}

/** A listen error as a {@link StartupError} when the user can fix it; otherwise the error itself. */
export function explainListenError(error: unknown, port: number): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return new StartupError(portInUseMessage(port), { cause: error });
  if (code === 'EACCES')
    return new StartupError(
      `port ${port} needs privileges to listen on: start on a port above 1023 with --port <n> or LOCAL_PORT=<n>`,
      { cause: error },
    );
  return error;
}

/**
 * Throws a {@link StartupError} when `host:port` cannot be listened on. Asked before anything
 * else so a busy port changes nothing (the stack's own listen says the same if it loses a race).
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
  } catch (error) {
    throw explainListenError(error, port);
  }
  await new Promise((resolve) => server.close(resolve));
}
