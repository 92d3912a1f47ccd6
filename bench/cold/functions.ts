/**
 * The deployable functions of a `sls package` output folder, found from its CloudFormation
 * template (every AWS::Lambda::Function), so functions added to serverless.yml are covered
 * without a list to maintain.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readZip, type ZipEntry } from './zip';

/** The parts of the packaged template this module reads. */
export interface PackagedTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** One function as packaged: its artifact and the bundle Lambda loads from it. */
export interface PackagedFunction {
  /** The function's key in serverless.yml, which names its zip (e.g. `startOptimization`). */
  name: string;
  logicalId: string;
  /** `functions/start-optimization.handler` */
  handler: string;
  /** The handler's module without extension (`functions/start-optimization`). */
  modulePath: string;
  /** The handler's export (`handler`). */
  exportName: string;
  zipPath: string;
  /** The zip entry Lambda loads: the handler module's bundle. */
  entry: ZipEntry;
  /** Every file in the zip. */
  files: ZipEntry[];
  memoryMiB: number;
  /** Environment.Variables as in the template: strings, or CloudFormation intrinsics. */
  environment: Record<string, unknown>;
}

const MODULE_EXTENSIONS = ['.cjs', '.mjs', '.js'];

/** Reads the template of a package folder. */
export function readPackagedTemplate(packageDir: string): PackagedTemplate {
  return JSON.parse(
    readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as PackagedTemplate;
}

/** Every Lambda function of the package, sorted by name. */
export function packagedFunctions(packageDir: string, template = readPackagedTemplate(packageDir)) {
  const found: PackagedFunction[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const props = resource.Properties ?? {};
    const handler = String(props.Handler);
    const code = props.Code as { S3Key?: string } | undefined;
    if (!code?.S3Key) throw new Error(`${logicalId}: no S3Key, so no artifact in the package`);
    const zipPath = join(packageDir, basename(code.S3Key));
    const dot = handler.lastIndexOf('.');
    const modulePath = handler.slice(0, dot);
    const files = readZip(zipPath);
    const entry = files.find((f) => MODULE_EXTENSIONS.some((ext) => f.name === `${modulePath}${ext}`));
    if (!entry) throw new Error(`${zipPath} holds no bundle for handler ${handler}`);
    found.push({
      name: basename(zipPath, '.zip'),
      logicalId,
      handler,
      modulePath,
      exportName: handler.slice(dot + 1),
      zipPath,
      entry,
      files,
      memoryMiB: Number(props.MemorySize ?? 1024),
      environment:
        (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
    });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
