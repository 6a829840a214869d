/** How web_search is served, in one line: said at start-up and by `rgw doctor`. */
import type { GatewayConfig } from '../../config/config-schema.js';
import { chooseBackend } from './choose-backend.js';

export function describeWebSearch(config: Pick<GatewayConfig, 'webSearch' | 'tools'>): {
  backend: string;
  detail: string;
} {
  const backend = chooseBackend(config.webSearch);
  if (backend) {
    return { backend: backend.name, detail: `run by the gateway through ${backend.name}` };
  }
  const policy = config.tools.webSearchWhenUnavailable;
  return {
    backend: 'none',
    detail:
      policy === 'drop'
        ? 'no backend (RGW_SEARXNG_URL, BRAVE_API_KEY, TAVILY_API_KEY or EXA_API_KEY): web_search tools are left out of upstream requests (tools.webSearchWhenUnavailable: drop)'
        : 'no backend (RGW_SEARXNG_URL, BRAVE_API_KEY, TAVILY_API_KEY or EXA_API_KEY): requests with web_search tools are refused with a 400 (tools.webSearchWhenUnavailable: error)',
  };
}
