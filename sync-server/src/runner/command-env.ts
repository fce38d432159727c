// The environment a command gets: an allow-list, never "everything minus what we know is secret". A deny
// list misses what it does not name (AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, a DATABASE_URL with a password,
// whatever the user's shell exported); an allow-list lets through only what tools need to find themselves
// and talk to the user: paths, locale, terminal, toolchain homes. Anything else the user names in
// BOOCODE_COMMAND_ENV (runner-config.ts). The runner's own secrets never pass, named or not.

/** Variables every command gets when the runner has them. Locations and settings, not credentials. */
export const COMMAND_ENV_ALLOWLIST: readonly string[] = [
  // Who and where
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TMPDIR',
  'TZ',
  // Locale and terminal (LC_* too, below)
  'LANG',
  'LANGUAGE',
  'TERM',
  'COLORTERM',
  'NO_COLOR',
  'FORCE_COLOR',
  'CI',
  'EDITOR',
  'VISUAL',
  'PAGER',
  // XDG base directories
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_STATE_HOME',
  'XDG_RUNTIME_DIR',
  // Toolchains that find themselves through a home variable
  'JAVA_HOME',
  'GOPATH',
  'GOROOT',
  'GOCACHE',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'NVM_DIR',
  'NVM_BIN',
  'PNPM_HOME',
  'VOLTA_HOME',
  'BUN_INSTALL',
  'DENO_DIR',
  'PYENV_ROOT',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'ANDROID_HOME',
  // Certificates: where they are, not what they are
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
];

/** The runner's own secrets: never handed to a command, even when the user lists them. */
export const RUNNER_SECRET_NAMES: readonly string[] = ['BOOCODE_RUNNER_TOKEN', 'BOOCODE_TOKEN'];

function allowed(name: string, extra: ReadonlySet<string>): boolean {
  return COMMAND_ENV_ALLOWLIST.includes(name) || name.startsWith('LC_') || extra.has(name);
}

/**
 * Whether a variable may appear where a command could read it: in its environment, or in the start
 * environment of any process it can reach (/proc/<pid>/environ).
 */
export function mayCommandsSee(
  name: string,
  extraNames: readonly string[] = [],
  secretNames: readonly string[] = [],
): boolean {
  if (RUNNER_SECRET_NAMES.includes(name) || secretNames.includes(name)) return false;
  return allowed(name, new Set(extraNames));
}

/**
 * The environment for commands: the allow-listed variables of `source`, plus `extraNames` the user chose
 * to pass, minus `secretNames` (provider key variables) and the runner's token, whatever was asked.
 */
export function commandEnvironment(
  source: NodeJS.ProcessEnv,
  extraNames: readonly string[] = [],
  secretNames: readonly string[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && mayCommandsSee(name, extraNames, secretNames)) env[name] = value;
  }
  return env;
}
