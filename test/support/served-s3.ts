/**
 * The local S3 service alone, served over HTTP on a loopback port of its own, for the S3 suites
 * that drive it with the SDK and the AWS CLI without the rest of the stack. The stack itself
 * serves it on the edge's one listener.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type S3Service, type S3ServiceOptions, startS3Service } from '../../local/s3/s3-service';

export interface ServedS3 extends S3Service {
  endpoint: string;
}

export async function serveS3(options: S3ServiceOptions): Promise<ServedS3> {
  const service = await startS3Service(options);
  const server = http.createServer((req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    void service.handle(req, res);
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    ...service,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
    },
  };
}
