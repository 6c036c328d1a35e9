// JUnit XML for CI test reporters: one testsuite, one testcase per expectation, a
// <failure> with a one-line message and the trace in the body, or <skipped> when the path is
// not simulated. Deterministic: no timestamps, no host name, time="0".

export interface JunitCase {
  readonly name: string;
  readonly classname: string;
  /** null when the case passed. */
  readonly failure: { readonly message: string; readonly type: string; readonly body: string } | null;
  /** Could not be checked (a path not simulated): why. */
  readonly skipped?: string;
}

// XML 1.0 allows tab, LF, CR and U+0020 upward (minus surrogates and U+FFFE/U+FFFF).
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlEscape(s: string, attribute: boolean): string {
  const clean = s.replace(INVALID_XML, '\uFFFD');
  const text = clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return attribute ? text.replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;') : text.replace(/\r/g, '&#13;');
}

export function renderJunit(suite: string, cases: readonly JunitCase[]): string {
  const failures = cases.filter((c) => c.failure !== null).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const a = (s: string) => xmlEscape(s, true);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${a(suite)}" tests="${cases.length}" failures="${failures}" errors="0" time="0">`,
    `  <testsuite name="${a(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0">`,
  ];
  for (const c of cases) {
    const open = `    <testcase name="${a(c.name)}" classname="${a(c.classname)}" time="0"`;
    if (c.skipped !== undefined) {
      out.push(`${open}>`, `      <skipped message="${a(c.skipped)}"/>`, '    </testcase>');
      continue;
    }
    if (!c.failure) {
      out.push(`${open}/>`);
      continue;
    }
    out.push(`${open}>`);
    out.push(`      <failure message="${a(c.failure.message)}" type="${a(c.failure.type)}">${xmlEscape(c.failure.body, false)}</failure>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return out.join('\n') + '\n';
}
