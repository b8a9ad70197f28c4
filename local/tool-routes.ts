/** A request to one of the local server's own pages (not an API route). */
export interface ToolRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The server's own address as the client reached it, e.g. `http://127.0.0.1:3000`. */
  readonly origin: string;
  readonly body: Buffer;
}

export interface ToolAnswer {
  readonly status: number;
  readonly type: string;
  readonly body: string | Buffer;
}

/** Answers a request, or undefined to leave it to the API's routes. */
export type ToolRoutes = (request: ToolRequest) => Promise<ToolAnswer | undefined>;

/** The first of `routes` that answers. */
export function firstAnswer(...routes: readonly ToolRoutes[]): ToolRoutes {
  return async (request) => {
    for (const route of routes) {
      const answer = await route(request);
      if (answer) return answer;
    }
    return undefined;
  };
}
