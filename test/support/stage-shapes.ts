/**
 * The shapes of the packaged template that the template tests check besides `ci` (the default
 * stage, packaged by the global setup too): `vpc`, the ci stage with a VPC and a wider job policy
 * (an added registry, a network and a key a manifest may choose), the SageMaker role's other
 * shape; and `prod`, what `npm run lint:cfn` packages (scripts/template-shapes.sh), every
 * optional parameter set. The global setup packages each once per test run. No vitest import:
 * the global setup runs outside the test workers.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sls, slsEnv } from './sls';

export type ShapeName = 'vpc' | 'prod';

/** Where the global setup packaged a shape. */
export interface PackagedShape {
  region: string;
  /** Holds cloudformation-template-update-stack.json and the function zips. */
  dir: string;
}

/** The values the `vpc` shape is packaged with; the key is in the account the tests make up. */
export const VPC_SHAPE = {
  region: 'us-east-1',
  stageSubnet: 'subnet-0a1b2c3d4e5f60718',
  stageSecurityGroup: 'sg-0a1b2c3d4e5f60718',
  addedRegistry: '123456789012',
  chosenSubnet: 'subnet-0f1e2d3c4b5a69788',
  chosenSecurityGroup: 'sg-0f1e2d3c4b5a69788',
  teamKey: 'arn:aws:kms:us-east-1:999999999999:key/0f0e0d0c-0b0a-0908-0706-050403020100',
};

function vpcShape(): { region: string; args: string[] } {
  const s = VPC_SHAPE;
  const params = {
    vpcSubnetIds: s.stageSubnet,
    vpcSecurityGroupIds: s.stageSecurityGroup,
    allowedImageRegistries: `aws,${s.addedRegistry}`,
    allowedVpcSubnetIds: s.chosenSubnet,
    allowedVpcSecurityGroupIds: s.chosenSecurityGroup,
    allowedKmsKeyArns: s.teamKey,
  };
  return {
    region: s.region,
    args: ['--stage', 'ci', ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`])],
  };
}

/** The `prod` shape of scripts/template-shapes.sh: its region and `sls package` arguments. */
export function prodShape(): { region: string; args: string[] } {
  const script = readFileSync(new URL('../../scripts/template-shapes.sh', import.meta.url), 'utf8');
  const region = /^PROD_REGION=(\S+)$/m.exec(script)?.[1];
  const list = /^PROD_ARGS=\(\n([\s\S]*?)\n\)$/m.exec(script)?.[1];
  if (!region || !list) throw new Error('scripts/template-shapes.sh: no PROD_REGION or PROD_ARGS');
  const args = list
    .split('\n')
    .flatMap((line) => line.trim().match(/"[^"]*"|\S+/g) ?? [])
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell variable, as the script writes it
    .map((word) => word.replace(/^"|"$/g, '').replaceAll('${PROD_REGION}', region));
  return { region, args };
}

/** Packages a shape into a folder of its own. */
export async function packageShape(name: ShapeName): Promise<PackagedShape> {
  const { region, args } = name === 'vpc' ? vpcShape() : prodShape();
  const dir = mkdtempSync(join(tmpdir(), `mop-package-${name}-`));
  await sls(['package', ...args, '--region', region, '--package', dir], { env: slsEnv() });
  return { region, dir };
}

/** The template file of a packaged shape. */
export const templatePath = (shape: PackagedShape) =>
  join(shape.dir, 'cloudformation-template-update-stack.json');
