import { defineRule } from './define-rule.js';
import { snippet } from '../analysis/text.js';
import type { Severity } from '../types.js';

/** Keys of .git/config that make git run a program, with how bad each is. */
const EXEC_KEYS: [RegExp, Severity, string][] = [
  [/^core\.fsmonitor$/, 'critical', 'core.fsmonitor names a program git runs on nearly every command'],
  [/^core\.sshcommand$/, 'high', 'core.sshCommand replaces ssh for every fetch and push'],
  [/^core\.hookspath$/, 'high', 'core.hooksPath points git at hooks the repository chooses'],
  [/^core\.(?:pager|editor|askpass|gitproxy)$/, 'high', 'a program git runs for you'],
  [/^filter\..+\.(?:clean|smudge|process)$/, 'critical', 'a filter driver: git runs it on checkout and add'],
  [/^diff\..+\.(?:textconv|command)$/, 'high', 'a diff driver: git runs it on diff and log'],
  [/^merge\..+\.driver$/, 'high', 'a merge driver: git runs it on merge'],
  [/^alias\..+$/, 'medium', 'an alias'],
  [/^include\.path$|^includeif\..+\.path$/, 'medium', 'includes another config file'],
  [/^(?:credential\.helper|credential\..+\.helper)$/, 'high', 'a credential helper git runs with your passwords'],
  [/^uploadpack\.packobjectshook$/, 'critical', 'a hook git runs when serving a fetch'],
];

export default defineRule({
  meta: {
    id: 'git-config-exec',
    title: 'Repository git config that makes git run a program',
    description:
      'A `.git/config` only reaches you inside a zip or tarball (a clone never copies it). Keys such as core.fsmonitor, core.hooksPath, core.sshCommand, filter drivers, ' +
      'diff/merge drivers and `!` aliases make your own git run the sender\'s program as soon as you run `git status` in the folder.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T12'],
    remediation: 'Delete the .git folder that came with the archive before running any git command in it, or run git with GIT_CONFIG_NOSYSTEM=1 and a fresh clone instead.',
  },
  async check(ctx) {
    for (const file of ctx.workspace.files) {
      if (file.kind !== 'file' || !/(?:^|\/)\.git\/config$/.test(file.path)) continue;
      const text = await file.text();
      if (!text) continue;
      let section = '';
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i].trim();
        const sec = /^\[\s*([A-Z0-9.-]+)(?:\s+"([^"]*)")?\s*\]/i.exec(l);
        if (sec) {
          section = sec[2] !== undefined ? `${sec[1]}.${sec[2]}` : sec[1];
          continue;
        }
        const eq = l.indexOf('=');
        const name = (eq >= 0 ? l.slice(0, eq) : l).trim();
        if (!section || !/^[A-Z][A-Z0-9-]*$/i.test(name)) continue;
        const key = `${section}.${name}`.toLowerCase();
        const value = eq >= 0 ? l.slice(eq + 1).trim() : '';
        for (const [re, sev, why] of EXEC_KEYS) {
          if (!re.test(key)) continue;
          if (/^core\.fsmonitor$/.test(key) && /^(?:false|0|no|off)?$/i.test(value)) break;
          if (/^alias\./.test(key) && !value.startsWith('!')) break;
          // husky's own hooksPath is ordinary in a developer's local clone.
          const severity: Severity = /^core\.hookspath$/.test(key) && /^\.husky(?:\/_)?$/.test(value) ? 'medium' : sev;
          ctx.report({
            severity,
            confidence: severity === 'critical' ? 'high' : 'medium',
            message: `${file.path} sets ${key} = ${snippet(value, 100)}: ${why}`,
            location: { file: file.path, line: i + 1, snippet: snippet(lines[i]) },
            evidence: [{ kind: 'command', value: value }],
            key: `${key}=${value}`,
          });
          break;
        }
      }
    }
  },
});
