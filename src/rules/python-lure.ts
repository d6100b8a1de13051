import { defineRule } from './define-rule.js';
import { indexFor } from '../analysis/source-index.js';
import { chainText, indicatorEvidence, indicatorsIn, indicatorsInSteps, isTestPath, locate, worst } from '../analysis/source-evidence.js';
import { short } from '../analysis/js/facts.js';
import { rank } from '../analysis/urls.js';
import type { Confidence, Evidence, Severity } from '../types.js';

const NET = 1;
const DEC = 2;

/**
 * Is the socket created on this line (`sock = socket.socket(...)`) bound to a loopback address (127.0.0.1, localhost,
 * ::1), and never used to connect or send? Text-level: the name it is assigned to, then its method calls in the file.
 */
function listeningOnly(text: string, line: number): boolean {
  const name = /^\s*([A-Za-z_]\w{0,60}(?:\.[A-Za-z_]\w{0,60})?)\s*=\s*socket\.socket\(/.exec(text.split('\n')[line - 1] ?? '')?.[1];
  if (!name) return false;
  const esc = name.replace('.', '\\.');
  return new RegExp(`\\b${esc}\\.bind\\(\\s*\\(\\s*['"](?:127\\.0\\.0\\.1|localhost|::1)['"]`).test(text) && !new RegExp(`\\b${esc}\\.(?:connect|connect_ex|send|sendall|sendto|sendfile)\\(`).test(text);
}

export default defineRule({
  meta: {
    id: 'python-lure',
    title: 'Python loader: decoded or downloaded code executed, install-time network, hidden drops',
    description:
      'In Python files: exec/eval/compile of decoded data (`zlib.decompress(base64.b64decode(x[::-1]))`, `bytes.fromhex`, marshal) or of a network response; ' +
      'marshal/pickle/yaml.load (without a safe loader) on network data; writes to the InvisibleFerret drop paths (`~/.n2`, `~/.npl`, `~/.sysinfo`, `~/.pyp`); ' +
      'network requests at import time in `setup.py` (with or without a custom `cmdclass`) or `__init__.py`; `pip install` launched at run time. ' +
      'The inline data is decoded and its URLs are checked. `pickle.load` of a local model file and requests made inside functions stay quiet.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T13'],
    remediation: 'Do not run the script or install the package. Read the decoded payload in the evidence; report the repository.',
  },
  async check(ctx) {
    const index = await indexFor(ctx);
    for (const sf of index.files) {
      const py = sf.py;
      if (!py) continue;
      const test = isTestPath(sf.path);
      const base = sf.path.split('/').pop() ?? sf.path;
      const installTime = base === 'setup.py' || base === '__init__.py' || base === 'conftest.py';
      // A stand-alone script a maintainer runs (in scripts/, tools/, hacking/, packaging/…, with a __main__ guard, or
      // parsing its command line at top level)
      // is not imported by the package: its top-level requests and pip installs run when someone runs it, not on import.
      const handRun =
        !installTime &&
        (/(?:^|\/)(?:scripts?|tools|hacking|packaging|bench|benchmarks?|ci|\.github|devtools|maint|release)\//.test(sf.path) || /^if\s+__name__\s*==\s*['"]__main__['"]\s*:/m.test(sf.text) || /^\w+\s*=\s*argparse\.ArgumentParser\(/m.test(sf.text));
      for (const s of py.sinks) {
        let severity: Severity | undefined;
        let confidence: Confidence = 'high';
        let what = '';
        if (s.kind === 'exec' && s.taint & (NET | DEC)) {
          severity = 'critical';
          what = `${s.api}() runs ${s.taint & NET ? 'code downloaded from the network' : 'decoded data'}`;
        } else if (s.kind === 'deserialize' && (s.taint & NET || (s.api.startsWith('marshal') && s.taint & DEC))) {
          // marshal.loads() of decoded bytes only makes a code object; running it takes exec(), which the decoded taint
          // reaches and which is reported (critical) on its own. Alone it is how loaders such as PyInstaller's read
          // their own archives and pipes: low.
          const codeObject = !(s.taint & NET) && s.api.startsWith('marshal');
          severity = codeObject ? 'low' : 'critical';
          what = codeObject
            ? `${s.api}() makes a code object from decoded bytes (running it needs exec(), reported on its own)`
            : `${s.api}() loads ${s.taint & NET ? 'network data' : 'decoded bytes'} (code execution by design)`;
          // Tests unpickle responses of their own local test server; a loader in a test folder still execs.
          if (test && severity === 'critical') severity = 'medium';
        } else if (s.kind === 'deserialize' && s.api === 'yaml.load' && s.safeLoader === false && s.taint & NET) {
          severity = 'high';
          what = 'yaml.load without a safe loader on network data';
        } else if (s.kind === 'hidden-write') {
          severity = 'critical';
          what = `writes to a hidden drop path used by InvisibleFerret (${short(s.decoded ?? s.argText, 80)})`;
        } else if (s.kind === 'process' && s.pipInstall) {
          severity = installTime ? 'high' : handRun ? 'low' : 'medium';
          confidence = 'medium';
          what = `installs packages at run time (${short(s.argText, 80)})`;
        } else if (s.kind === 'process' && s.taint & (NET | DEC)) {
          severity = 'critical';
          what = `${s.api}() runs a command that was ${s.taint & NET ? 'downloaded' : 'decoded'}`;
        }
        if (!severity) continue;
        if (test && severity !== 'critical') severity = 'low';
        const inds = [...indicatorsInSteps(s.steps, ctx.signatures), ...(s.decoded ? indicatorsIn(s.decoded, 'decoded payload', ctx.signatures) : [])];
        const evidence: Evidence[] = [{ kind: 'chain', value: chainText(s.steps, `${s.api}(${short(s.argText, 60)})`, s.line) }, ...indicatorEvidence(inds)];
        if (s.decoded && s.kind !== 'hidden-write') evidence.push({ kind: 'decoded', value: short(s.decoded, 800) });
        if (s.topLevel) evidence.push({ kind: 'trait', value: `runs at module top level${installTime ? ` of ${base} (install/import time)` : ''}` });
        ctx.report({ severity, confidence, message: what, location: locate(sf, s.line), evidence, key: `${s.kind}:${s.api}:${s.line}` });
      }
      for (const n of py.net) {
        if (!n.topLevel && !(base === 'setup.py' && py.cmdclass)) continue;
        // A socket the module binds to a loopback address, and never connects or sends from, is a local server (an IPC
        // port, a local test server): it waits on this machine instead of reaching out. What it receives and runs is
        // still followed by the sink checks above (a bind shell's exec of received data).
        if (n.api === 'socket.socket' && listeningOnly(sf.text, n.line)) continue;
        const inds = n.url ? indicatorsIn(n.url, 'request URL', ctx.signatures) : [];
        const c2 = worst(inds);
        let severity: Severity = installTime ? 'high' : 'medium';
        if (base === 'setup.py' && py.cmdclass) severity = 'critical';
        if (c2 && rank(c2) > rank(severity)) severity = c2;
        if (test || (handRun && !c2 && severity === 'medium')) severity = 'low';
        ctx.report({
          severity,
          confidence: installTime || c2 ? 'high' : 'medium',
          message: `${n.api}(${short(n.url ?? '…', 80)}) runs ${base === 'setup.py' ? 'when the package is installed' : installTime ? 'when the package is imported' : handRun ? 'when the script is run (a stand-alone script, not imported by the package)' : 'when the module is loaded'}${base === 'setup.py' && py.cmdclass ? ' (custom cmdclass)' : ''}`,
          location: locate(sf, n.line),
          evidence: indicatorEvidence(inds),
          key: `net:${n.line}`,
        });
      }
    }
  },
});
