/**
 * A strict CEF parser, written from the format's rules (header fields split on unescaped `|`,
 * `\|` and `\\` escaped; extension keys before unescaped `=`, values with `\=`, `\\`, `\n`, `\r`
 * escaped), to check what the console emits. Throws on anything malformed.
 */
export interface Cef {
  version: string;
  vendor: string;
  product: string;
  productVersion: string;
  signature: string;
  name: string;
  severity: string;
  extension: Record<string, string>;
}

export function parseCef(text: string): Cef {
  const start = text.indexOf('CEF:');
  if (start < 0) throw new Error('no CEF: marker');
  const body = text.slice(start + 4);
  const header: string[] = [];
  let field = '';
  let i = 0;
  for (; i < body.length && header.length < 7; i++) {
    const c = body[i]!;
    if (c === '\\') {
      const next = body[++i];
      if (next !== '|' && next !== '\\') throw new Error(`bad header escape \\${next} at ${i}`);
      field += next;
    } else if (c === '|') {
      header.push(field);
      field = '';
    } else {
      if (c === '\n' || c === '\r') throw new Error('line break in header');
      field += c;
    }
  }
  if (header.length !== 7) throw new Error(`header has ${header.length} fields`);
  const ext = body.slice(i);
  if (/[\r\n]/.test(ext)) throw new Error('raw line break in extension');
  const extension: Record<string, string> = {};
  // Keys are [A-Za-z0-9]+ followed by an unescaped '='; a value runs to the next ' key='.
  const keys = [...ext.matchAll(/(?:^| )([A-Za-z0-9]+)=/g)].filter((m) => {
    let backslashes = 0;
    for (let j = m.index! + m[0].length - 2; j >= 0 && ext[j] === '\\'; j--) backslashes++;
    return backslashes % 2 === 0;
  });
  keys.forEach((m, k) => {
    const from = m.index! + m[0].length;
    const to = k + 1 < keys.length ? keys[k + 1]!.index! : ext.length;
    const raw = ext.slice(from, to);
    let value = '';
    for (let j = 0; j < raw.length; j++) {
      if (raw[j] === '\\') {
        const next = raw[++j];
        value += next === 'n' ? '\n' : next === 'r' ? '\r' : next === '=' || next === '\\' ? next : (() => { throw new Error(`bad extension escape \\${next}`); })();
      } else if (raw[j] === '=') throw new Error(`unescaped = in value of ${m[1]}`);
      else value += raw[j];
    }
    extension[m[1]!] = value;
  });
  const [version, vendor, product, productVersion, signature, name, severity] = header as [string, string, string, string, string, string, string];
  return { version, vendor, product, productVersion, signature, name, severity, extension };
}
