/**
 * A fake OTLP/HTTP collector on 127.0.0.1: takes the JSON the otlp-http exporter posts to
 * /v1/traces and keeps every span, flattened, with its attributes as plain values.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One exported span as the tests read it. */
export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OTLP's numbering: 1 internal, 2 server, 3 client. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  resource: Record<string, unknown>;
}

export interface OtlpCollector {
  /** Base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  readonly url: string;
  readonly spans: CollectedSpan[];
  /** Every request body received, raw. */
  readonly bodies: string[];
  /** Paths and content types of the requests received. */
  readonly requests: Array<{ path: string; contentType: string | undefined }>;
  /** Resolves once `predicate` holds for the spans received (polling), or rejects after `timeoutMs`. */
  waitFor(predicate: (spans: CollectedSpan[]) => boolean, timeoutMs?: number): Promise<CollectedSpan[]>;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
type AnyValue = {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const spans: CollectedSpan[] = [];
  const bodies: string[] = [];
  const requests: OtlpCollector['requests'] = [];
  const server = createServer(async (req, res) => {
    const text = await readBody(req);
    requests.push({ path: req.url ?? '', contentType: req.headers['content-type'] });
    bodies.push(text);
    spans.push(...flatten(JSON.parse(text) as Json));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    bodies,
    requests,
    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(spans)) {
        if (Date.now() > deadline) throw new Error(`spans not received; have: ${spans.map((s) => s.name)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return spans;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flatten(body: Json): CollectedSpan[] {
  const out: CollectedSpan[] = [];
  for (const resourceSpans of (body.resourceSpans ?? []) as Json[]) {
    const resource = attributesOf((resourceSpans.resource as Json | undefined)?.attributes);
    for (const scopeSpans of (resourceSpans.scopeSpans ?? []) as Json[]) {
      for (const span of (scopeSpans.spans ?? []) as Json[]) {
        const parent = span.parentSpanId as string | undefined;
        out.push({
          traceId: span.traceId as string,
          spanId: span.spanId as string,
          parentSpanId: parent === '' ? undefined : parent,
          name: span.name as string,
          kind: span.kind as number,
          startNs: BigInt(span.startTimeUnixNano as string),
          endNs: BigInt(span.endTimeUnixNano as string),
          attributes: attributesOf(span.attributes),
          statusCode: ((span.status as Json | undefined)?.code as number | undefined) ?? 0,
          resource,
        });
      }
    }
  }
  return out;
}

function attributesOf(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of (list ?? []) as Array<{ key: string; value: AnyValue }>)
    out[key] = plainValue(value);
  return out;
}

function plainValue(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(plainValue);
  return undefined;
}
