// When a script fails to parse, tell TypeScript apart from a plain syntax error: users drop in
// `.ts`-flavoured scripts often, and "Unexpected token" alone does not say what to change.

const TYPESCRIPT_PATTERNS: readonly RegExp[] = [
  /^\s*(export\s+)?(interface|enum|namespace|declare|abstract\s+class)\s+[A-Za-z_$]/m,
  /^\s*(export\s+)?type\s+[A-Za-z_$][\w$]*\s*(<[^>]*>)?\s*=/m,
  /\b(const|let|var)\s+[A-Za-z_$][\w$]*\s*:\s*[A-Za-z_${[(]/,
  /\(\s*[A-Za-z_$][\w$]*\??\s*:\s*[A-Za-z_$][\w$<>[\]|, ]*[,)]/,
  /\)\s*:\s*[A-Za-z_$][\w$<>[\]| ]*\s*(=>|\{)/,
  /\bas\s+(const|string|number|boolean|any|unknown|never|[A-Z][\w$]*)\b/,
  /[A-Za-z_$][\w$]*<[A-Z][\w$, <>[\]]*>\s*\(/,
  /\b(public|private|protected|readonly)\s+[A-Za-z_$][\w$]*\s*[:;=]/,
  /[A-Za-z_$\])]!\./,
];

export function looksLikeTypeScript(source: string): boolean {
  const code = source.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '');
  return TYPESCRIPT_PATTERNS.some((pattern) => pattern.test(code));
}
