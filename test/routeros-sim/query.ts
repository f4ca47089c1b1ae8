/**
 * `print` filtering as RouterOS evaluates it (gateways.md Part 1.7): query words operate on a stack of
 * booleans that starts as infinitely many `true`; an item matches when no `false` is left. `?#` applies
 * `!`, `&`, `|`, `.` and stack indexes. `=.proplist=` picks the properties returned.
 *
 * @example
 *   matches({ type: 'ether' }, ['?type=ether', '?type=vlan', '?#|']); // true
 */
export type Item = Record<string, string>;

export class QueryError extends Error {
  override readonly name = 'QueryError';
}

/** Compares numerically when both sides are numbers, else as strings (undocumented: Part 1.7 [I]). */
function compare(a: string, b: string): number {
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) return Math.sign(Number(a) - Number(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

export function matches(item: Item, queries: readonly string[]): boolean {
  // The stack's infinite `true` bottom is modelled by `pop` returning true when empty.
  let stack: boolean[] = [];
  const pop = (): boolean => (stack.length ? stack.pop()! : true);
  const top = (): boolean => (stack.length ? stack[stack.length - 1]! : true);
  const at = (i: number): boolean => (i < stack.length ? stack[stack.length - 1 - i]! : true);
  for (const q of queries) {
    const body = q.slice(1);
    if (body.startsWith('#')) {
      const ops = body.slice(1);
      let i = 0;
      let prevWasIndex = false;
      while (i < ops.length) {
        const ch = ops[i]!;
        if (/\d/.test(ch)) {
          let j = i;
          while (j < ops.length && /\d/.test(ops[j]!)) j++;
          const v = at(Number(ops.slice(i, j)));
          if (j === ops.length) stack = [v]; // trailing index replaces the whole stack
          else stack.push(v);
          i = j;
          prevWasIndex = true;
          continue;
        }
        if (ch === '!') stack.push(!pop());
        else if (ch === '&') {
          const x = pop();
          const y = pop();
          stack.push(x && y);
        } else if (ch === '|') {
          const x = pop();
          const y = pop();
          stack.push(x || y);
        } else if (ch === '.') {
          if (!prevWasIndex) stack.push(top());
        } else throw new QueryError(`unknown query operation ${ch}`);
        prevWasIndex = false;
        i++;
      }
      continue;
    }
    if (body.startsWith('-')) {
      stack.push(!(body.slice(1) in item));
      continue;
    }
    let op: '=' | '<' | '>' = '=';
    let rest = body;
    if (rest.startsWith('<') || rest.startsWith('>')) {
      op = rest[0] as '<' | '>';
      rest = rest.slice(1);
    } else if (rest.startsWith('=')) rest = rest.slice(1);
    const eq = rest.indexOf('=');
    if (eq < 0) {
      stack.push(rest in item);
      continue;
    }
    const name = rest.slice(0, eq);
    const value = rest.slice(eq + 1);
    const have = item[name];
    if (have === undefined) stack.push(false);
    else if (op === '=') stack.push(have === value);
    else stack.push(op === '<' ? compare(have, value) < 0 : compare(have, value) > 0);
  }
  return !stack.includes(false);
}

/** Keeps only the listed properties (absent ones stay absent), in list order. */
export function project(item: Item, proplist: string | undefined): Item {
  if (proplist === undefined) return { ...item };
  const out: Item = {};
  for (const name of proplist.split(',')) {
    const v = item[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
