/**
 * An audio file layer whose unlinks fail, injected (AppOptions.files, CtlIo.files) to stand for a crash between
 * the step that records a deletion and the step that unlinks the file: after it, the database says "deleted" and
 * the file is still on disk, exactly as after a kill at that moment.
 */
import { AudioFiles } from '../../lib/store/audio-files.js'

export class UnlinkFails extends AudioFiles {
  /** Every path an unlink was attempted on. */
  readonly attempts: string[] = []

  override remove(path: string): Promise<void> {
    this.attempts.push(path)
    return Promise.reject(new Error('injected: the process died before this unlink'))
  }

  override removeBoxDir(domain: string, box: string): Promise<void> {
    this.attempts.push(this.boxDir(domain, box))
    return Promise.reject(new Error('injected: the process died before this unlink'))
  }
}

/** A factory for AppOptions.files / CtlIo.files that keeps the instance it made in `made`. */
export function unlinkFails(made: UnlinkFails[] = []): (stateDir: string) => AudioFiles {
  return (stateDir) => {
    const files = new UnlinkFails(stateDir)
    made.push(files)
    return files
  }
}
