/** The one place errors become the OpenAI error envelope and an HTTP status. */
import { defaultTypeFor, type ErrorBody, GatewayError, UpstreamError } from '../errors.js';

export interface RenderedError {
  status: number;
  body: { error: ErrorBody };
  headers: Record<string, string>;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/** The request an error came from, for the messages that name it as OpenAI's do. */
export interface RequestLine {
  method: string;
  url: string;
}

/** Longest path quoted in a message: a URL can be as long as the header limit allows. */
const MAX_QUOTED_PATH = 200;

/** OpenAI's answer to a method and path it has no route for. */
export function renderNoRoute(request: RequestLine, detail = ''): RenderedError {
  return {
    status: 404,
    body: {
      error: {
        message: `Invalid URL (${request.method} ${quotedPath(request.url)})${detail}`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    },
    headers: {},
  };
}

export function renderError(error: unknown, request?: RequestLine): RenderedError {
  if (error instanceof GatewayError) {
    return { status: error.status, body: { error: error.toBody() }, headers: error.headers ?? {} };
  }
  if (error instanceof UpstreamError) {
    const headers: Record<string, string> = {};
    if (error.retryAfterMs !== undefined)
      headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
    return {
      status: error.status,
      body: { error: { message: error.message, type: error.type, param: null, code: error.code } },
      headers,
    };
  }
  const known = fromFrameworkError(error as FastifyLikeError, request);
  if (known) return known;
  return {
    status: 500,
    body: {
      error: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      },
    },
    headers: {},
  };
}

function fromFrameworkError(
  error: FastifyLikeError,
  request: RequestLine | undefined,
): RenderedError | undefined {
  switch (error?.code) {
    // No route was looked up: a path no object lives under, answered as any unrouted URL is.
    case 'FST_ERR_MAX_PARAM_LENGTH':
      if (request) return renderNoRoute(request, ': a path parameter is too long to be an id');
      break;
    case 'FST_ERR_BAD_URL':
      return invalid(
        400,
        request
          ? `Invalid URL (${request.method} ${quotedPath(request.url)}): the path is not valid percent-encoding.`
          : 'Invalid URL: the path is not valid percent-encoding.',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalid(
        400,
        'We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return invalid(413, 'The request body is too large.', 'request_too_large');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return invalid(400, "The request body's length does not match its 'Content-Length' header.");
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return invalid(
        415,
        "Invalid 'Content-Type' header: the request body must be JSON, sent with 'Content-Type: application/json'.",
        'unsupported_media_type',
      );
    case 'FST_ERR_CTP_INVALID_TYPE':
      return invalid(400, 'The request has an invalid Content-Type header.');
    default:
      break;
  }
  if (error instanceof SyntaxError) return invalid(400, error.message);
  // Any other refusal by fastify or its body reader (an aborted upload, …) keeps its status.
  const status = error?.statusCode;
  if (status !== undefined && status >= 400 && status < 500 && typeof error.message === 'string') {
    return invalid(status, error.message);
  }
  return undefined;
}

function invalid(status: number, message: string, code: string | null = null): RenderedError {
  return {
    status,
    body: { error: { message, type: defaultTypeFor(status), param: null, code } },
    headers: {},
  };
}

function quotedPath(url: string): string {
  const path = url.split('?')[0] ?? url;
  return path.length > MAX_QUOTED_PATH ? `${path.slice(0, MAX_QUOTED_PATH)}…` : path;
}

/**
 * What to answer a connection whose bytes were not a valid HTTP request (no request object exists,
 * so the answer is written to the socket as it is): Node's own statuses, in the OpenAI envelope.
 */
export function renderClientError(error: {
  code?: string;
  reason?: string;
  message?: string;
}): RenderedError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return invalid(431, 'The request headers are too large.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return invalid(408, 'The request was not received in time.');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return invalid(413, 'The request chunk extensions are too large.', 'request_too_large');
    default: {
      // llhttp's reason names the rule broken ("Invalid method encountered"), never request bytes.
      const reason = error.reason ?? 'malformed request';
      return invalid(400, `The request is not valid HTTP: ${reason}.`);
    }
  }
}
