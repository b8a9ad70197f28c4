import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { callerOf, requireOwner } from '../../functions/eventsourcing/http';
import { groupsOf } from '../../functions/eventsourcing/http/caller';

describe('callers', () => {
  const event = (authorizer: unknown) =>
    ({ requestContext: { authorizer } }) as unknown as APIGatewayProxyEventV2;
  const settings = { operatorGroup: 'ops', groupsClaim: 'groups' };

  it('takes the IAM caller ARN or the JWT subject, operators from the groups claim', () => {
    expect(callerOf(event({ iam: { userArn: 'arn:aws:iam::1:role/x' } }), settings)).toEqual({
      actor: 'arn:aws:iam::1:role/x',
      privileged: true,
    });
    expect(
      callerOf(event({ jwt: { claims: { sub: 'u1', groups: '[a ops]' } } }), settings),
    ).toEqual({ actor: 'u1', privileged: true });
    expect(callerOf(event({ jwt: { claims: { sub: 'u2', groups: 'opsx' } } }), settings)).toEqual({
      actor: 'u2',
      privileged: false,
    });
    expect(callerOf(event({ jwt: { claims: {} } }), settings)).toBeUndefined();
    expect(callerOf(event(undefined), settings)).toBeUndefined();
  });

  it('reads the groups API Gateway flattens, JSON arrays and comma lists', () => {
    expect(groupsOf('[operators auditors]')).toEqual(['operators', 'auditors']);
    expect(groupsOf('["operators","auditors"]')).toEqual(['operators', 'auditors']);
    expect(groupsOf('operators,auditors')).toEqual(['operators', 'auditors']);
    expect(groupsOf(['operators'])).toEqual(['operators']);
    expect(groupsOf(undefined)).toEqual([]);
  });

  it('lets a JWT caller act on its own resources only, unless privileged', () => {
    const owner = { actor: 'ann', privileged: false };
    expect(() => requireOwner(owner, 'ann', 'account')).not.toThrow();
    expect(() => requireOwner(owner, undefined, 'account')).not.toThrow();
    expect(() => requireOwner(owner, 'bob', 'account')).toThrow(
      expect.objectContaining({ status: 403, code: 'Forbidden' }),
    );
    expect(() => requireOwner({ actor: 'x', privileged: true }, 'bob', 'account')).not.toThrow();
  });
});
