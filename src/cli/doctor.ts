/** `doctor`: prints the effective configuration and whether each provider answers. */
import { request } from 'undici';
import type { GatewayConfig, ProviderConfig } from '../config/config-schema.js';

export async function runDoctor(
  config: GatewayConfig,
  print: (line: string) => void = console.log,
): Promise<number> {
  print(`listen      ${config.host}:${config.port}`);
  print(`store       ${config.db}`);
  print(
    `api keys    ${config.apiKeys.length > 0 ? `${config.apiKeys.length} static key(s)` : 'none (loopback callers only)'}`,
  );
  if (config.providers.length === 0) {
    print('providers   none configured: set OPENAI_BASE_URL / OPENAI_API_KEY or a config file');
    return 1;
  }
  let failures = 0;
  for (const provider of config.providers) {
    const result = await checkProvider(provider);
    if (!result.ok) failures++;
    print(
      `provider    ${provider.name} (${provider.type}) ${provider.baseUrl ?? provider.modelPath ?? ''}: ${result.detail}`,
    );
  }
  return failures === 0 ? 0 : 1;
}

async function checkProvider(provider: ProviderConfig): Promise<{ ok: boolean; detail: string }> {
  if (provider.type !== 'openai-chat' && provider.type !== 'openai-responses') {
    return { ok: false, detail: 'type not supported yet' };
  }
  const url = `${(provider.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '')}/models`;
  try {
    const response = await request(url, {
      headers: provider.apiKey ? { authorization: `Bearer ${provider.apiKey}` } : {},
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      return { ok: false, detail: `GET /models answered ${response.statusCode}` };
    const count = (JSON.parse(text) as { data?: unknown[] }).data?.length ?? 0;
    return { ok: true, detail: `ok, ${count} model(s)` };
  } catch (error) {
    return { ok: false, detail: `unreachable: ${(error as Error).message}` };
  }
}
