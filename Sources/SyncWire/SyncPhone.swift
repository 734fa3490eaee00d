/// A phone that carries a member's pass, as a branch holds it: the public half of its key.
public struct SyncPhone: Hashable, Sendable, Codable {
    public var id: Int64
    /// The P-256 public point, x ‖ y (64 bytes), in hex.
    public var key: String
    /// False once revoked: the door refuses its codes as revoked.
    public var active: Bool

    public init(id: Int64, key: String, active: Bool) {
        self.id = id
        self.key = key
        self.active = active
    }
}
