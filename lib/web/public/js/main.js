// The page's shell: who is logged in, which view shows, login and logout.
import { api, setToken, whenLoggedOut, say } from './api.js'
import { showMessages, stopMessages } from './messages.js'
import { showGreetings } from './greetings.js'

const $ = (id) => document.getElementById(id)
const views = ['login-view', 'box-view', 'greetings-view']
let session = { loggedIn: false }

function showView(id) {
  $('loading').hidden = true
  for (const view of views) $(view).hidden = view !== id
  for (const [link, view] of [
    ['nav-messages', 'box-view'],
    ['nav-greetings', 'greetings-view'],
  ]) {
    if (view === id) $(link).setAttribute('aria-current', 'page')
    else $(link).removeAttribute('aria-current')
  }
}

function focusHeading(id) {
  const heading = $(id)
  heading.focus({ preventScroll: false })
}

function showLogin(note = '') {
  session = { loggedIn: false, defaultDomain: session.defaultDomain }
  stopMessages()
  setToken('')
  $('nav').hidden = true
  $('brand-box').textContent = ''
  document.title = 'Voicemail'
  if ($('login-domain').value === '') $('login-domain').value = session.defaultDomain ?? ''
  $('login-pin').value = ''
  say($('login-note'), note)
  showView('login-view')
  const first = $('login-box').value === '' ? $('login-box') : $('login-pin')
  if ($('login-domain').value === '') $('login-domain').focus()
  else first.focus()
}

async function route({ focus = true } = {}) {
  if (!session.loggedIn) return showLogin()
  $('nav').hidden = false
  $('nav-messages').parentElement.hidden = session.mustChangePin
  $('nav-greetings').parentElement.hidden = session.mustChangePin
  const wanted = session.mustChangePin ? 'greetings' : location.hash.replace('#', '') || 'messages'
  if (wanted === 'greetings') {
    showView('greetings-view')
    await showGreetings({ mustChangePin: session.mustChangePin, onPinChanged })
    if (focus) focusHeading('greetings-title')
  } else {
    showView('box-view')
    await showMessages()
    if (focus) focusHeading('box-title')
  }
}

function loggedIn(answer) {
  session = answer
  setToken(answer.csrf)
  const box = answer.box
  $('brand-box').textContent = `${box.id}${box.name ? ` (${box.name})` : ''}`
}

async function onPinChanged() {
  const wasForced = session.mustChangePin
  session.mustChangePin = false
  if (wasForced) {
    location.hash = '#messages'
    await route()
  }
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const button = event.submitter ?? $('login-form').querySelector('button')
  const form = { domain: $('login-domain').value, box: $('login-box').value, pin: $('login-pin').value }
  $('login-error').textContent = ''
  if (form.box.trim() === '' || form.pin === '' || form.domain.trim() === '') {
    say($('login-error'), 'Enter the domain, your mailbox number and your PIN.')
    return
  }
  button.disabled = true
  try {
    loggedIn(await api('POST', '/api/login', form))
    $('login-pin').value = ''
    await route()
  } catch (err) {
    $('login-pin').value = ''
    say($('login-error'), err.message)
    $('login-pin').focus()
  } finally {
    button.disabled = false
  }
})

$('logout').addEventListener('click', async () => {
  try {
    await api('POST', '/api/logout')
  } catch {
    // Logged out either way: the page forgets the session.
  }
  showLogin('You are logged out.')
})

window.addEventListener('hashchange', () => {
  void route()
})

whenLoggedOut((message) => showLogin(message))

async function start() {
  try {
    const answer = await api('GET', '/api/session')
    if (answer.loggedIn) {
      loggedIn(answer)
      await route({ focus: false })
    } else {
      session = answer
      showLogin()
    }
  } catch (err) {
    $('loading').textContent = err.message
  }
}

void start()
