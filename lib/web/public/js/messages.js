// The box: messages in the phone's order, their actions, and live updates over server-sent events.
import { api, say } from './api.js'

const $ = (id) => document.getElementById(id)
const items = new Map() // message id -> { li, view }
let events
let known // ids seen in the last render (undefined before the first one)
let loading
let firstRender = true

/** Show the box view's data (read now) and keep it live until `stopMessages`. */
export async function showMessages() {
  listen()
  await refresh()
}

/** Stop the live updates and forget what was shown (logout). */
export function stopMessages() {
  events?.close()
  events = undefined
  known = undefined
  for (const { li } of items.values()) li.remove()
  items.clear()
}

function listen() {
  if (events !== undefined) return
  events = new EventSource('/api/events')
  events.addEventListener('changed', () => void refresh())
  events.addEventListener('logout', () => {
    stopMessages()
    void api('GET', '/api/box').catch(() => {}) // the 401 takes the page back to the login form
  })
}

/** Re-read the box and render it; overlapping calls share one request. */
function refresh() {
  loading ??= api('GET', '/api/box')
    .then(render)
    .catch((err) => {
      if (err.status !== 401) say($('box-error'), err.message)
    })
    .finally(() => {
      loading = undefined
    })
  return loading
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function render(box) {
  const { counts, quota } = box
  const urgent = counts.newUrgent > 0 ? `, ${counts.newUrgent} urgent` : ''
  $('box-summary').textContent =
    `You have ${plural(counts.new, 'new message')}${urgent} and ${plural(counts.saved, 'saved message')}.`
  $('box-quota').hidden = quota.state === 'ok'
  $('box-quota').textContent =
    quota.state === 'full'
      ? `Your mailbox is full (${quota.percent} % used): callers cannot leave messages. Delete some messages.`
      : `Your mailbox is almost full (${quota.percent} % used).`
  document.title = counts.new > 0 ? `(${counts.new}) Voicemail` : 'Voicemail'

  const lists = { new: [], saved: [], deleted: [] }
  for (const m of box.messages) lists[m.folder].push(m)
  lists.deleted = box.deleted
  const seen = new Set()
  let position = 0
  for (const name of ['new', 'saved', 'deleted']) {
    const list = $(`${name}-list`)
    for (const view of lists[name]) {
      seen.add(view.id)
      const item = items.get(view.id) ?? create(view)
      item.view = view
      update(item, name === 'deleted' ? undefined : ++position)
      // appendChild moves an element that is already there: a message playing keeps playing.
      if (list.lastElementChild !== item.li) list.appendChild(item.li)
    }
    if (name !== 'deleted') $(`${name}-empty`).hidden = lists[name].length > 0
  }
  $('deleted-section').hidden = lists.deleted.length === 0
  for (const [id, { li }] of items) {
    if (!seen.has(id)) {
      li.remove()
      items.delete(id)
    }
  }
  announceArrivals(box.messages)
  if (firstRender) {
    firstRender = false
    performance.mark('vm:box-rendered')
  }
}

function announceArrivals(messages) {
  const ids = new Set(messages.map((m) => m.id))
  if (known !== undefined) {
    const arrived = messages.filter((m) => !known.has(m.id) && m.folder === 'new')
    if (arrived.length === 1) say($('announcer'), `New message from ${callerText(arrived[0])}.`)
    else if (arrived.length > 1) say($('announcer'), `${arrived.length} new messages.`)
  }
  known = ids
}

function callerText(view) {
  const name = view.callerName.trim()
  const number = view.callerNumber.trim()
  if (name !== '' && number !== '' && name !== number) return `${name} (${number})`
  return name || number || 'an unknown caller'
}

function create(view) {
  const li = document.getElementById('message-template').content.firstElementChild.cloneNode(true)
  const headingId = `msg-${view.id}`
  li.querySelector('.caller').id = headingId
  li.querySelector('article').setAttribute('aria-labelledby', headingId)
  const audio = li.querySelector('audio')
  audio.src = `/api/messages/${view.id}/audio`
  audio.setAttribute('aria-labelledby', headingId)
  li.querySelector('.download').href = `/api/messages/${view.id}/download`
  const item = { li, view }
  for (const button of li.querySelectorAll('[data-action]')) {
    button.addEventListener('click', () => void act(item, button.dataset.action, button))
  }
  audio.addEventListener('play', () => {
    if (item.view.folder === 'new' && !item.view.heard && !item.view.deleted) void act(item, 'heard')
  })
  audio.addEventListener('playing', () => performance.mark(`vm:playing:${item.view.id}`))
  const form = li.querySelector('.forward-form')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    void forward(item, form)
  })
  form.querySelector('.cancel').addEventListener('click', () => toggleForward(item, false))
  items.set(view.id, item)
  return item
}

/** Button text with the caller in a visually hidden part, so "Delete" says whose message it deletes. */
function label(button, text, view) {
  button.textContent = text
  const hidden = document.createElement('span')
  hidden.className = 'visually-hidden'
  hidden.textContent = ` message from ${callerText(view)}`
  button.appendChild(hidden)
}

function update(item, position) {
  const { li, view } = item
  li.classList.toggle('unheard', !view.heard && view.folder === 'new')
  li.dataset.id = view.id
  li.dataset.folder = view.deleted ? 'deleted' : view.folder
  li.querySelector('.caller').textContent =
    position === undefined ? callerText(view) : `${position}. ${callerText(view)}`
  li.querySelector('.urgent').hidden = !view.urgent
  li.querySelector('.unheard').hidden = view.heard || view.folder !== 'new'
  const time = li.querySelector('.received')
  time.dateTime = view.receivedAt
  time.textContent = view.received
  li.querySelector('.duration').textContent = view.duration
  li.querySelector('.forwarded').textContent = view.forwardedFrom
    ? `Forwarded from ${view.forwardedFrom}`
    : ''
  li.querySelector('.forwarded').hidden = !view.forwardedFrom
  li.querySelector('.missing').hidden = !view.missing
  li.querySelector('audio').hidden = view.missing
  const buttons = Object.fromEntries(
    [...li.querySelectorAll('[data-action]')].map((b) => [b.dataset.action, b]),
  )
  const audio = li.querySelector('audio')
  label(buttons.play, audio.paused ? 'Play' : 'Pause', view)
  label(buttons.save, 'Save', view)
  label(buttons.heard, 'Mark heard', view)
  label(buttons.delete, 'Delete', view)
  label(buttons.undelete, 'Undelete', view)
  label(buttons.forward, 'Forward', view)
  label(li.querySelector('.download'), 'Download', view)
  buttons.play.hidden = view.missing
  buttons.save.hidden = view.deleted || view.folder === 'saved'
  buttons.heard.hidden = view.deleted || view.heard || view.folder !== 'new'
  buttons.delete.hidden = view.deleted
  buttons.undelete.hidden = !view.deleted
  buttons.forward.hidden = view.deleted || view.missing
  li.querySelector('.download').hidden = view.missing
}

async function act(item, action, button) {
  const status = item.li.querySelector('.status')
  if (action === 'play') return togglePlay(item)
  if (action === 'forward') return toggleForward(item, item.li.querySelector('.forward-form').hidden)
  const wasFocused = button !== undefined && document.activeElement === button
  if (button) button.disabled = true
  try {
    const { message } = await api('POST', `/api/messages/${item.view.id}/${action}`)
    item.view = message
    if (action !== 'heard') say(status, { save: 'Saved.', delete: 'Deleted.', undelete: 'Restored.' }[action])
    await refresh()
    if (wasFocused) refocus(item, action)
  } catch (err) {
    if (err.status !== 401) say(status, err.message)
  } finally {
    if (button) button.disabled = false
  }
}

/** After a message moved list (save, delete), keep the keyboard user where they were: on the message itself. */
function refocus(item, action) {
  const target =
    action === 'delete'
      ? '[data-action="undelete"]'
      : action === 'undelete'
        ? '[data-action="delete"]'
        : '[data-action="play"]'
  const next = item.li.isConnected ? item.li.querySelector(target) : $('box-title')
  ;(next && !next.hidden ? next : $('box-title')).focus()
}

function togglePlay(item) {
  const audio = item.li.querySelector('audio')
  const button = item.li.querySelector('[data-action="play"]')
  if (audio.paused) {
    for (const other of items.values()) if (other !== item) other.li.querySelector('audio').pause()
    performance.mark(`vm:play-click:${item.view.id}`)
    void audio.play().catch((err) => say(item.li.querySelector('.status'), `Cannot play: ${err.message}`))
  } else audio.pause()
  const sync = () => label(button, audio.paused ? 'Play' : 'Pause', item.view)
  audio.onplay = sync
  audio.onpause = sync
  audio.onended = sync
}

function toggleForward(item, open) {
  const form = item.li.querySelector('.forward-form')
  const button = item.li.querySelector('[data-action="forward"]')
  form.hidden = !open
  button.setAttribute('aria-expanded', String(open))
  if (open) form.querySelector('input').focus()
  else button.focus()
}

async function forward(item, form) {
  const status = item.li.querySelector('.status')
  const to = form.querySelector('input').value.trim()
  try {
    const answer = await api('POST', `/api/messages/${item.view.id}/forward`, { to })
    const name = answer.forwarded.name ? ` (${answer.forwarded.name})` : ''
    form.querySelector('input').value = ''
    toggleForward(item, false)
    say(status, `Forwarded to mailbox ${answer.forwarded.to}${name}.`)
  } catch (err) {
    if (err.status !== 401) say(status, err.message)
  }
}
