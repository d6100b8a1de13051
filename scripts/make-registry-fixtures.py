#!/usr/bin/env python3
"""Fixture cases of the registry rules (issue 8). Each case is a tiny repository plus registry.json: the registry
facts recorded for it (the shape of src/registry/facts.ts), which the rule harness hands to the scan instead of
asking a registry. Package names are invented; the registry is a reserved name."""
import json, os

ROOT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'rules')
REG = 'https://npm.corp.example/'
AS_OF = '2026-11-20T00:00:00.000Z'

def case(rule, kind, name, facts, expect=None, deps=None):
    base = os.path.join(ROOT, rule, kind, name)
    os.makedirs(base, exist_ok=True)
    pkg = {"name": "fixture-app", "version": "1.0.0", "private": True, "dependencies": deps or {f['name']: f.get('version', '*') for f in facts}}
    with open(os.path.join(base, 'package.json'), 'w') as f:
        json.dump(pkg, f, indent=2); f.write('\n')
    for fa in facts:
        fa.setdefault('exists', True); fa.setdefault('registry', REG); fa.setdefault('where', {"file": "package.json", "line": 5})
    with open(os.path.join(base, 'registry.json'), 'w') as f:
        json.dump({"registry": REG, "asOf": AS_OF, "packages": facts}, f, indent=2); f.write('\n')
    if expect:
        with open(os.path.join(base, 'expect.json'), 'w') as f:
            json.dump(expect, f)

old = {"packageCreated": "2019-03-01T00:00:00.000Z", "versionCount": 48}
case('registry-security-holding', 'positive', 'holding-version', [{"name": "color-helper-kit", "version": "0.0.1-security", "latest": "0.0.1-security", "versionCount": 3, "securityHolding": True}], {"minSeverity": "critical"})
case('registry-security-holding', 'negative', 'ordinary-latest', [{"name": "left-padder", "version": "1.4.0", "latest": "1.4.0", "securityHolding": False, **old}])

case('registry-new-package', 'positive', 'days-old-with-postinstall', [{"name": "fast-env-loader", "version": "1.0.0", "packageCreated": "2026-11-16T08:00:00.000Z", "versionCount": 1, "installScripts": {"postinstall": "node lib/setup.js"}}], {"minSeverity": "high"})
case('registry-new-package', 'positive', 'few-versions', [{"name": "react-form-sdk-utils", "version": "0.1.1", "packageCreated": "2026-09-01T00:00:00.000Z", "versionCount": 2, "installScripts": {}}])
case('registry-new-package', 'negative', 'established', [{"name": "left-padder", "version": "1.4.0", "installScripts": {}, **old}])

case('registry-install-script-added', 'positive', 'postinstall-appears', [{"name": "left-padder", "version": "1.4.1", "previousVersion": "1.4.0", "installScripts": {"postinstall": "node lib/setup.js"}, "previousInstallScripts": {}, **old}], {"minSeverity": "high"})
case('registry-install-script-added', 'positive', 'script-changed', [{"name": "img-resize-native", "version": "3.2.0", "previousVersion": "3.1.9", "installScripts": {"install": "node-gyp rebuild && node ./build/check.js"}, "previousInstallScripts": {"install": "node-gyp rebuild"}, **old}])
case('registry-install-script-added', 'negative', 'same-script-as-before', [{"name": "img-resize-native", "version": "3.1.9", "previousVersion": "3.1.8", "installScripts": {"install": "node-gyp rebuild"}, "previousInstallScripts": {"install": "node-gyp rebuild"}, **old}])

case('registry-maintainer-change', 'positive', 'all-maintainers-changed', [{"name": "left-padder", "version": "1.4.1", "previousVersion": "1.4.0", "maintainers": ["new-owner-9921"], "previousMaintainers": ["alice", "bob"], **old}], {"minSeverity": "high"})
case('registry-maintainer-change', 'positive', 'maintainer-added', [{"name": "left-padder", "version": "1.4.1", "previousVersion": "1.4.0", "maintainers": ["alice", "bob", "carol"], "previousMaintainers": ["alice", "bob"], **old}])
case('registry-maintainer-change', 'negative', 'same-maintainers', [{"name": "left-padder", "version": "1.4.1", "previousVersion": "1.4.0", "maintainers": ["alice", "bob"], "previousMaintainers": ["alice", "bob"], **old}])

case('registry-missing-package', 'positive', 'unclaimed-name', [{"name": "corp-internal-auth-helpers", "exists": False}], {"minSeverity": "high"}, deps={"corp-internal-auth-helpers": "^2.0.0"})
case('registry-missing-package', 'negative', 'exists', [{"name": "left-padder", "version": "1.4.0", **old}])

case('registry-deprecated', 'positive', 'compromised-notice', [{"name": "ua-parser-lite", "version": "0.7.29", "deprecated": "This version was compromised and contains malware. Upgrade to 0.7.30.", **old}], {"minSeverity": "high"})
case('registry-deprecated', 'negative', 'ordinary-deprecation', [{"name": "request-lite", "version": "2.88.2", "deprecated": "request-lite has been deprecated, see the README for alternatives", **old}])

case('registry-repository-changed', 'positive', 'points-elsewhere', [{"name": "left-padder", "version": "1.4.1", "previousVersion": "1.4.0", "repository": "github.com/someone-else/left-padder", "previousRepository": "github.com/leftpad-org/left-padder", **old}])
case('registry-repository-changed', 'negative', 'same-repo-other-form', [{"name": "left-padder", "version": "1.4.1", "previousVersion": "1.4.0", "repository": "github.com/leftpad-org/left-padder", "previousRepository": "github.com/leftpad-org/left-padder", **old}])

case('registry-provenance-dropped', 'positive', 'no-provenance-now', [{"name": "left-padder", "version": "1.4.1", "previousVersion": "1.4.0", "provenance": False, "previousProvenance": True, **old}], {"minSeverity": "high"})
case('registry-provenance-dropped', 'negative', 'never-had-provenance', [{"name": "left-padder", "version": "1.4.1", "previousVersion": "1.4.0", "provenance": False, "previousProvenance": False, **old}])
print('registry fixtures written')
