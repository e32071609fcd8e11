import type {
  HttpTransport,
  HttpTransportFailure,
  HttpTransportRequest,
  HttpTransportResponse,
} from '@plinth/host-kit';

/** What a route answers: a response (body as text or bytes), or a transport failure such as a timeout. */
export type RouteAnswer =
  | { status: number; headers?: Readonly<Record<string, string>>; body?: string | Uint8Array }
  | HttpTransportFailure;

/** One route of a RouteTableTransport: which requests it matches, and what it answers. */
export interface Route {
  /** Upper-case method; any method when absent. */
  method?: string;
  /** An absolute URL compared after URL normalization (so `https://a.example` matches `https://a.example/`), or a pattern tested against the normalized URL. */
  url: string | RegExp;
  /** A fixed answer, or a function of the request (which may be async). */
  respond: RouteAnswer | ((request: HttpTransportRequest) => RouteAnswer | Promise<RouteAnswer>);
}

export interface RouteTableTransport extends HttpTransport {
  /** Every request the transport received, in order, including ones no route matched. */
  readonly requests: HttpTransportRequest[];
  /** Adds a route; later routes are consulted after earlier ones. */
  addRoute(route: Route): void;
}

const encoder = new TextEncoder();

/**
 * The in-memory twin of an HTTP transport: a route table, first match wins. A request no route matches
 * answers `404` with the body `no route for <METHOD> <url>`, as a real server without that path would, so
 * guests see an HTTP answer rather than a host failure. Like a real transport it honours
 * `maxResponseBytes` (answering `too_large`) and never follows redirects.
 */
export function createRouteTableTransport(routes: readonly Route[] = []): RouteTableTransport {
  const table = [...routes];
  const requests: HttpTransportRequest[] = [];
  return {
    requests,
    addRoute(route) {
      table.push(route);
    },
    async send(request) {
      requests.push(request);
      const route = table.find((candidate) => matches(candidate, request));
      if (route === undefined) {
        return response({ status: 404, body: `no route for ${request.method} ${request.url}` });
      }
      const answer = typeof route.respond === 'function' ? await route.respond(request) : route.respond;
      if ('failure' in answer) return answer;
      const built = response(answer);
      if (built.body.length > request.maxResponseBytes) {
        return { failure: 'too_large', message: `response body exceeds ${request.maxResponseBytes} bytes` };
      }
      return built;
    },
  };
}

function matches(route: Route, request: HttpTransportRequest): boolean {
  if (route.method !== undefined && route.method.toUpperCase() !== request.method) return false;
  if (typeof route.url !== 'string') {
    route.url.lastIndex = 0;
    return route.url.test(request.url);
  }
  return normalize(route.url) === normalize(request.url);
}

function normalize(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

function response(answer: Exclude<RouteAnswer, HttpTransportFailure>): HttpTransportResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers ?? {})) headers[name.toLowerCase()] = value;
  const body =
    typeof answer.body === 'string' ? encoder.encode(answer.body) : (answer.body ?? new Uint8Array());
  return { status: answer.status, headers, body };
}
