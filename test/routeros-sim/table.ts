/**
 * One RouterOS menu as a table of items with `.id`s like `*1A` (gateways.md 1.7), and the generic
 * commands every writable menu has: add (→ `=ret=*id`), set, remove, enable, disable, print. Items are
 * referenced by `=.id=` or `=numbers=`, as comma lists, by id or (for named menus) by name.
 *
 * @example
 *   const t = new Table({ unique: 'name' });
 *   t.add({ name: 'a' }); // '*1'
 */
import { matches, project, type Item } from './query.js';

/** A `!trap`: message and category (Part 1.4: 0 missing item/command, 1 bad argument, …). */
export class Trap extends Error {
  override readonly name = 'Trap';
  constructor(
    message: string,
    readonly category?: number,
  ) {
    super(message);
  }
}

export interface TableOptions {
  /** Property that names items (`name`), unique and usable as a reference. */
  unique?: string;
  /** Properties a new item gets when `add` does not give them. */
  defaults?: Item;
  /** Properties clients may write; anything else is `unknown parameter`. */
  writable?: readonly string[];
  /** Fills in computed properties (uptime, counters) at print time. */
  view?: (id: string, item: Item) => Item;
}

export class Table {
  readonly rows = new Map<string, Item>();
  private next = 1;
  constructor(private readonly opts: TableOptions = {}) {}

  private check(attrs: Item): void {
    const writable = this.opts.writable;
    if (!writable) return;
    for (const k of Object.keys(attrs)) if (!writable.includes(k)) throw new Trap(`unknown parameter ${k}`, 1);
  }

  add(attrs: Item): string {
    this.check(attrs);
    const u = this.opts.unique;
    if (u) {
      if (!attrs[u]) throw new Trap(`missing value(s) of argument(s) ${u}`, 1);
      for (const row of this.rows.values()) if (row[u] === attrs[u]) throw new Trap('failure: already have such name', 1);
    }
    return this.insert({ ...this.opts.defaults, ...attrs });
  }

  /** Adds without validation (router-made items: active sessions, hosts, dynamic queues). */
  insert(item: Item): string {
    const id = `*${(this.next++).toString(16).toUpperCase()}`;
    this.rows.set(id, item);
    return id;
  }

  resolve(ref: string | undefined): string[] {
    if (ref === undefined || ref === '') throw new Trap('missing value(s) of argument(s) .id', 1);
    return ref.split(',').map((r) => {
      if (this.rows.has(r)) return r;
      const u = this.opts.unique;
      if (u) for (const [id, row] of this.rows) if (row[u] === r) return id;
      throw new Trap('no such item', 0);
    });
  }

  get(id: string): Item {
    const row = this.rows.get(id);
    if (!row) throw new Trap('no such item', 0);
    return row;
  }

  set(ids: string[], attrs: Item): void {
    this.check(attrs);
    const u = this.opts.unique;
    for (const id of ids) {
      const row = this.get(id);
      if (u && attrs[u] !== undefined)
        for (const [other, r] of this.rows) if (other !== id && r[u] === attrs[u]) throw new Trap('failure: already have such name', 1);
      Object.assign(row, attrs);
    }
  }

  remove(ids: string[]): Item[] {
    const gone = ids.map((id) => this.get(id));
    for (const id of ids) this.rows.delete(id);
    return gone;
  }

  find(pred: (item: Item, id: string) => boolean): Array<[string, Item]> {
    return [...this.rows].filter(([id, item]) => pred(item, id));
  }

  print(queries: readonly string[], proplist?: string): Item[] {
    const out: Item[] = [];
    for (const [id, row] of this.rows) {
      const full = { '.id': id, ...(this.opts.view ? this.opts.view(id, row) : row) };
      if (matches(full, queries)) out.push(project(full, proplist));
    }
    return out;
  }
}
