/**
 * GET /admin/usage/buckets: usage over time, a range cut into equal buckets, each with its groups
 * (as OpenAI's own usage API answers). Buckets start at whole multiples of their width since the
 * epoch (hours on the hour, days at midnight UTC), so `since` is rounded down to one; every bucket
 * of the range is listed, empty ones too, so a chart's time axis has no holes.
 */
import { invalidRequest } from '../errors.js';
import type { UsageBucketsQueryParams } from '../protocol/admin.js';
import type { UsageBucketGroup, UsageBucketQuery, UsageGroup } from '../store/types.js';
import { parseDuration } from './time-spec.js';
import { usageQueryOf } from './usage-report.js';

const MIN_BUCKET_MS = 60_000;
/** More buckets than a chart can show would only make a large answer. */
export const MAX_BUCKETS = 1000;

export interface UsageBucket {
  object: 'bucket';
  /** Unix seconds, inclusive / exclusive. */
  start_time: number;
  end_time: number;
  results: UsageGroup[];
}

/** The repository query; a bad width, or one cutting the range into too many buckets, is a 400. */
export function usageBucketQueryOf(params: UsageBucketsQueryParams, now = Date.now()): UsageBucketQuery {
  const query = usageQueryOf(params, now);
  const bucketMs = parseDuration(params.bucket_width);
  if (bucketMs === undefined || bucketMs < MIN_BUCKET_MS)
    throw invalidRequest(
      `Invalid 'bucket_width': '${params.bucket_width}'. Expected a duration of at least a minute (5m, 1h, 1d).`,
      'bucket_width',
    );
  const width = Math.round(bucketMs);
  const since = Math.floor(query.since / width) * width;
  const until = Math.ceil(query.until);
  if (until <= since)
    throw invalidRequest(
      `'until' must be later than 'since'.`,
      params.until === undefined ? 'since' : 'until',
    );
  const buckets = Math.ceil((until - since) / width);
  if (buckets > MAX_BUCKETS)
    throw invalidRequest(
      `'bucket_width' ${params.bucket_width} cuts this range into ${buckets} buckets; at most ${MAX_BUCKETS} are allowed. Use a wider bucket or a shorter range.`,
      'bucket_width',
    );
  return { ...query, since, until, bucketMs: width };
}

/** The repository's rows, placed into every bucket of the range. */
export function bucketsOf(query: UsageBucketQuery, rows: readonly UsageBucketGroup[]): UsageBucket[] {
  const count = Math.ceil((query.until - query.since) / query.bucketMs);
  const buckets: UsageBucket[] = Array.from({ length: count }, (_, i) => {
    const start = query.since + i * query.bucketMs;
    return {
      object: 'bucket',
      start_time: Math.floor(start / 1000),
      end_time: Math.floor(Math.min(start + query.bucketMs, query.until) / 1000),
      results: [],
    };
  });
  for (const { bucket, ...group } of rows) buckets[bucket]?.results.push(group);
  return buckets;
}
