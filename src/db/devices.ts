import type { Queryable } from './database.js'

/** A session's device as stored: where it was last seen from, and when first and last. */
export interface SessionDevice {
  member_session_id: string
  organization_id: string
  member_id: string
  ip: string | null
  user_agent: string | null
  browser: string | null
  os: string | null
  first_seen: string
  last_seen: string
}

export type DeviceSighting = Omit<SessionDevice, 'first_seen' | 'last_seen'>

type DeviceRow = Omit<SessionDevice, 'first_seen' | 'last_seen'> & { first_seen: Date, last_seen: Date }

const COLUMNS = 'member_session_id, organization_id, member_id, ip, user_agent, browser, os, first_seen, last_seen'

const toDevice = (row: DeviceRow): SessionDevice => ({ ...row, first_seen: row.first_seen.toISOString(), last_seen: row.last_seen.toISOString() })

/**
 * The devices sessions were seen from (table session_devices, keyed by member_session_id). Rows
 * are written by the session service when a session is minted or proven by Stytch, and deleted
 * when the session ends; what a missed delete leaves behind is pruned when the member lists.
 */
export function createDevicesRepository (db: Queryable) {
  return {
    /** Records a sighting: the first one inserts (first_seen), later ones move ip, agent and last_seen. */
    async seen (sighting: DeviceSighting): Promise<void> {
      await db.query(
        `insert into session_devices (member_session_id, organization_id, member_id, ip, user_agent, browser, os)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (member_session_id) do update
         set ip = excluded.ip, user_agent = excluded.user_agent, browser = excluded.browser, os = excluded.os, last_seen = now()
         where session_devices.organization_id = excluded.organization_id and session_devices.member_id = excluded.member_id`,
        [sighting.member_session_id, sighting.organization_id, sighting.member_id, sighting.ip, sighting.user_agent, sighting.browser, sighting.os]
      )
    },

    /**
     * The devices of a member's live sessions, by session id. Deletes, on the way, the member's rows
     * whose session is not among `liveSessionIds` (it ended without us hearing of it) and those first
     * seen more than `maxAgeSeconds` ago (no session lives longer: SESSION_MAX_LIFETIME_MINUTES).
     */
    async forSessions (organizationId: string, memberId: string, liveSessionIds: string[], maxAgeSeconds: number): Promise<Map<string, SessionDevice>> {
      await db.query(
        `delete from session_devices
         where organization_id = $1 and member_id = $2
           and (not (member_session_id = any($3::text[])) or first_seen < now() - make_interval(secs => $4::double precision))`,
        [organizationId, memberId, liveSessionIds, maxAgeSeconds]
      )
      if (liveSessionIds.length === 0) return new Map()
      const { rows } = await db.query<DeviceRow>(
        `select ${COLUMNS} from session_devices where organization_id = $1 and member_id = $2 and member_session_id = any($3::text[])`,
        [organizationId, memberId, liveSessionIds]
      )
      return new Map(rows.map((row) => [row.member_session_id, toDevice(row)]))
    },

    /** Deletes every row first seen more than `maxAgeSeconds` ago, whoever's it is; how many. */
    async prune (maxAgeSeconds: number): Promise<number> {
      const { rowCount } = await db.query('delete from session_devices where first_seen < now() - make_interval(secs => $1::double precision)', [maxAgeSeconds])
      return rowCount
    },

    /** Forgets the devices of ended sessions. */
    async forget (sessionIds: string[]): Promise<void> {
      if (sessionIds.length === 0) return
      await db.query('delete from session_devices where member_session_id = any($1::text[])', [sessionIds])
    },

    /** Forgets every device of a member (removed from the organization, or signed out everywhere). */
    async forgetMember (organizationId: string, memberId: string): Promise<void> {
      await db.query('delete from session_devices where organization_id = $1 and member_id = $2', [organizationId, memberId])
    }
  }
}

export type DevicesRepository = ReturnType<typeof createDevicesRepository>
