/**
 * Wiring step: the edge, the stack's one listener. Every AWS protocol (S3 REST, the JSON
 * services, SNS's query protocol), the admin routes and the console, behind one request guard.
 */
import { type AdminContext, handleAdmin } from '../admin/admin-routes';
import { requestGuard } from '../console/request-guard';
import type { LocalConsole } from '../console/routes';
import type { S3RequestLog } from '../diagnostics/s3-request-log';
import { type Edge, startEdge } from '../edge/server';
import type { LocalBus } from '../eventbridge/bus';
import { createEventBridgeService, EVENTS_TARGET_PREFIX } from '../eventbridge/service';
import type { S3Service } from '../s3/s3-service';
import { SAGEMAKER_TARGET_PREFIX, type SageMakerEmulator } from '../sagemaker';
import type { SnsService } from '../sns/service';
import type { LocalQueue } from '../sqs/queue';
import { createSqsService, SQS_TARGET_PREFIX } from '../sqs/service';
import { SFN_TARGET_PREFIX, type StepFunctionsService } from '../stepfunctions/service';
import { LOCAL_ACCOUNT_ID, type Wiring } from './wiring';

export interface EdgeServices {
  host: string;
  port: number;
  /** The edge's own URL, once it listens (the guard allows only its Host). */
  endpoint: () => string;
  s3: S3Service;
  s3Requests: S3RequestLog;
  sns: SnsService;
  console: LocalConsole;
  sageMaker: SageMakerEmulator;
  stepFunctions: StepFunctionsService;
  bus: LocalBus;
  busNames: string[];
  queues: LocalQueue[];
  admin: AdminContext;
}

export function wireEdge(w: Wiring, services: EdgeServices): Promise<Edge> {
  const { s3, sageMaker, stepFunctions, bus, busNames } = services;
  const sqs = createSqsService(services.queues, services.endpoint);
  return startEdge({
    host: services.host,
    port: services.port,
    s3: {
      ...s3,
      handle: (req, res) => {
        services.s3Requests.record(req, res);
        return s3.handle(req, res);
      },
    },
    sns: services.sns,
    onInternalError: w.onInternalError,
    refuse: requestGuard(services.endpoint),
    console: (req, res, path) => services.console.handle(req, res, path),
    jsonServices: [
      {
        targetPrefix: SAGEMAKER_TARGET_PREFIX,
        contentType: 'application/x-amz-json-1.1',
        handle: (op, input) => sageMaker.handle(op, input),
      },
      {
        targetPrefix: SFN_TARGET_PREFIX,
        contentType: 'application/x-amz-json-1.0',
        handle: (op, input) => stepFunctions.handle(op, input),
      },
      {
        targetPrefix: EVENTS_TARGET_PREFIX,
        contentType: 'application/x-amz-json-1.1',
        ...createEventBridgeService(
          bus,
          busNames,
          (name) => `arn:aws:events:${w.region}:${LOCAL_ACCOUNT_ID}:event-bus/${name}`,
        ),
      },
      {
        targetPrefix: SQS_TARGET_PREFIX,
        contentType: 'application/x-amz-json-1.0',
        handle: (op, input) => sqs.handle(op, input),
      },
    ],
    admin: async (method, path, body) => handleAdmin(services.admin, method, path, body),
  });
}
