// s3rver 3.7's models, which its store returns and its controllers read; @types/s3rver covers
// only the server. This is the part the stack's store (./hashed-store.ts) uses.
declare module 's3rver/lib/models/error.js' {
  /** An S3 error: `code` is S3's error code, `status` its HTTP status. */
  export default class S3Error extends Error {
    constructor(code: string, message?: string, detail?: Record<string, string | number>);
    code: string;
    status: number;
    toXML(): string;
  }
}

declare module 's3rver/lib/models/object.js' {
  export default class S3Object {
    constructor(
      bucket: string,
      key: string,
      content: NodeJS.ReadableStream | Buffer | null,
      metadata: Record<string, string | number>,
    );
    bucket: string;
    key: string;
    content: NodeJS.ReadableStream | Buffer | null;
    metadata: Record<string, string>;
    range?: { start: number; end: number };
    static ALLOWED_METADATA: string[];
  }
}

declare module 's3rver/lib/models/bucket.js' {
  export default class S3Bucket {
    constructor(name: string, creationDate: Date);
  }
}

declare module 's3rver/lib/models/config.js' {
  /** A bucket or object subresource (cors, website, tagging) as s3rver models it. */
  export interface S3Config {
    type: string;
    toXML(space?: number): string;
  }
  export function getConfigModel(type: string): new (xml: string) => S3Config;
}
