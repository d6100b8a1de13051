/**
 * What a web page shows and what it can put on the clipboard, read with parse5 (the WHATWG tree construction a
 * browser uses, so markup tricks build the same tree here as there). Nothing is rendered and no script runs: the
 * scripts come back as text for clipboard.ts, the text as what a visitor would see. Visibility is judged from what
 * the page itself says (the `hidden` attribute, inline styles, and `display:none`-style rules on simple `.class` and
 * `#id` selectors in its `<style>` blocks); external stylesheets are not read.
 */
import { parse, parseFragment, type DefaultTreeAdapterTypes } from 'parse5';

type Element = DefaultTreeAdapterTypes.Element;
type ChildNode = DefaultTreeAdapterTypes.ChildNode;
type ParentNode = DefaultTreeAdapterTypes.ParentNode;

export interface PageScript {
  /** JavaScript source: a `<script>` body or an event-handler attribute. */
  code: string;
  /** Line of the page where the code starts (1-based). */
  line: number;
  /** `onclick`, `oncopy` … for handler attributes. */
  handler?: string;
}

export interface PageElement {
  /** textContent (every descendant text, as the DOM API returns it); input and textarea: their value. */
  text: string;
  /** Neither the element nor an ancestor is hidden by the page's own markup or styles. */
  visible: boolean;
  line: number;
}

/** A copy attribute of clipboard.js-style libraries: the text to copy, or the element whose text is copied. */
export interface CopyAttribute {
  attribute: string;
  value: string;
  line: number;
}

export interface PageFacts {
  scripts: PageScript[];
  /** `src` of external scripts, as written. */
  scriptSources: string[];
  /** `href` of linked style sheets, as written. */
  styleSheets: string[];
  elementsById: Map<string, PageElement>;
  /** Everything a visitor can read, whitespace collapsed: text, input values, textarea contents. */
  visibleText: string;
  copyAttributes: CopyAttribute[];
  /** Ways the page stops the visitor from selecting or copying text by hand (in another file when `file` is set). */
  selectionBlocks: { line: number; what: string; file?: string }[];
}

const NOT_RENDERED = new Set(['script', 'style', 'template', 'noscript', 'head', 'title', 'meta', 'link']);
const COPY_ATTRIBUTES = new Set(['data-clipboard-text', 'data-clipboard-target', 'data-copy', 'data-copy-text', 'data-clipboard']);
const BLOCKING_HANDLERS = new Set(['onselectstart', 'oncopy', 'oncut', 'oncontextmenu', 'ondragstart']);

/** A style declaration list that hides what it applies to. Whitespace is removed before the checks. */
export function hidesElement(style: string): boolean {
  const s = style.replace(/\s+/g, '').toLowerCase();
  return (
    s.includes('display:none') ||
    s.includes('visibility:hidden') ||
    /(?:^|;)opacity:(?:0|0?\.0+)(?:!important)?(?:;|$)/.test(s) ||
    /(?:^|;)font-size:0(?:px|em|rem|%)?(?:!important)?(?:;|$)/.test(s) ||
    /(?:^|;)(?:left|top|text-indent|margin-left):-\d{3,}/.test(s)
  );
}

export function blocksSelection(style: string): boolean {
  return /user-select:none/.test(style.replace(/\s+/g, '').toLowerCase());
}

/** Simple selectors (`.a`, `#b`, `.a, #b`) of rules that hide, and whether any rule turns selection off. */
function readStyleSheet(css: string): { hidden: Set<string>; blocks: boolean } {
  const hidden = new Set<string>();
  let blocks = false;
  // Index arithmetic instead of a regex: a `[^{}]+\{` pattern retries from every position of a long brace-free run.
  for (const chunk of css.split('}')) {
    const open = chunk.lastIndexOf('{');
    if (open < 0) continue;
    const decls = chunk.slice(open + 1);
    if (blocksSelection(decls)) blocks = true;
    if (!hidesElement(decls)) continue;
    for (const sel of chunk.slice(0, open).split(',')) {
      const t = sel.trim();
      if (/^[.#][\w-]+$/.test(t)) hidden.add(t);
    }
  }
  return { hidden, blocks };
}

function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

function lineOf(el: Element | ChildNode, attribute?: string): number {
  const loc = (el as Element).sourceCodeLocation;
  if (attribute) return loc?.attrs?.[attribute]?.startLine ?? loc?.startLine ?? 1;
  return loc?.startLine ?? 1;
}

function childrenOf(n: ParentNode | ChildNode): ChildNode[] {
  if (n.nodeName === 'template') return (n as DefaultTreeAdapterTypes.Template).content.childNodes;
  return 'childNodes' in n ? n.childNodes : [];
}

export function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** The text of an HTML fragment (what `innerHTML = …` shows). */
export function fragmentText(html: string): string {
  const out: string[] = [];
  const stack: ChildNode[] = [...parseFragment(html).childNodes].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (n.nodeName === '#text') out.push((n as DefaultTreeAdapterTypes.TextNode).value);
    else if (!NOT_RENDERED.has(n.nodeName)) stack.push(...[...childrenOf(n)].reverse());
  }
  return collapse(out.join(' '));
}

export function pageFacts(html: string): PageFacts {
  const doc = parse(html, { sourceCodeLocationInfo: true });
  const facts: PageFacts = { scripts: [], scriptSources: [], styleSheets: [], elementsById: new Map(), visibleText: '', copyAttributes: [], selectionBlocks: [] };

  // Style sheets first: a rule may hide an element that comes before the <style> block.
  const hiddenSelectors = new Set<string>();
  const sheets: { el: Element; css: string }[] = [];
  {
    const stack: (ParentNode | ChildNode)[] = [doc];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.nodeName === 'style') {
        const css = childrenOf(n).map((c) => (c.nodeName === '#text' ? (c as DefaultTreeAdapterTypes.TextNode).value : '')).join('');
        sheets.push({ el: n as Element, css });
        continue;
      }
      stack.push(...childrenOf(n));
    }
  }
  for (const { el, css } of sheets) {
    const s = readStyleSheet(css);
    for (const h of s.hidden) hiddenSelectors.add(h);
    if (s.blocks) facts.selectionBlocks.push({ line: lineOf(el), what: 'a style rule sets user-select: none' });
  }

  // Document order, with explicit exit markers so that deep nesting cannot overflow the call stack.
  const pieces: { text: string; visible: boolean }[] = [];
  const open: { id: string; el: Element; start: number; visible: boolean }[] = [];
  type Item = { node: ChildNode | ParentNode; hidden: boolean } | { exit: (typeof open)[number] };
  const stack: Item[] = [{ node: doc, hidden: false }];
  while (stack.length) {
    const item = stack.pop()!;
    if ('exit' in item) {
      const o = item.exit;
      const el = o.el;
      const value = el.tagName === 'input' ? (attr(el, 'value') ?? '') : pieces.slice(o.start).map((p) => p.text).join(' ');
      if (!facts.elementsById.has(o.id)) facts.elementsById.set(o.id, { text: collapse(value), visible: o.visible, line: lineOf(el) });
      continue;
    }
    const { node, hidden } = item;
    if (node.nodeName === '#text') {
      pieces.push({ text: (node as DefaultTreeAdapterTypes.TextNode).value, visible: !hidden });
      continue;
    }
    if (node.nodeName === '#comment' || node.nodeName === '#documentType') continue;
    let hide = hidden;
    if ('attrs' in node) {
      const el = node as Element;
      for (const a of el.attrs) {
        const name = a.name.toLowerCase();
        if (name.startsWith('on') && a.value.trim()) {
          facts.scripts.push({ code: a.value, line: lineOf(el, a.name), handler: name });
          if (BLOCKING_HANDLERS.has(name) && /return\s*false|preventDefault/.test(a.value)) facts.selectionBlocks.push({ line: lineOf(el, a.name), what: `${name}="${a.value.trim().slice(0, 60)}"` });
        }
        if (COPY_ATTRIBUTES.has(name)) facts.copyAttributes.push({ attribute: name, value: a.value, line: lineOf(el, a.name) });
      }
      const style = attr(el, 'style') ?? '';
      if (style && blocksSelection(style)) facts.selectionBlocks.push({ line: lineOf(el, 'style'), what: `style="${collapse(style).slice(0, 60)}"` });
      const classes = (attr(el, 'class') ?? '').split(/\s+/).filter(Boolean);
      const id = attr(el, 'id');
      if (
        NOT_RENDERED.has(el.tagName) ||
        attr(el, 'hidden') !== undefined ||
        (el.tagName === 'input' && attr(el, 'type')?.toLowerCase() === 'hidden') ||
        (style && hidesElement(style)) ||
        classes.some((c) => hiddenSelectors.has(`.${c}`)) ||
        (id !== undefined && hiddenSelectors.has(`#${id}`))
      )
        hide = true;
      if (el.tagName === 'link' && /\bstylesheet\b/i.test(attr(el, 'rel') ?? '') && attr(el, 'href')) facts.styleSheets.push(attr(el, 'href')!);
      if (el.tagName === 'script') {
        const src = attr(el, 'src');
        if (src) facts.scriptSources.push(src);
        const type = (attr(el, 'type') ?? '').toLowerCase();
        const isJs = !type || /(?:java|ecma)script|^module$|babel|jsx/.test(type);
        const text = childrenOf(el).find((c) => c.nodeName === '#text') as DefaultTreeAdapterTypes.TextNode | undefined;
        if (isJs && text && text.value.trim()) facts.scripts.push({ code: text.value, line: text.sourceCodeLocation?.startLine ?? lineOf(el) });
        continue;
      }
      if (el.tagName === 'input' && !hide && (attr(el, 'type') ?? 'text').toLowerCase() !== 'hidden') pieces.push({ text: attr(el, 'value') ?? '', visible: true });
      if (id) {
        const o = { id, el, start: pieces.length, visible: !hide };
        open.push(o);
        stack.push({ exit: o });
      }
    }
    const kids = childrenOf(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i], hidden: hide });
  }
  facts.visibleText = collapse(pieces.filter((p) => p.visible).map((p) => p.text).join(' '));
  return facts;
}
