// The release workflow's first job: a tag must name the version in
// package.json (`v0.2.0` for 0.2.0), or the installers would carry one version
// and the release another. A run that is not for a tag (workflow_dispatch)
// has nothing to compare. Runs before `npm ci`, on Node's own type stripping:
//   node --experimental-strip-types scripts/release-version.ts "$GITHUB_REF"
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Undefined when the ref may be released with this version, else why not. */
export function tagProblem(ref: string, version: string): string | undefined {
  if (!ref.startsWith('refs/tags/')) return undefined;
  const tag = ref.slice('refs/tags/'.length);
  if (tag === `v${version}`) return undefined;
  return `the tag ${tag} does not match package.json's version ${version}: tag v${version}, or set "version" to ${tag.replace(/^v/, '')}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ref = process.argv[2] ?? '';
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const problem = tagProblem(ref, String(pkg.version));
  if (problem) {
    console.error(`release-version: ${problem}`);
    process.exit(1);
  }
  console.error(`release-version: ${ref || '(no ref)'} may release ${pkg.version}`);
}
