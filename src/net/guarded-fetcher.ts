/**
 * The gateway's one way to fetch a URL a client gave it (an image or file to inline for an
 * upstream that cannot fetch it itself). Every connection goes through the guarded connector, so
 * private, loopback, link-local and metadata addresses are refused at connect time, after DNS;
 * redirects are followed here, at most `maxRedirects`, each hop checked the same way; the body is
 * read as a stream and dropped as soon as it passes `maxBytes`; one timeout covers every hop.
 */
import { isIP } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { guardedConnector, type Lookup, refusal, systemLookup } from './guarded-connector.js';
import { type AllowList, parseAllowList } from './outbound-allow.js';
import { OutboundError } from './outbound-error.js';

export interface GuardedFetcherOptions {
  /** Hosts, IP addresses and CIDR ranges the guard lets through (see outbound-allow.ts). */
  allow?: readonly string[];
  /** Host name resolution; default the system resolver. */
  lookup?: Lookup;
  connectTimeoutMs?: number;
}

export interface FetchLimits {
  maxBytes: number;
  /** For the whole fetch: every hop, headers and body. */
  timeoutMs: number;
  /** Media types taken: exact (`image/png`) or a whole top-level type (`text/*`). */
  contentTypes: readonly string[];
  /** Default 5. */
  maxRedirects?: number;
  signal?: AbortSignal;
}

export interface FetchedResource {
  /** After redirects. */
  url: string;
  /** From Content-Type, without parameters, lower case. */
  mediaType: string;
  bytes: Buffer;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_REDIRECTS = 5;

export class GuardedFetcher {
  private readonly allow: AllowList;
  private readonly agent: Agent;

  constructor(options: GuardedFetcherOptions = {}) {
    this.allow = parseAllowList(options.allow ?? []);
    this.agent = new Agent({
      connect: guardedConnector(
        this.allow,
        options.lookup ?? systemLookup,
        options.connectTimeoutMs ?? 10_000,
      ),
      // Media fetches are rare and go to many hosts: keep few idle sockets, briefly.
      keepAliveTimeout: 4_000,
      connections: 8,
    });
  }

  async fetch(url: string, limits: FetchLimits): Promise<FetchedResource> {
    const timeout = AbortSignal.timeout(limits.timeoutMs);
    const signal = limits.signal ? AbortSignal.any([timeout, limits.signal]) : timeout;
    const maxRedirects = limits.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    let target = this.checkUrl(url);
    try {
      for (let hop = 0; ; hop++) {
        const response = await this.agent.request({
          origin: target.origin,
          path: `${target.pathname}${target.search}`,
          method: 'GET',
          headers: {
            accept: limits.contentTypes.join(', '),
            'accept-encoding': 'identity',
            'user-agent': 'responses-gateway',
          },
          signal,
        });
        const location = header(response, 'location');
        if (REDIRECTS.has(response.statusCode) && location !== undefined) {
          await response.body.dump();
          if (hop >= maxRedirects) {
            throw new OutboundError(
              'too_many_redirects',
              `${url} redirected more than ${maxRedirects} times.`,
            );
          }
          target = this.checkUrl(resolveLocation(location, target));
          continue;
        }
        return await this.read(target, response, limits);
      }
    } catch (error) {
      throw this.explain(error, url, limits, timeout, signal);
    }
  }

  /**
   * A WHATWG `fetch` through the same guard, for clients that stream a conversation with a server
   * (the MCP SDK's transports): no size limit or content type, the caller reads the body as it
   * comes; every connection, redirects included, is checked at connect time.
   */
  readonly streamingFetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = this.checkUrl(String(input));
    const body = init?.body;
    if (body != null && typeof body !== 'string' && !(body instanceof Uint8Array))
      throw new OutboundError('bad_url', 'Only text and byte request bodies are sent.');
    try {
      const response = await this.agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: (init?.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        body: body ?? null,
        signal: init?.signal ?? null,
      });
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        for (const one of Array.isArray(value) ? value : [value ?? '']) headers.append(name, one);
      }
      // 204 and 304 carry no body; a Response refuses one for them.
      const empty = response.statusCode === 204 || response.statusCode === 304;
      if (empty) await response.body.dump();
      return new Response(empty ? null : webStream(response.body), {
        status: response.statusCode,
        headers,
      });
    } catch (error) {
      const cause = (error as { cause?: unknown } | undefined)?.cause;
      throw cause instanceof OutboundError ? cause : error;
    }
  };

  close(): Promise<void> {
    return this.agent.close();
  }

  /** Scheme and IP-literal host, before any connection (the connector checks again). */
  private checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OutboundError('bad_url', `'${clip(raw)}' is not a valid URL.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundError('bad_scheme', `Only http and https URLs are fetched, not '${url.protocol}'.`);
    }
    if (url.username !== '' || url.password !== '')
      throw new OutboundError('bad_url', 'URLs with credentials are not fetched.');
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host) !== 0) {
      const refused = refusal(this.allow, host, host);
      if (refused) throw refused;
    }
    return url;
  }

  private async read(
    url: URL,
    response: Dispatcher.ResponseData,
    limits: FetchLimits,
  ): Promise<FetchedResource> {
    const { statusCode, body } = response;
    if (statusCode < 200 || statusCode > 299) {
      await body.dump();
      throw new OutboundError('bad_status', `${clip(url.href)} answered HTTP ${statusCode}.`, statusCode);
    }
    const mediaType = (header(response, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!acceptsType(limits.contentTypes, mediaType)) {
      await body.dump();
      throw new OutboundError(
        'bad_content_type',
        `${clip(url.href)} is ${mediaType === '' ? 'of no content type' : `'${mediaType}'`}; expected ${limits.contentTypes.join(', ')}.`,
      );
    }
    const tooLarge = () =>
      new OutboundError('too_large', `${clip(url.href)} is larger than ${limits.maxBytes} bytes.`);
    const declared = Number(header(response, 'content-length'));
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      discard(body);
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limits.maxBytes) {
        discard(body);
        throw tooLarge();
      }
      chunks.push(chunk);
    }
    return { url: url.href, mediaType, bytes: Buffer.concat(chunks, size) };
  }

  private explain(
    error: unknown,
    url: string,
    limits: FetchLimits,
    timeout: AbortSignal,
    signal: AbortSignal,
  ): OutboundError {
    if (error instanceof OutboundError) return error;
    // A refusal from the lookup reaches undici through the socket's error, which may wrap it.
    const cause = (error as { cause?: unknown } | undefined)?.cause;
    if (cause instanceof OutboundError) return cause;
    if (timeout.aborted)
      return new OutboundError('timeout', `Fetching ${clip(url)} took longer than ${limits.timeoutMs} ms.`);
    if (signal.aborted) return new OutboundError('aborted', `Fetching ${clip(url)} was cancelled.`);
    const message = error instanceof Error ? error.message : String(error);
    return new OutboundError('unreachable', `${clip(url)} could not be fetched: ${message}.`);
  }
}

/**
 * A response body as a web stream, read as the consumer pulls. (Readable.toWeb enqueues into a
 * stream its reader already cancelled, as an SSE client does when it closes, and throws.)
 */
function webStream(body: Dispatcher.ResponseData['body']): ReadableStream<Uint8Array> {
  const chunks = body[Symbol.asyncIterator]();
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (cancelled) return;
        if (next.done) controller.close();
        else controller.enqueue(new Uint8Array(next.value as Buffer));
      } catch (error) {
        if (!cancelled) controller.error(error);
      }
    },
    cancel() {
      cancelled = true;
      discard(body);
    },
  });
}

/** Drops a body unread: no one listens to it any more, so its abort error goes nowhere. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).href;
  } catch {
    throw new OutboundError('bad_url', `A redirect to '${clip(location)}' is not a valid URL.`);
  }
}

function acceptsType(allowed: readonly string[], mediaType: string): boolean {
  if (mediaType === '') return false;
  const top = mediaType.slice(0, mediaType.indexOf('/') + 1);
  return allowed.some((type) => type === mediaType || (type.endsWith('/*') && type.slice(0, -1) === top));
}

/** URLs go into error messages: a data-sized one is cut. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
