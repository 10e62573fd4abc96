/**
 * The voicemail page's tests: the real daemon (test/support/daemon-harness.ts: real SQLite file, the FreeSWITCH
 * simulator on both sides, port 0 everywhere) and a small HTTP client that keeps its cookie and CSRF token the way
 * the page does, plus what the tests check over and over.
 */
import type { Test } from 'tap'
import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../lib/log.js'
import { startHarness, type Harness, type HarnessOptions } from '../support/daemon-harness.js'
import { DOMAIN, ownerConfig, PIN, setPin } from '../flows/owner-fixture.js'

export { DOMAIN, PIN }

export interface WebHarness extends Harness {
  /** `http://127.0.0.1:<port>` of the page's listener. */
  base: string
  /** A fresh browser-like client (own cookie jar). */
  client(options?: ClientOptions): WebClient
  /** A client logged in to `box` with `pin` (asserts the login worked). */
  loggedIn(box?: string, pin?: string): Promise<WebClient>
  /** Every log line the daemon wrote, as JSON text (when started with `captureLog`). */
  logText(): string
}

export interface ClientOptions {
  /** Headers sent with every request (e.g. a proxy's X-Forwarded-For). */
  headers?: Record<string, string>
  /** Send `Origin` like a browser does on a POST (default true). */
  origin?: boolean
}

export interface Reply {
  status: number
  headers: Headers
  json: Record<string, unknown> & { error?: { code: string; message: string } }
  text: string
  bytes: Buffer
}

export class WebClient {
  cookie: string | undefined
  csrf = ''
  lastSetCookie: string | null = null

  constructor(
    readonly base: string,
    private readonly options: ClientOptions = {},
  ) {}

  async request(
    method: string,
    path: string,
    init: {
      json?: unknown
      body?: RequestInit['body']
      headers?: Record<string, string>
      csrf?: boolean
    } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...this.options.headers, ...init.headers }
    if (this.cookie !== undefined) headers.cookie = this.cookie
    if (method !== 'GET' && method !== 'HEAD') {
      if (this.options.origin !== false && headers.origin === undefined) headers.origin = this.base
      if (init.csrf !== false) headers['x-csrf-token'] ??= this.csrf
    }
    let body = init.body
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(init.json)
    }
    const response = await fetch(this.base + path, { method, headers, body, redirect: 'manual' })
    const setCookie = response.headers.get('set-cookie')
    this.lastSetCookie = setCookie
    if (setCookie !== null) {
      const [pair] = setCookie.split(';')
      this.cookie = pair !== undefined && /=.+/.test(pair) ? pair : undefined
    }
    const bytes = Buffer.from(await response.arrayBuffer())
    const text = bytes.toString('utf8')
    let json = {}
    try {
      json = JSON.parse(text) as Record<string, unknown>
    } catch {
      // not JSON (audio, HTML, metrics)
    }
    return { status: response.status, headers: response.headers, json, text, bytes }
  }

  get(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.request('GET', path, headers === undefined ? {} : { headers })
  }

  post(
    path: string,
    json?: unknown,
    init: { headers?: Record<string, string>; csrf?: boolean } = {},
  ): Promise<Reply> {
    return this.request('POST', path, json === undefined ? init : { ...init, json })
  }

  async login(box: string, pin: string, domain = DOMAIN): Promise<Reply> {
    const reply = await this.post('/api/login', { domain, box, pin })
    if (reply.status === 200) this.csrf = String(reply.json.csrf)
    return reply
  }
}

export interface WebOptions extends HarnessOptions {
  /** Give boxes 100, 101 and 800 the PIN 4821 (default true). */
  pins?: boolean
  /** Capture the daemon's log lines (debug level) for `logText()`. */
  captureLog?: boolean
}

/** The daemon with boxes 100 (Alice), 101 (Bob) and 800 (Sales) in pbx.test, and its page on a free port. */
export async function startWeb(t: Test, options: WebOptions = {}): Promise<WebHarness> {
  const lines: string[] = []
  let log: Logger | undefined
  if (options.captureLog === true) {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'))
        done()
      },
    })
    log = createLogger('debug', sink)
  }
  const h = await startHarness(t, {
    ...options,
    config: ownerConfig(options.config ?? {}),
    ...(log === undefined ? {} : { log }),
  })
  if (options.pins !== false) for (const id of ['100', '101', '800']) await setPin(h, id)
  const address = h.app.web?.address
  if (address === undefined) throw new Error('the voicemail page is not running')
  const base = `http://127.0.0.1:${address.port}`
  return {
    ...h,
    base,
    client: (clientOptions) => new WebClient(base, clientOptions),
    async loggedIn(box = '100', pin = PIN) {
      const client = new WebClient(base)
      const reply = await client.login(box, pin)
      t.equal(reply.status, 200, `logged in to ${box}`)
      return client
    },
    logText: () => lines.join(''),
  }
}

/** Update-Reason of every MESSAGE_WAITING sent for `account` so far, with its waiting flag. */
export function lamps(
  h: Harness,
  account: string,
): Array<{ reason: string; waiting: string; counts: string }> {
  return h.fs.sentEvents
    .filter((e) => e.name === 'MESSAGE_WAITING')
    .filter((e) => e.headers.some(([k, v]) => k === 'MWI-Message-Account' && v === `sip:${account}`))
    .map((e) => {
      const get = (name: string): string => e.headers.find(([k]) => k === name)?.[1] ?? ''
      return {
        reason: get('Update-Reason'),
        waiting: get('MWI-Messages-Waiting'),
        counts: get('MWI-Voice-Message'),
      }
    })
}

export { until } from '../support/until.js'
