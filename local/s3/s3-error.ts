/**
 * S3's errors: a code, its HTTP status and message, and the fields S3 adds to its `<Error>`
 * document (`Key`, `BucketName`, `UploadId` …). The status of each code is S3's (S3 API
 * reference, "List of error codes").
 */
import { xmlDocument } from './xml';

const STATUS: Record<string, number> = {
  AccessDenied: 403,
  BadDigest: 400,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartNumber: 416,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidStorageClass: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NoSuchVersion: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
};

export type S3ErrorFields = Record<string, string | number | undefined>;

export class S3ApiError extends Error {
  override readonly name = 'S3ApiError';
  readonly status: number;

  constructor(
    readonly code: string,
    message: string,
    readonly fields: S3ErrorFields = {},
    /** Headers the error answers with (a delete marker's `x-amz-delete-marker`, say). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = STATUS[code] ?? 400;
  }

  /** The `<Error>` document S3 answers (no namespace, as S3's has none). */
  toXml(requestId: string): string {
    return xmlDocument(
      'Error',
      { Code: this.code, Message: this.message, ...this.fields, RequestId: requestId },
      false,
    );
  }
}

export function noSuchBucket(bucket: string): S3ApiError {
  return new S3ApiError('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
}

export function noSuchKey(key: string): S3ApiError {
  return new S3ApiError('NoSuchKey', 'The specified key does not exist.', { Key: key });
}

export function noSuchVersion(key: string, versionId: string): S3ApiError {
  return new S3ApiError('NoSuchVersion', 'The specified version does not exist.', {
    Key: key,
    VersionId: versionId,
  });
}

export function noSuchUpload(uploadId: string): S3ApiError {
  return new S3ApiError(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId.slice(0, 200) },
  );
}

export function invalidArgument(message: string, name: string, value?: string): S3ApiError {
  return new S3ApiError('InvalidArgument', message, {
    ArgumentName: name,
    ArgumentValue: value?.slice(0, 200),
  });
}

export function malformedXml(): S3ApiError {
  return new S3ApiError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  );
}

export function notImplemented(what: string): S3ApiError {
  return new S3ApiError(
    'NotImplemented',
    `A header or query you provided implies functionality that is not implemented: ${what} is not served by the local stack.`,
  );
}

export function methodNotAllowed(method: string, resourceType: string): S3ApiError {
  return new S3ApiError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    Method: method,
    ResourceType: resourceType,
  });
}

export function preconditionFailed(condition: string): S3ApiError {
  return new S3ApiError(
    'PreconditionFailed',
    'At least one of the pre-conditions you specified did not hold',
    {
      Condition: condition,
    },
  );
}
