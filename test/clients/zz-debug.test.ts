import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, ToolMessage, type BaseMessage, AIMessageChunk } from '@langchain/core/messages';
import { it } from 'vitest';
import { startHarness, TEST_KEY } from '../helpers/gateway-harness.js';
import { toolThenText } from './scripted-replies.js';
it('dbg', async () => {
  const h = await startHarness();
  const f: typeof fetch = async (u, init) => { console.log('REQ', init?.body); const r = await fetch(u, init); if (!r.ok) console.log('RES', await r.clone().text()); return r; };
  h.mock.defaultReply = toolThenText('get_weather', '{"city":"Paris"}', 'done', { reasoning: 'think' });
  const orig = h.mock.defaultReply;
  h.mock.defaultReply = (b: any) => { const r: any = orig(b); r.reasoning = 'think hard'; return r; };
  for (const streaming of [false, true]) {
  const m = new ChatOpenAI({ model: 'o4-mini', apiKey: TEST_KEY, useResponsesApi: true, streaming, reasoning: { effort: 'low', summary: 'auto' }, configuration: { baseURL: h.baseURL, fetch: f } }).bindTools([{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]);
  const msgs: BaseMessage[] = [new HumanMessage('hi')];
  const a = await m.invoke(msgs);
  console.log('A', JSON.stringify(a.additional_kwargs), JSON.stringify(a.content));
  msgs.push(a, new ToolMessage({ tool_call_id: a.tool_calls![0]!.id!, content: 'sunny' }));
  const b = await m.invoke(msgs);
  console.log('B', b.text, JSON.stringify(b.additional_kwargs));
  }
  await h.close();
});
