// What npm users get from rayon-web-host (js/): the packed file list, the
// package.json fields a registry page and resolvers need, and the packed
// declarations type-checking under `tsc --strict` (no skipLibCheck) in a
// Node-only project (lib es2022, types node, no DOM) and in a DOM project.
// The Rust side (crates.io, docs.rs, README crate) is checked by
// `cargo xtask release-check` (xtask/src/release.rs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JS = path.join(ROOT, 'js');
const TESTS = path.join(ROOT, 'tests');
const pkg = JSON.parse(readFileSync(path.join(JS, 'package.json'), 'utf8'));

/** Files of the package that run as worker scripts, not as imported modules. */
const SCRIPTS = ['src/host-worker.js', 'src/isolation-sw.js'];

function npm(args, cwd) {
  return execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

test('package.json has what the registry and resolvers need', () => {
  assert.equal(pkg.name, 'rayon-web-host');
  assert.equal(pkg.license, 'MIT OR Apache-2.0');
  assert.ok(pkg.repository?.url && pkg.repository.directory === 'js', 'repository with directory "js"');
  assert.ok(Array.isArray(pkg.keywords) && pkg.keywords.length >= 3, 'keywords');
  assert.ok(Array.isArray(pkg.files) && pkg.files.length > 0, 'files allowlist');
  assert.equal(pkg.type, 'module');
  // Every export has its own declarations, and they are not the root's for ./detect.
  for (const [subpath, entry] of Object.entries(pkg.exports)) {
    // A plain string export is a script to serve, not a module to import (the
    // self-isolation service worker): it must exist, and needs no declarations.
    if (typeof entry === 'string' && SCRIPTS.includes(entry.replace(/^\.\//, ''))) {
      assert.ok(existsSync(path.join(JS, entry)), `${entry} exists`);
      continue;
    }
    assert.ok(entry.types && entry.default, `exports["${subpath}"] has types and default`);
    assert.ok(existsSync(path.join(JS, entry.types)), `${entry.types} exists`);
    assert.ok(existsSync(path.join(JS, entry.default)), `${entry.default} exists`);
  }
  assert.equal(pkg.exports['./detect'].types, './src/detect.d.ts');
});

// The bundler tests (tests/browser/bundlers.test.mjs) catch this too, but only after a
// full build per bundler; this is the same rule read from the sources, in milliseconds.
test('no module of the package names a `node:` built-in in an import bundlers resolve (webpack 5 and esbuild fail on them in browser builds)', () => {
  for (const f of readdirSync(path.join(JS, 'src')).filter((f) => f.endsWith('.js'))) {
    const src = readFileSync(path.join(JS, 'src', f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const literal = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"`]node:[^'"`]*['"`]/.exec(src);
    assert.equal(literal, null, `js/src/${f}: ${literal?.[0]} — import Node built-ins by a variable (see js/src/worker-handle.js spawnWorker)`);
  }
});

test('npm pack ships the sources, their declarations, README and licences, nothing else', () => {
  const [packed] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], JS));
  const files = packed.files.map((f) => f.path).sort();
  for (const need of ['package.json', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'src/index.js', 'src/index.d.ts', 'src/detect.js', 'src/detect.d.ts', 'src/host-worker.js']) {
    assert.ok(files.includes(need), `${need} is packed (packed: ${files.join(', ')})`);
  }
  // Every file an export or a module imports at run time is in the pack.
  for (const entry of Object.values(pkg.exports)) {
    for (const f of typeof entry === 'string' ? [entry] : [entry.types, entry.default]) assert.ok(files.includes(f.replace(/^\.\//, '')), `${f} is packed`);
  }
  const junk = files.filter((f) => !/^(package\.json|README\.md|LICENSE-(MIT|APACHE)|src\/[\w-]+\.(js|d\.ts))$/.test(f));
  assert.deepEqual(junk, [], 'no files beyond sources, declarations, README and licences');
  // Each .js in src has declarations or is a script run as a worker (the host
  // worker, the self-isolation service worker), never imported by users.
  for (const f of files.filter((f) => f.endsWith('.js') && !SCRIPTS.includes(f))) {
    assert.ok(files.includes(f.replace(/\.js$/, '.d.ts')), `${f} has a .d.ts`);
  }
  // The licences are the repository's.
  for (const l of ['LICENSE-MIT', 'LICENSE-APACHE']) {
    assert.equal(readFileSync(path.join(JS, l), 'utf8'), readFileSync(path.join(ROOT, l), 'utf8'), `js/${l} is the root's`);
  }
});

test('the packed declarations type-check with tsc --strict, Node-only and with DOM', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rayon-web-host-types-'));
  try {
    const tarball = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], JS))[0].filename;
    const installed = path.join(dir, 'node_modules', 'rayon-web-host');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['xzf', path.join(dir, tarball), '-C', installed, '--strip-components=1'], { timeout: 60_000 });
    copyFileSync(path.join(TESTS, 'types', 'package-usage.ts'), path.join(dir, 'package-usage.ts'));
    writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
    // Each subpath's declarations declare exactly what its module exports at run
    // time (a missing name, or a name of another module, fails with that name).
    const checks = [];
    for (const [subpath, entry] of Object.entries(pkg.exports)) {
      if (typeof entry !== 'object' || !entry.types) continue;
      const specifier = path.posix.join('rayon-web-host', subpath);
      const runtime = Object.keys(await import(path.join(installed, entry.default))).filter((n) => n !== 'default');
      assert.ok(runtime.length > 0, `${specifier} exports something`);
      const i = checks.length;
      checks.push(`import * as m${i} from '${specifier}';
type Declared${i} = keyof typeof m${i};
type Runtime${i} = ${runtime.map((n) => `'${n}'`).join(' | ')};
/** Names ${specifier} exports at run time but its declarations lack. */
export type UndeclaredIn${i} = MustBeNever<Exclude<Runtime${i}, Declared${i}>>;
/** Names ${specifier}'s declarations claim but the module does not export. */
export type NotExportedBy${i} = MustBeNever<Exclude<Declared${i}, Runtime${i}>>;
`);
    }
    writeFileSync(path.join(dir, 'exports-match.ts'), `type MustBeNever<T extends never> = T;\n${checks.join('\n')}`);
    const tsc = path.join(TESTS, 'node_modules', 'typescript', 'bin', 'tsc');
    const base = {
      strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
      skipLibCheck: false, types: ['node'], typeRoots: [path.join(TESTS, 'node_modules', '@types')],
    };
    for (const [name, lib] of [['node-only', ['es2022']], ['dom', ['es2022', 'dom']]]) {
      const config = path.join(dir, `tsconfig.${name}.json`);
      writeFileSync(config, JSON.stringify({ compilerOptions: { ...base, lib }, files: ['package-usage.ts', 'exports-match.ts'] }, null, 2));
      try {
        execFileSync(process.execPath, [tsc, '-p', config], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      } catch (e) {
        assert.fail(`tsc --strict (${name}: lib ${lib.join(', ')}, types node) reported errors:\n${e.stdout}${e.stderr}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
