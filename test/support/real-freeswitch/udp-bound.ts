/**
 * Whether a process holds a UDP socket on a loopback port, read from Linux's /proc (the real tier runs on Linux).
 * A sipp that plays a called phone must own its contact port before the phone registers it: a free port picked
 * with `freeUdpTcpPort` can be taken by another process in between, and sipp then exits, silently, with its
 * output ignored, leaving FreeSWITCH to ring an address where nobody answers.
 */
import { readFile, readdir, readlink } from 'node:fs/promises'

/** Socket inodes of the UDP sockets bound to `port` (any local address). */
async function udpInodes(port: number): Promise<Set<string>> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const table = await readFile('/proc/net/udp', 'utf8')
  const inodes = new Set<string>()
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    if (fields[1]?.endsWith(`:${hexPort}`) === true && fields[9] !== undefined) inodes.add(fields[9])
  }
  return inodes
}

export async function holdsUdpPort(pid: number, port: number): Promise<boolean> {
  const inodes = await udpInodes(port)
  if (inodes.size === 0) return false
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [])
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
    if (inode !== undefined && inodes.has(inode)) return true
  }
  return false
}
