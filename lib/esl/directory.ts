import type { UserDirectory } from '../contracts/user-directory.js'
import { isBoxNumber, isSafeDomain } from '../mailbox-values.js'
import type { FreeswitchLink } from './link.js'

/**
 * FreeSWITCH's user directory over the inbound link: `api user_exists id <user> <domain>` answers `true` or
 * `false` (see `inbound-session.txt`). Only validated ids and domains reach the command line.
 */
export function freeswitchDirectory(link: FreeswitchLink): UserDirectory {
  return {
    async userExists(user: string, domain: string): Promise<boolean> {
      if (!isBoxNumber(user) || !isSafeDomain(domain)) return false
      const answer = await link.api(`user_exists id ${user} ${domain}`)
      return answer.trim() === 'true'
    },
  }
}
