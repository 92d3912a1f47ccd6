/**
 * `npm run guard [-- --stage dev] [--region eu-west-1] [--param "name=value" …]`: packages the
 * service offline and checks the template against AWS Control Tower's proactive controls with
 * cfn-guard. Exits 1 on any failure that the failing resource does not suppress.
 */
import { parseArgs } from 'node:util';
import { checkTemplate } from './guard/check';
import { formatSummary } from './guard/format';
import { packageService } from './guard/package-service';

const { values } = parseArgs({
  options: {
    stage: { type: 'string', default: 'ci' },
    region: { type: 'string' },
    param: { type: 'string', multiple: true, default: [] },
  },
});
const stage = values.stage;
const extraArgs = [
  ...(values.region ? ['--region', values.region] : []),
  ...values.param.flatMap((p) => ['--param', p]),
];

try {
  const templateFile = await packageService(stage, extraArgs);
  const summary = await checkTemplate(templateFile);
  console.log(formatSummary(summary, `stage ${stage}`));
  console.log(`template: ${templateFile}`);
  process.exitCode = summary.failed.length > 0 ? 1 : 0;
} catch (error) {
  // A failed `sls package` says why on its own output.
  const failed = error as { stderr?: string; stdout?: string; message?: string };
  console.error([failed.stdout, failed.stderr, failed.message].filter(Boolean).join('\n'));
  process.exitCode = 2;
}
