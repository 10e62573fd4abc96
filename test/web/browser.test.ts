/**
 * The voicemail page in a real browser: Debian's chromium driven by playwright-core (never a downloaded browser),
 * against the real daemon, its SQLite file and the FreeSWITCH simulator. Skips with one line when chromium is not
 * installed, unless VOICEMAILD_REQUIRE_BROWSER=1 (CI), where a missing browser fails the run.
 *
 * Screenshots of the main pages at desktop and phone width go to test-output/screenshots/ (not in git); the page
 * load and play-start times measured here are printed as test comments.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { toneMp3 } from '../support/audio.js'
import { DOMAIN, lamps, PIN, startWeb, until, type WebHarness } from './fixture.js'

// The few browser globals the functions run in the page touch (this project compiles without the DOM library).
declare const document: { readonly activeElement: unknown; readonly documentElement: { scrollWidth: number } }
declare const window: { readonly innerWidth: number; ended?: Promise<void> }
interface AudioLike {
  addEventListener(type: 'ended', listener: () => void, options: { once: boolean }): void
}

const CHROMIUM = process.env.VOICEMAILD_CHROMIUM ?? '/usr/bin/chromium'
const REQUIRED = process.env.VOICEMAILD_REQUIRE_BROWSER === '1'
const SHOTS = resolve(import.meta.dirname, '../../test-output/screenshots')
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const DESKTOP = { width: 1280, height: 900 }
const PHONE = { width: 360, height: 780 }

const deposit = (
  h: WebHarness,
  callerIdName: string,
  callerIdNumber: string,
  speakMs = 3000,
): Promise<unknown> =>
  h.call({
    callerIdName,
    callerIdNumber,
    variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: DOMAIN },
    records: [{ speakMs, then: 'hangup' }],
  }).finished

if (!existsSync(CHROMIUM)) {
  if (REQUIRED) {
    t.fail(`VOICEMAILD_REQUIRE_BROWSER=1 but no browser at ${CHROMIUM} (apt-get install chromium)`)
  } else {
    t.plan(0, `no chromium at ${CHROMIUM}: browser test skipped (apt-get install chromium)`)
  }
} else {
  void t.test('the voicemail page in chromium', async (t) => {
    await mkdir(SHOTS, { recursive: true })
    const h = await startWeb(t, { timeScale: 0.02 })
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS })
    t.teardown(() => browser.close())
    await deposit(h, 'Bob Example', '1002', 4000)
    t.equal((await h.messages('100')).length, 1, 'a simulated call left a message')

    const page = await openPage(browser, DESKTOP)
    await t.test('log in with the keyboard alone', async (t) => {
      await page.goto(h.base)
      await page.getByRole('heading', { name: 'Log in to your voicemail' }).waitFor()
      await shot(page, 'login-desktop')
      t.equal(await page.getByLabel('Domain').inputValue(), DOMAIN, 'the domain is filled in')
      t.ok(
        await page.getByLabel('Mailbox number').evaluate((el) => el === document.activeElement),
        'focus starts in the form',
      )
      await page.keyboard.type('100')
      await page.keyboard.press('Tab')
      await page.keyboard.type('9999')
      await page.keyboard.press('Enter')
      await page.getByText('Wrong mailbox number or PIN.').waitFor()
      t.pass('a wrong PIN is answered in words')
      await page.keyboard.type(PIN)
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor()
      // Polled from here, not with page.waitForFunction: its string predicate is evaluated with eval inside the
      // page, which the page's CSP (script-src 'self') refuses whenever the first check is not already true.
      const heading = page.locator('#box-title')
      await until(() => heading.evaluate((el) => el === document.activeElement), 'focus on the heading')
      t.pass('focus moves to the page heading')
    })

    await t.test('the message left by the call is listed with its envelope', async (t) => {
      const item = page.locator('#new-list li').first()
      await item.waitFor()
      t.match(await item.locator('h3').textContent(), /^1\. Bob Example \(1002\)$/)
      t.match(
        await item.locator('.received').textContent(),
        /Thursday, 26 November 2026 05:00/,
        'received, in Chicago time',
      )
      t.match(await item.locator('.duration').textContent(), /^4 s$/)
      t.equal(
        await page.locator('#box-summary').textContent(),
        'You have 1 new message and 0 saved messages.',
      )
      await shot(page, 'messages-desktop')
    })

    await t.test('page load: navigation to the message list rendered', async (t) => {
      const samples: number[] = []
      for (let i = 0; i < 5; i++) {
        await page.reload()
        await page.locator('#new-list li').first().waitFor()
        samples.push(
          await page.evaluate(() => performance.getEntriesByName('vm:box-rendered')[0]?.startTime ?? -1),
        )
      }
      t.ok(
        samples.every((ms) => ms > 0),
        'measured',
      )
      t.comment(
        `page load (navigation -> list rendered), ms: ${samples.map((ms) => ms.toFixed(0)).join(', ')}`,
      )
      report.load = samples
    })

    await t.test('play the message to its end; it is marked heard', async (t) => {
      const item = page.locator('#new-list li').first()
      const audio = item.locator('audio')
      await audio.evaluate((el: AudioLike) => {
        window.ended = new Promise((done) => el.addEventListener('ended', () => done(), { once: true }))
      })
      await item.getByRole('button', { name: /^Play message from Bob Example/ }).click()
      await page.evaluate(() => window.ended)
      t.pass('the audio element reached its end')
      const start = await page.evaluate(() => {
        const click = performance.getEntriesByType('mark').find((m) => m.name.startsWith('vm:play-click:'))
        const playing = performance.getEntriesByType('mark').find((m) => m.name.startsWith('vm:playing:'))
        return click !== undefined && playing !== undefined ? playing.startTime - click.startTime : -1
      })
      t.ok(start >= 0, `play start measured (${start.toFixed(0)} ms)`)
      report.play.push(start)
      await until(async () => (await h.messages('100'))[0]?.heardAt !== undefined, 'heard')
      await item.locator('.unheard').waitFor({ state: 'hidden' })
      t.pass('marked heard, in the store and on the page')
    })

    await t.test('delete it: the lamp goes off on the FreeSWITCH side', async (t) => {
      const before = lamps(h, '100@pbx.test').length
      t.equal(lamps(h, '100@pbx.test').at(-1)?.waiting, 'yes', 'the lamp was on')
      await page
        .locator('#new-list li')
        .first()
        .getByRole('button', { name: /^Delete message/ })
        .click()
      await page.locator('#deleted-list li').first().waitFor()
      await until(() => lamps(h, '100@pbx.test').length > before, 'lamp event')
      t.match(
        lamps(h, '100@pbx.test').at(-1),
        { reason: 'DELETE', waiting: 'no', counts: '0/0 (0/0)' },
        'MESSAGE_WAITING: no',
      )
      t.equal(await page.locator('#new-empty').isVisible(), true, '"No new messages."')
      await shot(page, 'messages-deleted-desktop')
    })

    await t.test('a message that arrives while the page is open appears without a reload', async (t) => {
      await deposit(h, 'Carol', '1003')
      await page.locator('#new-list li h3', { hasText: 'Carol (1003)' }).waitFor()
      await until(
        async () => (await page.locator('#announcer').textContent()) === 'New message from Carol (1003).',
        'announcement',
      )
      t.pass('listed and announced in the live region')
      await page.getByRole('button', { name: /^Save message from Carol/ }).click()
      await page.locator('#saved-list li h3', { hasText: 'Carol' }).waitFor()
      t.pass('saved, now under Saved')
    })

    await t.test('upload an MP3 greeting; the next caller hears it', async (t) => {
      const mp3 = join(h.dir, 'closed.mp3')
      await writeFile(mp3, toneMp3({ rate: 44100, seconds: 3, channels: 2, kbps: 128 }))
      await page.getByRole('link', { name: 'Greetings and PIN' }).click()
      await page.getByRole('heading', { name: 'Greetings and PIN', level: 1 }).waitFor()
      const unavailable = page.locator('.greeting[data-kind="unavailable"]')
      await unavailable.locator('input[type="file"]').setInputFiles(mp3)
      await unavailable.getByRole('button', { name: 'Upload', exact: true }).click()
      await page
        .getByText(/^Converted from MP3 \(MPEG audio\), 44100 Hz, stereo, 3\.\d s to 8 kHz mono and saved\.$/)
        .waitFor({ timeout: 120_000 })
      t.match(await unavailable.locator('.state').textContent(), /^Recorded, 3 s\.$/)
      t.equal(
        await page.locator('#callers-hear').textContent(),
        'Callers now hear your unavailable greeting.',
      )
      await shot(page, 'greetings-desktop')
      const transcript = (await h.call({
        variables: { vm_action: 'deposit', vm_mailbox: '100', domain_name: DOMAIN },
        actions: [{ when: { onPlayback: true, afterMs: 200 }, hangup: true }],
      }).finished) as { executes: Array<{ app: string; arg: string }> }
      const greeting = await h.app.store.greetings.get((await h.box('100')).rowId, 'unavailable')
      const path = h.app.deps.files.fromStored(greeting?.file ?? '')
      t.ok(
        transcript.executes.some((e) => e.app === 'playback' && e.arg.includes(path)),
        'the next caller is played the uploaded greeting',
      )
    })

    await t.test('at 360 px wide: every page fits, nothing scrolls sideways', async (t) => {
      const phone = await openPage(browser, PHONE)
      await phone.goto(h.base)
      await phone.getByLabel('Mailbox number').fill('100')
      await phone.getByLabel('PIN', { exact: true }).fill(PIN)
      await shot(phone, 'login-phone')
      await phone.getByRole('button', { name: 'Log in' }).click()
      await phone.locator('#saved-list li').first().waitFor()
      for (const [hash, name] of [
        ['#messages', 'messages-phone'],
        ['#greetings', 'greetings-phone'],
      ] as const) {
        await phone.goto(`${h.base}/${hash}`)
        await phone
          .locator(hash === '#messages' ? '#saved-list li' : '.greeting')
          .first()
          .waitFor()
        const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
        t.equal(overflow, 0, `${name}: no horizontal scrolling`)
        await shot(phone, name)
      }
    })

    t.comment(`measured: ${JSON.stringify(report)}`)
  })
}

const report: { load: number[]; play: number[] } = { load: [], play: [] }

async function openPage(browser: Browser, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport })
  return context.newPage()
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}
