/** Every rule, in the order they run. A rule file that is not listed here does not exist for lurescan. */
import type { Rule } from './define-rule.js';
import lifecycleScript from './lifecycle-script.js';
import editorTaskAutorun from './editor-task-autorun.js';
import editorAutomaticTasks from './editor-automatic-tasks.js';
import devcontainerCommand from './devcontainer-command.js';
import gitHookCommand from './git-hook-command.js';
import gitConfigExec from './git-config-exec.js';
import disguisedFileType from './disguised-file-type.js';
import c2Url from './c2-url.js';
import clickfixPage from './clickfix-page.js';
import prebuiltBinary from './prebuilt-binary.js';
import remoteCodeExecution from './remote-code-execution.js';
import importTimeNetwork from './import-time-network.js';
import envExfiltration from './env-exfiltration.js';
import encodedC2Config from './encoded-c2-config.js';
import offscreenCode from './offscreen-code.js';
import configInjection from './config-injection.js';
import obfuscatedSource from './obfuscated-source.js';
import pythonLure from './python-lure.js';
import stealerFingerprint from './stealer-fingerprint.js';
import knownMaliciousPackage from './known-malicious-package.js';
import typosquatPackage from './typosquat-package.js';
import lockfileIntegrity from './lockfile-integrity.js';

import registrySecurityHolding from './registry-security-holding.js';
import registryNewPackage from './registry-new-package.js';
import registryInstallScriptAdded from './registry-install-script-added.js';
import registryMaintainerChange from './registry-maintainer-change.js';
import registryMissingPackage from './registry-missing-package.js';
import registryRemovedPackage from './registry-removed-package.js';
import registryDeprecated from './registry-deprecated.js';
import registryRepositoryChanged from './registry-repository-changed.js';
import registryProvenanceDropped from './registry-provenance-dropped.js';

export const RULES: readonly Rule[] = [
  lifecycleScript,
  editorTaskAutorun,
  editorAutomaticTasks,
  devcontainerCommand,
  gitHookCommand,
  gitConfigExec,
  disguisedFileType,
  c2Url,
  clickfixPage,
  prebuiltBinary,
  remoteCodeExecution,
  importTimeNetwork,
  envExfiltration,
  encodedC2Config,
  offscreenCode,
  configInjection,
  obfuscatedSource,
  pythonLure,
  stealerFingerprint,
  knownMaliciousPackage,
  typosquatPackage,
  lockfileIntegrity,
  registrySecurityHolding,
  registryNewPackage,
  registryInstallScriptAdded,
  registryMaintainerChange,
  registryMissingPackage,
  registryRemovedPackage,
  registryDeprecated,
  registryRepositoryChanged,
  registryProvenanceDropped,
];
