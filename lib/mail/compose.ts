import type { SendMailOptions } from 'nodemailer'
import { attachmentName, escapeHtml, sanitizeLine } from './format.js'
import { templateFor, variablesFor, type MailPayload } from './payload.js'
import { renderHtml, renderText, type TemplateSet } from './templates.js'

/** The audio of a message mail: its bytes, or `missing` when the file was gone at send time. */
export type AttachmentInput = { content: Buffer } | 'missing' | undefined

export interface ComposeInput {
  /** Outbox row id: part of the Message-ID. */
  outboxId: number
  /** Row creation time (epoch ms): the Date header, identical on every retry. */
  createdAt: number
  recipients: readonly string[]
  mail: MailPayload
  templates: TemplateSet
  /** `config.mail.from`. */
  from: string
  attachment?: AttachmentInput
}

/** Longest subject we send, after substitution. */
const MAX_SUBJECT = 200

export const MISSING_AUDIO_NOTE =
  'The recording is not attached: it was deleted from the mailbox before this mail could be sent.'

/**
 * Build the nodemailer message for one outbox row. Pure: the same input gives the same message, so a retry
 * sends the same Message-ID and Date (a receiving server that sees both copies can drop the duplicate).
 *
 * Caller data only reaches headers through the subject, which is sanitised twice: each variable value is one line
 * (variablesFor) and the rendered subject again, so no template can splice in a line break. nodemailer encodes
 * non-ASCII as RFC 2047 words. The From display name never carries caller data.
 */
export function composeMail(input: ComposeInput): SendMailOptions {
  const { mail, templates } = input
  const template = templates[templateFor(mail.kind)]
  const vars = variablesFor(mail)
  let text = renderText(template.text, vars)
  let html = renderHtml(template.html, vars)
  if (input.attachment === 'missing') {
    text = `${MISSING_AUDIO_NOTE}\n\n${text}`
    html = insertAfterBody(html, `<p><i>${escapeHtml(MISSING_AUDIO_NOTE)}</i></p>`)
  }
  const message: SendMailOptions = {
    from: input.from,
    to: [...input.recipients],
    subject: sanitizeLine(renderText(template.subject, vars), MAX_SUBJECT),
    text,
    html,
    date: new Date(input.createdAt),
    messageId: messageId(input.outboxId, mail.payload.mid, input.from),
    headers: {
      // RFC 3834: an automatic notification; vacation responders must not answer it.
      'Auto-Submitted': 'auto-generated',
    },
  }
  if (mail.kind === 'new-message' || mail.kind === 'message-copy') {
    if (mail.payload.urgent) message.priority = 'high'
    if (input.attachment !== undefined && input.attachment !== 'missing') {
      const p = mail.payload
      message.attachments = [
        {
          filename: attachmentName(p.box.id, p.receivedAt, p.box.timezone, p.callerNumber),
          content: input.attachment.content,
          contentType: 'audio/wav',
        },
      ]
    }
  }
  return message
}

/** `<outbox-<row>-<mid>@<domain of From>>`: stable per outbox row. */
export function messageId(outboxId: number, mid: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'voicemaild.invalid'
  const safeMid = mid.replace(/[^A-Za-z0-9-]/g, '')
  return `<outbox-${outboxId}-${safeMid}@${domain}>`
}

function insertAfterBody(html: string, fragment: string): string {
  const body = /<body[^>]*>/i.exec(html)
  if (body === null) return `${fragment}\n${html}`
  const at = body.index + body[0].length
  return `${html.slice(0, at)}\n${fragment}${html.slice(at)}`
}
