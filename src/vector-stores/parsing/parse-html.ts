/**
 * HTML to text with linkedom: scripts, styles and other non-content dropped, block elements on
 * their own lines so that paragraphs stay paragraphs for chunking.
 */
import { parseHTML } from 'linkedom';

const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'CANVAS', 'IFRAME', 'HEAD']);
const BLOCKS = new Set(
  (
    'ADDRESS ARTICLE ASIDE BLOCKQUOTE DD DIV DL DT FIELDSET FIGCAPTION FIGURE FOOTER FORM H1 H2 H3 H4 H5 H6 ' +
    'HEADER HR LI MAIN NAV OL P PRE SECTION TABLE TR UL BODY HTML TITLE CAPTION DETAILS SUMMARY'
  ).split(' '),
);
const CELLS = new Set(['TD', 'TH']);

interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

export function htmlToText(html: string): string {
  const { document } = parseHTML(html.includes('<html') ? html : `<html><body>${html}</body></html>`);
  const title = (document.querySelector('title')?.textContent ?? '').trim();
  const out: string[] = [];
  walk(document.body as unknown as DomNode, out);
  const body = out
    .join('')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return title !== '' && !body.startsWith(title) ? `${title}\n\n${body}` : body;
}

function walk(node: DomNode | null | undefined, out: string[]): void {
  if (!node) return;
  if (node.nodeType === 3) {
    out.push((node.textContent ?? '').replace(/\s+/g, ' '));
    return;
  }
  if (node.nodeType !== 1 && node.nodeType !== 9 && node.nodeType !== 11) return;
  const name = node.nodeName.toUpperCase();
  if (SKIPPED.has(name)) return;
  if (name === 'BR') {
    out.push('\n');
    return;
  }
  const block = BLOCKS.has(name);
  if (block) out.push('\n\n');
  for (let i = 0; i < node.childNodes.length; i++) walk(node.childNodes[i], out);
  if (CELLS.has(name)) out.push(' | ');
  if (block) out.push('\n\n');
}
