/**
 * Adaptive Card template expansion, compiled once per template: the subset of the Adaptive Cards
 * template language that `cards/*.json` use, with the semantics of `adaptivecards-templating`
 * 2.3 (whose `Template.expand` re-evaluates every expression through adaptive-expressions and
 * cost about half of a `status` turn). test/card-template.test.ts renders every card with both and
 * requires byte-identical JSON.
 *
 * Supported, checked when a template is compiled (anything else throws, naming the string):
 *  - `${path}` as a whole string (keeps the value's type: boolean, array, object…) or inside text
 *    (`"As of ${asOf}"`); a path is `a.b.c` from the current `$data`, or starts with `$data`,
 *    `$root` or `$index`;
 *  - `$data` (an object repeated per item of an array; `$index` is the item's position) and `$when`;
 *  - in whole-string expressions: `count(path)` and comparisons `== != > >= < <=` with a literal
 *    (`'text'` or a number) on one side.
 *
 * Semantics kept from adaptivecards-templating: property names match case-insensitively (first
 * key wins); a missing value becomes the text `${path}`; `$when` keeps an object only when it
 * evaluates to `true`, and a failed evaluation there is `false`; comparisons see missing values as
 * missing (no `${path}` text) and are `false` when an operand fails; an object whose `$data` is an
 * empty array, or whose `$when` is false, disappears from its array (and is `null` elsewhere);
 * arrays produced inside arrays are spliced in; `null` items are dropped from arrays.
 */

type Eval = (root: unknown, data: unknown, index: number | undefined) => unknown;

/** An expression that failed (adaptive-expressions returns an error instead of a value). */
class ExpressionFailure extends Error {}

const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

/** One step of a path, resolved like adaptive-expressions' SimpleObjectMemory. */
function step(instance: unknown, name: string, lower: string, index: number): unknown {
  if (!Number.isNaN(index) && Array.isArray(instance)) return index >= 0 && index < instance.length ? instance[index] : undefined;
  if (!instance) return undefined;
  if (instance instanceof Map) {
    const v = instance.get(name);
    if (v !== undefined) return v;
    for (const k of instance.keys()) if (typeof k === 'string' && k.toLowerCase() === lower) return instance.get(k);
    return undefined;
  }
  // The first key equal ignoring case. Names are ASCII, and no key of another length lower-cases
  // to an ASCII string (only U+0130 changes length, into non-ASCII), so other lengths are skipped.
  // for…in with the own-property check walks the keys of Object.keys, in its order, without
  // allocating the array.
  const obj = instance as Record<string, unknown>;
  for (const k in obj) {
    if (k.length === name.length && (k === name || k.toLowerCase() === lower) && Object.hasOwn(obj, k)) return obj[k];
  }
  return undefined;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const KEYWORDS = new Set(['true', 'false', 'null', 'undefined']);

/** `a.b.c` → a resolver (undefined when missing). */
function compilePath(path: string, where: string): Eval {
  const parts = path.split('.');
  // `true`, `false`, `null`… are constants in adaptive-expressions, not paths.
  if (parts.some((p) => !IDENT.test(p)) || KEYWORDS.has(parts[0]!)) throw new Error(`card template: unsupported path "${path}" in ${where}`);
  let head: Eval;
  let rest = parts;
  if (parts[0]!.startsWith('$')) {
    const first = parts[0]!;
    if (first === '$data') head = (_r, d) => d;
    else if (first === '$root') head = (r) => r;
    else if (first === '$index') head = (_r, _d, i) => i;
    else throw new Error(`card template: unsupported path "${path}" in ${where} (only $data, $root and $index)`);
    rest = parts.slice(1);
  } else {
    head = (_r, d) => d;
  }
  const steps = rest.map((name) => ({ name, lower: name.toLowerCase(), index: parseInt(name, 10) }));
  if (steps.length === 0) return head;
  if (steps.length === 1) {
    const s = steps[0]!;
    return (r, d, i) => step(head(r, d, i), s.name, s.lower, s.index);
  }
  return (r, d, i) => {
    let v = head(r, d, i);
    for (const s of steps) {
      v = step(v, s.name, s.lower, s.index);
      if (v === undefined) return undefined;
    }
    return v;
  };
}

/** A path as a value: a missing one is the text `${path}` when substitutions are on. */
function pathValue(path: string, where: string, substitute: boolean): Eval {
  const get = compilePath(path, where);
  if (!substitute) return get;
  const text = `\${${path}}`;
  return (r, d, i) => {
    const v = get(r, d, i);
    return v === undefined ? text : v;
  };
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

type Operand = { kind: 'path'; path: string } | { kind: 'count'; path: string } | { kind: 'literal'; value: string | number };

/** Parses `operand` or `operand op operand` (one side a literal when there is an operator). */
function parseExpression(src: string, where: string): { left: Operand; op?: string; right?: Operand } {
  const unsupported = () => new Error(`card template: unsupported expression "\${${src}}" in ${where}`);
  const operand = (s: string): Operand => {
    const t = s.trim();
    let m: RegExpExecArray | null;
    if ((m = /^count\(\s*([^()\s]+)\s*\)$/.exec(t))) return { kind: 'count', path: m[1]! };
    if ((m = /^'([^'\\`{}$]*)'$/.exec(t))) return { kind: 'literal', value: m[1]! };
    if (/^(0|[1-9][0-9]{0,14})$/.test(t)) return { kind: 'literal', value: Number(t) };
    if (/^[A-Za-z_$][A-Za-z0-9_$.]*$/.test(t)) return { kind: 'path', path: t };
    throw unsupported();
  };
  const m = /^(.*?)\s*(==|!=|>=|<=|>|<)\s*(.*)$/.exec(src);
  if (!m) return { left: operand(src) };
  const left = operand(m[1]!);
  const right = operand(m[3]!);
  if (left.kind !== 'literal' && right.kind !== 'literal') throw unsupported();
  return { left, op: m[2]!, right };
}

function compileOperand(o: Operand, where: string, substitute: boolean): Eval {
  if (o.kind === 'literal') {
    const v = o.value;
    return () => v;
  }
  if (o.kind === 'path') return pathValue(o.path, where, substitute);
  // count(): adaptive-expressions' Count with its container check.
  const arg = pathValue(o.path, where, substitute);
  const text = `count(${o.path})`;
  return (r, d, i) => {
    const v = arg(r, d, i);
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v instanceof Map) return v.size;
    if (typeof v === 'object') {
      if (v === null) throw new ExpressionFailure('Cannot convert undefined or null to object');
      return Object.keys(v).length;
    }
    throw new ExpressionFailure(`${text} must be a string, list, map or object.`);
  };
}

/** A whole-string expression; `substitute`: missing paths become `${path}` (off in `$when`). */
function compileExpression(src: string, where: string, substitute: boolean): Eval {
  const { left, op, right } = parseExpression(src, where);
  if (!op) return compileOperand(left, where, substitute);
  // Comparisons evaluate their operands without substitutions; a failed operand makes them false.
  const a = compileOperand(left, where, false);
  const b = compileOperand(right!, where, false);
  const operands = (r: unknown, d: unknown, i: number | undefined): [unknown, unknown] | undefined => {
    try {
      return [a(r, d, i), b(r, d, i)];
    } catch (err) {
      if (err instanceof ExpressionFailure) return undefined;
      throw err;
    }
  };
  // With a literal on one side (never null, never an object), adaptive-expressions' commonEquals
  // reduces to: numbers within EPSILON, else strict equality.
  const equals = (x: unknown, y: unknown) => (isNumber(x) && isNumber(y) && Math.abs(x - y) < Number.EPSILON) || x === y;
  const ordered = (cmp: (x: number | string, y: number | string) => boolean): Eval => (r, d, i) => {
    const v = operands(r, d, i);
    if (!v || v[0] == null || v[1] == null) return false;
    const [x, y] = v;
    if ((isNumber(x) && isNumber(y)) || (typeof x === 'string' && typeof y === 'string')) return cmp(x, y);
    if (x instanceof Date && y instanceof Date) return cmp(x as never, y as never);
    throw new ExpressionFailure(`${String(x)} and ${String(y)} must be comparable.`);
  };
  switch (op) {
    case '==':
      return (r, d, i) => {
        const v = operands(r, d, i);
        return v ? equals(v[0], v[1]) : false;
      };
    case '!=':
      return (r, d, i) => {
        const v = operands(r, d, i);
        return v ? !equals(v[0], v[1]) : false;
      };
    case '>':
      return ordered((x, y) => x > y);
    case '>=':
      return ordered((x, y) => x >= y);
    case '<':
      return ordered((x, y) => x < y);
    default:
      return ordered((x, y) => x <= y);
  }
}

/** Splits a string holding `${…}` into text and expressions; null when there is none. */
function splitInterpolated(s: string, where: string): Array<string | { expr: string }> | null {
  if (!s.includes('${')) return null;
  if (/[`\\]/.test(s)) throw new Error(`card template: backquotes and backslashes are not supported around expressions: "${s}" in ${where}`);
  const parts: Array<string | { expr: string }> = [];
  let at = 0;
  while (at < s.length) {
    const open = s.indexOf('${', at);
    if (open < 0) {
      parts.push(s.slice(at));
      break;
    }
    if (open > at) parts.push(s.slice(at, open));
    const close = s.indexOf('}', open + 2);
    if (close < 0) throw new Error(`card template: unterminated expression in "${s}" in ${where}`);
    const expr = s.slice(open + 2, close);
    if (expr.includes('{')) throw new Error(`card template: unsupported expression in "${s}" in ${where}`);
    parts.push({ expr });
    at = close + 1;
  }
  return parts;
}

/** A template string: a constant, a typed whole expression, or text with paths. */
function compileString(s: string, where: string): Eval | string {
  const parts = splitInterpolated(s, where);
  if (!parts) return s;
  if (parts.length === 1 && typeof parts[0] !== 'string') {
    const e = compileExpression(parts[0]!.expr, where, true);
    return (r, d, i) => {
      try {
        return e(r, d, i);
      } catch (err) {
        if (err instanceof ExpressionFailure) throw new Error(err.message);
        throw err;
      }
    };
  }
  const pieces = parts.map((p) => {
    if (typeof p === 'string') return p;
    const { left, op } = parseExpression(p.expr, where);
    if (op || left.kind !== 'path') throw new Error(`card template: only paths may appear inside text: "${s}" in ${where}`);
    return pathValue(left.path, where, true);
  });
  return (r, d, i) => {
    let out = '';
    for (const p of pieces) out += typeof p === 'string' ? p : (p(r, d, i) as { toString(): string }).toString();
    return out;
  };
}

type Node = (root: unknown, data: unknown, index: number | undefined) => unknown;

function compileNode(node: unknown, where: string): Node {
  if (typeof node === 'string') {
    const c = compileString(node, where);
    return typeof c === 'string' ? () => c : c;
  }
  if (Array.isArray(node)) {
    const items = node.map((n, i) => compileNode(n, `${where}[${i}]`));
    return (r, d, i) => {
      const out: unknown[] = [];
      for (const item of items) {
        const v = item(r, d, i);
        if (v === null) continue;
        if (Array.isArray(v)) for (const x of v) out.push(x);
        else out.push(v);
      }
      return out;
    };
  }
  if (node !== null && typeof node === 'object') return compileObject(node as Record<string, unknown>, where);
  return () => node;
}

function compileObject(node: Record<string, unknown>, where: string): Node {
  const entries: Array<[string, Node]> = [];
  for (const key of Object.keys(node)) if (!RESERVED.has(key)) entries.push([key, compileNode(node[key], `${where}.${key}`)]);
  const single: Node = (r, d, i) => {
    const out: Record<string, unknown> = {};
    for (const [k, c] of entries) {
      const v = c(r, d, i);
      if (v !== undefined) out[k] = v;
    }
    return out;
  };

  // $when: kept only when it evaluates to true; a failure is false; a non-expression drops the object.
  let when: ((r: unknown, d: unknown, i: number | undefined) => boolean) | undefined;
  const w = node.$when;
  if (w !== undefined) {
    const parts = typeof w === 'string' ? splitInterpolated(w, `${where}.$when`) : null;
    if (parts && parts.length === 1 && typeof parts[0] !== 'string') {
      const e = compileExpression(parts[0]!.expr, `${where}.$when`, false);
      when = (r, d, i) => {
        try {
          return e(r, d, i) === true;
        } catch (err) {
          if (err instanceof ExpressionFailure) return false;
          throw err;
        }
      };
    } else if (parts) {
      when = () => false; // text around an expression: a string, never true
    } else if (w) {
      when = () => false;
    }
  }

  const $data = node.$data;
  if ($data === undefined) {
    if (!when) return single;
    const keep = when;
    return (r, d, i) => (keep(r, d, i) ? single(r, d, i) : null);
  }
  if (typeof $data !== 'string') throw new Error(`card template: $data must be a string in ${where}`);
  const dataOf = compileString($data, `${where}.$data`);
  return (r, d, i) => {
    const v = typeof dataOf === 'string' ? dataOf : dataOf(r, d, i);
    const items = Array.isArray(v) ? v : [v];
    const out: unknown[] = [];
    let cur = d;
    let idx = i;
    for (let n = 0; n < items.length; n++) {
      if (Array.isArray(v)) idx = n;
      if (items[n] !== undefined) cur = items[n];
      if (when && !when(r, cur, idx)) continue;
      out.push(single(r, cur, idx));
    }
    return out.length === 0 ? null : out.length === 1 ? out[0] : out;
  };
}

/** A template compiled once; `expand` is cheap and returns fresh objects (data values are shared). */
export class CardTemplate {
  private readonly root: Node;

  constructor(payload: unknown, name = 'template') {
    this.root = compileNode(payload, name);
  }

  /** The expanded card for `root` (the template's `$root` and initial `$data`). */
  expand(root: unknown): unknown {
    return this.root(root, root, undefined);
  }
}
