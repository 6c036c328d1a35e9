// Expectations for `cilium-trace check`: which flows a cluster must forward or drop. This
// reads a separate expectations file, holding either a list of expectations or a mapping
// with an `expectations:` list (optionally `apiVersion: cilium-trace/v1` and
// `kind: Expectations`). Scenario documents carry the same items in their `expect:` list;
// both are read item by item by src/scenario/expect-input.ts. Every problem is collected
// with its position (file:line:col), so one run reports all of them.
import { InputError, type Position } from '../errors.js';
import { isMap, isScalar, type YNode } from '../scenario/ast.js';
import { mapField, readExpectationList, readExpectationsMap, type Expectation } from '../scenario/expect-input.js';
import { EXPECTATIONS_KIND } from '../scenario/fields.js';
import { Source } from '../scenario/raw.js';
import { parseYamlText } from '../scenario/yaml-text.js';

export type { ExpectedVerdict, Expectation, Located, Proto } from '../scenario/expect-input.js';

/**
 * Parses an expectations file; throws one InputError listing every problem of the file as a
 * whole. `lenient` (check): an item with problems (a bad port, an unknown verdict) is kept
 * with them (Expectation.problems), to be reported as a failed case while the rest run. `taken`: names
 * already used by expectations read before this file (a scenario's `expect:` list), which
 * the file's expectations may not use again.
 */
export function parseExpectations(text: string, file: string, taken: ReadonlyMap<string, Position> = new Map(), lenient = false): Expectation[] {
  const parsed = parseYamlText(file, text.replace(/^\uFEFF/, ''));
  if (parsed.problems.length > 0) throw new InputError(parsed.problems);
  const src = new Source(file);
  const start: Position = { file, line: 1, col: 1 };
  const nonEmpty = parsed.docs.filter((d) => d !== null && !(isScalar(d) && d.value === null && !d.source));
  const [root, ...more] = nonEmpty;
  if (!root || more.length > 0) {
    throw new InputError([{ pos: start, message: root ? 'more than one YAML document (expected one list of expectations)' : 'no expectations (expected a list of {from, to, proto, port, expect})' }]);
  }
  const out: Expectation[] = [];
  if (isMap(root)) {
    const kind = mapField(src, root, 'kind');
    if (kind?.text !== undefined && kind.text !== EXPECTATIONS_KIND) src.report(kind.pos, `unknown kind '${kind.text}' (expected ${EXPECTATIONS_KIND})`);
    readExpectationsMap(src, root, new Map(taken), out, lenient);
  } else {
    readExpectationList(src, root, src.posOf(root), new Map(taken), 'expectations', out, lenient);
  }
  if (src.sink.problems.length > 0) throw new InputError(src.sink.problems);
  return out;
}
