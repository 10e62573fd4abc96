/** BACKGROUND_JOB events of `bgapi` (mes.c:1577–1588). */
import type { FsNode } from './node.js'

/** BACKGROUND_JOB to every subscriber (not addressed to the sender, mes.c:1577–1588). */
export function publishJob(
  node: FsNode,
  jobUuid: string,
  cmdLine: string,
  body: string,
  owner?: string,
): void {
  const sp = cmdLine.indexOf(' ')
  const event = {
    headers: [
      ...node.standardHeaders('BACKGROUND_JOB', 'mod_event_socket.c', 'api_exec', 1580),
      ['Job-UUID', jobUuid] as const,
      ['Job-Command', sp < 0 ? cmdLine : cmdLine.slice(0, sp)] as const,
      ...(sp < 0 ? [] : [['Job-Command-Arg', cmdLine.slice(sp + 1)] as const]),
      ...(owner !== undefined ? [['Job-Owner-UUID', owner] as const] : []),
    ],
    body,
  }
  node.publish(
    owner !== undefined
      ? { event, name: 'BACKGROUND_JOB', jobOwner: owner }
      : { event, name: 'BACKGROUND_JOB' },
  )
}
