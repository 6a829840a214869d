/**
 * The search service web_search uses, from the config: the one `backend` names, else the first
 * configured of SearXNG, Brave, Tavily, Exa; none when nothing is configured (then the request's
 * web_search entries follow `tools.webSearchWhenUnavailable`).
 */
import type { WebSearchConfig } from '../../config/config-schema.js';
import { BraveBackend } from './backends/brave-backend.js';
import { ExaBackend } from './backends/exa-backend.js';
import { SearxngBackend } from './backends/searxng-backend.js';
import { TavilyBackend } from './backends/tavily-backend.js';
import type { SearchBackend } from './search-backend.js';

type BackendName = NonNullable<WebSearchConfig['backend']>;

const ORDER: readonly BackendName[] = ['searxng', 'brave', 'tavily', 'exa'];

export function chooseBackend(config: WebSearchConfig): SearchBackend | undefined {
  // The config schema refuses a `backend` that is not configured.
  if (config.backend !== undefined) return build(config.backend, config);
  for (const name of ORDER) {
    const backend = build(name, config);
    if (backend) return backend;
  }
  return undefined;
}

function build(name: BackendName, config: WebSearchConfig): SearchBackend | undefined {
  const timeout = config.searchTimeoutMs;
  switch (name) {
    case 'searxng':
      return config.searxngUrl !== undefined ? new SearxngBackend(config.searxngUrl, timeout) : undefined;
    case 'brave':
      return config.braveApiKey !== undefined
        ? new BraveBackend(config.braveApiKey, timeout, config.braveBaseUrl)
        : undefined;
    case 'tavily':
      return config.tavilyApiKey !== undefined
        ? new TavilyBackend(config.tavilyApiKey, timeout, config.tavilyBaseUrl)
        : undefined;
    case 'exa':
      return config.exaApiKey !== undefined
        ? new ExaBackend(config.exaApiKey, timeout, config.exaBaseUrl)
        : undefined;
  }
}
