/**
 * Multi-turn conversations, one turn after the other: chained by `previous_response_id` (the
 * gateway keeps the history) or by resending the whole history as Chat Completions messages (what
 * a client must do through a plain proxy). The upstream answers `messages=<n>`, the number of
 * messages it was sent, so the last turn shows whether the whole conversation reached it.
 */
import { Pool } from 'undici';
import type { ChainResult, ChainSpec } from './spec.js';
import { percentiles, Samples } from './stats.js';

/** The fields read from a Responses or a Chat Completions answer. */
interface Answer {
  id?: string;
  output_text?: string;
  choices?: Array<{ message?: { content?: string | null } }>;
}

interface Turn {
  body: Record<string, unknown>;
  /** Reads the answer: the text the upstream sent, and what the next turn chains on. */
  read(answer: Answer): { text: string; next: Record<string, unknown> };
}

export async function runChain(spec: ChainSpec): Promise<ChainResult> {
  const pool = new Pool(spec.target.origin, { connections: 1 });
  const headers = { ...spec.target.headers, 'content-type': 'application/json' };
  const times = new Samples();
  let errors = 0;
  let firstError: string | undefined;
  let lastTurnMessages = 0;

  const post = async (body: Record<string, unknown>): Promise<Answer> => {
    const response = await pool.request({
      method: 'POST',
      path: spec.target.path,
      headers,
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as Answer;
  };

  for (let chain = 0; chain < spec.repeats; chain++) {
    const started = performance.now();
    try {
      let state: Record<string, unknown> = {};
      for (let turn = 1; turn <= spec.turns; turn++) {
        const step =
          spec.mode === 'previous_response_id' ? responsesTurn(turn, state) : chatTurn(turn, state);
        const answer = step.read(await post(step.body));
        state = answer.next;
        if (turn === spec.turns) lastTurnMessages = Number(/messages=(\d+)/.exec(answer.text)?.[1] ?? 0);
      }
      times.push(performance.now() - started);
    } catch (error) {
      errors++;
      firstError ??= (error as Error).message;
    }
  }
  await pool.close();
  return {
    kind: 'chain',
    chains: times.length,
    errors,
    firstError,
    // user + assistant for each earlier turn, then this turn's user message.
    carriedHistory: lastTurnMessages === 2 * spec.turns - 1,
    lastTurnMessages,
    chainMs: percentiles(times.values()),
  };
}

function responsesTurn(turn: number, state: Record<string, unknown>): Turn {
  return {
    body: {
      model: 'bench-count',
      input: `Turn ${turn}: say something short.`,
      store: true,
      ...(state.previous_response_id ? { previous_response_id: state.previous_response_id } : {}),
    },
    read: (answer) => ({ text: String(answer.output_text ?? ''), next: { previous_response_id: answer.id } }),
  };
}

function chatTurn(turn: number, state: Record<string, unknown>): Turn {
  const history = (state.messages as Array<Record<string, unknown>> | undefined) ?? [];
  const messages = [...history, { role: 'user', content: `Turn ${turn}: say something short.` }];
  return {
    body: { model: 'bench-count', messages },
    read: (answer) => {
      const text = String(answer.choices?.[0]?.message?.content ?? '');
      return { text, next: { messages: [...messages, { role: 'assistant', content: text }] } };
    },
  };
}
