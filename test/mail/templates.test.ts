import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import t from 'tap'
import { TemplateError } from '../../lib/mail/errors.js'
import {
  checkVariables,
  defaultTemplatesDir,
  loadTemplates,
  renderHtml,
  renderText,
  templateVariables,
} from '../../lib/mail/templates.js'
import { RECEIVED_AT, mailHarness, makeBox, makeMessage } from './fixture.js'

void t.test('the shipped templates load and use only known variables', async (t) => {
  const dir = await defaultTemplatesDir()
  t.same((await readdir(dir)).sort(), [
    'lockout.html',
    'lockout.subject.txt',
    'lockout.text.txt',
    'mailbox-full.html',
    'mailbox-full.subject.txt',
    'mailbox-full.text.txt',
    'new-message.html',
    'new-message.subject.txt',
    'new-message.text.txt',
  ])
  const set = await loadTemplates()
  t.equal(
    set['new-message'].subject,
    '{{urgentPrefix}}New voicemail from {{caller}} in mailbox {{mailboxId}}',
  )
  t.notMatch(set.lockout.subject, /\n/, 'trailing newline of a subject file dropped')
  t.match(set['mailbox-full'].html, '{{usagePercent}}')
})

void t.test('operator overrides: one file replaced, the rest shipped', async (t) => {
  const dir = t.testdir({
    'new-message.subject.txt': 'Voicemail for {{ mailboxName }} from {{callerNumber}}\n',
    'new-message.html': '<p>{{caller}}</p>',
  })
  const set = await loadTemplates({ templatesDir: dir })
  t.equal(set['new-message'].subject, 'Voicemail for {{ mailboxName }} from {{callerNumber}}')
  t.equal(set['new-message'].html, '<p>{{caller}}</p>')
  const shipped = await readFile(join(await defaultTemplatesDir(), 'new-message.text.txt'), 'utf8')
  t.equal(set['new-message'].text, shipped, 'text body still the shipped one')
})

void t.test('every problem is reported at load time, with file names', async (t) => {
  const dir = t.testdir({
    'new-message.subject.txt': 'From {{callerNmae}}',
    'new-message.text.txt': 'Hi {{ not a var }} and {{usagePercent}}',
    'lockout.subject.txt': 'line one\nline two\n',
  })
  const err = await loadTemplates({ templatesDir: dir }).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.type(err, TemplateError)
  const problems = (err as TemplateError).problems
  t.equal(problems.length, 4)
  t.match(problems[0], /new-message\.subject\.txt: unknown variable \{\{callerNmae\}\} \(known: mailboxId, /)
  t.match(problems[1], /new-message\.text\.txt: malformed placeholder "\{\{ not a var \}\}"/)
  t.match(
    problems[2],
    /new-message\.text\.txt: unknown variable \{\{usagePercent\}\}/,
    'not a new-message variable',
  )
  t.match(problems[3], /lockout\.subject\.txt: a subject must be one line/)
  t.match((err as Error).message, /mail templates have 4 problem\(s\)/)
})

void t.test('missing shipped folder is a clear error', async (t) => {
  await t.rejects(loadTemplates({ defaultsDir: join(t.testdir(), 'nowhere') }), TemplateError)
})

void t.test('rendering: text as is, HTML escaped', (t) => {
  const vars = { caller: 'A <b>&"\'' }
  t.equal(renderText('x {{caller}} {{ caller }}', vars), 'x A <b>&"\' A <b>&"\'')
  t.equal(renderHtml('<p>{{caller}}</p>', vars), '<p>A &lt;b&gt;&amp;&quot;&#39;</p>')
  t.same(checkVariables('{{mailboxId}} {{lockedUntil}}', templateVariables.lockout), [])
  t.end()
})

void t.test('a worker with broken templates keeps mail queued and sends once they are fixed', async (t) => {
  // mailHarness owns t.testdir() (a second call would reset it), so the templates go in a folder inside it.
  const templatesDir = join(t.testdirName, 'templates')
  const h = await mailHarness(t, { templatesDir })
  await mkdir(templatesDir)
  await writeFile(join(templatesDir, 'new-message.subject.txt'), '{{nope}}')
  const box = await makeBox(h)
  const { message } = await makeMessage(h, box)
  await h.notifier.newMessage(box, message)
  await t.rejects(h.worker.verifyTemplates(), TemplateError)
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 0, retried: 0, failed: 0 })
  t.match(await h.worker.outbox.list(), [{ status: 'pending', attempts: 0 }], 'not even claimed')

  await writeFile(join(templatesDir, 'new-message.subject.txt'), 'Voicemail {{mailboxId}}: {{callerName}}\n')
  t.match(await h.worker.runDue(RECEIVED_AT), { sent: 1 })
  const spooled = await readdir(join(h.dir, 'mail-spool'))
  const parsed = await simpleParser(await readFile(join(h.dir, 'mail-spool', spooled[0] ?? '')))
  t.equal(parsed.subject, 'Voicemail 100: Bob Builder', 'the operator template is used')
})
