/**
 * The SageMaker API model the emulator validates requests against: botocore's own, as committed
 * in `botocore-model.json` (written by scripts/extract-botocore-models.py; nothing reads
 * botocore at run time), plus the few things `@aws-sdk/client-sagemaker`'s newer model has
 * and that botocore lacks, added below by hand.
 */
import botocoreModel from './botocore-model.json';

export interface ShapeRef {
  shape: string;
}

/** One shape of the model, trimmed to what validation reads. */
export interface Shape {
  type:
    | 'structure'
    | 'list'
    | 'map'
    | 'string'
    | 'integer'
    | 'long'
    | 'float'
    | 'double'
    | 'boolean'
    | 'timestamp';
  required?: string[];
  members?: Record<string, ShapeRef>;
  /** A structure of which exactly one member is set. */
  union?: boolean;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  min?: number;
  max?: number;
  /** A Java regular expression the whole value must match. */
  pattern?: string;
}

export interface ServiceModel {
  source: string;
  operations: Record<string, { input?: string; output?: string; errors: string[] }>;
  shapes: Record<string, Shape>;
}

/** The model's name for a shape missing from it: the extract and its users disagree. */
export class MissingShapeError extends Error {
  override readonly name = 'MissingShapeError';
}

/** The shape at `name` in `model`. */
export function shapeOf(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new MissingShapeError(`the model has no shape ${name}`);
  return shape;
}

/**
 * Instance types in @aws-sdk/client-sagemaker 3.1142's OptimizationJobDeploymentInstanceType and
 * not in botocore 1.43.11's: the SDK's model is newer, and the pipeline may ask for them. A test
 * holds the union to the SDK's enum (test/local/sagemaker-shape-validator.test.ts); regenerating
 * the extract from a newer botocore makes these redundant.
 */
export const NEWER_INSTANCE_TYPES = [
  'ml.g7.2xlarge',
  'ml.g7.4xlarge',
  'ml.g7.8xlarge',
  'ml.g7.12xlarge',
  'ml.g7.24xlarge',
  'ml.g7.48xlarge',
  'ml.g7e.2xlarge',
  'ml.g7e.4xlarge',
  'ml.g7e.8xlarge',
  'ml.g7e.12xlarge',
  'ml.g7e.24xlarge',
  'ml.g7e.48xlarge',
  'ml.p6-b200.48xlarge',
];

/**
 * `CreateOptimizationJobRequest.TrainingPlanArns`: in the SDK's newer model, not in this botocore.
 * The SDK's types carry no constraints, so these are the API reference's (as
 * src/sagemaker-api/limits.ts states them): at most one plan, each ARN 50-2048 characters of a
 * training plan. The shape names are ours.
 */
const TRAINING_PLAN_SHAPES: Record<string, Shape> = {
  OptimizationJobTrainingPlanArns: { type: 'list', min: 0, max: 1, member: { shape: 'TrainingPlanArn' } },
  TrainingPlanArn: {
    type: 'string',
    min: 50,
    max: 2048,
    pattern: 'arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:training-plan/.*',
  },
};

/**
 * `StoppingCondition.MaxRuntimeInSeconds`: botocore models no maximum, but the API reference
 * says "The maximum value is 28 days", and the service refuses more.
 */
const MAX_RUNTIME_SECONDS = 28 * 24 * 60 * 60;

/** botocore's model with the additions above. */
function supplemented(extract: ServiceModel): ServiceModel {
  const shapes = { ...extract.shapes, ...TRAINING_PLAN_SHAPES };
  shapes.MaxRuntimeInSeconds = { ...shapeOf(extract, 'MaxRuntimeInSeconds'), max: MAX_RUNTIME_SECONDS };
  const create = shapeOf(extract, 'CreateOptimizationJobRequest');
  shapes.CreateOptimizationJobRequest = {
    ...create,
    members: { ...create.members, TrainingPlanArns: { shape: 'OptimizationJobTrainingPlanArns' } },
  };
  const instanceTypes = shapeOf(extract, 'OptimizationJobDeploymentInstanceType');
  shapes.OptimizationJobDeploymentInstanceType = {
    ...instanceTypes,
    enum: [...new Set([...(instanceTypes.enum ?? []), ...NEWER_INSTANCE_TYPES])],
  };
  return { ...extract, shapes };
}

/** The model as botocore has it: what the conformance test compares the emulator with. */
export const BOTOCORE_MODEL = botocoreModel as unknown as ServiceModel;

/** The model the emulator validates against. */
export const SAGEMAKER_MODEL = supplemented(BOTOCORE_MODEL);

/** The input shape of an operation of the model. */
export function inputShape(operation: string): string {
  const input = SAGEMAKER_MODEL.operations[operation]?.input;
  if (!input) throw new MissingShapeError(`the model has no input shape for ${operation}`);
  return input;
}
