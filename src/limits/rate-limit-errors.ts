/** The 429s, worded and typed as OpenAI's own (type `requests` / `tokens`, `insufficient_quota`). */
import { GatewayError } from '../errors.js';
import { formatReset } from './token-bucket.js';

export type Subject = 'key' | 'tenant';

function retryAfter(ms: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))), 'retry-after-ms': String(ms) };
}

export function requestRateExceeded(
  subject: Subject,
  limit: number,
  waitMs: number,
  headers: Record<string, string>,
): GatewayError {
  return new GatewayError(
    429,
    `Rate limit reached for requests per min (RPM) of this ${subject}: Limit ${limit}, Used ${limit}, Requested 1. Please try again in ${formatReset(waitMs)}.`,
    { type: 'requests', code: 'rate_limit_exceeded', headers: { ...headers, ...retryAfter(waitMs) } },
  );
}

export function tokenRateExceeded(
  subject: Subject,
  limit: number,
  used: number,
  requested: number,
  waitMs: number,
  headers: Record<string, string>,
): GatewayError {
  return new GatewayError(
    429,
    `Rate limit reached for tokens per min (TPM) of this ${subject}: Limit ${limit}, Used ${used}, Requested ${requested}. Please try again in ${formatReset(waitMs)}.`,
    { type: 'tokens', code: 'rate_limit_exceeded', headers: { ...headers, ...retryAfter(waitMs) } },
  );
}

export function concurrencyExceeded(
  subject: Subject,
  limit: number,
  headers: Record<string, string>,
): GatewayError {
  return new GatewayError(
    429,
    `Rate limit reached for concurrent requests of this ${subject}: Limit ${limit}. Please try again when one of them has finished.`,
    { type: 'requests', code: 'rate_limit_exceeded', headers: { ...headers, 'retry-after': '1' } },
  );
}

export function budgetExceeded(subject: Subject, headers: Record<string, string>): GatewayError {
  return new GatewayError(
    429,
    `You exceeded your current quota: this ${subject}'s budget for the period is spent. Please check your plan and billing details.`,
    { type: 'insufficient_quota', code: 'insufficient_quota', headers },
  );
}
