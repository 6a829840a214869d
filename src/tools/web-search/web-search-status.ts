/** How web_search is served, in one line: said at start-up and by `rgw doctor`. */
import type { GatewayConfig } from '../../config/config-schema.js';
import { chooseBackend } from './choose-backend.js';

export function describeWebSearch(config: Pick<GatewayConfig, 'webSearch' | 'tools' | 'providers'>): {
  backend: string;
  detail: string;
} {
  const backend = chooseBackend(config.webSearch);
  const runsIt = (mode: 'upstream' | 'local' | undefined) =>
    config.providers
      .filter((p) => p.type === 'openai-responses' && p.builtInTools?.web_search === mode)
      .map((p) => p.name);
  if (backend) {
    const upstream = runsIt('upstream');
    const except = upstream.length > 0 ? ` (on ${upstream.join(', ')}: by the upstream, builtInTools)` : '';
    return { backend: backend.name, detail: `run by the gateway through ${backend.name}${except}` };
  }
  const native = [...runsIt('upstream'), ...runsIt(undefined)];
  const passed =
    native.length > 0
      ? `passed through to native Responses upstreams (${native.join(', ')}); elsewhere `
      : '';
  const otherwise =
    config.tools.webSearchWhenUnavailable === 'drop'
      ? 'left out of upstream requests (tools.webSearchWhenUnavailable: drop)'
      : 'refused with a 400 (tools.webSearchWhenUnavailable: error)';
  return {
    backend: 'none',
    detail: `no backend (RGW_SEARXNG_URL, BRAVE_API_KEY, TAVILY_API_KEY or EXA_API_KEY): web_search tools are ${passed}${otherwise}`,
  };
}
