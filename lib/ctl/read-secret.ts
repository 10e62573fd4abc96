import type { CtlIo } from './context.js'
import { UsageError } from './errors.js'

/**
 * Read one secret line (a PIN) from stdin. On a terminal the prompt goes to stderr and the terminal is put in raw
 * mode, so what is typed is not echoed (and never lands in a scrollback or a screen share); Enter ends it,
 * Backspace erases, Ctrl-C cancels (raw mode turns it into a byte instead of a signal). Piped stdin: the first
 * line, as typed. Rejects with UsageError when there is no stdin or the entry was cancelled.
 */
export async function readSecretLine(io: CtlIo, prompt: string): Promise<string> {
  const stdin = io.stdin
  if (stdin === undefined) throw new UsageError('no PIN given: use --pin or pipe it on stdin')
  const setRawMode = stdin.setRawMode?.bind(stdin)
  if (io.stdinIsTty === true && setRawMode !== undefined)
    return readWithoutEcho(io, stdin, setRawMode, prompt)
  if (io.stdinIsTty === true) io.stderr.write(prompt)
  let text = ''
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : chunk.toString('utf8')
    if (text.includes('\n')) break
  }
  return (text.split(/\r?\n/)[0] ?? '').trim()
}

async function readWithoutEcho(
  io: CtlIo,
  stdin: AsyncIterable<string | Buffer>,
  setRawMode: (raw: boolean) => unknown,
  prompt: string,
): Promise<string> {
  // Echo off before the prompt shows: keys typed as soon as it appears must not reach the screen.
  setRawMode(true)
  io.stderr.write(prompt)
  let secret = ''
  try {
    for await (const chunk of stdin) {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return secret.trim()
        if (ch === '\u0003') throw new UsageError('PIN entry cancelled')
        if (ch === '\u007f' || ch === '\b') secret = secret.slice(0, -1)
        else secret += ch
      }
    }
    return secret.trim()
  } finally {
    setRawMode(false)
    io.stderr.write('\n')
  }
}
