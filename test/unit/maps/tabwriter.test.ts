// Go text/tabwriter as the cilium CLI configures it: NewWriter(w, minwidth 5, tabwidth 0,
// padding 3, ' ', flags 0). Every expectation below was derived from Go's algorithm:
// - a cell is the text before a '\t'; the text after the last '\t' of a line is a trailing
//   cell that is written as is (never padded);
// - a column block is a run of consecutive lines that all have a terminated cell in that
//   column; its width is max(minwidth, runecount(cell) + padding) over the block;
// - widths count Unicode code points (utf8.RuneCount), not bytes, UTF-16 units or columns.
// In the expected strings `·` marks padding written by the tabwriter (it becomes ' ').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tabwrite } from '../../../src/maps/tabwriter.js';

/** Expected output with `·` standing for padding spaces. */
const pad = (s: string): string => s.replaceAll('·', ' ');

test('TablePrinter shape: header with a non-terminated last cell, rows with a trailing tab', () => {
  const input =
    'IP PREFIX/ADDRESS\tIDENTITY\n' +
    '10.0.0.243/32\tidentity=14753 encryptkey=0\t\n' +
    '0.0.0.0/0\tidentity=2\t\n';
  // Column 0 spans all three lines: max(17, 13, 9) + 3 = 20.
  // Column 1 is terminated only in the two data rows: max(27, 10) + 3 = 30.
  // The header's IDENTITY is its trailing cell, so it gets no padding.
  assert.equal(tabwrite(input), pad(
    'IP PREFIX/ADDRESS···IDENTITY\n' +
    '10.0.0.243/32·······identity=14753 encryptkey=0···\n' +
    '0.0.0.0/0···········identity=2····················\n',
  ));
});

test('every cell tab-terminated (policy get): the last column is padded too', () => {
  const input = 'POLICY\tDIRECTION\t\nAllow\tIngress\t\n';
  // col 0: max(6, 5) + 3 = 9; col 1: max(9, 7) + 3 = 12.
  assert.equal(tabwrite(input), pad('POLICY···DIRECTION···\nAllow····Ingress·····\n'));
});

test('minwidth 5 applies to short columns, including empty cells', () => {
  assert.equal(tabwrite('a\tb\t\n'), pad('a····b····\n')); // 1 + 3 = 4 < 5
  assert.equal(tabwrite('ab\tx\n'), pad('ab···x\n')); // 2 + 3 = 5
  assert.equal(tabwrite('abc\tx\n'), pad('abc···x\n')); // 3 + 3 = 6 > 5
  assert.equal(tabwrite('\tx\n'), pad('·····x\n')); // empty cell: max(5, 0 + 3)
});

test('continuation rows with an empty first cell share the column width', () => {
  assert.equal(tabwrite('k\tv1\t\n\tv2\t\n'), pad('k····v1···\n·····v2···\n'));
});

test('a line without tabs ends the column block: widths above and below are independent', () => {
  const input = 'aaaaaaaa\tb\t\nno tabs here\nc\td\t\n';
  assert.equal(tabwrite(input), pad('aaaaaaaa···b····\nno tabs here\nc····d····\n'));
});

test('column blocks nest: a line with fewer cells splits the blocks of the columns to its right', () => {
  const input =
    'a\tbbbbbbbb\tc\n' + // two terminated cells, trailing c
    'aaaa\tb\n' + // one terminated cell, trailing b
    'x\ty\tz\t\n'; // three terminated cells
  // col 0 (all lines): max(1, 4, 1) + 3 = 7.
  // col 1: line 0 alone (8 + 3 = 11), line 1 has no col 1, line 2 alone (max(5, 1 + 3) = 5).
  // col 2: line 2 only: 5.
  assert.equal(tabwrite(input), pad(
    'a······bbbbbbbb···c\n' +
    'aaaa···b\n' +
    'x······y····z····\n',
  ));
});

test('widths count code points: multi-byte and CJK characters are one each', () => {
  // é is 2 bytes in UTF-8 but one rune: 1 + 3 = 4, so the block width is ab's 5.
  assert.equal(tabwrite('é\tx\t\nab\ty\t\n'), pad('é····x····\nab···y····\n'));
  // Go counts runes, not display columns: three CJK runes + 3 = 6.
  assert.equal(tabwrite('日本語\tz\n'), pad('日本語···z\n'));
  // The same text in ASCII for comparison: widths equal the character count.
  assert.equal(tabwrite('e\tx\t\nab\ty\t\n'), pad('e····x····\nab···y····\n'));
});

test('empty input writes nothing', () => {
  assert.equal(tabwrite(''), '');
});

// Go counts runes, not UTF-16 units. (Not emulated: text after a final newline and '\v'
// cell terminators; the dumps never contain them.)
test('an astral-plane character is one rune, though two UTF-16 units in JavaScript', () => {
  assert.equal(tabwrite('😀\tq\nab\tr\n'), pad('😀····q\nab···r\n'));
});


