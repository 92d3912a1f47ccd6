/**
 * Resources a stage may bring instead of having the stack create them: the stage's parameter
 * when it is set, else the stack's own resource. Chosen while the service is packaged, so the
 * template holds one value and no Fn::If whose unused branch would be an empty name or ARN,
 * which CloudFormation refuses (cfn-lint E3510, E3033; docs/security.md, "cfn-lint").
 * The resources themselves keep their Condition (CreateModelsBucket, CreateSageMakerRole).
 */
const givenOr =
  (param, created) =>
  async ({ resolveVariable }) => {
    const given = String((await resolveVariable(`param:${param}`)) ?? '').trim();
    return given || created;
  };

module.exports = {
  modelsBucketName: givenOr('existingBucketName', {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
    'Fn::Sub': '${AWS::StackName}-models-${AWS::AccountId}-${AWS::Region}',
  }),
  sageMakerRoleArn: givenOr('sageMakerRoleArn', { 'Fn::GetAtt': ['SageMakerExecutionRole', 'Arn'] }),
  alarmTopicArn: givenOr('alarmTopicArn', { Ref: 'OutcomeNotificationsTopic' }),
};
