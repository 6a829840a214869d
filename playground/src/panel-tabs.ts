/** The side panel's tabs (settings, files, events): one section visible at a time. */
import { h } from './dom.js';

export interface Tabs {
  el: HTMLElement;
  show(name: string): void;
}

export function panelTabs(sections: [string, HTMLElement][]): Tabs {
  const buttons = sections.map(([name]) =>
    h(
      'button',
      { type: 'button', role: 'tab', class: 'tab', 'data-tab': name, onclick: () => show(name) },
      name,
    ),
  );
  const show = (name: string) => {
    sections.forEach(([other, el], i) => {
      el.hidden = other !== name;
      buttons[i]!.setAttribute('aria-selected', String(other === name));
    });
  };
  show(sections[0]![0]);
  return {
    el: h(
      'div',
      { class: 'tabs' },
      h('div', { role: 'tablist', class: 'tablist' }, buttons),
      ...sections.map(([, el]) => el),
    ),
    show,
  };
}
