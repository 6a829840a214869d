/**
 * Remote MCP on every mock upstream (chat, responses, anthropic, gemini), through the openai SDK:
 * the scripted model calls a real MCP server's tool and answers with its output; with approval
 * required, the call waits for the client's approval and runs in the next response.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicDriver } from '../conformance/drivers/anthropic-driver.js';
import { chatDriver } from '../conformance/drivers/chat-driver.js';
import type { ConformanceDriver } from '../conformance/drivers/driver.js';
import { geminiDriver } from '../conformance/drivers/gemini-driver.js';
import { responsesDriver } from '../conformance/drivers/responses-driver.js';
import type { Any, ProviderGateway } from '../providers/provider-gateway.js';
import { type McpTestServer, startMcpTestServer } from '../tools/mcp/mcp-test-server.js';
import { checkStream } from './stream-helpers.js';

const DRIVERS: ConformanceDriver[] = [chatDriver(), responsesDriver(), anthropicDriver(), geminiDriver()];

describe.each(DRIVERS.map((driver) => [driver.name, driver] as const))('mcp on %s', (_name, driver) => {
  let gw: ProviderGateway;
  let server: McpTestServer;
  const body = (extra: Record<string, unknown>) =>
    ({
      model: driver.model,
      input: 'What is 2 + 3?',
      tools: [{ type: 'mcp', server_label: 'calc', server_url: server.url, require_approval: 'never' }],
      ...extra,
    }) as Any;
  const scriptCall = () => {
    driver.reset();
    driver.script!.toolCalls([{ callId: 'call_add', name: 'calc__add', args: { a: 2, b: 3 } }]);
    driver.script!.text('It is 5.');
  };

  beforeAll(async () => {
    server = await startMcpTestServer();
    gw = await driver.start({ builtInTools: 'gateway' });
  });
  afterAll(async () => {
    await gw?.close();
    await driver.close();
    await server?.close();
  });

  it('calls the tool and answers with its output', async () => {
    scriptCall();
    const response: Any = await gw.client.responses.create(body({}));
    expect(response.status).toBe('completed');
    expect(response.output.map((item: Any) => item.type)).toEqual(['mcp_list_tools', 'mcp_call', 'message']);
    expect(response.output[1]).toMatchObject({
      server_label: 'calc',
      name: 'add',
      output: '5',
      status: 'completed',
    });
    expect(response.output_text).toBe('It is 5.');
    expect(driver.sent(1).toolResults[0]!.output).toBe('5');
  });

  it('streams the call', async () => {
    scriptCall();
    const result = await gw.stream({ ...body({}), stream: true });
    const output = checkStream(result);
    expect(output.map((item: Any) => item.type)).toEqual(['mcp_list_tools', 'mcp_call', 'message']);
    expect(result.types).toContain('response.mcp_call.completed');
  });

  it('waits for approval, then runs the call', async () => {
    scriptCall();
    const tools = [{ type: 'mcp', server_label: 'calc', server_url: server.url }];
    const first: Any = await gw.client.responses.create(body({ tools }));
    expect(first.output.map((item: Any) => item.type)).toEqual(['mcp_list_tools', 'mcp_approval_request']);
    const calls = server.calls.length;
    const second: Any = await gw.client.responses.create(
      body({
        tools,
        previous_response_id: first.id,
        input: [{ type: 'mcp_approval_response', approval_request_id: first.output[1].id, approve: true }],
      }),
    );
    expect(second.output.map((item: Any) => item.type)).toEqual(['mcp_call', 'message']);
    expect(second.output[0]).toMatchObject({ output: '5', approval_request_id: first.output[1].id });
    expect(server.calls.length).toBe(calls + 1);
    expect(second.output_text).toBe('It is 5.');
  });
});
