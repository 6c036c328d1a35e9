// Prints objects as `kubectl get … -o yaml` and `-o json` do, for the realistic generator.
// kubectl gets unstructured objects (Go maps), so keys come out sorted in both formats.
// YAML follows gopkg.in/yaml.v2 (v2.4.0, what sigs.k8s.io/yaml v1.3.0 wraps; encode.go
// stringv and emitterc.go): sequences in a mapping are not indented ("- " under the key),
// a string with a newline is a literal block scalar (`|`, `|-`, `|+`), a string that
// would read as another type (YAML 1.1: numbers, yes/no/on/off, null, timestamps) is
// double-quoted, a string that cannot be plain (": ", " #", leading indicators, spaces at
// the ends) is single-quoted, empty collections are `{}` and `[]`. JSON is Go's
// json.MarshalIndent with four spaces.

const BOOL11 = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const NULL11 = /^(?:~|null|Null|NULL)$/;
const NUMBER11 = /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))$|^\.(?:nan|NaN|NAN)$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt ])/;

/** yaml.v2 resolves it to something other than a string: it must be double-quoted. */
function resolvesElsewhere(s) {
  return s === '' || s === '<<' || BOOL11.test(s) || NULL11.test(s) || NUMBER11.test(s) || TIMESTAMP.test(s);
}

/** emitterc.go yaml_emitter_analyze_scalar, block context: may it be written plain? */
function plainAllowed(s) {
  if (s.length === 0 || s[0] === ' ' || s[s.length - 1] === ' ') return false;
  if ('#,[]{}&*!|>\'"%@`'.includes(s[0])) return false;
  if ((s[0] === '-' || s[0] === '?' || s[0] === ':') && (s.length === 1 || s[1] === ' ')) return false;
  if (s.startsWith('---') || s.startsWith('...')) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 127) return false;
    if (s[i] === ':' && (i + 1 === s.length || s[i + 1] === ' ')) return false;
    if (s[i] === '#' && s[i - 1] === ' ') return false;
  }
  return true;
}

function doubleQuoted(s) {
  return JSON.stringify(s);
}

function scalar(v) {
  if (v === null) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (resolvesElsewhere(v)) return doubleQuoted(v);
  if (plainAllowed(v)) return v;
  return `'${v.replace(/'/g, "''")}'`;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const sortedKeys = (o) => Object.keys(o).sort();

/** A literal block scalar for a string with newlines, its lines indented by `indent`. */
function literal(s, indent) {
  const chomp = s.endsWith('\n') ? (s.endsWith('\n\n') || s === '\n' ? '+' : '') : '-';
  const hint = s[0] === ' ' || s[0] === '\n' ? '2' : '';
  const body = (chomp === '' ? s.slice(0, -1) : chomp === '+' ? s.slice(0, -1) : s).split('\n');
  return `|${hint}${chomp}\n${body.map((l) => (l === '' ? '' : ' '.repeat(indent) + l)).join('\n')}\n`;
}

/** `value` after `key:` (at column `indent`): the rest of the line and any lines below. */
function afterKey(v, indent) {
  if (Array.isArray(v)) return v.length === 0 ? ' []\n' : `\n${seq(v, indent)}`;
  if (isObject(v)) return Object.keys(v).length === 0 ? ' {}\n' : `\n${map(v, indent + 2)}`;
  if (typeof v === 'string' && v.includes('\n')) return ` ${literal(v, indent + 2)}`;
  return ` ${scalar(v)}\n`;
}

function map(o, indent) {
  let out = '';
  for (const k of sortedKeys(o)) out += `${' '.repeat(indent)}${scalar(k)}:${afterKey(o[k], indent)}`;
  return out;
}

/** A sequence whose `- ` is at column `indent` (yaml.v2 does not indent sequences in mappings). */
function seq(a, indent) {
  let out = '';
  for (const item of a) {
    const pad = ' '.repeat(indent);
    if (isObject(item) && Object.keys(item).length > 0) {
      const inner = map(item, indent + 2);
      out += `${pad}- ${inner.slice(indent + 2)}`;
    } else if (Array.isArray(item) && item.length > 0) {
      const inner = seq(item, indent + 2);
      out += `${pad}- ${inner.slice(indent + 2)}`;
    } else if (Array.isArray(item)) {
      out += `${pad}- []\n`;
    } else if (isObject(item)) {
      out += `${pad}- {}\n`;
    } else if (typeof item === 'string' && item.includes('\n')) {
      out += `${pad}- ${literal(item, indent + 2)}`;
    } else {
      out += `${pad}- ${scalar(item)}\n`;
    }
  }
  return out;
}

/** `kubectl get … -o yaml` of several objects: one List. */
export function yamlList(items) {
  return `apiVersion: v1\nitems:\n${seq(items, 0)}kind: List\nmetadata:\n  resourceVersion: ""\n`;
}

function sortDeep(v) {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (!isObject(v)) return v;
  const out = {};
  for (const k of sortedKeys(v)) out[k] = sortDeep(v[k]);
  return out;
}

/** `kubectl get … -o json` of several objects: one List, printed in parts (the text can exceed a string's limit). */
export function* jsonListChunks(items) {
  yield '{\n    "apiVersion": "v1",\n    "items": [';
  let first = true;
  for (const item of items) {
    const text = JSON.stringify(sortDeep(item), null, 4).replace(/\n/g, '\n        ');
    yield `${first ? '' : ','}\n        ${text}`;
    first = false;
  }
  yield `${first ? '' : '\n    '}],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n`;
}

/** One YAML item of a List, for writing in parts. */
export function yamlListChunks(items) {
  return (function* () {
    yield 'apiVersion: v1\nitems:\n';
    for (const item of items) yield seq([item], 0);
    yield 'kind: List\nmetadata:\n  resourceVersion: ""\n';
  })();
}
