// Greetings (listen, upload, choose, remove the temporary one) and the PIN.
import { api, say } from './api.js'

const $ = (id) => document.getElementById(id)

const TITLES = {
  unavailable: ['Unavailable greeting', 'Played when you do not answer.'],
  busy: ['Busy greeting', 'Played when you are on the phone (or when chosen below).'],
  temporary: [
    'Temporary greeting',
    'For holidays or office closures: while it is set, callers hear it instead of all the others.',
  ],
  name: ['Recorded name', 'Used in the standard announcement: “<your name> is not available”.'],
}

let options = { mustChangePin: false, onPinChanged: () => {} }

export async function showGreetings(next) {
  options = next
  $('pin-required').hidden = !next.mustChangePin
  $('greetings-part').hidden = next.mustChangePin
  if (next.mustChangePin) return
  try {
    render(await api('GET', '/api/greetings'))
  } catch (err) {
    if (err.status !== 401) say($('greetings-error'), err.message)
  }
}

function render(view) {
  $('callers-hear').textContent = `Callers now hear ${view.callersHear}.`
  const mb = Math.round(view.maxUploadBytes / (1024 * 1024))
  $('upload-rules').textContent =
    `Upload a WAV or MP3 file of up to ${view.maxSeconds} seconds and ${mb} MB; it is converted for the phone system.`
  const list = $('greeting-list')
  list.replaceChildren(...view.greetings.map(greetingItem))
  for (const input of document.querySelectorAll('#active-form input[name="active"]')) {
    input.checked = input.value === view.active
  }
}

function greetingItem(g) {
  const li = $('greeting-template').content.firstElementChild.cloneNode(true)
  const [title, description] = TITLES[g.kind]
  const titleId = `greeting-${g.kind}`
  li.dataset.kind = g.kind
  li.querySelector('.title').textContent = title
  li.querySelector('.title').id = titleId
  li.querySelector('.description').textContent = description
  li.querySelector('.state').textContent = g.recorded ? `Recorded, ${g.duration}.` : 'Not recorded.'
  const audio = li.querySelector('audio')
  audio.hidden = !g.recorded
  if (g.recorded) audio.src = `/api/greetings/${g.kind}/audio?v=${encodeURIComponent(g.recordedAt)}`
  audio.setAttribute('aria-labelledby', titleId)
  li.querySelector('.label-text').textContent =
    `${g.recorded ? 'Replace' : 'Upload'} the ${title.toLowerCase()}:`
  const submit = li.querySelector('.upload button')
  submit.textContent = 'Upload'
  const form = li.querySelector('.upload')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    void upload(g.kind, form, submit)
  })
  const remove = li.querySelector('.remove')
  remove.hidden = g.kind !== 'temporary' || !g.recorded
  remove.textContent = 'Remove the temporary greeting'
  remove.addEventListener('click', () => void removeTemporary(remove))
  return li
}

async function upload(kind, form, button) {
  const file = form.querySelector('input[type="file"]').files[0]
  $('greetings-error').textContent = ''
  if (file === undefined) return say($('greetings-error'), 'Choose a file first.')
  const data = new FormData()
  data.append('file', file)
  button.disabled = true
  say($('greetings-status'), 'Uploading and converting…')
  try {
    const answer = await api('POST', `/api/greetings/${kind}`, data)
    render(answer)
    say($('greetings-status'), answer.uploaded.message)
    document.querySelector(`.greeting[data-kind="${kind}"] .title`)?.focus?.()
  } catch (err) {
    $('greetings-status').textContent = ''
    if (err.status !== 401) say($('greetings-error'), err.message)
  } finally {
    button.disabled = false
  }
}

async function removeTemporary(button) {
  button.disabled = true
  try {
    render(await api('DELETE', '/api/greetings/temporary'))
    say($('greetings-status'), 'The temporary greeting was removed.')
    $('greetings-title').focus()
  } catch (err) {
    if (err.status !== 401) say($('greetings-error'), err.message)
  } finally {
    button.disabled = false
  }
}

$('active-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const chosen = document.querySelector('#active-form input[name="active"]:checked')
  if (chosen === null) return
  try {
    render(await api('POST', '/api/greetings/active', { kind: chosen.value }))
    say($('greetings-status'), 'Saved. ' + $('callers-hear').textContent)
  } catch (err) {
    if (err.status !== 401) say($('greetings-error'), err.message)
  }
})

$('pin-form').addEventListener('submit', async (event) => {
  event.preventDefault()
  const body = { current: $('pin-current').value, pin: $('pin-new').value, confirm: $('pin-confirm').value }
  $('pin-error').textContent = ''
  try {
    await api('POST', '/api/pin', body)
    for (const id of ['pin-current', 'pin-new', 'pin-confirm']) $(id).value = ''
    say($('greetings-status'), 'Your PIN was changed.')
    await options.onPinChanged()
  } catch (err) {
    if (err.status !== 401) say($('pin-error'), err.message)
  }
})
