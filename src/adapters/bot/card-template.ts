/**
 * Adaptive Card template expansion, compiled once per template into one generated function: the
 * subset of the Adaptive Cards template language that `cards/*.json` use, with the semantics of
 * `adaptivecards-templating` 2.3 (whose `Template.expand` re-evaluates every expression through
 * adaptive-expressions: ~75 µs for the status card, about half of the status command's work).
 * test/card-template.test.ts renders every card with both and requires byte-identical JSON.
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
type When = (root: unknown, data: unknown, index: number | undefined) => boolean;

/** `$when`: kept only when it evaluates to true; a failure is false; a non-expression drops the object. */
function compileWhen(w: unknown, where: string): When | undefined {
  if (w === undefined) return undefined;
  const parts = typeof w === 'string' ? splitInterpolated(w, where) : null;
  if (parts && parts.length === 1 && typeof parts[0] !== 'string') {
    const e = compileExpression(parts[0]!.expr, where, false);
    return (r, d, i) => {
      try {
        return e(r, d, i) === true;
      } catch (err) {
        if (err instanceof ExpressionFailure) return false;
        throw err;
      }
    };
  }
  if (parts) return () => false; // text around an expression: a string, never true
  return w ? () => false : undefined;
}

/**
 * Turns a template into the source of one function, so an expansion runs straight-line code with
 * object and array literals (a tree of closures shared by every template made each property store
 * and call site megamorphic). Paths are looked up inline (`S`: one step, `M`: missing → `${path}`);
 * other expressions stay closures (`E[n]`, `W[n]` for `$when`), called with the root, the current
 * `$data` and `$index`. Keys, names and constants are JSON-quoted into the source.
 *
 * No value is ever `undefined` (a missing path is the text `${path}`), so writing every key in an
 * object literal is what adaptivecards-templating's "skip undefined" assignment loop gives.
 */
class Generator {
  readonly evals: Node[] = [];
  readonly whens: When[] = [];
  readonly helpers: string[] = [];

  /**
   * A JS expression for `node`, where `d` and `i` name the variables holding `$data` and `$index`
   * in the generated code. `simple`: never null nor an array, so an array can hold it as it is.
   */
  node(node: unknown, where: string, d: string, i: string): { code: string; simple: boolean } {
    if (typeof node === 'string') {
      const c = compileString(node, where); // validates, and evaluates what is not a path
      if (typeof c === 'string') return { code: JSON.stringify(c), simple: true };
      const parts = splitInterpolated(node, where)!;
      const paths = parts.map((p) => (typeof p === 'string' ? null : parseExpression(p.expr, where)));
      if (paths.every((x) => x === null || (!x.op && x.left.kind === 'path'))) {
        const value = (x: Operand) => pathCode((x as { path: string }).path, d, i);
        // A whole path keeps its value's type (it may be null or an array); text is a string, and
        // a null inside it throws, as in adaptivecards-templating.
        if (parts.length === 1) return { code: value(paths[0]!.left), simple: false };
        return { code: `(${parts.map((p, k) => (typeof p === 'string' ? JSON.stringify(p) : `${value(paths[k]!.left)}.toString()`)).join(' + ')})`, simple: true };
      }
      this.evals.push(c);
      return { code: `E[${this.evals.length - 1}](r, ${d}, ${i})`, simple: false };
    }
    if (Array.isArray(node)) return { code: this.array(node, where, d, i), simple: true };
    if (node !== null && typeof node === 'object') return this.object(node as Record<string, unknown>, where, d, i);
    return { code: JSON.stringify(node), simple: node !== null };
  }

  /** Items that are null are dropped, arrays are spliced in. */
  private array(items: unknown[], where: string, d: string, i: string): string {
    const parts = items.map((n, k) => this.node(n, `${where}[${k}]`, d, i));
    if (parts.every((p) => p.simple)) return `[${parts.map((p) => p.code).join(', ')}]`;
    const name = `a${this.helpers.length}`;
    const body = parts
      .map((p) => (p.simple ? `o.push(${p.code});` : `v = ${p.code}; if (v !== null) { if (Array.isArray(v)) { for (const x of v) o.push(x); } else o.push(v); }`))
      .join(' ');
    // Its parameters carry the caller's names, which the items' code uses.
    this.helpers.push(`function ${name}(r, ${d}, ${i}) { const o = []; let v; ${body} return o; }`);
    return `${name}(r, ${d}, ${i})`;
  }

  private object(node: Record<string, unknown>, where: string, d: string, i: string): { code: string; simple: boolean } {
    const literal = (dv: string, iv: string) =>
      `{ ${Object.keys(node)
        .filter((k) => !RESERVED.has(k))
        .map((k) => `${JSON.stringify(k)}: ${this.node(node[k], `${where}.${k}`, dv, iv).code}`)
        .join(', ')} }`;
    const when = compileWhen(node.$when, `${where}.$when`);
    let w = '';
    if (when) {
      this.whens.push(when);
      w = `W[${this.whens.length - 1}]`;
    }
    const $data = node.$data;
    if ($data === undefined) {
      if (!when) return { code: literal(d, i), simple: true };
      return { code: `(${w}(r, ${d}, ${i}) ? ${literal(d, i)} : null)`, simple: false };
    }
    if (typeof $data !== 'string') throw new Error(`card template: $data must be a string in ${where}`);
    const dataOf = this.node($data, `${where}.$data`, 'd', 'i').code;
    const name = `o${this.helpers.length}`;
    this.helpers.push(''); // reserves the name; the body is built below (it may add helpers itself)
    const item = literal('cur', 'idx');
    this.helpers[Number(name.slice(1))] =
      `function ${name}(r, d, i) { const v = ${dataOf}; const many = Array.isArray(v); const items = many ? v : [v]; const o = []; let cur = d; let idx = i; ` +
      `for (let n = 0; n < items.length; n++) { if (many) idx = n; if (items[n] !== undefined) cur = items[n]; ${when ? `if (!${w}(r, cur, idx)) continue; ` : ''}o.push(${item}); } ` +
      'return o.length === 0 ? null : o.length === 1 ? o[0] : o; }';
    return { code: `${name}(r, ${d}, ${i})`, simple: false };
  }
}

/** Generated code for a path (already validated): its value, or the text `${path}` when missing. */
function pathCode(path: string, d: string, i: string): string {
  const parts = path.split('.');
  let code = d;
  if (parts[0] === '$data') parts.shift();
  else if (parts[0] === '$root') {
    parts.shift();
    code = 'r';
  } else if (parts[0] === '$index') {
    parts.shift();
    code = i;
  }
  for (const name of parts) code = `S(${code}, ${JSON.stringify(name)}, ${JSON.stringify(name.toLowerCase())}, ${parseInt(name, 10)})`;
  return `M(${code}, ${JSON.stringify(`\${${path}}`)})`;
}

/** A missing value is the text `${path}`. */
const missing = (v: unknown, text: string): unknown => (v === undefined ? text : v);

function compileTemplate(payload: unknown, where: string): (root: unknown) => unknown {
  const g = new Generator();
  const root = g.node(payload, where, 'd', 'i').code;
  const source = `"use strict"; ${g.helpers.join(' ')} return function expand(r) { const d = r; const i = undefined; return ${root}; };`;
  const factory = new Function('E', 'W', 'S', 'M', source) as (evals: Node[], whens: When[], s: typeof step, m: typeof missing) => (root: unknown) => unknown;
  return factory(g.evals, g.whens, step, missing);
}

/** A template compiled once; `expand` is cheap and returns fresh objects (data values are shared). */
export class CardTemplate {
  private readonly run: (root: unknown) => unknown;

  constructor(payload: unknown, name = 'template') {
    this.run = compileTemplate(payload, name);
  }

  /** The expanded card for `root` (the template's `$root` and initial `$data`). */
  expand(root: unknown): unknown {
    return this.run(root);
  }
}
