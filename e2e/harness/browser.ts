// How e2e launches Chromium here: Debian's build (a wrapper script), run as root, with the start-up
// network chatter off (the closed network refuses it, many connections at a time).
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
];
