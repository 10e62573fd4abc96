import type {} from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { convertOffThread } from '../audio/convert-thread.js'
import { describeSource, type ConvertedAudio } from '../audio/convert.js'
import { AudioConversionError } from '../audio/errors.js'
import { removeGreeting } from '../lifecycle/greetings.js'
import { installGreeting } from '../lifecycle/install-greeting.js'
import type { GreetingKind } from '../store/types.js'
import type { WebContext } from './context.js'
import { HttpProblem, notFound } from './errors.js'
import { authed, clientOf } from './guard.js'
import { sendAudio } from './routes-messages.js'
import { greetingsView } from './views.js'

const KINDS: readonly string[] = ['unavailable', 'busy', 'temporary', 'name']
/** The choices of the phone's options `5`: which greeting ordinary unanswered calls get. */
const ACTIVE: readonly string[] = ['unavailable', 'busy', 'name']

/**
 * Greetings (SPEC §4 owner 6, §10): list, listen, upload (any WAV or MP3, converted off the event loop by the
 * module `voicemailctl greeting import` uses), choose the active one, remove the temporary one. Changes are
 * audited as `web:<client>` like the phone's as `phone:<call>`.
 */
export function greetingRoutes(app: FastifyInstance, ctx: WebContext): void {
  const { deps } = ctx
  const limits = (): { maxSeconds: number; maxUploadBytes: number } => ({
    maxSeconds: deps.config.recording.maxGreetingSeconds,
    maxUploadBytes: ctx.http.maxUploadBytes,
  })
  const view = async (rowId: number): Promise<ReturnType<typeof greetingsView>> => {
    const box = await deps.store.mailboxes.findByRowId(rowId)
    if (box === undefined) throw notFound('That mailbox')
    return greetingsView(box, await deps.store.greetings.list(rowId), limits())
  }

  app.get('/api/greetings', async (request) => {
    const { box } = await authed(ctx, request)
    return view(box.rowId)
  })

  app.get<{ Params: { kind: string } }>('/api/greetings/:kind/audio', async (request, reply) => {
    const { box } = await authed(ctx, request)
    const greeting = await deps.store.greetings.get(box.rowId, kindOf(request.params.kind))
    if (greeting === undefined) throw notFound('That greeting')
    return sendAudio(ctx, reply, greeting.file)
  })

  app.post<{ Params: { kind: string } }>('/api/greetings/:kind', async (request) => {
    const { box } = await authed(ctx, request, { change: true })
    const kind = kindOf(request.params.kind)
    const log = ctx.log.child({ domain: box.domain, mailbox: box.id, client: clientOf(request) })
    const bytes = await uploadedFile(request, ctx.http.maxUploadBytes)
    const converted = await convert(bytes, deps.config.recording.maxGreetingSeconds)
    const source = describeSource(converted.source)
    const installed = await installGreeting(deps, box, kind, converted.wav, {
      actor: `web:${clientOf(request)}`,
      action: 'greeting.uploaded',
      detail: { source },
    })
    log.info({ kind, durationMs: installed.durationMs, source, bytes: bytes.length }, 'greeting uploaded')
    return {
      ...(await view(box.rowId)),
      uploaded: { kind, source, message: `Converted from ${source} to 8 kHz mono and saved.` },
    }
  })

  app.post<{ Body: { kind: string } }>(
    '/api/greetings/active',
    {
      schema: {
        body: {
          type: 'object',
          required: ['kind'],
          additionalProperties: false,
          properties: { kind: { type: 'string', enum: ACTIVE } },
        },
      },
    },
    async (request) => {
      const { box } = await authed(ctx, request, { change: true })
      const kind = request.body.kind as GreetingKind
      await deps.store.mailboxes.setActiveGreeting(box.rowId, kind)
      await deps.store.audit.append({
        mailboxRowId: box.rowId,
        actor: `web:${clientOf(request)}`,
        action: 'greeting.activated',
        detail: { kind },
      })
      ctx.log.info({ domain: box.domain, mailbox: box.id, kind }, 'active greeting chosen')
      return view(box.rowId)
    },
  )

  app.delete<{ Params: { kind: string } }>('/api/greetings/:kind', async (request) => {
    const { box } = await authed(ctx, request, { change: true })
    if (kindOf(request.params.kind) !== 'temporary') {
      throw new HttpProblem(
        409,
        'not-removable',
        'Only the temporary greeting can be removed; upload a new recording to replace the others.',
      )
    }
    const log = ctx.log.child({ domain: box.domain, mailbox: box.id })
    await removeGreeting(box, 'temporary', `web:${clientOf(request)}`, deps, log)
    return view(box.rowId)
  })
}

function kindOf(value: string): GreetingKind {
  if (!KINDS.includes(value)) throw notFound('That greeting')
  return value as GreetingKind
}

/** The one file of a multipart upload, whole, within `maxBytes`; a clear 4xx for anything else. */
async function uploadedFile(request: FastifyRequest, maxBytes: number): Promise<Buffer> {
  if (!request.isMultipart()) {
    throw new HttpProblem(415, 'not-multipart', 'Send the greeting as a file upload (multipart/form-data).')
  }
  const tooBig = new HttpProblem(
    413,
    'too-big',
    `The file is larger than ${size(maxBytes)}; send a shorter recording.`,
  )
  let part
  try {
    part = await request.file({ limits: { fileSize: maxBytes, files: 1 } })
    if (part === undefined) throw new HttpProblem(400, 'no-file', 'No file was sent.')
    return await part.toBuffer()
  } catch (err) {
    if (err instanceof HttpProblem) throw err
    if (err instanceof request.server.multipartErrors.RequestFileTooLargeError) throw tooBig
    throw err
  }
}

/** "32 MB", "64 KB": limits are whole binary units in practice. */
function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`
}

async function convert(bytes: Buffer, maxSeconds: number): Promise<ConvertedAudio> {
  try {
    return await convertOffThread(bytes, { maxSeconds })
  } catch (err) {
    if (!(err instanceof AudioConversionError)) throw err
    const status = err.problem === 'not-audio' || err.problem === 'unsupported' ? 415 : 422
    throw new HttpProblem(status, err.problem, err.message)
  }
}
