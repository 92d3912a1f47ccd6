/**
 * The ARN environment variables of the functions. In a deployed or packaged template they are
 * always the stack's references (`self:custom.*Ref`). Only `sls invoke local`, which cannot
 * resolve a reference without CloudFormation, takes them from the shell (docs/local.md): so a
 * variable exported for a local run never reaches a template that `sls deploy` or
 * `sls package` writes.
 */
const resolveInput = require('osls/lib/cli/resolve-input');

/** The Framework CLI's command, e.g. `invoke local` or `package` (osls parses it once per process). */
const cliCommand = () => resolveInput().command;

/** The variable `name` from the shell under `sls invoke local`, else `reference` (a `self:` path). */
const fromShellWhenInvokedLocally =
  (name, reference, command = cliCommand) =>
  async ({ resolveVariable }) => {
    const shell = command() === 'invoke local' ? process.env[name] : undefined;
    return shell || resolveVariable(reference);
  };

module.exports = {
  STATE_MACHINE_ARN: fromShellWhenInvokedLocally('STATE_MACHINE_ARN', 'self:custom.stateMachineArnRef'),
  SAGEMAKER_ROLE_ARN: fromShellWhenInvokedLocally('SAGEMAKER_ROLE_ARN', 'self:custom.sageMakerRoleArnRef'),
  NOTIFY_TOPIC_ARN: fromShellWhenInvokedLocally('NOTIFY_TOPIC_ARN', 'self:custom.notifyTopicArnRef'),
  fromShellWhenInvokedLocally,
};
