import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDeclaration } from '../declaration/index.js';
import type { SystemFunction } from './functions.js';
import type { ApiAuthorization, DeploymentSettings } from './settings.js';
import { InvalidDeclarationError } from '../declaration/errors.js';

/** One JSON line per request; enough to trace a call to its Lambda invocation and caller. */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    caller: '$context.identity.caller',
    user: '$context.identity.userArn',
    jwtSubject: '$context.authorizer.claims.sub',
    method: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

function authorizer(authorization: ApiAuthorization): IHttpRouteAuthorizer {
  return authorization.kind === 'iam'
    ? new HttpIamAuthorizer()
    : new HttpJwtAuthorizer('JwtAuthorizer', authorization.issuer, {
        jwtAudience: [...authorization.audience],
      });
}

export interface SystemHttpApiProps {
  readonly routes: readonly RouteDeclaration[];
  readonly functions: ReadonlyMap<string, SystemFunction>;
  readonly settings: DeploymentSettings;
}

/**
 * The HTTP API (payload format 2.0) with every declared route, each authorized (IAM or JWT),
 * on a `$default` stage with throttling and JSON access logs. CORS only for configured origins.
 *
 * API Gateway answers CORS preflight requests itself, except where an `ANY` route matches them:
 * there the route's authorizer refuses them, as browsers send no credentials with a preflight.
 * With CORS configured, each `ANY` route gets an `OPTIONS` route without authorization to the
 * same function, which answers 204 (API Gateway adds the CORS headers).
 */
export class SystemHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: SystemHttpApiProps) {
    super(scope, id);
    const { settings } = props;
    this.api = new HttpApi(this, 'Api', {
      description: `Event sourcing HTTP API (${settings.stage})`,
      createDefaultStage: false,
      defaultAuthorizer: authorizer(settings.authorization),
      ...(settings.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...settings.corsOrigins],
              allowMethods: [CorsHttpMethod.ANY],
              allowHeaders: [
                'authorization',
                'content-type',
                'if-match',
                'idempotency-key',
                'x-correlation-id',
                // SigV4-signed browser requests (auth=iam)
                'x-amz-date',
                'x-amz-security-token',
                'x-amz-content-sha256',
              ],
              exposeHeaders: [
                'etag',
                'location',
                'retry-after',
                'x-correlation-id',
                'idempotent-replayed',
              ],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: settings.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: settings.throttle,
      // Latency and errors by route, for the dashboard's command graphs.
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: accessLogFormat,
      },
    });

    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const route of props.routes) {
      const fn = props.functions.get(route.function);
      if (!fn) {
        throw new InvalidDeclarationError([
          `Route ${route.method} ${route.path}: no function ${route.function}`,
        ]);
      }
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.function}Integration`, fn.function);
        integrations.set(route.function, integration);
      }
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        // Operator and internal routes stay IAM-only whatever the API's default authorizer.
        ...(route.authorization === 'iam' ? { authorizer: new HttpIamAuthorizer() } : {}),
      });
      if (route.method === 'ANY' && settings.corsOrigins.length > 0) {
        for (const preflight of this.api.addRoutes({
          path: route.path,
          methods: [HttpMethod.OPTIONS],
          integration,
          authorizer: new HttpNoneAuthorizer(),
        })) {
          Validations.of(preflight).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason:
              'CORS preflight requests carry no credentials by design; this OPTIONS route only answers them with 204 and no data, and every other route keeps its authorizer.',
          });
        }
      }
    }
  }

  get url(): string {
    // A `$default` stage is served at the API's root.
    return `${this.api.apiEndpoint}/`;
  }
}
