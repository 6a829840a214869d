/**
 * file_search as a new user meets it, through the openai SDK on every mock upstream: upload three
 * documents, make a vector store of them, wait for it, ask with `file_search`. The scripted model
 * calls the tool and cites result 【1】; the answer comes back with the marker turned into a
 * `file_citation` annotation, the retrieval step visible in the stream and in the stored response,
 * and the same with `store: false` and in background mode.
 */
import { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicDriver } from '../conformance/drivers/anthropic-driver.js';
import { chatDriver } from '../conformance/drivers/chat-driver.js';
import type { ConformanceDriver } from '../conformance/drivers/driver.js';
import { geminiDriver } from '../conformance/drivers/gemini-driver.js';
import { responsesDriver } from '../conformance/drivers/responses-driver.js';
import type { Any, ProviderGateway } from '../providers/provider-gateway.js';
import { fixture } from '../vector-stores/retrieval-helpers.js';
import { checkStream } from './stream-helpers.js';

const DRIVERS: ConformanceDriver[] = [chatDriver(), responsesDriver(), anthropicDriver(), geminiDriver()];
const DOCUMENTS = ['k7-manual.pdf', 'handbook.md', 'travel-policy.html'] as const;
const CLAIM = 'E42 means the lidar is obstructed';

describe.each(DRIVERS.map((driver) => [driver.name, driver] as const))(
  'file_search on %s',
  (_name, driver) => {
    let gw: ProviderGateway;
    const ids: Record<string, string> = {};
    let storeId: string;
    const ask = (extra: Record<string, unknown>) => {
      driver.reset();
      driver.script!.toolCalls([
        { callId: 'call_fs', name: 'file_search', args: { queries: ['error E42'] } },
      ]);
      driver.script!.text(`${CLAIM} 【1】.`);
      return {
        model: driver.model,
        input: 'What does error E42 mean on the K7?',
        tools: [{ type: 'file_search', vector_store_ids: [storeId] }],
        ...extra,
      } as Any;
    };
    const expectCitedAnswer = (response: Any) => {
      expect(response.status).toBe('completed');
      expect(response.output.map((item: Any) => item.type)).toEqual(['file_search_call', 'message']);
      expect(response.output[0]).toMatchObject({ status: 'completed', queries: ['error E42'] });
      expect(response.output_text).toBe(`${CLAIM}.`);
      expect(response.output[1].content[0].annotations).toEqual([
        {
          type: 'file_citation',
          file_id: ids['k7-manual.pdf'],
          filename: 'k7-manual.pdf',
          index: CLAIM.length,
        },
      ]);
      // The model was given the passages numbered as it cited them.
      expect(driver.sent(1).toolResults[0]!.output).toMatch(/【1】 k7-manual\.pdf/);
    };

    beforeAll(async () => {
      gw = await driver.start({ builtInTools: 'gateway' });
      for (const name of DOCUMENTS) {
        const file = await gw.client.files.create({
          file: await toFile(fixture(name), name),
          purpose: 'assistants',
        });
        ids[name] = file.id;
      }
      let store = await gw.client.vectorStores.create({ name: 'docs', file_ids: Object.values(ids) });
      while (store.status === 'in_progress') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        store = await gw.client.vectorStores.retrieve(store.id);
      }
      expect(store.status).toBe('completed');
      expect(store.file_counts).toMatchObject({ completed: 3, failed: 0, in_progress: 0, total: 3 });
      storeId = store.id;
    });
    afterAll(async () => {
      await gw?.close();
      await driver.close();
    });

    it('answers with a cited passage, the search stored with it', async () => {
      const response: Any = await gw.client.responses.create(ask({ include: ['file_search_call.results'] }));
      expectCitedAnswer(response);
      expect(response.output[0].results[0]).toMatchObject({
        file_id: ids['k7-manual.pdf'],
        filename: 'k7-manual.pdf',
      });
      expect(response.output[0].results[0].text).toContain('E42');
      const stored: Any = await gw.client.responses.retrieve(response.id);
      expect(stored.output).toEqual(response.output);
    });

    it('streams the search phases and announces the citation before the text is done', async () => {
      const result = await gw.stream({ ...ask({}), stream: true });
      checkStream(result);
      const types = result.types.filter(
        (type) => type.includes('file_search') || type.includes('output_text') || type.includes('annotation'),
      );
      expect(types).toEqual([
        'response.file_search_call.in_progress',
        'response.file_search_call.searching',
        'response.file_search_call.completed',
        ...types
          .filter((type) => type === 'response.output_text.delta')
          .map(() => 'response.output_text.delta'),
        'response.output_text.annotation.added',
        'response.output_text.done',
      ]);
      const deltas = result.data.filter((event) => event.type === 'response.output_text.delta');
      expect(deltas.map((event) => event.delta).join('')).toBe(`${CLAIM}.`);
      const added = result.data.find((event) => event.type === 'response.output_text.annotation.added');
      expect(added).toMatchObject({
        output_index: 1,
        content_index: 0,
        annotation_index: 0,
        annotation: { type: 'file_citation', file_id: ids['k7-manual.pdf'], index: CLAIM.length },
      });
      expectCitedAnswer(result.data.at(-1).response);
      const stored: Any = await gw.client.responses.retrieve(result.data.at(-1).response.id);
      expectCitedAnswer(stored);
    });

    it('cites the same with store: false', async () => {
      const response: Any = await gw.client.responses.create(ask({ store: false }));
      expectCitedAnswer(response);
      await expect(gw.client.responses.retrieve(response.id)).rejects.toMatchObject({ status: 404 });
    });

    it('cites the same in background mode', async () => {
      const queued: Any = await gw.client.responses.create(ask({ background: true }));
      expect(['queued', 'in_progress']).toContain(queued.status);
      let response: Any = queued;
      for (let i = 0; i < 200 && ['queued', 'in_progress'].includes(response.status); i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        response = await gw.client.responses.retrieve(queued.id);
      }
      expectCitedAnswer(response);
    });
  },
);
