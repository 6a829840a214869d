/** The one place errors become the OpenAI error envelope and an HTTP status. */
import { type ErrorBody, GatewayError, UpstreamError } from '../errors.js';

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

export function renderError(error: unknown): RenderedError {
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
  const known = fromFrameworkError(error as FastifyLikeError);
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

function fromFrameworkError(error: FastifyLikeError): RenderedError | undefined {
  const invalid = (status: number, message: string, code: string | null = null): RenderedError => ({
    status,
    body: { error: { message, type: 'invalid_request_error', param: null, code } },
    headers: {},
  });
  switch (error?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalid(
        400,
        'We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return invalid(413, 'The request body is too large.', 'request_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
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
  if (error instanceof SyntaxError || (error?.statusCode === 400 && typeof error.message === 'string')) {
    return invalid(400, error.message ?? 'Bad request.');
  }
  return undefined;
}
