// Outgoing HTTP, the embedding app's proxies, and the WebSocket bridge.
import { callHost } from "../io";
import { JsonValue, parseJson } from "../json";
import { Result, failure, success } from "../result";
import { decodeBase64, encodeBase64 } from "../base64";
import { mapToJson, parseAnswer, request, shapeH, shapeO, stringMap } from "./shapes";

/** An HTTP request for `httpRequest`. Chain the setters: `new HttpRequest(url).header("accept", "…")`. */
export class HttpRequest {
  method: string = "GET";
  headers: Map<string, string> = new Map<string, string>();
  body: string | null = null;
  bodyBytes: Uint8Array | null = null;
  /** 0 = the host default; the host clamps to 1 000–300 000 ms. */
  timeoutMs: i32 = 0;
  constructor(public url: string) {}
  withMethod(method: string): HttpRequest {
    this.method = method;
    return this;
  }
  header(name: string, value: string): HttpRequest {
    this.headers.set(name, value);
    return this;
  }
  withBody(body: string): HttpRequest {
    this.body = body;
    return this;
  }
  withBodyBytes(body: Uint8Array): HttpRequest {
    this.bodyBytes = body;
    return this;
  }
  withTimeout(ms: i32): HttpRequest {
    this.timeoutMs = ms;
    return this;
  }
  toJson(): JsonValue {
    const json = request().setString("url", this.url).setString("method", this.method).set("headers", mapToJson(this.headers));
    const body = this.body;
    if (body !== null) json.setString("body", body);
    const bytes = this.bodyBytes;
    if (bytes !== null) json.setString("body_base64", encodeBase64(bytes));
    if (this.timeoutMs > 0) json.setInteger("timeout_ms", this.timeoutMs);
    return json;
  }
}

/** An HTTP answer. A status ≥ 400 is an answer, not a failure. */
export class HttpResponse {
  constructor(
    public status: i32,
    public headers: Map<string, string>,
    /** The body decoded as UTF-8 (lossy). */
    public body: string,
    public bodyBase64: string,
  ) {}
  /** The exact body bytes. */
  bytes(): Uint8Array {
    return decodeBase64(this.bodyBase64).valueOr(new Uint8Array(0));
  }
  /** The body parsed as JSON. */
  json(): Result<JsonValue> {
    return parseJson(this.body);
  }
}

function readHttpAnswer(name: string, text: string): Result<HttpResponse> {
  const answer = parseAnswer(name, text);
  if (!answer.ok) return answer.forward<HttpResponse>();
  const error = shapeH(answer.value);
  if (error !== null) return failure<HttpResponse>(error);
  const v = answer.value;
  const body = v.getString("body");
  const bodyBase64 = v.getString("body_base64");
  return success<HttpResponse>(
    new HttpResponse(<i32>v.getInteger("status"), stringMap(v.get("headers")), body !== null ? body : "", bodyBase64 !== null ? bodyBase64 : ""),
  );
}

// shape: H
@external("extism:host/user", "host_http_request")
declare function host_http_request(handle: u64): u64;

/** Makes an HTTP request (`host_http_request`); needs `http_requests` on the URL's host. */
export function httpRequest(req: HttpRequest): Result<HttpResponse> {
  return readHttpAnswer("host_http_request", callHost(host_http_request, req.toJson().stringify()));
}

/** GET a URL. */
export function httpGet(url: string): Result<HttpResponse> {
  return httpRequest(new HttpRequest(url));
}

/** A call to a named proxy of the embedding app, for `proxyRequest`. */
export class ProxyRequest {
  path: string = "";
  method: string = "POST";
  headers: Map<string, string> = new Map<string, string>();
  body: string | null = null;
  constructor(public proxyId: string) {}
  toJson(): JsonValue {
    const json = request()
      .setString("proxy_id", this.proxyId)
      .setString("path", this.path)
      .setString("method", this.method)
      .set("headers", mapToJson(this.headers));
    const body = this.body;
    if (body !== null) json.setString("body", body);
    return json;
  }
}

// shape: H
@external("extism:host/user", "host_proxy_request")
declare function host_proxy_request(handle: u64): u64;

/** Calls a named proxy on the embedding app's server (`host_proxy_request`, extended set). */
export function proxyRequest(req: ProxyRequest): Result<HttpResponse> {
  return readHttpAnswer("host_proxy_request", callHost(host_proxy_request, req.toJson().stringify()));
}

// shape: O
@external("extism:host/user", "host_ws_request")
declare function host_ws_request(handle: u64): u64;

/** Sends one raw WebSocket-bridge request (`host_ws_request`); prefer the `ws…` helpers below. */
export function wsRequest(body: JsonValue): Result<bool> {
  const answer = parseAnswer("host_ws_request", callHost(host_ws_request, body.stringify()));
  if (!answer.ok) return answer.forward<bool>();
  const error = shapeO(answer.value);
  return error !== null ? failure<bool>(error) : success<bool>(true);
}

/** Connects the bridge; `authToken` and `sessionCode` may be null. */
export function wsConnect(serverUrl: string, workspaceId: string, authToken: string | null = null, sessionCode: string | null = null): Result<bool> {
  const body = request().setString("type", "connect").setString("server_url", serverUrl).setString("workspace_id", workspaceId);
  if (authToken !== null) body.setString("auth_token", authToken);
  if (sessionCode !== null) body.setString("session_code", sessionCode);
  return wsRequest(body);
}

export function wsSendText(text: string): Result<bool> {
  return wsRequest(request().setString("type", "send_text").setString("text", text));
}

export function wsSendBinary(data: Uint8Array): Result<bool> {
  return wsRequest(request().setString("type", "send_binary").setString("data", encodeBase64(data)));
}

export function wsDisconnect(): Result<bool> {
  return wsRequest(request().setString("type", "disconnect"));
}
