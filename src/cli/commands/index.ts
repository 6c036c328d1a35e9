// The CI and analysis commands, registered by main.ts: check, matrix, diff.
export { checkCommand } from './check.js';
export { matrixCommand } from './matrix.js';
export { diffCommand } from './diff.js';
