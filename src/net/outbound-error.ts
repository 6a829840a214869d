/**
 * Why an outbound fetch was refused or failed. Callers turn it into their own error (the media
 * resolver: a 400 naming the input's param), so it carries a reason code and no HTTP status.
 */

export type OutboundReason =
  | 'bad_url'
  | 'bad_scheme'
  | 'blocked_address'
  | 'unreachable'
  | 'too_many_redirects'
  | 'bad_status'
  | 'bad_content_type'
  | 'too_large'
  | 'timeout'
  | 'aborted';

export class OutboundError extends Error {
  override name = 'OutboundError';

  constructor(
    readonly reason: OutboundReason,
    message: string,
    /** The upstream status, for `bad_status`. */
    readonly status?: number,
  ) {
    super(message);
  }
}
