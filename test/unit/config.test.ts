import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';

const required = {
  STAGE: 'dev',
  EVENT_BUS_NAME: 'bus',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:track',
  SAGEMAKER_ROLE_ARN: 'arn:aws:iam::123456789012:role/sm',
  TRACKING_CHECK_FUNCTION_NAME: 'check',
};

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(required);
    expect(config).toMatchObject({
      modelsPrefix: 'models/',
      manifestName: 'optimization.json',
      outputPrefix: 'optimized/',
      maxManifestBytes: 65536,
      maxQuotaWaitSeconds: 7 * 24 * 3600,
      defaults: {
        deploymentInstanceType: 'ml.g5.2xlarge',
        techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'awq' } } }],
        environment: {},
        maxRuntimeInSeconds: 36_000,
        tags: {},
      },
    });
    expect(config.defaults).not.toHaveProperty('maxInstanceCount');
    expect(config.defaults).not.toHaveProperty('maxPendingTimeInSeconds');
  });

  it('reads the stage defaults for instance count, pending time and tags; empty means unset', () => {
    const config = loadConfig({
      ...required,
      DEFAULT_MAX_INSTANCE_COUNT: '2',
      DEFAULT_MAX_PENDING_TIME_SECONDS: '7200',
      DEFAULT_TAGS: '{"team":"ml"}',
    });
    expect(config.defaults).toMatchObject({
      maxInstanceCount: 2,
      maxPendingTimeInSeconds: 7200,
      tags: { team: 'ml' },
    });
    const unset = loadConfig({
      ...required,
      DEFAULT_MAX_INSTANCE_COUNT: '',
      DEFAULT_MAX_PENDING_TIME_SECONDS: ' ',
    });
    expect(unset.defaults).not.toHaveProperty('maxInstanceCount');
    expect(unset.defaults).not.toHaveProperty('maxPendingTimeInSeconds');
  });

  it('refuses stage defaults the API or the pipeline would refuse', () => {
    expect(() =>
      loadConfig({
        ...required,
        DEFAULT_MAX_INSTANCE_COUNT: '0',
        DEFAULT_MAX_PENDING_TIME_SECONDS: '60',
        DEFAULT_TAGS: '{"stage":"x"}',
      }),
    ).toThrow(/DEFAULT_MAX_INSTANCE_COUNT.*DEFAULT_MAX_PENDING_TIME_SECONDS.*DEFAULT_TAGS/);
  });

  it('reads JSON settings and normalises prefixes', () => {
    const config = loadConfig({
      ...required,
      MODELS_PREFIX: 'in',
      DEFAULT_TECHNIQUES: '[{"compilation":{}}]',
      DEFAULT_OPTIMIZATION_ENVIRONMENT: '{"A":"1"}',
      VPC_SUBNET_IDS: 'subnet-1, subnet-2',
      VPC_SECURITY_GROUP_IDS: 'sg-1',
    });
    expect(config.modelsPrefix).toBe('in/');
    expect(config.defaults.techniques).toEqual([{ compilation: {} }]);
    expect(config.defaults.environment).toEqual({ A: '1' });
    expect(config.defaults.vpcConfig).toEqual({
      subnets: ['subnet-1', 'subnet-2'],
      securityGroupIds: ['sg-1'],
    });
  });

  it('fails fast naming every missing or malformed variable', () => {
    const error = (() => {
      try {
        loadConfig({
          STAGE: 'dev',
          DEFAULT_TECHNIQUES: '[{"pruning":{}}]',
          DEFAULT_MAX_RUNTIME_SECONDS: 'soon',
          MAX_QUOTA_WAIT_SECONDS: '-1',
        });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of [
      'EVENT_BUS_NAME',
      'STATE_MACHINE_ARN',
      'SAGEMAKER_ROLE_ARN',
      'DEFAULT_TECHNIQUES',
      'DEFAULT_MAX_RUNTIME_SECONDS',
      'MAX_QUOTA_WAIT_SECONDS',
    ]) {
      expect(error?.message).toContain(name);
    }
  });

  it('refuses prefixes that would make the pipeline take its own outputs as drops', () => {
    for (const [models, output] of [
      ['', 'optimized/'],
      ['models/', 'models/optimized/'],
      ['models', 'models/out'],
      ['optimized/models/', 'optimized/'],
      ['models/', ''],
      ['models/', 'models/'],
    ]) {
      expect(
        () => loadConfig({ ...required, MODELS_PREFIX: models, OUTPUT_PREFIX: output }),
        `${models} / ${output}`,
      ).toThrow(/MODELS_PREFIX: (modelsPrefix is empty|outputPrefix ".*" and modelsPrefix ".*" overlap)/);
    }
    expect(
      loadConfig({ ...required, MODELS_PREFIX: 'models', OUTPUT_PREFIX: 'models-optimized' }),
    ).toMatchObject({
      modelsPrefix: 'models/',
      outputPrefix: 'models-optimized/',
    });
  });

  it('builds the tracking schedule from the stage, with defaults, and accepts only poll tiers', () => {
    expect(loadConfig(required).tracking).toEqual({
      checkFunctionName: 'check',
      firstPollDelaySeconds: 300,
      pollIntervalSeconds: 60,
      timeoutGraceSeconds: 900,
      maxTrackingSeconds: 28 * 86_400 + 3600,
      pollsPerExecution: 7000,
    });
    expect(
      loadConfig({
        ...required,
        TRACKING_POLL_INTERVAL_SECONDS: '30',
        TRACKING_FIRST_POLL_DELAY_SECONDS: '0',
      }).tracking,
    ).toMatchObject({ pollIntervalSeconds: 30, firstPollDelaySeconds: 0 });
    expect(() => loadConfig({ ...required, TRACKING_POLL_INTERVAL_SECONDS: '61' })).toThrow(
      /TRACKING_POLL_INTERVAL_SECONDS/,
    );
    expect(() => loadConfig({ ...required, TRACKING_POLLS_PER_EXECUTION: '9000' })).toThrow(
      /TRACKING_POLLS_PER_EXECUTION/,
    );
  });
});
