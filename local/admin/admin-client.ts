/** A client of the stack's admin API (`/_local/*`), for tools and tests outside its process. */
export type AdminClient = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** Calls `/_local/*` on `endpoint`; rejects with the status and body when the call fails. */
export function adminClient(endpoint: string): AdminClient {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${endpoint}${path}`, {
      method,
      ...(body !== undefined && {
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
}
