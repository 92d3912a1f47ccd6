/**
 * The name osls gives notify-on-outcome's EventBridge rule (hashed when over 64 characters),
 * computed by osls's own naming code. The stack key's policy names the rule by ARN, built from
 * this name: a GetAtt of the rule there would be a circular dependency (rule → its DLQ → the
 * key). See resources/encryption-key.yml.
 */
const { makeAndHashRuleName } = require('osls/lib/plugins/aws/package/compile/events/event-bridge/utils');

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  return makeAndHashRuleName({ functionName: `${service}-${stage}-notifyOnOutcome`, index: 1 });
};
