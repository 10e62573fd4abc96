import { parentPort, workerData } from 'node:worker_threads'
import { convertToVoicemail, type ConvertOptions } from './convert.js'
import { AudioConversionError } from './errors.js'

/**
 * Worker-thread entry of `convertOffThread`: converts the bytes it was started with and posts one reply. An
 * AudioConversionError travels as its problem and message (errors do not survive structured cloning as classes).
 */
const { bytes, options } = workerData as { bytes: Uint8Array; options: ConvertOptions }

convertToVoicemail(bytes, options).then(
  (result) => parentPort?.postMessage({ ok: true, result }),
  (err: unknown) =>
    parentPort?.postMessage(
      err instanceof AudioConversionError
        ? { ok: false, problem: err.problem, message: err.message }
        : { ok: false, message: err instanceof Error ? err.message : String(err) },
    ),
)
