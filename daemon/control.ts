import type { MwiRequests } from '../lib/contracts/lamps.js'
import { ControlRequestError } from '../lib/control/errors.js'
import type { ControlHandlers } from '../lib/control/server.js'
import type { InboundLink } from '../lib/esl/inbound.js'
import type { JobScheduler } from '../lib/jobs/schedule.js'
import type { OutboxWorker } from '../lib/mail/outbox-worker.js'
import type { MwiService } from '../lib/mwi/mwi-service.js'

/**
 * What the daemon does when voicemailctl asks (lib/control): the daemon's own lamp service, scheduler and mail
 * worker do the work, so a lamp goes out over the daemon's FreeSWITCH connection, a job never runs twice at once
 * (a request joins a run in progress), and mail is sent by the one worker.
 */
export function controlHandlers(parts: {
  /** The lamp requests as the call flows make them (the open voicemail pages hear of them too). */
  lamps: MwiRequests
  mwi: MwiService
  link: InboundLink
  /** The scheduler, once the daemon has made it (undefined during the start). */
  jobs: () => JobScheduler | undefined
  mailWorker: OutboxWorker
}): ControlHandlers {
  const connectedNodes = (): string[] => parts.link.nodeStates.filter((n) => n.connected).map((n) => n.node)
  return {
    async 'lamps.refresh'({ boxes, reason }) {
      // One at a time, as voicemailctl did: a box given before and after a change of its accounts is pushed twice.
      for (const box of boxes) await parts.lamps.refresh(box, reason)
      return { boxes: boxes.length, nodes: connectedNodes() }
    },
    async 'lamps.announce'({ reason }) {
      const { boxes, events } = await parts.mwi.announceAll(reason)
      return { boxes, events, nodes: connectedNodes() }
    },
    async 'job.run'({ name }) {
      const jobs = parts.jobs()
      if (jobs === undefined)
        throw new ControlRequestError('starting', 'voicemaild is still starting; try again')
      try {
        return { summary: await jobs.run(name) }
      } catch (err) {
        throw new ControlRequestError('job-failed', err instanceof Error ? err.message : String(err))
      }
    },
    'mail.send'() {
      parts.mailWorker.kick()
      return Promise.resolve({})
    },
  }
}
