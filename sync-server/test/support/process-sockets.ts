/**
 * The listening sockets this process owns, read from Linux's /proc: what a local attacker would
 * find to connect to. A socket is ours when one of /proc/self/fd links to its inode.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ListeningSockets {
  /** TCP ports (IPv4 and IPv6) in LISTEN state. */
  tcp: number[];
  /** Paths of listening unix sockets. */
  unix: string[];
}

const TCP_LISTEN = '0A';
const SO_ACCEPTCON = 0x10000;

async function ownSocketInodes(): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const fd of await readdir('/proc/self/fd')) {
    const link = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m?.[1]) inodes.add(m[1]);
  }
  return inodes;
}

async function tableRows(file: string): Promise<string[][]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length > 1);
}

export async function listeningSockets(): Promise<ListeningSockets> {
  const own = await ownSocketInodes();
  const tcp: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const cols of await tableRows(file)) {
      const [, local = '', , state, , , , , , inode = ''] = cols;
      if (state === TCP_LISTEN && own.has(inode)) tcp.push(Number.parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  const unix: string[] = [];
  for (const cols of await tableRows('/proc/net/unix')) {
    const [, , , flags = '0', , , inode = '', path] = cols;
    if (path && own.has(inode) && (Number.parseInt(flags, 16) & SO_ACCEPTCON) !== 0) unix.push(path);
  }
  return { tcp: [...new Set(tcp)].sort((a, b) => a - b), unix };
}
