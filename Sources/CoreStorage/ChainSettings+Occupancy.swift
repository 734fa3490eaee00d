import PorteroModel
import SyncWire

extension ChainSettings {
    /// The chain's usual visit in seconds (its setting, else 90 minutes).
    public var usualVisitSeconds: Int64 {
        Int64(usualVisitMinutes ?? Int(OccupancyRule.defaultUsualVisitMinutes)) * 60
    }

    /// True when `other` changes what every branch's setup carries, so the feed brings it anew.
    func branchSetupDiffers(from other: ChainSettings) -> Bool {
        occupancyRefuses != other.occupancyRefuses || usualVisitMinutes != other.usualVisitMinutes
            || journalRetentionDays != other.journalRetentionDays
    }
}

extension SyncBranchSetup {
    /// The setup with the branch's limits and the chain's occupancy and journal settings.
    func with(_ limits: BranchOccupancyLimits, chain: ChainSettings) -> SyncBranchSetup {
        var setup = self
        setup.occupancyWarn = limits.warn
        setup.occupancyLimit = limits.limit
        setup.occupancyRefuses = chain.occupancyRefuses
        setup.usualVisitMinutes = chain.usualVisitMinutes ?? Int(OccupancyRule.defaultUsualVisitMinutes)
        setup.journalRetentionDays = chain.journalRetentionDays
        return setup
    }

    /// With headquarters' day-pass key.
    func with(dayPassKey: String?) -> SyncBranchSetup {
        var setup = self
        setup.dayPassKey = dayPassKey
        return setup
    }
}
