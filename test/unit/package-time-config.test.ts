/**
 * The values serverless.yml decides while the service is packaged (config/*.cjs), for the
 * shapes of stage the ci template does not show: a stage that brings its own bucket, role or
 * alarm topic, and `sls invoke local`.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const existingOrCreated = require('../../config/existing-or-created.cjs');
const invokeLocalEnv = require('../../config/invoke-local-env.cjs');
const stagePrefixes = require('../../config/stage-prefixes.cjs');

type Resolver = (context: { resolveVariable: (variable: string) => Promise<unknown> }) => Promise<unknown>;
const resolveWith =
  (values: Record<string, unknown>) =>
  async (variable: string): Promise<unknown> =>
    values[variable];

describe('config/existing-or-created.cjs', () => {
  it.each([
    ['modelsBucketName', 'existingBucketName', 'acme-models'],
    ['sageMakerRoleArn', 'sageMakerRoleArn', 'arn:aws:iam::123456789012:role/acme'],
    ['alarmTopicArn', 'alarmTopicArn', 'arn:aws:sns:eu-west-1:123456789012:ops'],
  ])('%s: the stage’s %s when set', async (property, param, given) => {
    const resolve = existingOrCreated[property] as Resolver;
    expect(await resolve({ resolveVariable: resolveWith({ [`param:${param}`]: given }) })).toBe(given);
  });

  it('else the stack’s own resource, never an empty string', async () => {
    const empty = { resolveVariable: resolveWith({}) };
    expect(await existingOrCreated.modelsBucketName(empty)).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      'Fn::Sub': '${AWS::StackName}-models-${AWS::AccountId}-${AWS::Region}',
    });
    expect(await existingOrCreated.sageMakerRoleArn(empty)).toEqual({
      'Fn::GetAtt': ['SageMakerExecutionRole', 'Arn'],
    });
    expect(
      await existingOrCreated.alarmTopicArn({ resolveVariable: resolveWith({ 'param:alarmTopicArn': ' ' }) }),
    ).toEqual({ Ref: 'OutcomeNotificationsTopic' });
  });
});

describe('config/invoke-local-env.cjs', () => {
  const reference = { Ref: 'TrackOptimizationJob' };
  const context = { resolveVariable: resolveWith({ 'self:custom.stateMachineArnRef': reference }) };
  const exported = 'arn:aws:states:us-east-1:000000000000:stateMachine:local-track';
  const previous = process.env.STATE_MACHINE_ARN;
  afterEach(() => {
    process.env.STATE_MACHINE_ARN = previous;
  });

  it.each(['package', 'deploy', 'print', 'deploy function'])(
    'ignores the shell under `sls %s`: the stack’s reference',
    async (command) => {
      process.env.STATE_MACHINE_ARN = exported;
      const resolve = invokeLocalEnv.fromShellWhenInvokedLocally(
        'STATE_MACHINE_ARN',
        'self:custom.stateMachineArnRef',
        () => command,
      ) as Resolver;
      expect(await resolve(context)).toEqual(reference);
    },
  );

  it('takes the shell’s value under `sls invoke local`, and the reference when it has none', async () => {
    const resolve = invokeLocalEnv.fromShellWhenInvokedLocally(
      'STATE_MACHINE_ARN',
      'self:custom.stateMachineArnRef',
      () => 'invoke local',
    ) as Resolver;
    process.env.STATE_MACHINE_ARN = exported;
    expect(await resolve(context)).toBe(exported);
    delete process.env.STATE_MACHINE_ARN;
    expect(await resolve(context)).toEqual(reference);
  });
});

describe('config/stage-prefixes.cjs', () => {
  const resolveBoth = (modelsPrefix: string, outputPrefix: string) => ({
    resolveVariable: resolveWith({ 'param:modelsPrefix': modelsPrefix, 'param:outputPrefix': outputPrefix }),
  });

  it('gives the functions the stage’s prefixes, each ending in /', async () => {
    expect(await stagePrefixes.modelsPrefix(resolveBoth('models', 'optimized/'))).toBe('models/');
    expect(await stagePrefixes.outputPrefix(resolveBoth('models', 'optimized'))).toBe('optimized/');
  });

  it('fails the package when the outputs would be drops: an empty modelsPrefix, or one prefix under the other', async () => {
    await expect(stagePrefixes.modelsPrefix(resolveBoth('', 'optimized/'))).rejects.toThrow(
      'stage parameters: modelsPrefix is empty',
    );
    await expect(stagePrefixes.outputPrefix(resolveBoth('models/', 'models/optimized/'))).rejects.toThrow(
      /outputPrefix "models\/optimized\/" and modelsPrefix "models\/" overlap/,
    );
  });
});
