import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { ConvertedAudio, ConvertOptions } from './convert.js'
import { AudioConversionError, type AudioProblem } from './errors.js'

export interface ThreadOptions {
  /** A conversion still running after this long is stopped and refused (default 60 s). */
  timeoutMs?: number
  /** Heap ceiling of the worker (default 512 MiB): a hostile file cannot take the daemon's memory with it. */
  maxHeapMb?: number
}

type Reply = { ok: true; result: ConvertedAudio } | { ok: false; problem?: AudioProblem; message: string }

/**
 * `convertToVoicemail` in a worker thread, so that decoding and resampling (about a second of CPU per minute of
 * audio) never hold up the event loop that answers FreeSWITCH. One short-lived worker per conversion: uploads are
 * rare, and a worker that dies takes nothing of the daemon with it. Rejects like `convertToVoicemail`, plus
 * AudioConversionError `timeout`; an Error for a crashed worker.
 */
export function convertOffThread(
  bytes: Uint8Array,
  options: ConvertOptions,
  thread: ThreadOptions = {},
): Promise<ConvertedAudio> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl(), {
      workerData: { bytes, options },
      resourceLimits: { maxOldGenerationSizeMb: thread.maxHeapMb ?? 512 },
    })
    let settled = false
    const settle = (action: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      action()
      void worker.terminate()
    }
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new AudioConversionError('timeout', 'The file took too long to convert; send a shorter one.'),
          ),
        ),
      thread.timeoutMs ?? 60_000,
    )
    worker.once('message', (reply: Reply) =>
      settle(() => {
        if (reply.ok) resolve(reply.result)
        else if (reply.problem !== undefined) reject(new AudioConversionError(reply.problem, reply.message))
        else reject(new Error(`audio conversion failed: ${reply.message}`))
      }),
    )
    worker.once('error', (err) => settle(() => reject(err)))
    worker.once('exit', (code) =>
      settle(() => reject(new Error(`audio conversion worker exited with code ${code}`))),
    )
  })
}

/** The worker module beside this one: `.ts` when run from the sources (tap), `.js` from the build. */
function workerUrl(): URL {
  const ext = extname(fileURLToPath(import.meta.url))
  return new URL(`./convert-worker${ext}`, import.meta.url)
}
