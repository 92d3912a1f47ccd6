/** Wiring step: the AWS client settings that point an SDK or CLI, and the local functions, at the stack. */

/** The variables an AWS SDK or CLI needs to talk to the stack at `endpoint`. */
export function clientEnvFor(endpoint: string, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * The functions run in this process: their SDK clients are pointed at the edge (before they
 * load), and Powertools set for a laptop.
 */
export function pointFunctionsAt(clientEnv: Record<string, string>, functionLogLevel: string): void {
  Object.assign(process.env, clientEnv, {
    POWERTOOLS_LOG_LEVEL: functionLogLevel,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    // Tracing is off here, but in its automatic mode the X-Ray SDK (which the Powertools tracer
    // loads) installs an async hook that tracks every promise of the process: the whole stack's.
    AWS_XRAY_MANUAL_MODE: 'true',
    POWERTOOLS_DEV: 'true',
  });
}
