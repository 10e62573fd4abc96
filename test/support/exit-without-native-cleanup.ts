/**
 * Ends a test process at its `exit` event instead of letting Node free its environment. Seen on the conformance
 * test under load (Node 20.20): every assertion done, the TAP summary written, then the process spun a core in
 * `node::Environment::CleanupHandles` (gdb: `FreeEnvironment` → `uv_run` looping over a handle that never
 * finished closing) until tap's timeout failed the file. Calling `process.exit` from the `exit` event goes straight
 * to the C++ exit (no second `exit` event, no environment teardown) with the verdict tap set.
 */
export function exitWithoutNativeCleanup(): void {
  process.once('exit', (code) => {
    process.exit(process.exitCode ?? code)
  })
}
