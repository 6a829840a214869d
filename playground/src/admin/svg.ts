/** SVG elements, as dom.ts's `h` makes HTML ones: the charts are drawn by hand, no library. */
const NS = 'http://www.w3.org/2000/svg';

export function s(
  tag: string,
  attrs: Record<string, string | number | undefined> = {},
  ...children: (Node | string)[]
): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs))
    if (value !== undefined) el.setAttribute(name, String(value));
  el.append(...children);
  return el;
}

/** How many colours the stylesheet defines (`.s0` … `.s7`). */
export const PALETTE = 8;
