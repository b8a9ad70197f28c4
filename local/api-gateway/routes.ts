import type { RouteDeclaration } from '../../functions/eventsourcing/declaration';

export interface RouteMatch {
  readonly route: RouteDeclaration;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string> | undefined;
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const wanted = template.split('/').slice(1);
  const actual = path.split('/').slice(1);
  const parameters: Record<string, string> = {};
  for (const [i, part] of wanted.entries()) {
    const greedy = /^\{(\w+)\+\}$/.exec(part);
    if (greedy) {
      const rest = actual.slice(i).join('/');
      if (rest === '') return undefined;
      parameters[greedy[1]!] = rest;
      return parameters;
    }
    const segment = actual[i];
    if (segment === undefined) return undefined;
    const parameter = /^\{(\w+)\}$/.exec(part);
    if (parameter) {
      if (segment === '') return undefined;
      parameters[parameter[1]!] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return wanted.length === actual.length ? parameters : undefined;
}

/** How specific a route is: literal segments beat parameters, which beat a greedy tail. */
function specificity(route: RouteDeclaration): number[] {
  const parts = route.path.split('/').slice(1);
  return [
    parts.some((part) => part.endsWith('+}')) ? 0 : 1,
    parts.filter((part) => !part.startsWith('{')).length,
    parts.length,
    route.method === 'ANY' ? 0 : 1,
  ];
}

function compareSpecificity(a: number[], b: number[]): number {
  for (const [i, value] of a.entries()) {
    if (value !== b[i]) return value - b[i]!;
  }
  return 0;
}

const decode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** The route API Gateway would choose for a request, with its decoded path parameters. */
export function matchRoute(
  routes: readonly RouteDeclaration[],
  method: string,
  path: string,
): RouteMatch | undefined {
  let best: { match: RouteMatch; rank: number[] } | undefined;
  for (const route of routes) {
    if (route.method !== 'ANY' && route.method !== method) continue;
    const parameters = matchPath(route.path, path);
    if (!parameters) continue;
    const rank = specificity(route);
    if (best && compareSpecificity(rank, best.rank) <= 0) continue;
    const names = Object.keys(parameters);
    best = {
      rank,
      match: {
        route,
        routeKey: `${route.method} ${route.path}`,
        pathParameters:
          names.length === 0
            ? undefined
            : Object.fromEntries(names.map((name) => [name, decode(parameters[name]!)])),
      },
    };
  }
  return best?.match;
}
