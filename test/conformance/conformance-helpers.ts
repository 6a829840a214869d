/** Plumbing for the conformance suite: stream shapes, declared skips and envelope checks. */
import type { TestContext } from 'vitest';
import { supports } from '../../src/providers/capabilities.js';
import type { ConformanceDriver, Json, ModelLimits } from './drivers/driver.js';

/** Event types with runs of one delta type collapsed, whatever their length. */
export function shape(types: readonly string[]): string[] {
  return types.filter((type, i) => !(type.endsWith('.delta') && types[i - 1] === type));
}

/**
 * Skips the test, with the declared reason, when the adapter lacks the capability or the model
 * behind it cannot show it; never silently.
 */
export function requireFeature(
  ctx: TestContext,
  driver: ConformanceDriver,
  feature: keyof ModelLimits,
): void {
  const capability = feature === 'upstreamErrors' ? true : driver.capabilities[feature];
  if (!supports(capability)) ctx.skip(`${driver.name} adapter: ${capability.unsupported}`);
  const limit = driver.limits[feature];
  if (limit !== undefined) ctx.skip(`${driver.model}: ${limit}`);
  if (!driver.script) throw new Error(`${driver.name}: unscripted, so '${feature}' needs a declared limit`);
}

/** The reason a supported-looking check takes its degraded branch, noted on the test. */
export async function noteUnsupported(ctx: TestContext, reason: string): Promise<void> {
  await ctx.annotate(reason, 'unsupported');
}

/** All reasoning text of a reasoning item: its content and its summary. */
export function reasoningText(item: Json): string {
  return [...(item.content ?? []), ...(item.summary ?? [])].map((part: Json) => part.text).join('\n');
}

/** `{"error":{"message","type","param","code"}}` and nothing else. */
export function isEnvelope(body: Json): boolean {
  return (
    Object.keys(body).join() === 'error' &&
    Object.keys(body.error).sort().join() === 'code,message,param,type' &&
    typeof body.error.message === 'string' &&
    body.error.message !== ''
  );
}
