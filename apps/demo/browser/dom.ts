// A little DOM building: elements with attributes and children, text always set as text (never as HTML).

type Child = Node | string | null | undefined | false;

/** `el('p', { class: 'note' }, 'text', child)`; attributes set as written, `undefined` ones left out. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | undefined>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) element.append(child);
  }
  return element;
}

/** The element with this id, of this kind; a page whose markup lacks it is a bug worth stopping for. */
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`the page has no <${kind.name}> #${id}`);
  return element;
}
