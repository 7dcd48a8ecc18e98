import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { major, satisfies } from 'semver';

/**
 * The project runs on exactly one Node version. It is written in five places; this keeps them equal and
 * checks that every locked dependency accepts it, so `npm ci` never warns EBADENGINE.
 */
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const version = read('.nvmrc').trim();

describe('one Node version', () => {
  it('is an exact version in .nvmrc', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('is the one package.json, scripts/with-node.sh and the Docker image state', () => {
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.engines.node).toBe(version);
    expect(read('scripts/with-node.sh')).toMatch(new RegExp(`^NODE_VERSION=${version.replace(/\./g, '\\.')}$`, 'm'));
    expect(read('docker/Dockerfile')).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${version.replace(/\./g, '\\.')}-`, 'm'));
    expect(major(pkg.devDependencies['@types/node'].replace(/^[\^~]/, ''))).toBe(major(version));
  });

  it('is accepted by every locked package (no EBADENGINE)', () => {
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
    const refusing = Object.entries(lock.packages)
      .map(([path, meta]) => [path || 'kenbun', !Array.isArray(meta.engines) ? meta.engines?.node : undefined] as const)
      .filter(([, range]) => range && !satisfies(version, range))
      .map(([path, range]) => `${path} wants node ${range}`);
    expect(refusing).toEqual([]);
  });

  it('is what CI and the README run the install and the tests with', () => {
    const ci = read('.ci/run');
    expect(ci).toMatch(/^scripts\/with-node\.sh npm ci\b/m);
    expect(ci).toMatch(/^scripts\/with-node\.sh npm test\b/m);
    const firstBlock = read('README.md').split('```bash')[1].split('```')[0];
    expect(firstBlock).toContain('scripts/with-node.sh npm ci && scripts/with-node.sh npm start');
    expect(firstBlock).toContain('scripts/with-node.sh npm test');
  });

  // Locally a developer may run jest with another Node; CI must really have run on the pinned one.
  (process.env.CI === 'true' ? it : it.skip)('is the Node running this test in CI', () => {
    expect(process.version).toBe(`v${version}`);
  });
});

/**
 * `npm ci` warns ERESOLVE when a locked package's peer dependency resolves to a version outside its range. The only
 * ones allowed are those `overrides` in package.json decides on purpose (a peer range that lags a major release the
 * package works with: nest-commander's pinned @golevelup/nestjs-discovery 7 declares NestJS 11 only, and
 * openapi-typescript TypeScript 5); each is resolved the way Node would, from the nearest node_modules up.
 */
describe('locked dependencies', () => {
  type Locked = { version?: string; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, Locked> };
  const overrides = JSON.parse(read('package.json')).overrides as Record<string, Record<string, string>>;
  const resolve = (from: string, name: string): Locked | undefined => {
    for (let dir = from; ;) {
      const found = lock.packages[`${dir ? `${dir}/` : ''}node_modules/${name}`];
      if (found || !dir) return found;
      const i = dir.lastIndexOf('/node_modules/');
      dir = i < 0 ? '' : dir.slice(0, i);
    }
  };

  it('meet every peer range but the ones package.json overrides (no ERESOLVE warning)', () => {
    const unmet: string[] = [];
    for (const [path, meta] of Object.entries(lock.packages)) {
      for (const [peer, range] of Object.entries(meta.peerDependencies ?? {})) {
        const found = resolve(path, peer);
        if (found ? satisfies(found.version!, range, { includePrerelease: true }) : meta.peerDependenciesMeta?.[peer]?.optional) continue;
        const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
        if (!overrides[name]?.[peer]) unmet.push(`${path} wants ${peer}@${range}, gets ${found?.version ?? 'nothing'}`);
      }
    }
    expect(unmet).toEqual([]);
  });
});
