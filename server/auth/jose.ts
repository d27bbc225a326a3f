// jose, loaded at the first token signed or checked: most hubs run in open
// mode with no JWTKey, and jose added about 3.5 MiB to an idle hub's RSS
// (docs/architecture.md#startup-loads-what-is-used). A static import would not
// do: the compiled hub hoists every npm package it imports to its top.
import type * as Jose from 'jose';

let loading: Promise<typeof Jose> | undefined;

export function loadJose(): Promise<typeof Jose> {
  return (loading ??= import('jose'));
}
