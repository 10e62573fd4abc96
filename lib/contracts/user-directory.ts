/**
 * FreeSWITCH's user directory, as auto-provisioning asks it (`user_exists id <user> <domain>`); implemented over
 * the inbound Event Socket by `freeswitchDirectory`.
 */
export interface UserDirectory {
  userExists(user: string, domain: string): Promise<boolean>
}
