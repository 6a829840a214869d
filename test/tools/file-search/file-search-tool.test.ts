import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCitations } from '../../../src/engine/citations/citation-stream.js';
import { GatewayError } from '../../../src/errors.js';
import type { CitableSource, ToolExecution, ToolProgress } from '../../../src/tools/types.js';
import { startTestGateway, type TestGateway } from '../../helpers/test-gateway.js';
import { fixture, uploadFile } from '../../vector-stores/retrieval-helpers.js';

describe('the file_search tool', () => {
  let gw: TestGateway;
  let storeId: string;
  let manualId: string;
  let handbookId: string;

  /** What the engine keeps per response: the sources its tools cited, numbered from 1. */
  const cited = new Map<string, CitableSource[]>();
  const execution = (
    progress: ToolProgress[],
    include: string[] = [],
    responseId = 'resp_1',
  ): ToolExecution => ({
    signal: new AbortController().signal,
    progress: (update) => progress.push(update),
    context: { tenantId: 'default', responseId, include, previousResponseId: undefined },
    cite: (source) => {
      const list = cited.get(responseId) ?? [];
      cited.set(responseId, list);
      return list.push(source);
    },
  });

  beforeAll(async () => {
    gw = await startTestGateway({});
    manualId = (await uploadFile(gw, 'k7-manual.pdf', fixture('k7-manual.pdf'))).body.id;
    handbookId = (await uploadFile(gw, 'handbook.md', fixture('handbook.md'))).body.id;
    const store = await gw.post('/v1/vector_stores', { file_ids: [manualId] });
    storeId = store.body.id;
    await gw.post(`/v1/vector_stores/${storeId}/files`, { file_id: handbookId, attributes: { kind: 'hr' } });
    await gw.gateway.ingestor.whenIdle();
  });
  afterAll(() => gw.close());

  it('is offered to the model as a file_search({queries}) function', async () => {
    const tool = gw.gateway.fileSearch;
    expect([tool.type, tool.itemType, tool.idPrefix]).toEqual(['file_search', 'file_search_call', 'fs']);
    const prepared = await tool.prepare(
      { type: 'file_search', vector_store_ids: [storeId] },
      { tenantId: 'default', param: 'tools[0]' },
    );
    expect(prepared.spec).toMatchObject({
      kind: 'function',
      name: 'file_search',
      parameters: { type: 'object', required: ['queries'], properties: { queries: { type: 'array' } } },
    });
    expect(prepared.openItem({ itemId: 'fs_1', callId: 'c1', arguments: '{"queries":["battery"]}' })).toEqual(
      {
        status: 'in_progress',
        queries: ['battery'],
        results: null,
      },
    );
  });

  it('refuses unknown and foreign stores with a 404 naming the param, and bad settings with a 400', async () => {
    const tool = gw.gateway.fileSearch;
    const refused = async (entry: Record<string, unknown>, tenantId = 'default') => {
      try {
        await tool.prepare({ type: 'file_search', ...entry }, { tenantId, param: 'tools[2]' });
      } catch (error) {
        expect(error).toBeInstanceOf(GatewayError);
        return error as GatewayError;
      }
      throw new Error('accepted');
    };
    const unknown = await refused({ vector_store_ids: [storeId, 'vs_missing'] });
    expect([unknown.status, unknown.param]).toEqual([404, 'tools[2].vector_store_ids']);
    const foreign = await refused({ vector_store_ids: [storeId] }, 'another-tenant');
    expect([foreign.status, foreign.param, foreign.message]).toEqual([
      404,
      'tools[2].vector_store_ids',
      unknown.message.replace('vs_missing', storeId),
    ]);
    const tooMany = await refused({ vector_store_ids: [storeId], max_num_results: 51 });
    expect([tooMany.status, tooMany.param]).toEqual([400, 'tools[2].max_num_results']);
    const filter = await refused({
      vector_store_ids: [storeId],
      filters: { type: 'near', key: 'a', value: 1 },
    });
    expect([filter.status, filter.param?.startsWith('tools[2].filters')]).toEqual([400, true]);
    const threshold = await refused({ vector_store_ids: [storeId], ranking_options: { score_threshold: 2 } });
    expect([threshold.status, threshold.param]).toEqual([400, 'tools[2].ranking_options.score_threshold']);
    const extra = await refused({ vector_store_ids: [storeId], colour: 'red' });
    expect([extra.status, extra.param]).toEqual([400, 'tools[2].colour']);
    expect((await refused({ vector_store_ids: [] })).status).toBe(400);
  });

  it('searches, reports the searching phase and numbers results to cite', async () => {
    const tool = gw.gateway.fileSearch;
    const prepared = await tool.prepare(
      { type: 'file_search', vector_store_ids: [storeId], max_num_results: 3 },
      { tenantId: 'default', param: 'tools[0]' },
    );
    const progress: ToolProgress[] = [];
    const result = await prepared.execute(
      { itemId: 'fs_1', callId: 'c1', arguments: JSON.stringify({ queries: ['What does error E42 mean?'] }) },
      execution(progress, [], 'resp_cite'),
    );
    expect(progress).toEqual([{ type: 'phase', phase: 'searching' }]);
    expect(result.item).toEqual({
      status: 'completed',
      queries: ['What does error E42 mean?'],
      results: null,
    });
    const output = result.output as string;
    expect(output).toContain('【1】 k7-manual.pdf');
    expect(output).toContain('E42 means the lidar is obstructed');
    expect(output.match(/【\d+】/g)?.length).toBeLessThanOrEqual(3);

    // A second call of the same response numbers on; the answer's markers become annotations.
    const second = await prepared.execute(
      { itemId: 'fs_2', callId: 'c2', arguments: JSON.stringify({ queries: ['parental leave weeks'] }) },
      execution([], [], 'resp_cite'),
    );
    const n = /【(\d+)】 handbook\.md/.exec(second.output as string)?.[1];
    expect(Number(n)).toBeGreaterThan(1);
    const answer = applyCitations(
      `E42 is a lidar obstruction 【1】 and parental leave is 20 weeks 【${n}】.`,
      cited.get('resp_cite') ?? [],
    );
    expect(answer.text).toBe('E42 is a lidar obstruction and parental leave is 20 weeks.');
    expect(answer.annotations).toEqual([
      { type: 'file_citation', file_id: manualId, filename: 'k7-manual.pdf', index: 26 },
      { type: 'file_citation', file_id: handbookId, filename: 'handbook.md', index: 57 },
    ]);
  });

  it('includes results when asked, with filters and thresholds applied', async () => {
    const prepared = await gw.gateway.fileSearch.prepare(
      {
        type: 'file_search',
        vector_store_ids: [storeId],
        filters: { type: 'eq', key: 'kind', value: 'hr' },
        ranking_options: { ranker: 'auto', score_threshold: 0.1 },
      },
      { tenantId: 'default', param: 'tools[0]' },
    );
    const result = await prepared.execute(
      { itemId: 'fs_3', callId: 'c3', arguments: '{"queries":["vacation days","robot battery"]}' },
      execution([], ['file_search_call.results']),
    );
    const results = result.item.results as Array<Record<string, unknown>>;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(r).toMatchObject({ file_id: handbookId, filename: 'handbook.md', attributes: { kind: 'hr' } });
      expect(r.score as number).toBeGreaterThanOrEqual(0.1);
      expect(r.score as number).toBeLessThanOrEqual(1);
      expect(typeof r.text).toBe('string');
    }
    expect(result.item.queries).toEqual(['vacation days', 'robot battery']);
  });

  it('fails a call without queries, and says so when nothing is found', async () => {
    const prepared = await gw.gateway.fileSearch.prepare(
      { type: 'file_search', vector_store_ids: [storeId] },
      { tenantId: 'default', param: 'tools[0]' },
    );
    const bad = await prepared.execute(
      { itemId: 'fs_4', callId: 'c4', arguments: '{"q": 1}' },
      execution([]),
    );
    expect(bad.item.status).toBe('failed');
    const none = await prepared.execute(
      { itemId: 'fs_5', callId: 'c5', arguments: '{"queries":["zyxwvut qwertyuiop"]}' },
      execution([]),
    );
    expect(none.item).toMatchObject({ status: 'completed' });
    expect(none.output).toMatch(/found nothing/);
  });

  it('replays an earlier call from its item', () => {
    const replayed = gw.gateway.fileSearch.replay({
      type: 'file_search_call',
      queries: ['battery'],
      status: 'completed',
      results: [
        { file_id: manualId, filename: 'k7-manual.pdf', text: 'A full charge gives 9 hours.', score: 0.8 },
      ],
    });
    expect(JSON.parse(replayed.arguments)).toEqual({ queries: ['battery'] });
    expect(replayed.output).toContain('A full charge gives 9 hours.');
    expect(replayed.output).not.toMatch(/【\d+】/);
    expect(gw.gateway.fileSearch.replay({ queries: ['x'], results: null }).output).toMatch(/not kept/);
  });
});
