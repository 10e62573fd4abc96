/**
 * Per-connection event subscription state of mod_event_socket: format, event names (additive, case-insensitive,
 * `ALL`), `nixevent`, and `filter` (once any filter exists only matching events pass; `/regex/` values).
 */
import { eventFrame, headerOf, type EventFormat } from './frames.js'
import type { RoutedEvent } from './node.js'
import type { UrlEncodeOptions } from './urlencode.js'

const cache = new WeakMap<RoutedEvent, Partial<Record<EventFormat, Buffer>>>()

/** Serialize once per format per event, shared by every connection (1 000 calls in the benchmark). */
export function frameFor(ev: RoutedEvent, format: EventFormat, enc: UrlEncodeOptions): Buffer {
  if (enc.rawPercent === true) return eventFrame(ev.event, format, enc)
  let c = cache.get(ev)
  if (c === undefined) cache.set(ev, (c = {}))
  return (c[format] ??= eventFrame(ev.event, format, enc))
}

export class Subscription {
  format: EventFormat = 'plain'
  all = false
  readonly names = new Set<string>()
  readonly filters: Array<[string, string]> = []

  get active(): boolean {
    return this.all || this.names.size > 0
  }

  /** `event <fmt> NAMES…`: returns the reply text. */
  event(rest: string): string {
    const words = rest.split(/\s+/).filter((w) => w !== '')
    const fmt = (words[0] ?? '').toLowerCase()
    if (fmt === 'plain' || fmt === 'json' || fmt === 'xml') {
      this.format = fmt === 'json' ? 'json' : 'plain'
      words.shift()
    }
    let any = false
    for (let i = 0; i < words.length; i++) {
      const w = (words[i] as string).toUpperCase()
      if (w === 'CUSTOM') {
        // `CUSTOM sub::class …`: subclasses follow; we match CUSTOM events by Event-Subclass.
        for (i++; i < words.length; i++) this.names.add(`CUSTOM ${words[i] as string}`)
        any = true
        break
      }
      if (w === 'ALL') this.all = true
      else if (!/^[A-Z_]+$/.test(w)) continue
      else this.names.add(w)
      any = true
    }
    if (!any) return '-ERR no keywords supplied'
    return `+OK event listener enabled ${this.format}`
  }

  nixevent(rest: string): string {
    const words = rest.split(/\s+/).filter((w) => w !== '')
    if (words.length === 0) return '-ERR no keywords supplied'
    for (const w of words) {
      const u = w.toUpperCase()
      if (u === 'ALL') {
        this.all = false
        this.names.clear()
      } else this.names.delete(u)
    }
    return '+OK events nixed'
  }

  noevents(): string {
    this.all = false
    this.names.clear()
    return '+OK no longer listening for events'
  }

  filter(rest: string): string {
    const [a = '', b = '', ...more] = rest.split(' ')
    if (a.toLowerCase() === 'delete') {
      const value = more.join(' ')
      for (let i = this.filters.length - 1; i >= 0; i--) {
        const f = this.filters[i] as [string, string]
        if (f[0].toLowerCase() === b.toLowerCase() && (value === '' || f[1] === value))
          this.filters.splice(i, 1)
      }
      return `+OK filter deleted. [${b}]=[${value}]`
    }
    if (a === '' || b === '') return '-ERR invalid syntax'
    const value = [b, ...more].join(' ')
    this.filters.push([a, value])
    return `+OK filter added. [${a}]=[${value}]`
  }

  /** Does this connection want this event? */
  wants(ev: RoutedEvent): boolean {
    let ok = this.all || this.names.has(ev.name)
    if (!ok && ev.name === 'CUSTOM') {
      const sub = headerOf(ev.event.headers, 'Event-Subclass')
      ok = sub !== undefined && this.names.has(`CUSTOM ${sub}`)
    }
    if (!ok || this.filters.length === 0) return ok
    return this.filters.some(([h, v]) => {
      const got = headerOf(ev.event.headers, h)
      if (got === undefined) return false
      if (v.startsWith('/') && v.endsWith('/') && v.length > 1) return new RegExp(v.slice(1, -1)).test(got)
      return got === v
    })
  }
}
