/**
 * Removes secrets from text that may reach the log or a failed step's message. The runner masks
 * registered secrets too, but error messages also travel where it does not look (the local CLI, act,
 * test output), and HTTP client errors can echo header values.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out.replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, '$1 ***');
}
