/** Where OSV publishes malicious-package records; shared by `signatures update` and its help text. */
export const OSV_ECOSYSTEMS = ['npm', 'PyPI'] as const;

/** Where OSV publishes every record of one ecosystem as a zip. */
export const osvZipUrl = (ecosystem: string) => `https://osv-vulnerabilities.storage.googleapis.com/${encodeURIComponent(ecosystem)}/all.zip`;
