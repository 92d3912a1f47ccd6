import { explainError } from './explain-error';
import type { Target } from './target';

/** "Now" as the target's timestamps count it. */
export type Now = () => Date;

interface LocalHealth {
  status?: string;
  now?: string;
  clockSpeed?: number;
}

/**
 * The target's clock. AWS runs on real time. The local stack runs a compressed clock (job times
 * are simulated), which its `/_local/health` reports; asking it first also tells at once whether
 * the stack runs. Another emulator at AWS_ENDPOINT_URL gets the real clock.
 */
export async function targetClock(target: Target): Promise<Now> {
  if (!target.endpoint) return () => new Date();
  let health: LocalHealth;
  try {
    const response = await fetch(new URL('/_local/health', target.endpoint), {
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) return () => new Date();
    health = (await response.json()) as LocalHealth;
  } catch (error) {
    const explained = explainError(error, target.endpoint);
    if (explained !== error) throw explained;
    return () => new Date();
  }
  const at = Date.parse(health.now ?? '');
  const speed = Number(health.clockSpeed);
  if (!Number.isFinite(at) || !(speed > 0)) return () => new Date();
  const asked = Date.now();
  return () => new Date(at + (Date.now() - asked) * speed);
}
