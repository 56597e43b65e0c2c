/**
 * A small well-formedness check for the SVG this package writes, so tests
 * can verify charts without an XML dependency: tags balance and nest,
 * attributes are quoted, entities are the five predefined ones or numeric,
 * and no raw '<' or '&' sits in text. It is not a general XML parser (no
 * DTDs, CDATA or comments beyond skipping them), only enough for our output.
 */

export interface XmlSummary {
  root: string;
  /** Element name → how many times it occurs. */
  counts: Map<string, number>;
  /** Every element's attributes in document order, for spot checks. */
  elements: Array<{ name: string; attrs: Record<string, string> }>;
}

const NAME = /^[A-Za-z_][\w.:-]*$/;
const ATTR = /\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/gy;
const ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

function checkText(text: string, at: number): void {
  if (text.includes('<')) throw new SyntaxError(`raw '<' in text at ${at}`);
  if (ENTITY.test(text)) throw new SyntaxError(`bad entity in text at ${at}`);
}

/** Throws SyntaxError at the first problem; otherwise summarises the document. */
export function checkXml(doc: string): XmlSummary {
  let i = 0;
  if (doc.startsWith('<?xml')) {
    i = doc.indexOf('?>');
    if (i < 0) throw new SyntaxError('unterminated XML declaration');
    i += 2;
  }
  const stack: string[] = [];
  const counts = new Map<string, number>();
  const elements: XmlSummary['elements'] = [];
  let root = '';
  while (i < doc.length) {
    const lt = doc.indexOf('<', i);
    const text = doc.slice(i, lt < 0 ? doc.length : lt);
    if (stack.length === 0 && text.trim() !== '') throw new SyntaxError(`text outside the root at ${i}`);
    checkText(text, i);
    if (lt < 0) break;
    if (doc.startsWith('<!--', lt)) {
      const end = doc.indexOf('-->', lt);
      if (end < 0) throw new SyntaxError(`unterminated comment at ${lt}`);
      i = end + 3;
      continue;
    }
    const gt = doc.indexOf('>', lt);
    if (gt < 0) throw new SyntaxError(`unterminated tag at ${lt}`);
    const tag = doc.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) throw new SyntaxError(`</${name}> closes <${open ?? 'nothing'}> at ${lt}`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([^\s/>]+)/.exec(body);
    if (!m || !NAME.test(m[1]!)) throw new SyntaxError(`bad tag name at ${lt}`);
    const name = m[1]!;
    const attrs: Record<string, string> = {};
    ATTR.lastIndex = name.length;
    let rest = name.length;
    for (let a = ATTR.exec(body); a; a = ATTR.exec(body)) {
      const value = a[3] ?? a[4] ?? '';
      if (a[1]! in attrs) throw new SyntaxError(`duplicate attribute ${a[1]} at ${lt}`);
      checkText(value, lt);
      attrs[a[1]!] = value;
      rest = ATTR.lastIndex;
    }
    if (body.slice(rest).trim() !== '') throw new SyntaxError(`malformed attributes in <${name}> at ${lt}`);
    if (stack.length === 0) {
      if (root !== '') throw new SyntaxError(`second root element <${name}> at ${lt}`);
      root = name;
    }
    counts.set(name, (counts.get(name) ?? 0) + 1);
    elements.push({ name, attrs });
    if (!selfClosing) stack.push(name);
  }
  if (stack.length > 0) throw new SyntaxError(`unclosed <${stack.join('> <')}>`);
  if (root === '') throw new SyntaxError('no root element');
  return { root, counts, elements };
}
