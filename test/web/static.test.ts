import t from 'tap'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { publicDir } from '../../lib/web/server.js'
import { startHarness } from '../support/daemon-harness.js'
import { startWeb } from './fixture.js'

const repo = resolve(import.meta.dirname, '../..')

void t.test(
  'the page is plain files: HTML, CSS and ES modules, served as they are in the repository',
  async (t) => {
    const h = await startWeb(t)
    const page = h.client()
    const index = await page.get('/')
    t.equal(index.status, 200)
    t.match(index.headers.get('content-type'), /^text\/html/)
    t.match(index.text, /<main id="main"/)
    t.match(index.text, /<script type="module" src="\/js\/main\.js"><\/script>/)
    t.equal(index.headers.get('cache-control'), 'no-cache', 'revalidated, so an upgrade shows at once')
    for (const [path, type] of [
      ['/app.css', /^text\/css/],
      ['/js/main.js', /^(text|application)\/javascript/],
      ['/js/api.js', /^(text|application)\/javascript/],
      ['/js/messages.js', /^(text|application)\/javascript/],
      ['/js/greetings.js', /^(text|application)\/javascript/],
    ] as const) {
      const reply = await page.get(path)
      t.equal(reply.status, 200, path)
      t.match(reply.headers.get('content-type'), type, path)
    }
    const missing = await page.get('/js/nothing.js')
    t.equal(missing.status, 404)
    t.same(missing.json, { error: { code: 'not-found', message: 'There is nothing at this address.' } })
  },
)

void t.test('the files are found from the sources and from dist/ after npm run build', (t) => {
  t.equal(publicDir(), resolve(repo, 'lib/web/public') + '/', 'beside the module')
  const built = pathToFileURL(resolve(repo, 'dist/lib/web/server.js')).href
  t.equal(publicDir(built), resolve(repo, 'lib/web/public') + '/', 'from dist/lib/web/, the package copy')
  t.throws(() => publicDir('file:///nonexistent/a/b/c/server.js'), /voicemail page files not found/)
  t.end()
})

void t.test('http.enabled: false starts no listener', async (t) => {
  const h = await startHarness(t, { config: { http: { enabled: false } } })
  t.equal(h.app.web, undefined)
})
