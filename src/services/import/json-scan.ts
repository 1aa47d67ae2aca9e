/**
 * A JSON scanner that does what JSON.parse does not: says where. It finds the first syntax
 * error with a message a person can act on, and the position of the value at a path (for
 * errors found after parsing). It only runs when something is wrong, so it favours clarity
 * over speed; it is iterative, so deep nesting cannot overflow the stack.
 */

export interface JsonSyntaxProblem {
  /** UTF-16 offset of the offending character (or the end of the text). */
  offset: number;
  message: string;
}

export interface JsonLocation {
  /** Offset of the value at the deepest part of the path that exists in the text. */
  offset: number;
  /** Offset of that value's property name, when it is a member of an object. */
  keyOffset: number | undefined;
  /** How many segments of the path were found (the path's length when all were). */
  depth: number;
}

interface Frame {
  object: boolean;
  /** The current member's name (objects) or index (arrays). */
  key: string | number;
  /** Whether this container's own path is a prefix of the target path. */
  matched: boolean;
  keyOffset: number | undefined;
}

class Stop {
  constructor(readonly problem: JsonSyntaxProblem) {}
}

const VALUE = 'a value (an object, array, string, number, true, false or null)';

function describe(text: string, i: number): string {
  if (i >= text.length) return 'the end of the file';
  const c = text[i]!;
  if (c === '\n' || c === '\r') return 'a line break';
  if (c === '\t') return 'a tab';
  if (c === '"') return /^"(?:[^"\\\n\r]|\\.){0,30}"?/.exec(text.slice(i, i + 40))![0];
  const word = /^[A-Za-z0-9_$.+-]+/.exec(text.slice(i, i + 20))?.[0];
  return JSON.stringify(word && word.length > 1 ? word : c);
}

function scan(text: string, target: ReadonlyArray<PropertyKey> | undefined): { problem?: JsonSyntaxProblem; location: JsonLocation } {
  const n = text.length;
  let i = 0;
  const stack: Frame[] = [];
  const location: JsonLocation = { offset: 0, keyOffset: undefined, depth: -1 };
  const fail = (offset: number, message: string): never => {
    throw new Stop({ offset, message });
  };
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const expected = (what: string): never => {
    if (i >= n) fail(i, `the file ends before the JSON is complete: expected ${what}`);
    const c = text[i];
    if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) fail(i, 'comments are not allowed in JSON');
    if (c === "'") fail(i, 'strings and names must be in double quotes (") in JSON, not single quotes');
    return fail(i, `expected ${what}, found ${describe(text, i)}`);
  };
  const string = () => {
    const start = i;
    i++; // the opening quote
    let out = '';
    let from = i;
    for (;;) {
      if (i >= n) fail(start, 'a string that starts here is never closed (a " is missing)');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(from, i);
        i++;
        return out;
      }
      if (c === 0x0a || c === 0x0d) fail(start, 'a string that starts here is not closed before the end of its line (add the missing "; a line break inside a string is written \\n)');
      if (c < 0x20) fail(i, `${c === 0x09 ? 'a tab' : 'a control character'} inside a string (write it as an escape such as \\t or \\u0000)`);
      if (c === 0x5c) {
        out += text.slice(from, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else if (e === 'u') fail(i, 'expected 4 hexadecimal digits after \\u');
        else fail(i, `${e === undefined ? 'a lone \\' : `\\${e}`} is not a JSON escape (use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)`);
        from = i;
      } else i++;
    }
  };
  const digits = () => {
    const s = i;
    while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    return i - s;
  };
  const number = () => {
    const start = i;
    if (text[i] === '-') i++;
    if (text[i] === '0') {
      i++;
      if (/[0-9]/.test(text[i] ?? '')) fail(start, `numbers cannot have leading zeros, found ${describe(text, start)}`);
    } else if (digits() === 0) fail(start, `expected digits in a number, found ${describe(text, start)}`);
    if (text[i] === '.') {
      i++;
      if (digits() === 0) fail(i, `expected digits after the decimal point, found ${describe(text, i)}`);
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (digits() === 0) fail(i, `expected digits in the exponent, found ${describe(text, i)}`);
    }
    // 0x10, 12abc: a number glued to letters is one mistake, said at its start.
    if (/[A-Za-z0-9_$]/.test(text[i] ?? '')) fail(start, `${describe(text, start)} is not a JSON number (write numbers in decimal, such as 1234.56)`);
  };
  /** Notes where a value starts, when it is on the target path. */
  const at = (matched: boolean, depth: number, keyOffset: number | undefined) => {
    if (matched && depth >= location.depth) {
      location.offset = i;
      location.keyOffset = keyOffset;
      location.depth = depth;
    }
  };
  const pathMatches = (): boolean => {
    if (!target) return false;
    const top = stack[stack.length - 1];
    if (!top) return true;
    return top.matched && stack.length <= target.length && target[stack.length - 1] === top.key;
  };

  try {
    ws();
    // One value at a time; containers push a frame and come back here for each member.
    for (;;) {
      const matched = pathMatches();
      at(matched, stack.length, stack[stack.length - 1]?.keyOffset);
      const c = text[i];
      let complete = true;
      if (c === '{' || c === '[') {
        const object = c === '{';
        i++;
        ws();
        const close = object ? '}' : ']';
        if (text[i] === close) i++;
        else {
          const frame: Frame = { object, key: 0, matched, keyOffset: undefined };
          stack.push(frame);
          if (object) member(frame);
          complete = false;
        }
      } else if (c === '"') string();
      else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
      else if (text.startsWith('true', i)) i += 4;
      else if (text.startsWith('false', i)) i += 5;
      else if (text.startsWith('null', i)) i += 4;
      else expected(VALUE);
      // After a value: close the containers it completes, or move to the next member.
      while (complete) {
        ws();
        const top = stack[stack.length - 1];
        if (!top) {
          if (i < n) expected('the end of the file after the JSON value');
          return { location };
        }
        const close = top.object ? '}' : ']';
        if (text[i] === close) {
          i++;
          stack.pop();
        } else if (text[i] === ',') {
          i++;
          ws();
          if (top.object) {
            if (text[i] === '}') fail(i, 'a comma before } (JSON allows no trailing comma)');
            member(top);
          } else {
            if (text[i] === ']') fail(i, 'a comma before ] (JSON allows no trailing comma)');
            top.key = (top.key as number) + 1;
          }
          complete = false;
        } else expected(`"," or "${close}"${top.object ? ' after a member' : ' after an element'}`);
      }
    }
  } catch (err) {
    if (err instanceof Stop) return { problem: err.problem, location };
    throw err;
  }

  /** A member's name and colon; leaves `i` at its value. */
  function member(frame: Frame) {
    ws();
    if (text[i] !== '"') expected('a property name in double quotes');
    frame.keyOffset = i;
    frame.key = string();
    ws();
    if (text[i] !== ':') expected(`":" after the property name ${JSON.stringify(frame.key)}`);
    i++;
    ws();
  }
}

/** The first syntax error in `text`, or undefined when it is well-formed JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  return scan(text, undefined).problem;
}

/** Where the value at `path` (a zod issue path) is in well-formed JSON `text`. */
export function locateJsonPath(text: string, path: ReadonlyArray<PropertyKey>): JsonLocation {
  return scan(text, path).location;
}
