// Pieces of the fast YAML reader (fast-yaml.ts): the characters it leaves to the full
// parser, and literal block scalars (`key: |`), which is how kubectl prints a string with a
// newline — the last-applied-configuration annotation of every object made with
// `kubectl apply`. Folded scalars (`>`) and indentation indicators (`|2`) are left to the
// full parser, which gives the same result.

/**
 * Characters the fast reader leaves to the full parser wherever they appear: tabs, CR and
 * other control characters, C1 controls, Unicode line separators, byte-order marks.
 */
export const UNSUPPORTED_CHARS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** Is this character code one of UNSUPPORTED_CHARS? (Asked only for codes < 32 or >= 127.) */
export function badChar(c: number): boolean {
  return c < 32 || c <= 0x9f || c === 0x2028 || c === 0x2029 || c === 0xfeff;
}

const SPACE = 32;
const HASH = 35;

/**
 * The literal block scalar whose header `|` is at `p` on the line ending at `le`, in a node
 * whose parent is indented `parentIndent` columns: its value and the offset of the first
 * line after it; undefined when the full parser should read it (an indentation indicator,
 * more-indented leading blank lines, unsupported characters, a comment that ends it).
 * YAML 1.2 §8.1.1: the content's indentation is that of its first non-blank line, which
 * must be deeper than the parent's; chomping `-` strips the final line breaks, `+` keeps
 * them all, the default keeps one.
 */
export function blockScalar(t: string, p: number, le: number, parentIndent: number): { value: string; end: number } | undefined {
  let i = p + 1;
  let chomp = 0; // 0 clip, -1 strip, 1 keep
  const c = t.charCodeAt(i);
  if (c === 45 || c === 43) {
    chomp = c === 45 ? -1 : 1;
    i++;
  }
  if (i < le && t.charCodeAt(i) !== SPACE) return undefined; // an indicator, or text after the header
  while (i < le && t.charCodeAt(i) === SPACE) i++;
  if (i < le && (t.charCodeAt(i) !== HASH || UNSUPPORTED_CHARS.test(t.slice(i, le)))) return undefined;
  const lines: string[] = [];
  let indent = -1;
  let leadingBlank = 0;
  let start = le + 1;
  while (start < t.length) {
    const nl = t.indexOf('\n', start);
    if (nl < 0) return undefined; // no final line break: rare, left to the full parser
    let j = start;
    while (j < nl && t.charCodeAt(j) === SPACE) j++;
    const spaces = j - start;
    if (j === nl) {
      // A blank line: part of the scalar; its spaces beyond the indentation are content.
      if (indent < 0) leadingBlank = Math.max(leadingBlank, spaces);
      lines.push(indent >= 0 && spaces > indent ? t.slice(start + indent, nl) : '');
      start = nl + 1;
      continue;
    }
    if (indent < 0) {
      if (spaces <= parentIndent) break;
      if (leadingBlank > spaces) return undefined; // yaml: an error without an indentation indicator
      indent = spaces;
    } else if (spaces < indent) {
      break;
    }
    const line = t.slice(start + indent, nl);
    if (UNSUPPORTED_CHARS.test(line)) return undefined;
    lines.push(line);
    start = nl + 1;
  }
  const end = start;
  // A comment less indented than the content ends it; the yaml package then disagrees about the comment.
  if (end < t.length) {
    let j = end;
    while (t.charCodeAt(j) === SPACE) j++;
    if (t.charCodeAt(j) === HASH) return undefined;
  }
  if (indent < 0) return lines.length === 0 || chomp !== 1 ? { value: '', end } : undefined;
  let last = lines.length;
  if (chomp !== 1) while (last > 0 && lines[last - 1] === '') last--;
  const body = lines.slice(0, last).join('\n');
  return { value: chomp === -1 ? body : `${body}\n`, end };
}
