/**
 * Mixes of techniques and instance types an optimization job cannot run. SageMaker accepts them
 * on create (the API model has no such constraint) and the job then fails; the emulator fails it
 * as it leaves STARTING, with a FailureReason. Written from the sources the SageMaker Python SDK
 * checks before it creates a job (sagemaker-serve: model_builder.py,
 * validations/optimization.py), as the container that would run the job sees them: the Neuron
 * container compiles only; TensorRT-LLM (GPU, with compilation) neither shards nor decodes
 * speculatively; vLLM (GPU, without compilation) has no SmoothQuant; sharding runs alone and
 * needs a tensor-parallel degree. The emulator stands in for AWS, so it does not import the
 * pipeline's own rules (src/sagemaker-api/compatibility.ts); a test holds the two together.
 */
import type { CreateOptimizationJobRequest, OptimizationConfig } from '@aws-sdk/client-sagemaker';

/** A job whose optimization configs cannot run together; its message is the FailureReason's. */
export class UnsupportedOptimizationError extends Error {
  override readonly name = 'UnsupportedOptimizationError';
}

type Member = keyof Omit<OptimizationConfig, '$unknown'>;

const NEURON_FAMILIES = new Set(['inf2', 'trn1', 'trn1n']);
const LABELS: Record<Member, string> = {
  ModelQuantizationConfig: 'quantization',
  ModelCompilationConfig: 'compilation',
  ModelShardingConfig: 'sharding',
  ModelSpeculativeDecodingConfig: 'speculative decoding',
};

type Request = Pick<
  CreateOptimizationJobRequest,
  'DeploymentInstanceType' | 'OptimizationConfigs' | 'OptimizationEnvironment'
>;

/** Why the job's configs cannot run, as its FailureReason would say; undefined when they can. */
export function unsupportedOptimization(request: Request): string | undefined {
  const configs = request.OptimizationConfigs ?? [];
  const members = configs.flatMap((config) =>
    (Object.keys(LABELS) as Member[]).filter((member) => config[member] !== undefined),
  );
  const has = (member: Member) => members.includes(member);
  const labels = [...new Set(members.map((member) => LABELS[member]))].join(', ');
  const [, family, size] = (request.DeploymentInstanceType ?? '').split('.');

  if (family && size && NEURON_FAMILIES.has(family) && members.some((m) => m !== 'ModelCompilationConfig'))
    return `ClientError: Neuron instances (${request.DeploymentInstanceType}) support compilation only; the job asked for ${labels}.`;
  if (has('ModelShardingConfig')) {
    if (members.some((m) => m !== 'ModelShardingConfig'))
      return `ClientError: Sharding is mutually exclusive and cannot be combined with other optimizations; the job asked for ${labels}.`;
    const degree = 'OPTION_TENSOR_PARALLEL_DEGREE';
    const everySharding = configs.filter((c) => c.ModelShardingConfig);
    const withDegree = (env: Record<string, string> | undefined) => env !== undefined && degree in env;
    if (
      !withDegree(request.OptimizationEnvironment) &&
      everySharding.some((c) => !withDegree(c.ModelShardingConfig?.OverrideEnvironment))
    )
      return `ClientError: ${degree} is a required environment variable with sharding.`;
  }
  if (has('ModelCompilationConfig') && has('ModelSpeculativeDecodingConfig'))
    return 'ClientError: Compilation and speculative decoding cannot be used together.';
  const smoothQuant = configs.some(
    (c) => c.ModelQuantizationConfig?.OverrideEnvironment?.OPTION_QUANTIZE === 'smoothquant',
  );
  if (smoothQuant && !has('ModelCompilationConfig'))
    return 'ClientError: Quantization with smoothquant must be provided with compilation.';
  return undefined;
}
