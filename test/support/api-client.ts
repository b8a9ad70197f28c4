import type { ApiBody } from './api-types';

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ApiBody;
  /** The body exactly as sent. */
  readonly text: string;
}

export interface ApiRequest {
  /** Sent as JSON unless it is already a string. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A small client of the API over real HTTP. */
export function apiClient(baseUrl: string) {
  async function send(
    method: string,
    path: string,
    request: ApiRequest = {},
  ): Promise<ApiResponse> {
    const body =
      request.body === undefined
        ? undefined
        : typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body);
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...request.headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: ApiBody;
    try {
      parsed = JSON.parse(text) as ApiBody;
    } catch {
      throw new Error(
        `${method} ${path} answered ${response.status} with a non-JSON body: ${text.slice(0, 200)}`,
      );
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }
  return {
    get: (path: string, request?: ApiRequest) => send('GET', path, request),
    post: (path: string, request?: ApiRequest) => send('POST', path, request),
    send,
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
