import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';

const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'];

/** A fresh copy of start-optimization's S3 client, created under these endpoint variables. */
async function loadClient(env: Record<string, string>): Promise<S3Client> {
  for (const name of ENDPOINT_VARIABLES) vi.stubEnv(name, env[name]);
  vi.resetModules();
  return (await import('../../src/aws/s3')).s3;
}

/** Where the client would send a GetObject: host and path, read before it is signed or sent. */
async function addressOf(client: S3Client): Promise<{ hostname: string; path: string }> {
  const seen: { hostname: string; path: string }[] = [];
  client.middlewareStack.add(
    (_next) => async (args) => {
      const { hostname, path } = args.request as { hostname: string; path: string };
      seen.push({ hostname, path });
      throw new Error('stop: address recorded');
    },
    { step: 'build', name: 'recordAddress' },
  );
  await expect(
    client.send(new GetObjectCommand({ Bucket: 'models-bucket', Key: 'models/tiny-llm/optimization.json' })),
  ).rejects.toThrow('stop: address recorded');
  const [address] = seen;
  if (!address) throw new Error('the request never reached the build step');
  return address;
}

afterEach(() => vi.unstubAllEnvs());

describe('the S3 client of start-optimization', () => {
  it('addresses AWS the way AWS recommends: the bucket in the host name (virtual-hosted style)', async () => {
    const address = await addressOf(await loadClient({}));
    expect(address).toEqual({
      hostname: 'models-bucket.s3.us-east-1.amazonaws.com',
      path: '/models/tiny-llm/optimization.json',
    });
  });

  it.each([
    ['AWS_ENDPOINT_URL', { AWS_ENDPOINT_URL: 'http://localhost:4566' }],
    ['AWS_ENDPOINT_URL_S3', { AWS_ENDPOINT_URL_S3: 'http://localhost:4566' }],
  ])('addresses a local stack named by %s by path, even by a host name', async (_name, env) => {
    const address = await addressOf(await loadClient(env));
    expect(address).toEqual({
      hostname: 'localhost',
      path: '/models-bucket/models/tiny-llm/optimization.json',
    });
  });

  it('addresses AWS when the configured endpoints are ignored (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)', async () => {
    const client = await loadClient({
      AWS_ENDPOINT_URL: 'http://localhost:4566',
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
    });
    expect((await addressOf(client)).hostname).toBe('models-bucket.s3.us-east-1.amazonaws.com');
  });
});
