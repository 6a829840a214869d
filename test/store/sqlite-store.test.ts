/**
 * Repository-level conformance suite for the store backends. Every backend runs the same cases
 * through the `Store` interfaces only: SQLite (a temp file per test) and PostgreSQL (a fresh
 * database per test on a throw-away server, skipped with its reason only when PostgreSQL is not
 * installed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.js';
import type { ResponseObject } from '../../src/protocol/response.js';
import { PgStore } from '../../src/store/postgres/pg-store.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { migrate } from '../../src/store/sqlite/open-database.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ConversationRecord, Store, StoredItem } from '../../src/store/types.js';
import { type PgServer, pgSkipReason, startPgServer } from '../helpers/pg-cluster.js';

/** One backing database for one test: open (or reopen) stores on it, then drop it. */
interface StoreFixture {
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

interface StoreFactory {
  name: string;
  /** Why this backend cannot run here; its cases are skipped with it. */
  skip?: string | undefined;
  fixture(): Promise<StoreFixture>;
}

let pgServer: PgServer | undefined;
beforeAll(async () => {
  if (pgSkipReason === undefined) pgServer = await startPgServer();
}, 60_000);
afterAll(async () => {
  await pgServer?.stop();
});

const STORE_FACTORIES: StoreFactory[] = [
  {
    name: 'sqlite',
    async fixture() {
      const dir = mkdtempSync(join(tmpdir(), 'rgw-store-'));
      return {
        open: async () => new SqliteStore(join(dir, 'nested', 'gateway.db')),
        dispose: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'postgres',
    skip: pgSkipReason,
    async fixture() {
      const url = await pgServer!.createDatabase();
      return { open: async () => new PgStore(url), dispose: async () => {} };
    },
  },
];

const T1 = 'tenant-one';
const T2 = 'tenant-two';

function userMessage(text: string): StoredItem {
  return {
    id: newId('msg'),
    type: 'message',
    status: 'completed',
    role: 'user',
    content: [{ type: 'input_text', text }],
  };
}

function assistantMessage(text: string): StoredItem {
  return {
    id: newId('msg'),
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
}

function responseObject(
  output: StoredItem[],
  options: { previous?: string | null; conversation?: string; createdAt?: number } = {},
): ResponseObject {
  return {
    id: newId('resp'),
    object: 'response',
    created_at: options.createdAt ?? 1_700_000_000,
    status: 'completed',
    background: false,
    completed_at: 1_700_000_001,
    content_filters: null,
    conversation: options.conversation !== undefined ? { id: options.conversation } : null,
    error: null,
    frequency_penalty: 0,
    incomplete_details: null,
    instructions: 'Be brief.',
    max_output_tokens: null,
    max_tool_calls: null,
    model: 'mock-model',
    output: output as unknown as ResponseObject['output'],
    output_text: '',
    parallel_tool_calls: true,
    presence_penalty: 0,
    previous_response_id: options.previous ?? null,
    prompt: null,
    prompt_cache_key: null,
    prompt_cache_retention: null,
    reasoning: { effort: null, summary: null },
    safety_identifier: null,
    service_tier: 'auto',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: { zero: '0', empty: '' },
  } as ResponseObject;
}

const texts = (items: readonly StoredItem[] | undefined) =>
  (items ?? []).map((item) => (item.content as Array<{ text: string }>)[0]!.text);

describe.each(STORE_FACTORIES)('$name store', (factory) => {
  if (factory.skip !== undefined) {
    it.skip(`${factory.name}: ${factory.skip}`, () => {});
    return;
  }
  let fixture: StoreFixture;
  let store: Store;

  beforeEach(async () => {
    fixture = await factory.fixture();
    store = await fixture.open();
  });
  afterEach(async () => {
    await store.close();
    await fixture.dispose();
  });

  /** Saves one turn: `input` user messages in, one assistant message out. */
  async function saveTurn(
    tenant: string,
    input: string[],
    reply: string,
    previous: string | null = null,
  ): Promise<ResponseObject> {
    const response = responseObject([assistantMessage(reply)], { previous });
    await store.responses.save(tenant, { response, inputItems: input.map(userMessage) });
    return response;
  }

  describe('responses', () => {
    it('saves and reads a response with its output items and fields intact', async () => {
      const reasoning: StoredItem = {
        id: newId('rs'),
        type: 'reasoning',
        summary: [],
        content: [{ type: 'reasoning_text', text: 'thinking' }],
        encrypted_content: null,
      };
      const call: StoredItem = {
        id: newId('fc'),
        type: 'function_call',
        status: 'completed',
        arguments: '{"city":"Paris"}',
        call_id: 'call_1',
        name: 'get_weather',
      };
      const response = responseObject([reasoning, assistantMessage('Hi'), call]);
      await store.responses.save(T1, { response, inputItems: [userMessage('Hello')] });
      const read = await store.responses.get(T1, response.id);
      expect(read).toEqual(response);
      // 0, '' and null survive the round trip.
      expect(read?.metadata).toEqual({ zero: '0', empty: '' });
      expect(read?.top_logprobs).toBe(0);
      expect(read?.usage).toBeNull();
    });

    it('replaces a response saved twice (status update) without duplicating items', async () => {
      const response = responseObject([]);
      response.status = 'in_progress';
      await store.responses.save(T1, { response, inputItems: [userMessage('a')] });
      const done: ResponseObject = {
        ...responseObject([assistantMessage('b')]),
        id: response.id,
        status: 'completed',
      };
      await store.responses.save(T1, { response: done, inputItems: [userMessage('a')] });
      const read = await store.responses.get(T1, response.id);
      expect(read?.status).toBe('completed');
      expect(texts(read?.output as unknown as StoredItem[])).toEqual(['b']);
      const page = await store.responses.listInputItems(T1, response.id, { limit: 100, order: 'asc' });
      expect(texts(page?.data)).toEqual(['a']);
    });

    it('lists in_progress responses no job will finish as interrupted', async () => {
      const streamed = { ...responseObject([]), status: 'in_progress' } as ResponseObject;
      await store.responses.save(T2, { response: streamed, inputItems: [userMessage('q')] });
      await saveTurn(T1, ['done'], 'a');
      const queued = { ...responseObject([]), status: 'queued', background: true } as ResponseObject;
      await store.jobs.enqueue(T1, { response: queued, inputItems: [] }, '{}', []);
      // A claimed job's response is in_progress too, but its job is still running.
      const claimed = await store.jobs.claim();
      await store.responses.update(T1, { ...queued, status: 'in_progress' });
      expect(claimed?.responseId).toBe(queued.id);
      // Asked by the process that opens the store next (a shared store never lists the asking
      // instance's own streams: it is still answering them).
      const reopen = async () => {
        await store.close();
        store = await fixture.open();
      };
      await reopen();
      expect(await store.responses.listInterrupted()).toEqual([{ tenantId: T2, id: streamed.id }]);
      await store.jobs.finish(queued.id);
      await store.responses.save(T2, {
        response: { ...streamed, status: 'completed' },
        inputItems: [userMessage('q')],
      });
      await reopen();
      expect(await store.responses.listInterrupted()).toEqual([{ tenantId: T1, id: queued.id }]);
    });

    it('reads unknown ids as absent', async () => {
      expect(await store.responses.get(T1, 'resp_unknown')).toBeUndefined();
      expect(await store.responses.delete(T1, 'resp_unknown')).toBe(false);
      expect(
        await store.responses.listInputItems(T1, 'resp_unknown', { limit: 20, order: 'desc' }),
      ).toBeUndefined();
      expect(await store.responses.loadChain(T1, 'resp_unknown')).toBeUndefined();
      expect(await store.responses.findItem(T1, 'msg_unknown')).toBeUndefined();
    });

    it('deletes a response: absent afterwards, a second delete is false', async () => {
      const response = await saveTurn(T1, ['q'], 'a');
      const outputId = response.output[0]!.id;
      expect(await store.responses.delete(T1, response.id)).toBe(true);
      expect(await store.responses.get(T1, response.id)).toBeUndefined();
      expect(await store.responses.delete(T1, response.id)).toBe(false);
      expect(
        await store.responses.listInputItems(T1, response.id, { limit: 20, order: 'asc' }),
      ).toBeUndefined();
      expect(await store.responses.loadChain(T1, response.id)).toBeUndefined();
      expect(await store.responses.findItem(T1, outputId)).toBeUndefined();
    });

    it('finds input and output items by id', async () => {
      const input = userMessage('question');
      const response = responseObject([assistantMessage('answer')]);
      await store.responses.save(T1, { response, inputItems: [input] });
      expect(await store.responses.findItem(T1, input.id)).toEqual(input);
      expect(await store.responses.findItem(T1, response.output[0]!.id)).toEqual(response.output[0]);
    });
  });

  describe('tenant scoping', () => {
    it("reads another tenant's response as absent everywhere", async () => {
      const first = await saveTurn(T1, ['secret question'], 'secret answer');
      const second = await saveTurn(T1, ['more'], 'again', first.id);
      const inputId = (await store.responses.listInputItems(T1, first.id, { limit: 1, order: 'asc' }))
        ?.data[0]?.id;
      expect(inputId).toBeDefined();

      expect(await store.responses.get(T2, first.id)).toBeUndefined();
      expect(await store.responses.listInputItems(T2, first.id, { limit: 20, order: 'asc' })).toBeUndefined();
      expect(await store.responses.loadChain(T2, second.id)).toBeUndefined();
      expect(await store.responses.findItem(T2, inputId!)).toBeUndefined();
      expect(await store.responses.findItem(T2, first.output[0]!.id)).toBeUndefined();
      expect(await store.responses.delete(T2, first.id)).toBe(false);
      // The other tenant's failed delete left it untouched.
      expect(await store.responses.get(T1, first.id)).toEqual(first);
      expect(texts(await store.responses.loadChain(T1, second.id))).toEqual([
        'secret question',
        'secret answer',
        'more',
        'again',
      ]);
    });

    it('does not let a chain cross into another tenant', async () => {
      const foreign = await saveTurn(T1, ['t1 question'], 't1 answer');
      // T2 saves a turn that claims to continue T1's response (ids are global, tenants are not).
      const own = await saveTurn(T2, ['t2 question'], 't2 answer', foreign.id);
      expect(texts(await store.responses.loadChain(T2, own.id))).toEqual(['t2 question', 't2 answer']);
    });

    it("refuses to overwrite another tenant's response that has the same id", async () => {
      const mine = await saveTurn(T1, ['mine'], 'my answer');
      const theirs = { ...responseObject([assistantMessage('their answer')]), id: mine.id };
      await expect(
        store.responses.save(T2, { response: theirs, inputItems: [userMessage('theirs')] }),
      ).rejects.toThrow();
      expect(await store.responses.get(T1, mine.id)).toEqual(mine);
      expect(await store.responses.get(T2, mine.id)).toBeUndefined();
      expect(texts(await store.responses.loadChain(T1, mine.id))).toEqual(['mine', 'my answer']);
    });

    it("reads another tenant's conversation and its items as absent everywhere", async () => {
      const conversation = conversationRecord({ topic: 'private' });
      const item = userMessage('private');
      await store.conversations.create(T1, conversation, [item]);
      const page = { limit: 20, order: 'asc' as const };

      expect(await store.conversations.get(T2, conversation.id)).toBeUndefined();
      expect(await store.conversations.updateMetadata(T2, conversation.id, { x: 'y' })).toBeUndefined();
      expect(await store.conversations.listItems(T2, conversation.id, page)).toBeUndefined();
      expect(await store.conversations.allItems(T2, conversation.id)).toBeUndefined();
      expect(await store.conversations.getItem(T2, conversation.id, item.id)).toBeUndefined();
      expect(await store.conversations.deleteItem(T2, conversation.id, item.id)).toBe(false);
      expect(await store.conversations.appendItems(T2, conversation.id, [userMessage('intrusion')])).toBe(
        false,
      );
      expect(await store.responses.findItem(T2, item.id)).toBeUndefined();
      expect(await store.conversations.delete(T2, conversation.id)).toBe(false);

      expect(await store.conversations.get(T1, conversation.id)).toEqual(conversation);
      expect(texts(await store.conversations.allItems(T1, conversation.id))).toEqual(['private']);
    });
  });

  describe('input items pagination', () => {
    let responseId: string;
    let ids: string[];

    beforeEach(async () => {
      const inputs = Array.from({ length: 7 }, (_, i) => userMessage(`m${i}`));
      ids = inputs.map((item) => item.id);
      const response = responseObject([assistantMessage('out')]);
      responseId = response.id;
      await store.responses.save(T1, { response, inputItems: inputs });
    });

    const list = (query: { limit: number; order: 'asc' | 'desc'; after?: string; before?: string }) =>
      store.responses.listInputItems(T1, responseId, query);

    it('lists input items only, in order, with first_id/last_id/has_more', async () => {
      const all = await list({ limit: 100, order: 'asc' });
      expect(all).toEqual({
        data: expect.any(Array),
        first_id: ids[0],
        last_id: ids[6],
        has_more: false,
      });
      expect(all?.data.map((item) => item.id)).toEqual(ids);

      const desc = await list({ limit: 100, order: 'desc' });
      expect(desc?.data.map((item) => item.id)).toEqual([...ids].reverse());
      expect(desc?.first_id).toBe(ids[6]);
      expect(desc?.last_id).toBe(ids[0]);
    });

    it('honours limit and has_more, including a limit equal to the count', async () => {
      const first = await list({ limit: 3, order: 'asc' });
      expect(first?.data.map((item) => item.id)).toEqual(ids.slice(0, 3));
      expect(first?.has_more).toBe(true);
      expect((await list({ limit: 7, order: 'asc' }))?.has_more).toBe(false);
      expect((await list({ limit: 6, order: 'asc' }))?.has_more).toBe(true);
    });

    it('walks every page with after, in both orders', async () => {
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let after: string | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const page = await list({ limit: 3, order, ...(after !== undefined ? { after } : {}) });
          seen.push(...(page?.data.map((item) => item.id) ?? []));
          if (!page?.has_more) break;
          after = page.last_id!;
        }
        expect(seen).toEqual(order === 'asc' ? ids : [...ids].reverse());
      }
    });

    it('pages backwards with before, and combines after with before', async () => {
      const beforeAsc = await list({ limit: 2, order: 'asc', before: ids[4]! });
      expect(beforeAsc?.data.map((item) => item.id)).toEqual([ids[0], ids[1]]);
      expect(beforeAsc?.has_more).toBe(true);
      const beforeDesc = await list({ limit: 10, order: 'desc', before: ids[4]! });
      expect(beforeDesc?.data.map((item) => item.id)).toEqual([ids[6], ids[5]]);
      expect(beforeDesc?.has_more).toBe(false);
      const between = await list({ limit: 10, order: 'asc', after: ids[1]!, before: ids[5]! });
      expect(between?.data.map((item) => item.id)).toEqual(ids.slice(2, 5));
    });

    it('answers an empty page past the end', async () => {
      const page = await list({ limit: 5, order: 'asc', after: ids[6]! });
      expect(page).toEqual({ data: [], first_id: null, last_id: null, has_more: false });
    });
  });

  describe('chains', () => {
    it('loads every earlier turn oldest first, input before output', async () => {
      const one = await saveTurn(T1, ['q1a', 'q1b'], 'a1');
      const two = await saveTurn(T1, ['q2'], 'a2', one.id);
      const three = await saveTurn(T1, ['q3'], 'a3', two.id);
      expect(texts(await store.responses.loadChain(T1, one.id))).toEqual(['q1a', 'q1b', 'a1']);
      expect(texts(await store.responses.loadChain(T1, three.id))).toEqual([
        'q1a',
        'q1b',
        'a1',
        'q2',
        'a2',
        'q3',
        'a3',
      ]);
    });

    it('keeps forks apart: two continuations of one parent see only their own branch', async () => {
      const root = await saveTurn(T1, ['root q'], 'root a');
      const left = await saveTurn(T1, ['left q'], 'left a', root.id);
      const right = await saveTurn(T1, ['right q'], 'right a', root.id);
      const leftDeeper = await saveTurn(T1, ['left q2'], 'left a2', left.id);
      expect(texts(await store.responses.loadChain(T1, right.id))).toEqual([
        'root q',
        'root a',
        'right q',
        'right a',
      ]);
      expect(texts(await store.responses.loadChain(T1, leftDeeper.id))).toEqual([
        'root q',
        'root a',
        'left q',
        'left a',
        'left q2',
        'left a2',
      ]);
    });

    it('skips a deleted (tombstoned) turn in the middle but keeps the turns before it', async () => {
      const one = await saveTurn(T1, ['q1'], 'a1');
      const two = await saveTurn(T1, ['q2'], 'a2', one.id);
      const three = await saveTurn(T1, ['q3'], 'a3', two.id);
      expect(await store.responses.delete(T1, two.id)).toBe(true);
      expect(texts(await store.responses.loadChain(T1, three.id))).toEqual(['q1', 'a1', 'q3', 'a3']);
      // The deleted turn itself cannot be continued.
      expect(await store.responses.loadChain(T1, two.id)).toBeUndefined();
      // Deleting the first turn too leaves only the last one.
      await store.responses.delete(T1, one.id);
      expect(texts(await store.responses.loadChain(T1, three.id))).toEqual(['q3', 'a3']);
    });

    it('loads a long chain in order', async () => {
      let previous: string | null = null;
      for (let turn = 0; turn < 60; turn++)
        previous = (await saveTurn(T1, [`q${turn}`], `a${turn}`, previous)).id;
      const chain = texts(await store.responses.loadChain(T1, previous!));
      expect(chain).toHaveLength(120);
      expect(chain.slice(0, 4)).toEqual(['q0', 'a0', 'q1', 'a1']);
      expect(chain.slice(-2)).toEqual(['q59', 'a59']);
    });
  });

  describe('conversations', () => {
    it('creates, reads, updates metadata and deletes a conversation', async () => {
      const conversation = conversationRecord({ a: '1', empty: '' });
      await store.conversations.create(T1, conversation, []);
      expect(await store.conversations.get(T1, conversation.id)).toEqual(conversation);
      const updated = await store.conversations.updateMetadata(T1, conversation.id, { b: '2' });
      expect(updated).toEqual({ ...conversation, metadata: { b: '2' } });
      expect(await store.conversations.get(T1, conversation.id)).toEqual(updated);
      expect(await store.conversations.delete(T1, conversation.id)).toBe(true);
      expect(await store.conversations.get(T1, conversation.id)).toBeUndefined();
      expect(await store.conversations.delete(T1, conversation.id)).toBe(false);
      expect(await store.conversations.allItems(T1, conversation.id)).toBeUndefined();
      expect(await store.conversations.appendItems(T1, conversation.id, [userMessage('late')])).toBe(false);
    });

    it('keeps items in creation then append order', async () => {
      const conversation = conversationRecord();
      const initial = [userMessage('c0'), assistantMessage('c1')];
      await store.conversations.create(T1, conversation, initial);
      expect(await store.conversations.appendItems(T1, conversation.id, [userMessage('c2')])).toBe(true);
      expect(
        await store.conversations.appendItems(T1, conversation.id, [
          assistantMessage('c3'),
          userMessage('c4'),
        ]),
      ).toBe(true);
      expect(await store.conversations.appendItems(T1, conversation.id, [])).toBe(true);
      const all = await store.conversations.allItems(T1, conversation.id);
      expect(texts(all)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
      expect(all?.[0]).toEqual(initial[0]);

      const desc = await store.conversations.listItems(T1, conversation.id, { limit: 2, order: 'desc' });
      expect(texts(desc?.data)).toEqual(['c4', 'c3']);
      expect(desc?.has_more).toBe(true);
      const next = await store.conversations.listItems(T1, conversation.id, {
        limit: 10,
        order: 'desc',
        after: desc!.last_id!,
      });
      expect(texts(next?.data)).toEqual(['c2', 'c1', 'c0']);
      expect(next?.has_more).toBe(false);
    });

    it('gets and deletes single items; a deleted item leaves the order of the rest', async () => {
      const conversation = conversationRecord();
      const items = [userMessage('x0'), userMessage('x1'), userMessage('x2')];
      await store.conversations.create(T1, conversation, items);
      expect(await store.conversations.getItem(T1, conversation.id, items[1]!.id)).toEqual(items[1]);
      expect(await store.conversations.deleteItem(T1, conversation.id, items[1]!.id)).toBe(true);
      expect(await store.conversations.deleteItem(T1, conversation.id, items[1]!.id)).toBe(false);
      expect(await store.conversations.getItem(T1, conversation.id, items[1]!.id)).toBeUndefined();
      await store.conversations.appendItems(T1, conversation.id, [userMessage('x3')]);
      expect(texts(await store.conversations.allItems(T1, conversation.id))).toEqual(['x0', 'x2', 'x3']);
      // Items of one conversation are not reachable through another.
      const other = conversationRecord();
      await store.conversations.create(T1, other, []);
      expect(await store.conversations.getItem(T1, other.id, items[0]!.id)).toBeUndefined();
      expect(await store.conversations.deleteItem(T1, other.id, items[0]!.id)).toBe(false);
    });

    it('finds conversation items by id', async () => {
      const conversation = conversationRecord();
      const item = userMessage('findable');
      await store.conversations.create(T1, conversation, [item]);
      expect(await store.responses.findItem(T1, item.id)).toEqual(item);
    });

    it('appends a saved response’s input then output to its conversation in one step', async () => {
      const conversation = conversationRecord();
      await store.conversations.create(T1, conversation, [userMessage('before')]);
      const response = responseObject([assistantMessage('reply')], { conversation: conversation.id });
      await store.responses.save(
        T1,
        { response, inputItems: [userMessage('ask'), userMessage('ask more')] },
        conversation.id,
      );
      expect(texts(await store.conversations.allItems(T1, conversation.id))).toEqual([
        'before',
        'ask',
        'ask more',
        'reply',
      ]);
      expect((await store.responses.get(T1, response.id))?.conversation).toEqual({ id: conversation.id });
    });

    it('stores nothing when the conversation to append to is gone', async () => {
      const response = responseObject([assistantMessage('orphan')]);
      await expect(
        store.responses.save(T1, { response, inputItems: [userMessage('q')] }, 'conv_gone'),
      ).rejects.toThrow();
      expect(await store.responses.get(T1, response.id)).toBeUndefined();
    });

    it('paginates conversation items like input items', async () => {
      const conversation = conversationRecord();
      const items = Array.from({ length: 5 }, (_, i) => userMessage(`p${i}`));
      await store.conversations.create(T1, conversation, items);
      const page = await store.conversations.listItems(T1, conversation.id, {
        limit: 2,
        order: 'asc',
        after: items[0]!.id,
      });
      expect(page).toEqual({
        data: [items[1], items[2]],
        first_id: items[1]!.id,
        last_id: items[2]!.id,
        has_more: true,
      });
      const before = await store.conversations.listItems(T1, conversation.id, {
        limit: 20,
        order: 'desc',
        before: items[2]!.id,
      });
      expect(texts(before?.data)).toEqual(['p4', 'p3']);
    });
  });

  describe('settings', () => {
    it('sets a value only once and returns the value stored', async () => {
      expect(await store.settings.get('seal')).toBeUndefined();
      expect(await store.settings.setIfAbsent('seal', 'first')).toBe('first');
      expect(await store.settings.setIfAbsent('seal', 'second')).toBe('first');
      expect(await store.settings.get('seal')).toBe('first');
      expect(await store.settings.setIfAbsent('empty', '')).toBe('');
      expect(await store.settings.setIfAbsent('empty', 'later')).toBe('');
    });
  });

  describe('usage buckets', () => {
    it('sums usage per bucket and group, buckets counted from since, the tenant filter applied', async () => {
      const row = (at: number, model: string, tenant = T1) => ({
        response_id: newId('resp'),
        created_at: at,
        tenant_id: tenant,
        key_id: 'key_1',
        model,
        provider: 'openai',
        input_tokens: 10,
        cached_tokens: 1,
        output_tokens: 4,
        reasoning_tokens: 2,
        tool_calls: 0,
        latency_ms: 100,
        ttft_ms: null,
        status: 'completed',
        cost_usd: 0.25,
      });
      await store.usage.append([
        row(1_000, 'a'),
        row(59_999, 'a'),
        row(60_000, 'b'),
        row(150_000, 'a'),
        row(150_000, 'a', T2),
        row(180_000, 'a'),
      ]);
      const groups = await store.usage.summarizeBuckets({
        since: 0,
        until: 180_000,
        bucketMs: 60_000,
        groupBy: 'model',
        tenantId: T1,
      });
      expect(groups.map((g) => [g.bucket, g.group, g.requests, g.input_tokens, g.cost_usd])).toEqual([
        [0, 'a', 2, 20, 0.5],
        [1, 'b', 1, 10, 0.25],
        [2, 'a', 1, 10, 0.25],
      ]);
      expect(groups[0]).toMatchObject({
        cached_tokens: 2,
        output_tokens: 8,
        reasoning_tokens: 4,
        avg_ttft_ms: null,
      });
    });
  });

  describe('durability', () => {
    it('keeps responses, chains, conversations and settings across close and reopen', async () => {
      const one = await saveTurn(T1, ['q1'], 'a1');
      const two = await saveTurn(T1, ['q2'], 'a2', one.id);
      const conversation = conversationRecord({ k: 'v' });
      await store.conversations.create(T1, conversation, [userMessage('conv item')]);
      await store.settings.setIfAbsent('reasoning_seal_key', 'kept');
      await store.responses.delete(T1, one.id);
      await store.close();

      store = await fixture.open();
      await store.ping();
      expect(await store.responses.get(T1, two.id)).toEqual(two);
      expect(await store.responses.get(T1, one.id)).toBeUndefined();
      expect(texts(await store.responses.loadChain(T1, two.id))).toEqual(['q2', 'a2']);
      expect(await store.conversations.get(T1, conversation.id)).toEqual(conversation);
      expect(texts(await store.conversations.allItems(T1, conversation.id))).toEqual(['conv item']);
      expect(await store.settings.get('reasoning_seal_key')).toBe('kept');
      // And it keeps working after the reopen.
      const three = await saveTurn(T1, ['q3'], 'a3', two.id);
      expect(texts(await store.responses.loadChain(T1, three.id))).toEqual(['q2', 'a2', 'q3', 'a3']);
    });

    it('reopens many times without failing (migrations run once)', async () => {
      await saveTurn(T1, ['q'], 'a');
      for (let i = 0; i < 3; i++) {
        await store.close();
        store = await fixture.open();
        await store.ping();
      }
    });

    it('tolerates close twice', async () => {
      await store.close();
      await store.close();
      store = await fixture.open();
    });
  });
});

describe('sqlite migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rgw-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records the schema version and does nothing on a second run', async () => {
    const path = join(dir, 'gateway.db');
    const store = new SqliteStore(path);
    await store.settings.setIfAbsent('k', 'v');
    await store.close();
    const db = new Database(path);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length);
      expect(migrate(db)).toBe(SQLITE_MIGRATIONS.length);
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length);
      expect(db.prepare('SELECT value FROM settings WHERE key = ?').get('k')).toEqual({ value: 'v' });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });
});

function conversationRecord(metadata: Record<string, string> = {}): ConversationRecord {
  return { id: newId('conv'), created_at: 1_700_000_000, metadata };
}
