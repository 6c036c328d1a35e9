// Reading a `cilium sysdump` (zip or directory): see types.ts for the view it gives.
export type { FlowsFile, Sysdump, SysdumpNode, SysdumpNote, SysdumpRelease } from './types.js';
export { isSysdumpPath, openSysdump, openSysdumpZipBytes } from './open.js';
export { bugtoolFileName } from './layout.js';
