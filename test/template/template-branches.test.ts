import { describe, expect, it } from 'vitest';
import { everyBranch, statementsOfEveryBranch } from '../support/template';

const noValue = { Ref: 'AWS::NoValue' };

describe('everyBranch (test/support/template.ts)', () => {
  it('takes each Fn::If both ways, in lists and in properties, and drops AWS::NoValue', () => {
    expect(everyBranch({ 'Fn::If': ['C', 'a', 'b'] })).toEqual(['a', 'b']);
    expect(everyBranch(['x', { 'Fn::If': ['C', 'y', noValue] }])).toEqual([['x', 'y']]);
    expect(everyBranch({ A: { 'Fn::If': ['C', 1, 2] }, B: { 'Fn::If': ['D', 3, noValue] } })).toEqual([
      { A: 1, B: 3 },
      { A: 1 },
      { A: 2, B: 3 },
      { A: 2 },
    ]);
  });

  it('lists the statements of every branch of a policy document, each once', () => {
    const grant = (sid: string) => ({ Sid: sid, Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*' });
    const document = {
      Version: '2012-10-17',
      Statement: [
        grant('Always'),
        { 'Fn::If': ['HasVpc', grant('OnlyWithVpc'), noValue] },
        { 'Fn::If': ['Other', grant('Always'), grant('Otherwise')] },
      ],
    };
    expect(statementsOfEveryBranch(document).map((s) => s.Sid)).toEqual([
      'Always',
      'OnlyWithVpc',
      'Otherwise',
    ]);
  });
});
