/**
 * The SageMaker emulator on the wire (awsJson 1.1): the edge hands each request's
 * `x-amz-target` header and body to {@link handleSageMakerRequest}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EmulatorHttpResponse, handleAwsJsonRequest } from '../protocol/aws-json';
import type { SageMakerEmulator } from './emulator';

/** The `x-amz-target` prefix of SageMaker operations (`SageMaker.CreateOptimizationJob`). */
export const SAGEMAKER_TARGET_PREFIX = 'SageMaker';

/**
 * Answers one SageMaker request. Credentials are not checked (any signature is accepted).
 * Errors come back as awsJson error responses, never as rejections.
 */
export function handleSageMakerRequest(
  emulator: Pick<SageMakerEmulator, 'handle'>,
  target: string | undefined,
  bodyText: string,
): Promise<EmulatorHttpResponse> {
  return handleAwsJsonRequest({
    contentType: 'application/x-amz-json-1.1',
    targetPrefix: SAGEMAKER_TARGET_PREFIX,
    target,
    bodyText,
    handle: (operation, input) => emulator.handle(operation, input),
  });
}

/** A `node:http` request listener that serves the emulator at `POST /` (for tests and tools). */
export function sageMakerRequestListener(
  emulator: Pick<SageMakerEmulator, 'handle'>,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      handleSageMakerRequest(
        emulator,
        Array.isArray(target) ? target[0] : target,
        Buffer.concat(chunks).toString('utf8'),
      ).then(({ statusCode, headers, body }) => {
        response.writeHead(statusCode, { ...headers, 'content-length': Buffer.byteLength(body) });
        response.end(body);
      });
    });
  };
}
