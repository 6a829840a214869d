/**
 * One output (or conversation) item as HTML, by type. Anything unknown renders as its JSON, so a
 * new item type is visible the day the gateway emits it.
 */
import { h, json } from './dom.js';
import type { Json } from './fold.js';

export interface ItemActions {
  /** Answer an MCP approval request. */
  approve(requestId: string, approve: boolean): void;
  /** Send the output of a client function call. */
  functionOutput(callId: string, output: string): void;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value == null ? '' : json(value);
}

function annotations(list: Json[] | undefined): HTMLElement | null {
  if (!list?.length) return null;
  return h(
    'ol',
    { class: 'citations' },
    list.map((a) => {
      if (a.type === 'url_citation')
        return h('li', {}, h('a', { href: a.url, target: '_blank', rel: 'noreferrer' }, a.title || a.url));
      if (a.type === 'file_citation') return h('li', {}, `file: ${a.filename ?? a.file_id}`);
      if (a.type === 'container_file_citation')
        return h('li', {}, `container file: ${a.filename ?? a.file_id}`);
      return h('li', {}, a.type);
    }),
  );
}

function content(parts: Json[] | undefined): HTMLElement[] {
  return (parts ?? []).map((p) => {
    if (p.type === 'refusal') return h('p', { class: 'refusal' }, p.refusal);
    if (p.type === 'input_image') return h('p', { class: 'muted' }, '[image]');
    if (p.type === 'input_file') return h('p', { class: 'muted' }, `[file ${p.filename ?? p.file_id ?? ''}]`);
    return h('div', {}, h('div', { class: 'text' }, p.text ?? ''), annotations(p.annotations));
  });
}

function box(kind: string, title: string, status: string | undefined, ...body: (Node | null)[]): HTMLElement {
  return h(
    'details',
    { class: `item tool ${kind}`, open: true, 'data-type': kind },
    h(
      'summary',
      {},
      h('span', { class: 'kind' }, title),
      status ? h('span', { class: 'status' }, status) : null,
    ),
    ...body,
  );
}

function pre(value: unknown, cls = ''): HTMLElement {
  return h('pre', { class: cls }, text(value));
}

export function renderItem(item: Json, actions: ItemActions, answered: Set<string>): HTMLElement {
  switch (item.type) {
    case 'message':
      return h(
        'div',
        { class: `item message ${item.role}`, 'data-type': 'message', 'data-role': item.role },
        h('div', { class: 'role' }, item.role),
        ...content(item.content),
      );
    case 'reasoning': {
      const summary = (item.summary ?? []).map((s: Json) => s.text).join('\n\n');
      const raw = (item.content ?? []).map((s: Json) => s.text).join('');
      return h(
        'details',
        { class: 'item reasoning', open: true, 'data-type': 'reasoning' },
        h('summary', {}, 'Reasoning'),
        h('div', { class: 'text' }, summary || raw || (item.encrypted_content ? '(encrypted)' : '…')),
      );
    }
    case 'function_call': {
      const form =
        answered.has(item.call_id) || item.status !== 'completed' ? null : functionForm(item, actions);
      return box('function_call', `ƒ ${item.name}`, item.status, pre(item.arguments, 'code'), form);
    }
    case 'custom_tool_call':
      return box('custom_tool_call', `ƒ ${item.name}`, item.status, pre(item.input, 'code'));
    case 'function_call_output':
    case 'custom_tool_call_output':
      return box(item.type, 'output', item.call_id, pre(item.output));
    case 'file_search_call':
      return box(
        'file_search_call',
        'file_search',
        item.status,
        item.queries?.length ? h('p', {}, 'queries: ', item.queries.join(' · ')) : null,
        item.results?.length
          ? h(
              'ol',
              { class: 'results' },
              item.results.map((r: Json) =>
                h(
                  'li',
                  {},
                  h('b', {}, r.filename ?? r.file_id),
                  typeof r.score === 'number' ? ` (${r.score.toFixed(3)})` : '',
                  h('div', { class: 'snippet' }, String(r.text ?? '').slice(0, 300)),
                ),
              ),
            )
          : null,
      );
    case 'web_search_call': {
      const action = item.action ?? {};
      const sources: Json[] = action.sources ?? [];
      return box(
        'web_search_call',
        'web_search',
        item.status,
        action.query
          ? h('p', {}, 'query: ', action.query)
          : action.url
            ? h('p', {}, action.type, ' ', action.url)
            : null,
        sources.length
          ? h(
              'ul',
              { class: 'sources' },
              sources.map((s) =>
                h('li', {}, h('a', { href: s.url, target: '_blank', rel: 'noreferrer' }, s.title || s.url)),
              ),
            )
          : null,
      );
    }
    case 'code_interpreter_call':
      return box(
        'code_interpreter_call',
        'code_interpreter',
        item.status,
        pre(item.code ?? '', 'code'),
        ...(item.outputs ?? []).map((o: Json) =>
          o.type === 'image'
            ? h('img', { src: o.url, alt: 'code output', class: 'output-image' })
            : pre(o.logs, 'logs'),
        ),
      );
    case 'image_generation_call':
      return box(
        'image_generation_call',
        'image_generation',
        item.status,
        item.result
          ? h('img', { src: `data:image/png;base64,${item.result}`, alt: 'generated', class: 'output-image' })
          : null,
      );
    case 'mcp_list_tools':
      return box(
        'mcp_list_tools',
        `mcp ${item.server_label}: tools`,
        undefined,
        h('p', {}, (item.tools ?? []).map((t: Json) => t.name).join(', ') || '(none)'),
        item.error ? pre(item.error, 'error') : null,
      );
    case 'mcp_call':
      return box(
        'mcp_call',
        `mcp ${item.server_label}.${item.name}`,
        item.status ?? (item.error ? 'failed' : undefined),
        pre(item.arguments, 'code'),
        item.output != null ? pre(item.output) : null,
        item.error ? pre(item.error, 'error') : null,
      );
    case 'mcp_approval_request':
      return box(
        'mcp_approval_request',
        `Approve ${item.server_label}.${item.name}?`,
        answered.has(item.id) ? 'answered' : 'awaiting approval',
        pre(item.arguments, 'code'),
        answered.has(item.id)
          ? null
          : h(
              'div',
              { class: 'row' },
              h('button', { class: 'approve', onclick: () => actions.approve(item.id, true) }, 'Approve'),
              h('button', { class: 'deny', onclick: () => actions.approve(item.id, false) }, 'Deny'),
            ),
      );
    case 'mcp_approval_response':
      return box('mcp_approval_response', item.approve ? 'approved' : 'denied', undefined);
    default:
      return box(item.type ?? 'item', item.type ?? 'item', item.status, pre(item));
  }
}

function functionForm(item: Json, actions: ItemActions): HTMLElement {
  const output = h('textarea', {
    rows: 2,
    placeholder: 'Function output (JSON or text)',
    'aria-label': 'function output',
  });
  return h(
    'form',
    {
      class: 'function-output',
      onsubmit: (event: Event) => {
        event.preventDefault();
        actions.functionOutput(item.call_id, output.value);
      },
    },
    output,
    h('button', { type: 'submit' }, 'Send output'),
  );
}
