/**
 * The formula language of src/tongban/forms/formula.py, for the live preview while filling in:
 * numbers, field names, + - * / %, parentheses, SUM/AVG/MIN/MAX/COUNT over a sub-table column
 * (`SUM(crops.loss)`), ROUND and ABS. The server computes the stored value; this only shows it early.
 */
type Node =
  | { kind: 'num'; value: number }
  | { kind: 'ref'; name: string; column?: string }
  | { kind: 'unary'; op: string; arg: Node }
  | { kind: 'bin'; op: string; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

const TOKEN = /\s*(\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?|[-+*/%(),])/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const m = TOKEN.exec(text);
    if (!m) throw new Error('syntax');
    out.push(m[1]);
  }
  return out;
}

export function parseFormula(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  function expr(): Node {
    let left = term();
    while (peek() === '+' || peek() === '-') left = { kind: 'bin', op: next(), left, right: term() };
    return left;
  }
  function term(): Node {
    let left = unary();
    while (peek() === '*' || peek() === '/' || peek() === '%') left = { kind: 'bin', op: next(), left, right: unary() };
    return left;
  }
  function unary(): Node {
    if (peek() === '-' || peek() === '+') return { kind: 'unary', op: next(), arg: unary() };
    return atom();
  }
  function atom(): Node {
    const token = next();
    if (token === undefined) throw new Error('syntax');
    if (token === '(') {
      const inner = expr();
      if (next() !== ')') throw new Error('syntax');
      return inner;
    }
    if (/^\d/.test(token)) return { kind: 'num', value: Number(token) };
    if (peek() === '(') {
      next();
      const args: Node[] = [];
      if (peek() !== ')') {
        args.push(expr());
        while (peek() === ',') {
          next();
          args.push(expr());
        }
      }
      if (next() !== ')') throw new Error('syntax');
      return { kind: 'call', name: token, args };
    }
    const [name, column] = token.split('.');
    return { kind: 'ref', name, column };
  }
  const tree = expr();
  if (i !== tokens.length) throw new Error('syntax');
  return tree;
}

type Rows = Record<string, unknown>[];
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function evaluateNode(node: Node, values: Record<string, unknown>): number | null {
  switch (node.kind) {
    case 'num':
      return node.value;
    case 'ref': {
      const v = values[node.name];
      return isNum(v) ? v : null;
    }
    case 'unary': {
      const v = evaluateNode(node.arg, values);
      return v === null ? null : node.op === '-' ? -v : v;
    }
    case 'bin': {
      const a = evaluateNode(node.left, values);
      const b = evaluateNode(node.right, values);
      if (a === null || b === null) return null;
      if (node.op === '+') return a + b;
      if (node.op === '-') return a - b;
      if (node.op === '*') return a * b;
      if (b === 0) return null;
      return node.op === '/' ? a / b : a % b;
    }
    case 'call': {
      const [first, second] = node.args;
      if (['SUM', 'AVG', 'MIN', 'MAX', 'COUNT'].includes(node.name)) {
        if (first?.kind !== 'ref') return null;
        const rows = (Array.isArray(values[first.name]) ? values[first.name] : []) as Rows;
        if (!first.column) return node.name === 'COUNT' ? rows.length : null;
        const nums = rows.map((r) => r?.[first.column as string]).filter(isNum);
        if (node.name === 'COUNT') return nums.length;
        if (node.name === 'SUM') return nums.reduce((s, v) => s + v, 0);
        if (!nums.length) return null;
        if (node.name === 'AVG') return nums.reduce((s, v) => s + v, 0) / nums.length;
        return node.name === 'MIN' ? Math.min(...nums) : Math.max(...nums);
      }
      const v = first ? evaluateNode(first, values) : null;
      if (v === null) return null;
      if (node.name === 'ABS') return Math.abs(v);
      if (node.name === 'ROUND') {
        const digits = second ? (evaluateNode(second, values) ?? 0) : 0;
        const f = 10 ** Math.max(0, Math.min(10, Math.trunc(digits)));
        return Math.round(v * f) / f;
      }
      return null;
    }
  }
}

/** The formula's value over the current answers, or null (blank) when it cannot be computed yet. */
export function evaluateFormula(text: string, values: Record<string, unknown>, precision = 2): number | null {
  try {
    const v = evaluateNode(parseFormula(text), values);
    if (v === null || !Number.isFinite(v)) return null;
    const f = 10 ** precision;
    return Math.round(v * f) / f;
  } catch {
    return null;
  }
}
