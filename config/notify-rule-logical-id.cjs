/**
 * The logical id osls gives notify-on-outcome's EventBridge rule, computed by osls's own naming
 * code: it contains the stage, so serverless.yml cannot spell it. The rule's GetAtt lets the
 * Lambda permission pass Control Tower's CT.LAMBDA.PR.2 (see `resources.extensions`).
 */
const naming = require('osls/lib/plugins/aws/lib/naming');
const { makeRuleName } = require('osls/lib/plugins/aws/package/compile/events/event-bridge/utils');

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const functionName = `${service}-${stage}-notifyOnOutcome`;
  return naming.getEventBridgeRuleLogicalId(makeRuleName({ functionName, index: 1 }));
};
