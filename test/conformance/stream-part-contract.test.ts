/**
 * Every adapter, driven directly as a LanguageModel against its mock upstream (the local one
 * against the bundled GGUF), keeps the stream-part contract of stream-part-checker.ts on scripted
 * replies: content of each kind, calls, finish reasons, failures before and after the first byte,
 * and generate() giving what a collected stream gives. What an adapter or the tiny model cannot
 * produce is skipped with its declared reason.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { supports } from '../../src/providers/capabilities.js';
import type { LanguageModel, ModelRequest, StreamPart } from '../../src/providers/types.js';
import { canonicalParts, checkStreamParts, type PartSummary, summarize } from './stream-part-checker.js';
import {
  type Answer,
  anthropicRig,
  chatRig,
  geminiRig,
  localRig,
  type Rig,
  responsesRig,
  type Scenario,
} from './stream-part-rigs.js';

/** Longer than any mock reply takes; a stream silent this long counts as hung. */
const HANG_MS = 5000;

class StreamHung extends Error {}

interface Drained {
  parts: StreamPart[];
  thrown: unknown;
}

/** Reads a stream to its end, or to its throw; a stream that neither ends nor yields fails. */
async function drain(model: LanguageModel, request: ModelRequest): Promise<Drained> {
  const controller = new AbortController();
  const iterable = await model.stream(request, { signal: controller.signal });
  const iterator: AsyncIterator<StreamPart> | Iterator<StreamPart> =
    Symbol.asyncIterator in iterable ? iterable[Symbol.asyncIterator]() : iterable[Symbol.iterator]();
  const parts: StreamPart[] = [];
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new StreamHung(`hung: nothing within ${HANG_MS} ms after part #${parts.length}`)),
          HANG_MS,
        );
      });
      const next = await Promise.race([iterator.next(), hung]).finally(() => clearTimeout(timer));
      if (next.done) return { parts, thrown: undefined };
      parts.push(next.value);
    }
  } catch (error) {
    if (error instanceof StreamHung) {
      controller.abort();
      throw error;
    }
    return { parts, thrown: error };
  }
}

function prepared(ctx: TestContext, rig: Rig, scenario: Scenario): ModelRequest {
  const prep = rig.prepare(scenario);
  if ('skip' in prep) return ctx.skip(`${rig.name}: ${prep.skip}`);
  return prep.request;
}

function requireCapability(ctx: TestContext, rig: Rig, feature: 'reasoning' | 'parallelToolCalls'): void {
  const capability = rig.capabilities[feature];
  if (!supports(capability)) ctx.skip(`${rig.name} adapter: ${capability.unsupported}`);
}

const PARIS = { callId: 'call_paris', name: 'get_weather', args: { city: 'Paris' } };
const ROME = { callId: 'call_rome', name: 'get_weather', args: { city: 'Rome' } };

interface AnswerCase {
  name: string;
  scenario: Answer;
  needs?: 'reasoning' | 'parallelToolCalls';
  /** What the parts say, for a scripted rig exactly and for the local model by shape. */
  check(summary: PartSummary, rig: Rig, parts: readonly StreamPart[]): void;
}

const ANSWERS: AnswerCase[] = [
  {
    name: 'text in several deltas',
    scenario: {
      kind: 'answer',
      text: 'Hello from the contract suite.',
      chunks: ['Hel', 'lo from', ' the contract', ' suite.'],
      usage: { input: 11, output: 7 },
    },
    check(summary, rig) {
      expect(summary.finish?.finishReason).toBe('stop');
      expect(summary.calls).toEqual([]);
      if (!rig.scripted) return void expect(summary.text).toMatch(/\.$/);
      expect(summary.text).toBe('Hello from the contract suite.');
      expect(summary.finish?.usage).toEqual({
        inputTokens: 11,
        outputTokens: 7,
        cachedInputTokens: 0,
        reasoningTokens: 0,
      });
    },
  },
  {
    name: 'reasoning, then text',
    needs: 'reasoning',
    scenario: { kind: 'answer', reasoning: 'The user greets me; greet back.', text: 'Hello!' },
    check(summary, _rig, parts) {
      expect(summary.reasoning).toBe('The user greets me; greet back.');
      expect(summary.text).toBe('Hello!');
      expect(summary.finish?.finishReason).toBe('stop');
      const first = (type: string) => parts.findIndex((part) => part.type === type);
      expect(first('reasoning-delta')).toBeLessThan(first('text-delta'));
    },
  },
  {
    name: 'reasoning, then a tool call',
    needs: 'reasoning',
    scenario: { kind: 'answer', reasoning: 'Weather needs the tool.', calls: [PARIS] },
    check(summary) {
      expect(summary.reasoning).toBe('Weather needs the tool.');
      expect(summary.calls.map((call) => call.callId)).toEqual(['call_paris']);
      expect(summary.finish?.finishReason).toBe('tool-calls');
    },
  },
  {
    name: 'an empty answer',
    scenario: { kind: 'answer', text: '' },
    check(summary, _rig, parts) {
      expect(parts.filter((part) => part.type !== 'warning').map((part) => part.type)).toEqual(['finish']);
      expect(summary.finish?.finishReason).toBe('stop');
    },
  },
  {
    name: 'one tool call, its arguments across chunks',
    scenario: { kind: 'answer', calls: [PARIS] },
    check(summary, rig) {
      expect(summary.finish?.finishReason).toBe('tool-calls');
      expect(summary.calls).toHaveLength(1);
      const [call] = summary.calls;
      expect(call?.name).toBe('get_weather');
      if (!rig.scripted) return void expect(['Paris', 'Rome']).toContain(JSON.parse(call!.input).city);
      expect(call?.callId).toBe('call_paris');
      expect(JSON.parse(call!.input)).toEqual({ city: 'Paris' });
    },
  },
  {
    name: 'parallel tool calls',
    needs: 'parallelToolCalls',
    scenario: { kind: 'answer', calls: [PARIS, ROME, { ...PARIS, callId: 'call_paris_2' }] },
    check(summary) {
      expect(summary.finish?.finishReason).toBe('tool-calls');
      expect(summary.calls.map((call) => [call.callId, JSON.parse(call.input).city])).toEqual([
        ['call_paris', 'Paris'],
        ['call_rome', 'Rome'],
        ['call_paris_2', 'Paris'],
      ]);
    },
  },
  {
    name: 'text, then a tool call',
    scenario: { kind: 'answer', text: 'Let me check the weather.', calls: [ROME] },
    check(summary, rig) {
      if (!rig.scripted) return void expect(summary.calls).toHaveLength(1);
      expect(summary.text).toBe('Let me check the weather.');
      expect(summary.calls.map((call) => call.callId)).toEqual(['call_rome']);
      expect(summary.finish?.finishReason).toBe('tool-calls');
    },
  },
  {
    name: 'refusal',
    scenario: { kind: 'answer', refusal: "I can't help with that." },
    check(summary) {
      expect(summary.refusal).toBe("I can't help with that.");
      expect(summary.text).toBe('');
      expect(summary.finish?.finishReason).toBe('stop');
    },
  },
  {
    name: 'text with logprobs',
    scenario: { kind: 'answer', text: 'Hello there, friend.', logprobs: true },
    check(summary) {
      expect(summary.text).toBe('Hello there, friend.');
      expect(summary.logprobs).toBeGreaterThan(0);
    },
  },
  {
    name: 'text cut at the token limit',
    scenario: { kind: 'answer', text: 'Once upon a', finish: 'length' },
    check(summary, rig) {
      expect(summary.finish?.finishReason).toBe('length');
      if (rig.scripted) expect(summary.text).toBe('Once upon a');
    },
  },
  {
    name: 'text stopped by a content filter',
    scenario: { kind: 'answer', text: 'Partial', finish: 'content-filter' },
    check(summary) {
      expect(summary.finish?.finishReason).toBe('content-filter');
      expect(summary.text).toBe('Partial');
    },
  },
];

/** Stream and whole answer as comparable parts; a fresh call id and a warm prompt cache aside. */
function comparable(parts: readonly StreamPart[], rig: Rig): StreamPart[] {
  if (rig.scripted) return canonicalParts(parts);
  return canonicalParts(parts).map((part) => {
    if (part.type === 'tool-input-start') return { ...part, callId: 'call' };
    if (part.type === 'finish' && part.usage)
      return { ...part, usage: { ...part.usage, cachedInputTokens: 0 } };
    return part;
  });
}

/** How an HTTP status before the first byte reaches the engine (shared/http-client statusError). */
const STATUS: Record<number, { status: number; retryable: boolean }> = {
  400: { status: 400, retryable: false },
  429: { status: 429, retryable: true },
  500: { status: 502, retryable: true },
  503: { status: 503, retryable: true },
};

const MID_STREAM = ['drop', 'truncate', 'stream-error', 'malformed'] as const;
const MID_STREAM_CODES: Record<(typeof MID_STREAM)[number], string | undefined> = {
  drop: 'upstream_unavailable',
  truncate: 'upstream_stream_truncated',
  // Each provider names its in-stream error its own way.
  'stream-error': undefined,
  malformed: 'upstream_invalid_response',
};

const RIGS: Array<[string, () => Promise<Rig> | Rig]> = [
  ['openai-chat', chatRig],
  ['openai-responses', responsesRig],
  ['anthropic', anthropicRig],
  ['gemini', geminiRig],
  ['local', localRig],
];

describe.each(RIGS)('%s adapter', (_name, makeRig) => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await makeRig();
  });
  afterEach(() => rig.reset());
  afterAll(async () => {
    await rig?.close();
  });

  describe.each(ANSWERS.map((c) => [c.name, c] as const))('%s', (_case, answer) => {
    it('streams within the contract, saying what was scripted', async (ctx) => {
      if (answer.needs) requireCapability(ctx, rig, answer.needs);
      const request = prepared(ctx, rig, answer.scenario);
      const { parts, thrown } = await drain(rig.model, request);
      expect(thrown).toBeUndefined();
      // Every mock reports usage on these replies, and the local model counts its own.
      checkStreamParts(parts, { requireUsage: true });
      answer.check(summarize(parts), rig, parts);
    });

    it('generate() gives the parts of the collected stream', async (ctx) => {
      if (answer.needs) requireCapability(ctx, rig, answer.needs);
      const streamed = await drain(rig.model, prepared(ctx, rig, answer.scenario));
      const whole = await rig.model.generate(prepared(ctx, rig, answer.scenario), {
        signal: new AbortController().signal,
      });
      checkStreamParts(whole, { requireUsage: true });
      expect(comparable(whole, rig)).toEqual(comparable(streamed.parts, rig));
    });
  });

  describe('a failure before the first byte', () => {
    it.for(Object.keys(STATUS).map(Number))(
      'HTTP %i rejects stream() and generate() with the UpstreamError the router reads',
      async (status, ctx) => {
        const request = prepared(ctx, rig, { kind: 'http-error', status });
        const signal = new AbortController().signal;
        const expected = { name: 'UpstreamError', ...STATUS[status] };
        const streamed = await rig.model.stream(request, { signal }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(streamed).toBeInstanceOf(UpstreamError);
        expect(streamed).toMatchObject(expected);
        prepared(ctx, rig, { kind: 'http-error', status });
        await expect(rig.model.generate(request, { signal })).rejects.toMatchObject(expected);
      },
    );

    it('a refused connection rejects stream() and generate() with a retryable UpstreamError', async (ctx) => {
      const unreachable = rig.unreachable;
      if (!unreachable) return ctx.skip(`${rig.name}: an in-process model has no connection to refuse`);
      // Scripts a reply nobody asks for (afterEach drops it): only the request is wanted.
      const request = prepared(ctx, rig, { kind: 'answer', text: 'never sent' });
      const signal = new AbortController().signal;
      const expected = { status: 502, retryable: true, code: 'upstream_unavailable' };
      const error = await unreachable.stream(request, { signal }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject(expected);
      await expect(unreachable.generate(request, { signal })).rejects.toMatchObject(expected);
    });
  });

  describe.each(MID_STREAM)('%s after the first byte', (kind) => {
    it('ends the iteration with an UpstreamError: no hang, no finish', async (ctx) => {
      const request = prepared(ctx, rig, { kind, afterText: 'Partial ans' });
      const { parts, thrown } = await drain(rig.model, request);
      checkStreamParts(parts, { threw: thrown !== undefined });
      const summary = summarize(parts);
      expect(summary.finish).toBeUndefined();
      const error = thrown ?? summary.error;
      expect(error).toBeInstanceOf(UpstreamError);
      const code = MID_STREAM_CODES[kind];
      if (code !== undefined) expect(error).toMatchObject({ code });
      expect(summary.text).toBe('Partial ans');
    });
  });
});
