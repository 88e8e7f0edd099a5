// Which agent processes which movie when several agents see one session's files. Pure: it takes
// what happened (offers, heartbeats, disconnects, finished movies) and the time, and returns what
// to tell each agent; the caller journals grants before sending them (project-leases.ts).
// A lease lasts while its agent is heard from (any message renews it): it expires `durationMs`
// after the agent's last word, or `graceMs` after its disconnect, whichever comes first; its
// movies then go to another agent that offered them, first in the queue.

export interface LeaseTiming {
  durationMs: number
  graceMs: number
}

/** What one agent is to be told. */
export interface LeaseNotice {
  agent: string
  granted: string[]
  gone: string[]
  revoked: string[]
}

/** One agent as the table sees it. */
export interface AgentView {
  agent: string
  /** Movies it takes at once (0: no heartbeat yet, or none since the controller started). */
  slots: number
  connected: boolean
  /** Its leases expired while it stayed connected: nothing new until it is heard from. */
  lapsed: boolean
  /** Unfinished movies leased to it. */
  held: number
}

/** A lease that held when the table was rebuilt (after a controller restart). */
export interface HeldLease {
  movie: string
  agent: string
}

interface AgentState {
  /** Movies it takes at once (0 until its first heartbeat: agents that never send one get nothing). */
  slots: number
  connected: boolean
  lastSeen: number
  disconnectedAt?: number
  /** Unfinished movies leased to it. */
  held: Set<string>
  /** Movies leased to it that expired and went to others, not yet told. */
  revoked: Set<string>
  /** Its leases expired while it stayed connected (hung?): no new ones until it is heard from again. */
  lapsed: boolean
  /** Gone past its grace: its offers were withdrawn. */
  withdrawn: boolean
}

interface Lease {
  agent: string
  /** Other agents that offered the movie: where it goes if this lease expires. */
  candidates: Set<string>
}

export class LeaseTable {
  private readonly agents = new Map<string, AgentState>()
  private readonly leases = new Map<string, Lease>()
  /** Offered, unleased movies in the order they wait (oldest first), each with who offered it. */
  private waiting = new Map<string, Set<string>>()
  /**
   * Per agent, the waiting movies it offered, in the order it offered them; an entry no longer
   * waiting for it is dropped when met. It lets allocate() look only at what free agents offered.
   */
  private queues = new Map<string, Set<string>>()
  /** Each waiting movie's place in the waiting order (requeued movies take ranks below all others). */
  private ranks = new Map<string, number>()
  private nextRank = 0
  private frontRank = 0
  private notices = new Map<string, LeaseNotice>()

  /** Leases that survive a restart count from `now`, as if their agents had just disconnected. */
  constructor(
    readonly timing: LeaseTiming,
    held: Iterable<HeldLease> = [],
    now = 0,
  ) {
    for (const {movie, agent} of held) {
      const state = this.agent(agent, now)
      state.connected = false
      state.disconnectedAt = now
      state.held.add(movie)
      this.leases.set(movie, {agent, candidates: new Set()})
    }
  }

  /** The agent holding an unfinished movie's lease. */
  holder(movie: string): string | undefined {
    return this.leases.get(movie)?.agent
  }

  /** Whether a movie is leased or waiting for a lease. */
  tracks(movie: string): boolean {
    return this.leases.has(movie) || this.waiting.has(movie)
  }

  /** Unfinished movies leased to an agent. */
  heldBy(agent: string): string[] {
    return [...(this.agents.get(agent)?.held ?? [])]
  }

  /** No movie leased and unfinished, and none waiting for a lease. */
  idle(): boolean {
    return this.leases.size === 0 && this.waiting.size === 0
  }

  /** Movies offered and waiting for a lease. */
  waitingCount(): number {
    return this.waiting.size
  }

  /** Every agent the table knows, as `controller status` shows it. */
  agentViews(): AgentView[] {
    return [...this.agents].map(([agent, state]) => ({agent, slots: state.slots, connected: state.connected, lapsed: state.lapsed, held: state.held.size}))
  }

  /** An agent joined: its leases hold again, and it learns which of them went elsewhere meanwhile. */
  connected(agent: string, now: number): LeaseNotice[] {
    const state = this.agent(agent, now)
    state.connected = true
    state.lastSeen = now
    state.disconnectedAt = undefined
    state.lapsed = false
    state.withdrawn = false
    this.tellRevoked(agent, state)
    return this.flush()
  }

  /**
   * Any message from an agent renews its leases. One whose leases lapsed while it stayed
   * connected (it hung) learns which went elsewhere, and takes new ones again.
   */
  seen(agent: string, now: number): LeaseNotice[] {
    if (!this.renew(agent, now)) return []
    this.allocate()
    return this.flush()
  }

  /** A heartbeat: renews, sets the agent's slots, and leases it waiting movies if it has room. */
  heartbeat(agent: string, slots: number, now: number): LeaseNotice[] {
    const state = this.agent(agent, now)
    state.slots = slots
    this.renew(agent, now)
    this.allocate()
    return this.flush()
  }

  /**
   * Movies an agent found and asks to process (the caller has already answered those finished).
   * A movie it already holds is granted to it again (it may have lost the first grant).
   */
  offered(agent: string, movies: string[], now: number): LeaseNotice[] {
    this.renew(agent, now)
    for (const movie of movies) {
      const lease = this.leases.get(movie)
      if (lease?.agent === agent) this.notice(agent).granted.push(movie)
      else if (lease) lease.candidates.add(agent)
      else {
        const offerers = this.waiting.get(movie)
        if (offerers) offerers.add(agent)
        else {
          this.waiting.set(movie, new Set([agent]))
          this.ranks.set(movie, this.nextRank++)
        }
        this.queue(agent).add(movie)
      }
    }
    this.allocate()
    return this.flush()
  }

  /** A movie is done or failed: its lease ends, the others that offered it forget it. */
  finished(movie: string): LeaseNotice[] {
    const lease = this.leases.get(movie)
    const others = lease ? lease.candidates : (this.waiting.get(movie) ?? new Set<string>())
    if (lease) {
      this.leases.delete(movie)
      this.agents.get(lease.agent)?.held.delete(movie)
    }
    this.unwait(movie)
    for (const agent of others) this.notice(agent).gone.push(movie)
    this.allocate()
    return this.flush()
  }

  /** The agent's connection closed: its leases last `graceMs` more (nothing is granted: no slot was freed). */
  disconnected(agent: string, now: number): LeaseNotice[] {
    const state = this.agents.get(agent)
    if (!state?.connected) return []
    state.connected = false
    state.disconnectedAt = now
    return this.flush()
  }

  /**
   * Expires the leases of agents not heard from in time and re-leases their movies; an agent gone
   * past its grace also withdraws its offers (it offers again when it comes back).
   */
  tick(now: number): LeaseNotice[] {
    for (const [agent, state] of this.agents) {
      const silent = now - state.lastSeen >= this.timing.durationMs
      const gone = !state.connected && now - (state.disconnectedAt ?? now) >= this.timing.graceMs
      if (state.held.size > 0 && (silent || gone)) this.expire(agent, state)
      if (gone && !state.withdrawn) this.withdrawOffers(agent, state)
    }
    this.allocate()
    return this.flush()
  }

  /** The earliest time at which tick() could expire something (undefined: nothing leased). */
  nextDeadline(): number | undefined {
    let next: number | undefined
    for (const state of this.agents.values()) {
      if (state.held.size === 0) continue
      const byDuration = state.lastSeen + this.timing.durationMs
      const byGrace = state.connected ? Infinity : (state.disconnectedAt ?? 0) + this.timing.graceMs
      next = Math.min(next ?? Infinity, byDuration, byGrace)
    }
    return next
  }

  private expire(agent: string, state: AgentState): void {
    // Back to the head of the queue, in the order they were held: they are the oldest work.
    const requeued = new Map<string, Set<string>>()
    for (const movie of state.held) {
      const lease = this.leases.get(movie)!
      this.leases.delete(movie)
      lease.candidates.delete(agent)
      requeued.set(movie, lease.candidates)
      state.revoked.add(movie)
    }
    state.held.clear()
    state.lapsed = state.connected
    this.waiting = new Map([...requeued, ...this.waiting])
    for (const movie of [...requeued.keys()].reverse()) this.ranks.set(movie, --this.frontRank)
    this.rebuildQueues()
  }

  /** After a requeue at the head: every agent's queue again in the waiting order. */
  private rebuildQueues(): void {
    this.queues.clear()
    for (const [movie, offerers] of this.waiting) for (const agent of offerers) this.queue(agent).add(movie)
  }

  private queue(agent: string): Set<string> {
    let queue = this.queues.get(agent)
    if (!queue) {
      queue = new Set()
      this.queues.set(agent, queue)
    }
    return queue
  }

  private withdrawOffers(agent: string, state: AgentState): void {
    state.withdrawn = true
    this.queues.delete(agent)
    for (const [movie, offerers] of this.waiting) {
      offerers.delete(agent)
      if (offerers.size === 0) this.unwait(movie)
    }
    for (const lease of this.leases.values()) lease.candidates.delete(agent)
  }

  /**
   * Leases waiting movies, oldest first, each to the agent among its offerers with the most free
   * slots. Only the heads of free agents' queues are looked at, so a long queue of movies offered
   * by busy agents costs nothing per call.
   */
  private allocate(): void {
    const free = new Map<string, number>()
    for (const [agent, state] of this.agents) if (this.free(state) > 0) free.set(agent, this.free(state))
    const oldest = (): string | undefined => {
      let pick: string | undefined
      let pickRank = Infinity
      for (const agent of free.keys()) {
        const head = this.head(agent)
        if (head === undefined) continue
        const r = this.ranks.get(head)!
        if (r < pickRank) [pick, pickRank] = [head, r]
      }
      return pick
    }
    for (let movie = oldest(); movie !== undefined; movie = oldest()) {
      const offerers = this.waiting.get(movie)!
      let best: string | undefined
      let bestFree = 0
      for (const agent of offerers) {
        const room = free.get(agent) ?? 0
        if (room > bestFree || (room > 0 && room === bestFree && agent < best!)) [best, bestFree] = [agent, room]
      }
      offerers.delete(best!)
      this.unwait(movie)
      this.leases.set(movie, {agent: best!, candidates: offerers})
      this.agents.get(best!)!.held.add(movie)
      this.notice(best!).granted.push(movie)
      if (bestFree > 1) free.set(best!, bestFree - 1)
      else free.delete(best!)
    }
  }

  private unwait(movie: string): void {
    this.waiting.delete(movie)
    this.ranks.delete(movie)
  }

  /** The oldest movie still waiting that this agent offered (dropping entries met that no longer wait for it). */
  private head(agent: string): string | undefined {
    const queue = this.queues.get(agent)
    if (!queue) return undefined
    for (const movie of queue) {
      if (this.waiting.get(movie)?.has(agent)) return movie
      queue.delete(movie)
    }
    return undefined
  }

  /** Room for more movies: only a connected agent whose leases have not lapsed gets any. */
  private free(state: AgentState): number {
    return state.connected && !state.lapsed ? Math.max(0, state.slots - state.held.size) : 0
  }

  private agent(agent: string, now: number): AgentState {
    let state = this.agents.get(agent)
    if (!state) {
      state = {slots: 0, connected: false, lastSeen: now, held: new Set(), revoked: new Set(), lapsed: false, withdrawn: false}
      this.agents.set(agent, state)
    }
    return state
  }

  /** Renews a connected agent's leases; true when they had lapsed (it is told what went elsewhere, and takes new ones again). */
  private renew(agent: string, now: number): boolean {
    const state = this.agents.get(agent)
    if (!state?.connected) return false
    state.lastSeen = now
    if (!state.lapsed) return false
    state.lapsed = false
    this.tellRevoked(agent, state)
    return true
  }

  /** Queues the movies that went elsewhere while the agent was away or hung, to be told now. */
  private tellRevoked(agent: string, state: AgentState): void {
    if (state.revoked.size === 0) return
    this.notice(agent).revoked.push(...state.revoked)
    state.revoked.clear()
  }

  private notice(agent: string): LeaseNotice {
    let notice = this.notices.get(agent)
    if (!notice) {
      notice = {agent, granted: [], gone: [], revoked: []}
      this.notices.set(agent, notice)
    }
    return notice
  }

  private flush(): LeaseNotice[] {
    if (this.notices.size === 0) return []
    const out = [...this.notices.values()]
    this.notices = new Map()
    return out
  }
}
