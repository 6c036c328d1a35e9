// JSON with two-space indentation, except that arrays of numbers stay on one line (a
// matrix row of thousands of cells is one line, not thousands).
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\n\s*(-?\d+(?:,\n\s*-?\d+)*)\n\s*\]/g, (_, nums: string) => `[${nums.replace(/,\n\s*/g, ',')}]`) + '\n';
}
