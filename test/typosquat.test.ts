/** Look-alike names against the bundled popular list: table-driven, both what fires and what stays quiet. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { loadSignatures } from '../src/signatures/load.js';
import { parseNameList, parsePopularTsv } from '../src/signatures/popular.js';
import { SquatIndex, editOps, foldHomoglyphs, hashFolded, hashOf, hashSeparatorless, osaDistance, typoShape } from '../src/signatures/typosquat.js';
import { FIXTURES, ROOT, scanFolder, tempDir } from './helpers.js';

describe('typosquat index', () => {
  const s = loadSignatures();
  const idx = new SquatIndex(s.popular, s.popular.npmDistinct);
  const fires: [string, string, string][] = [
    ['dotevn', 'dotenv', 'edit-distance'],
    ['lodahs', 'lodash', 'edit-distance'],
    ['epxresso', 'express', 'edit-distance'],
    ['expres', 'express', 'edit-distance'], // a doubled letter typed once, even at the end
    ['expresss', 'express', 'edit-distance'],
    ['body-praser', 'body-parser', 'edit-distance'],
    ['boby_parser', 'body-parser', 'edit-distance'], // one edit once separators are set aside
    ['jsonweqjoken', 'jsonwebtoken', 'edit-distance'],
    ['monent', 'moment', 'edit-distance'], // a neighbouring key
    ['iodash', 'lodash', 'edit-distance'], // a look-alike first letter
    ['reactdom', 'react-dom', 'separator'],
    ['tai1windcss', 'tailwindcss', 'homoglyph'],
    ['types-node', '@types/node', 'scope-confusion'],
    ['tailwindcss-forms', '@tailwindcss/forms', 'scope-confusion'],
    ['babelcli', '@babel/cli', 'scope-confusion'], // only the hyphen form joins an unscoped family
    ['@typescirpt-eslint/parser', '@typescript-eslint/parser', 'scope-confusion'],
    ['axios-sdk', 'axios', 'brand-suffix'],
    ['cross-env.js', 'cross-env', 'brand-suffix'],
    ['cors-validator', 'cors', 'brand-suffix'],
  ];
  it('an index restored from its stored state (v8 serialize, as the result cache keeps it) answers exactly as the built one', () => {
    const restored = SquatIndex.restore(deserialize(serialize(idx.state())) as ReturnType<SquatIndex['state']>, s.popular, s.popular.npmDistinct);
    const names = [...fires.map(([n]) => n), 'express', 'lodash', 'left-pad', 'esm-utils', 'bcrypt-ts', 'eslint-plugin-import-x', 'react-dom-router', 'expresss-js', '@types/nodee'];
    for (const n of names) assert.deepEqual(restored.check(n), idx.check(n), n);
    assert.throws(() => SquatIndex.restore({} as ReturnType<SquatIndex['state']>, s.popular));
    // A state made from other popular names is refused, not misread.
    assert.throws(() => SquatIndex.restore(idx.state(), { ...s.popular, npm: new Map([...s.popular.npm].slice(1)) }));
  });

  it('hashes the separator-less and folded spellings exactly as the strings foldHomoglyphs and a separator strip make', () => {
    const strip = (n: string) => n.replace(/[-_.]/g, '');
    // Every popular name, and strings made of the letters the folding rewrites (rn, vv, 1/i/|, 0, 5) and separators.
    const names = [...s.popular.npm.keys(), ...s.popular.npmHighImpact];
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 50_000; i++) names.push(Array.from({ length: Math.floor(next() * 12) }, () => 'rnvv-_.1i|05mwlos'[Math.floor(next() * 17)]).join(''));
    for (const n of names) {
      assert.equal(hashSeparatorless(n), hashOf(strip(n)), n);
      assert.equal(hashFolded(n), hashOf(foldHomoglyphs(strip(n))), n);
    }
  });

  it('a restored state with its chains tied into a loop answers instead of hanging', () => {
    const state = deserialize(serialize(idx.state())) as ReturnType<SquatIndex['state']>;
    // Every entry's chain link points back at itself or at the next entry: a walk that trusted the links would never end.
    for (const t of [state.del1, state.del2, state.separatorless, state.homoglyph]) {
      for (let i = 0; i < t.next.length; i++) t.next[i] = i % 2 ? i : Math.min(i + 1, t.next.length - 1);
    }
    const damaged = SquatIndex.restore(state, s.popular, s.popular.npmDistinct);
    for (const n of ['dotevn', 'reactdom', 'tai1windcss', 'jsonweqjoken']) damaged.check(n);
    // A table whose bucket count is not a power of two is refused.
    assert.throws(() => SquatIndex.restore({ ...state, del1: { ...state.del1, heads: new Int32Array(100) } }, s.popular, s.popular.npmDistinct));
  });

  it('a name longer than npm allows is no look-alike, and costs nothing (its two-deletion variants would be quadratic)', () => {
    assert.equal(idx.check(`expres${'s'.repeat(100_000)}`), undefined);
    assert.equal(idx.check('x'.repeat(215)), undefined);
  });

  for (const [name, target, kind] of fires) {
    it(`${name} imitates ${target} (${kind})`, () => {
      const m = idx.check(name);
      assert.equal(m?.target, target);
      assert.equal(m?.kind, kind);
      assert.equal(m?.otherWord, undefined);
    });
  }
  // Near a popular name, but the difference makes another word: returned as a weak hint, which the rule reports low.
  const otherWord: [string, string][] = [
    ['jsdoc', 'jsdom'], // an unrelated letter replaced in a short name
    ['watch', 'batch'], // the first letter replaced
    ['tslint-config-prettier', 'eslint-config-prettier'],
    ['crypto', 'crypt'], // a suffix
    ['npm-run-all2', 'npm-run-all'], // a version-fork digit
    ['http2-proxy', 'http-proxy'],
    ['bare-buffer', 'safe-buffer'], // two edits in a four-letter word
    ['lodash-id', 'lodash-es'],
    ['revalidator', 'validator'], // two edits at the start: a prefix
    ['eslint-plugin-import-x', 'eslint-plugin-import'], // a whole word added
  ];
  for (const [name, target] of otherWord) {
    it(`${name} is near ${target} but reads as another word`, () => {
      const m = idx.check(name);
      assert.equal(m?.target, target);
      assert.ok(m?.otherWord, `expected a reason, got ${JSON.stringify(m)}`);
    });
  }
  const quiet = ['clsx', 'xlsx', 'recharts', 'echarts', 'react', 'preact', 'harmless-wrapper', 'my-company-internal-utils', '@acme/lodash', 'ms', 'ws'];
  // Pre-scope names of scopes whose unscoped family is established in the popular list.
  quiet.push('babel-register', 'babel-cli', 'babel-preset-env', 'rollup-plugin-babel', 'rollup-plugin-node-resolve');
  for (const name of quiet) {
    it(`${name} stays quiet`, () => assert.equal(idx.check(name), undefined));
  }
  it('osaDistance counts an adjacent swap as one edit and stops early', () => {
    assert.equal(osaDistance('dotenv', 'dotevn', 2), 1);
    assert.equal(osaDistance('abc', 'xyz', 1), 2);
  });
  it('editOps lists one cheapest alignment as edits on the name', () => {
    assert.deepEqual(editOps('dotevn', 'dotenv'), [{ op: 'swap', at: 4, ch: 'vn' }]);
    assert.deepEqual(editOps('jsdoc', 'jsdom'), [{ op: 'sub', at: 4, ch: 'c', to: 'm' }]);
    assert.deepEqual(editOps('crypto', 'crypt'), [{ op: 'ins', at: 5, ch: 'o' }]);
    assert.deepEqual(editOps('expres', 'express'), [{ op: 'del', at: 5, ch: 's' }]);
    assert.equal(editOps('epxresso', 'express').length, osaDistance('epxresso', 'express', 3));
  });
  it('typoShape judges the edit against the words it falls in', () => {
    assert.deepEqual(typoShape('vite-plugin-svgn', 'vite-plugin-svgr'), { distance: 1 });
    assert.equal(typoShape('eslint-plugin-es5', 'eslint-plugin-es').otherWord, 'an edit in the 3-letter word "es5"');
    assert.equal(typoShape('prettier-2', 'prettier').otherWord, 'whole words added or removed');
  });
});

describe('typosquat-package rule', () => {
  const dir = path.join(FIXTURES, 'rules', 'typosquat-package');
  const findings = async (c: string) => (await scanFolder(path.join(dir, c), { rules: ['typosquat-package'] })).findings;

  it('reports a name that only reads as another word low, not medium', async () => {
    const f = await findings('negative/another-word');
    // jsdoc, watch, npm-run-all2, markdownlint… are npm high-impact names: established, so not reported at all.
    assert.ok(f.length >= 2, `expected the near names that are not established as low findings, got ${f.length}`);
    for (const x of f) {
      assert.equal(x.severity, 'low', x.message);
      assert.match(x.message, /reads as another name rather than a typo/);
    }
  });
  it('never reports an established (high-impact) name, and catches typos of one', async () => {
    assert.deepEqual((await findings('negative/established-near-pairs')).map((x) => x.message), []);
    const loud = await findings('positive/typo-of-high-impact-name');
    assert.equal(loud.length, 1);
    assert.equal(loud[0].severity, 'medium');
    assert.match(loud[0].message, /"tailwind-variamts" is 1 edit from the popular package "tailwind-variants" \(one of npm's high-impact packages\)/);
  });
  it('reports language ports and companions of an established name low, near copies of their targets medium', async () => {
    const quiet = await findings('negative/ports-and-companions');
    assert.deepEqual(
      quiet.map((x) => [x.severity, x.message.replace(/ \(.*?downloads a month\)/, '')]),
      [
        ['low', '"bcrypt-ts" is 2 edits from the popular package "bcryptjs"; but the same name "bcrypt" with another language tag ("js" → "ts"), a port rather than a typo, so it reads as another name rather than a typo.'],
        ['low', '"esm-utils" is 2 edits from the popular package "esutils"; but it is the established name "esm" plus a word of its own ("utils"), so it reads as another name rather than a typo.'],
      ],
    );
    const loud = await findings('positive/near-copy-of-port-target');
    assert.deepEqual(loud.map((x) => x.severity), ['medium', 'medium']);
  });
  it('leaves pre-scope names of an established unscoped family alone', async () => {
    assert.deepEqual((await findings('negative/pre-scope-names')).map((x) => x.message), []);
  });
  it('checks the package an alias installs, not the local name (package.json npm: specs, lockfile tarballs)', async () => {
    assert.deepEqual((await findings('negative/npm-alias')).map((x) => x.message), []);
    const loud = await findings('positive/alias-hides-look-alike');
    assert.equal(loud.length, 1);
    assert.equal(loud[0].severity, 'medium');
    assert.match(loud[0].message, /^"lodash" \(an alias of "lodahs"\) is 1 edit from the popular package "lodash"/);
  });
  it('trusts only public-registry tarball URLs to name what a lockfile entry installs', async () => {
    const { dir: tmp, cleanup } = tempDir();
    try {
      const entry = (key: string, host: string) =>
        `"${key}":\n  version "4.21.2"\n  resolved "https://${host}/express/-/express-4.21.2.tgz"\n\n`;
      writeFileSync(path.join(tmp, 'yarn.lock'), `# yarn lockfile v1\n\n\n${entry('expresss@^4.21.2', 'mirror.example')}`);
      const r = await scanFolder(tmp, { rules: ['typosquat-package'] });
      assert.deepEqual(r.findings.map((x) => x.message.split(' (')[0]), ['"expresss" is 1 edit from the popular package "express"']);
      writeFileSync(path.join(tmp, 'yarn.lock'), `# yarn lockfile v1\n\n\n${entry('expresss@^4.21.2', 'registry.yarnpkg.com')}`);
      assert.deepEqual((await scanFolder(tmp, { rules: ['typosquat-package'] })).findings, []);
      // An alias descriptor names what it installs whatever the host (the inventory reads it, as npm's "name" field).
      writeFileSync(path.join(tmp, 'yarn.lock'), `# yarn lockfile v1\n\n\n${entry('expresss@npm:express@^4.21.2', 'mirror.example')}`);
      assert.deepEqual((await scanFolder(tmp, { rules: ['typosquat-package'] })).findings, []);
    } finally {
      cleanup();
    }
  });
  it('ignores devDependencies of packages installed under node_modules/', async () => {
    assert.deepEqual((await findings('negative/vendored-dev-dependencies')).map((x) => x.message), []);
  });
  it('skips transitive dependencies a popular package declares, keeps those of unknown ones (low)', async () => {
    const f = await findings('negative/transitive-of-popular');
    assert.deepEqual(
      f.map((x) => [x.severity, x.message]),
      [['low', '"expres" is 1 edit from the popular package "express" (' + f[0]?.message.match(/\(([\d,]+) downloads/)?.[1] + ' downloads a month), as a transitive dependency via report-wrapper → expres.']],
    );
  });
});

describe('popular-name lists', () => {
  it('a one-name-a-line list reads as the general parser reads it: the bundled lists and lists in odd shapes', () => {
    const dir = path.join(ROOT, 'signatures', 'popular');
    const texts = ['npm-high-impact.txt', 'npm-known-distinct.txt', 'npm-popular-5000.tsv'].map((f) => readFileSync(path.join(dir, f), 'utf8'));
    texts.push('a\nb\n\n#c\nname\nnamespace\na\n#last', 'x', '', '\n', '#only', 'name', ' a\nb', 'a \nb', 'a\r\nb', 'a\tb\nc', '\u00a0a\nb');
    texts.push('a\n\n\nb\n\n', '##\n#\nq', '\u3000a\nb', 'a\u2028\nb', 'a\u2028b', 'a\u2028#x\nb', 'a\u2029name\nq', 'x\r');
    for (const t of texts) assert.deepEqual(parseNameList(t), [...parsePopularTsv(t).keys()], JSON.stringify(t.slice(0, 40)));
  });
});
