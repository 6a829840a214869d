/**
 * The contract between the request schemas and the error renderer in ../validate-request.ts.
 *
 * Most zod issues are translated structurally (unknown key, wrong type, enum mismatch...). A few
 * rules need knowledge zod's issues do not carry — integer vs decimal bounds, property counts,
 * cross-field rules — so the schemas raise them as `custom` issues whose params already hold the
 * OpenAI error code and a message builder.
 */

import type { z } from 'zod';

export interface GatewayIssueDetails {
  /** OpenAI error code, e.g. `integer_above_max_value`. */
  code: string;
  /** Builds the message from the param path in OpenAI notation (`input[0].content`). */
  message: (param: string) => string;
}

/**
 * Message given to zod's `invalid_type` issue for integer schemas: zod reports a string sent for
 * `z.int()` as "expected number", which cannot be told apart from a decimal field otherwise.
 */
export const EXPECTED_INTEGER = 'expected an integer';

/** Push an issue that the renderer turns into exactly this code and message. */
export function addGatewayIssue(
  ctx: z.RefinementCtx,
  details: GatewayIssueDetails,
  path: PropertyKey[] = [],
): void {
  ctx.addIssue({ code: 'custom', message: details.code, params: { gateway: details }, path });
}

/** The details attached by `addGatewayIssue`, if this issue carries them. */
export function gatewayDetails(issue: z.core.$ZodIssue): GatewayIssueDetails | undefined {
  if (issue.code !== 'custom') return undefined;
  const details = issue.params?.gateway as GatewayIssueDetails | undefined;
  return details && typeof details.message === 'function' ? details : undefined;
}
