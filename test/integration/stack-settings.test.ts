import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  validateDeclaration,
  type StreamHostDeclaration,
  type SystemDeclaration,
} from '../../functions/eventsourcing/declaration';
import { systemDeclaration } from '../../lib/declaration';
import {
  probeDeclaration,
  build,
  synthesize,
  logicalId,
  type Json,
  resourcesOfType,
} from '../support/cdk-synthesis';

// ---------------------------------------------------------------------------------------------
// Settings from context
// ---------------------------------------------------------------------------------------------

describe('deployment settings from context', () => {
  it('names the stack, dashboard and metrics namespace after the stage', () => {
    const { stack, json } = synthesize(probeDeclaration, { context: { stage: 'prod' } });
    expect(stack.stackName).toBe('EventSourcing-prod');
    const [, dashboard] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0]!;
    expect(JSON.stringify(dashboard.Properties!.DashboardName)).toContain('event-sourcing-prod-');
    const fn = json.Resources[logicalId(stack.functions.get('probeQuery')!.function)]!;
    expect(JSON.stringify(fn.Properties!.Environment)).toContain('"EventSourcing/prod"');
  });

  it('switches every route to a JWT authorizer when asked', () => {
    const { template, json } = synthesize(probeDeclaration, {
      context: {
        auth: 'jwt',
        jwtIssuer: 'https://issuer.example.com/',
        jwtAudience: 'client-a,client-b',
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: 'https://issuer.example.com/',
        Audience: ['client-a', 'client-b'],
      },
    });
    const routes = resourcesOfType(json, 'AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties!.AuthorizationType)).toEqual(
      probeDeclaration.routes.map(() => 'JWT'),
    );
  });

  it('keeps routes declared IAM-only on IAM when the API takes JWTs', () => {
    const { json } = synthesize(systemDeclaration, {
      context: {
        auth: 'jwt',
        jwtIssuer: 'https://issuer.example.com/',
        jwtAudience: 'client-a',
      },
    });
    const routes = resourcesOfType(json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!);
    const iamOnly = systemDeclaration.routes.filter((route) => route.authorization === 'iam');
    expect(iamOnly.map((route) => `${route.method} ${route.path}`)).toContain('GET /events');
    for (const route of routes) {
      const routeKey = route.RouteKey as string;
      const declared = systemDeclaration.routes.find((r) => `${r.method} ${r.path}` === routeKey)!;
      expect(route.AuthorizationType, routeKey).toBe(
        declared.authorization === 'iam' ? 'AWS_IAM' : 'JWT',
      );
    }
  });

  it('tells the HTTP functions which JWT group and claim make an operator', () => {
    const { stack, json } = synthesize(probeDeclaration, {
      context: { operatorGroup: 'ledger-admins', groupsClaim: 'groups' },
    });
    for (const [key, fn] of Object.entries(probeDeclaration.functions)) {
      const created = json.Resources[logicalId(stack.functions.get(key)!.function)]!;
      const variables = (created.Properties!.Environment as { Variables: Json }).Variables;
      if (fn.trigger === 'http') {
        expect(variables).toMatchObject({
          OPERATOR_GROUP: 'ledger-admins',
          GROUPS_CLAIM: 'groups',
        });
      } else {
        expect(variables).not.toHaveProperty('OPERATOR_GROUP');
      }
    }
  });

  it('configures CORS only for the origins given, and honours throttling and log retention', () => {
    const { template } = synthesize(probeDeclaration, {
      context: {
        corsOrigins: 'https://app.example.com',
        throttleRateLimit: '7',
        throttleBurstLimit: '9',
        logRetentionDays: '90',
        alarmEmail: 'ops@example.com',
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.com'],
        AllowHeaders: Match.arrayWith(['if-match', 'idempotency-key']),
        ExposeHeaders: [
          'etag',
          'location',
          'retry-after',
          'x-correlation-id',
          'idempotent-replayed',
        ],
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('lets CORS preflight requests reach the catch-all routes without authorization', () => {
    const { stack, json } = synthesize(systemDeclaration, {
      context: { corsOrigins: 'https://app.example.com' },
    });
    const routes = resourcesOfType(json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!);
    const health = logicalId(stack.functions.get('health')!.function);
    const open = routes.filter((route) => route.AuthorizationType === 'NONE');
    expect(open.map((route) => route.RouteKey).sort()).toEqual(['OPTIONS /', 'OPTIONS /{proxy+}']);
    for (const route of open) {
      const integrationId = JSON.stringify(route.Target).match(/"Ref":"(\w+)"/)![1]!;
      expect(JSON.stringify(json.Resources[integrationId]!.Properties)).toContain(health);
    }
    const guarded = routes.filter((route) => route.AuthorizationType !== 'NONE');
    expect(guarded).toHaveLength(systemDeclaration.routes.length);
    expect(guarded.every((route) => route.AuthorizationType === 'AWS_IAM')).toBe(true);

    const withoutCors = synthesize(systemDeclaration).json;
    expect(
      resourcesOfType(withoutCors, 'AWS::ApiGatewayV2::Route').filter(
        ([, route]) => route.Properties!.AuthorizationType === 'NONE',
      ),
    ).toEqual([]);
  });

  it.each([
    [{ stage: 'Prod!' }, /stage/],
    [{ auth: 'basic' }, /auth must be iam or jwt/],
    [{ auth: 'jwt' }, /jwtIssuer/],
    [{ auth: 'jwt', jwtIssuer: 'https://issuer.example.com/' }, /jwtAudience/],
    [{ throttleRateLimit: '-1' }, /throttleRateLimit/],
    [{ logRetentionDays: '17' }, /logRetentionDays/],
  ])('refuses bad context %j', (context, message) => {
    expect(() => build(probeDeclaration, { context })).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------------
// Declarations that would break a guarantee
// ---------------------------------------------------------------------------------------------

describe('declaration checks', () => {
  const withHost = (changes: Partial<StreamHostDeclaration>): SystemDeclaration => ({
    ...probeDeclaration,
    streamHosts: {
      ...probeDeclaration.streamHosts,
      probeProjector: { ...probeDeclaration.streamHosts.probeProjector!, ...changes },
    },
  });

  it.each<[string, SystemDeclaration, RegExp]>([
    [
      'readWrite on the events table',
      {
        ...probeDeclaration,
        functions: {
          ...probeDeclaration.functions,
          probeCommand: {
            ...probeDeclaration.functions.probeCommand!,
            tables: { events: 'readWrite' },
          },
        },
      },
      /readWrite on append-only table events/,
    ],
    [
      'a TTL on the events table',
      {
        ...probeDeclaration,
        tables: {
          ...probeDeclaration.tables,
          events: { ...probeDeclaration.tables.events!, timeToLiveAttribute: 'expiresAt' },
        },
      },
      /cannot have a TTL/,
    ],
    ['a host that does not bisect', withHost({ bisectBatchOnError: false }), /bisect/],
    ['unbounded retries', withHost({ maxRetryAttempts: -1 }), /bounded retries/],
    ['unbounded record age', withHost({ maxRecordAgeSeconds: -1 }), /bounded record age/],
    ['a host of a table without stream', withHost({ source: 'ledger' }), /no stream/],
    [
      'a third reader of one table stream',
      {
        ...probeDeclaration,
        functions: {
          ...probeDeclaration.functions,
          probeIndexer: {
            ...probeDeclaration.functions.probeProjector!,
            tables: { events: 'read' },
          },
        },
        streamHosts: {
          ...probeDeclaration.streamHosts,
          probeIndexer: {
            ...probeDeclaration.streamHosts.probePublisher!,
            consumers: { index: { description: 'Indexes', kind: 'reaction', tables: {} } },
          },
        },
      },
      /the stream of table events has 3 readers \(probeProjector, probePublisher, probeIndexer\); AWS allows at most 2/,
    ],
    [
      'a stream function that no host declares',
      {
        ...probeDeclaration,
        functions: {
          ...probeDeclaration.functions,
          probeStray: { ...probeDeclaration.functions.probeProjector! },
        },
      },
      /function probeStray has trigger stream but is no declared stream host/,
    ],
    [
      'a consumer declared in two hosts',
      withHost({ consumers: { publish: { description: 'Again', kind: 'reaction', tables: {} } } }),
      /consumer publish is declared twice/,
    ],
    [
      'a route to an unknown function',
      { ...probeDeclaration, routes: [{ method: 'GET', path: '/x', function: 'nothing' }] },
      /undeclared function nothing/,
    ],
    [
      'a schedule without a rate',
      {
        ...probeDeclaration,
        functions: {
          ...probeDeclaration.functions,
          probeCheck: { ...probeDeclaration.functions.probeCommand!, trigger: 'schedule' },
        },
      },
      /needs scheduleMinutes/,
    ],
    [
      'a rate on a function that is not scheduled',
      {
        ...probeDeclaration,
        functions: {
          ...probeDeclaration.functions,
          probeCommand: { ...probeDeclaration.functions.probeCommand!, scheduleMinutes: 5 },
        },
      },
      /has scheduleMinutes but its trigger is http/,
    ],
    [
      'a route to a stream function',
      { ...probeDeclaration, routes: [{ method: 'GET', path: '/x', function: 'probeProjector' }] },
      /trigger is stream/,
    ],
  ])('refuses %s', (_name, declaration, message) => {
    expect(() => validateDeclaration(declaration)).toThrow(message);
    expect(() => build(declaration)).toThrow(message);
  });
});
