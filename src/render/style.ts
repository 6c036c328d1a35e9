// The small style object renderers receive. Colour is decided once in cli/; renderers never
// look at the terminal. PLAIN is the identity style used for files, pipes and tests.
export interface Style {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly ok: (s: string) => string;
  readonly bad: (s: string) => string;
  readonly warn: (s: string) => string;
  readonly accent: (s: string) => string;
}

const id = (s: string): string => s;
export const PLAIN: Style = { bold: id, dim: id, ok: id, bad: id, warn: id, accent: id };

/** Colour for a terminal; chalk is loaded only then, so piped output starts faster. */
export async function colourStyle(): Promise<Style> {
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  return { bold: c.bold, dim: c.dim, ok: c.green, bad: c.red, warn: c.yellow, accent: c.cyan };
}
