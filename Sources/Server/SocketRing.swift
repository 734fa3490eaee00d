#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// Many `send`s, or many `recv`s, in one system call, through an io_uring (Linux 5.6 and later).
///
/// An event loop reads the sockets of a batch together, and writes their answers together. With one `send` each,
/// the first answer wakes its client's thread, which on a busy machine takes the processor from the loop
/// as the call returns: the loop is switched out once every few answers, before it has written
/// the others. Submitted together, the sends all happen inside one `io_uring_enter`, and the loop
/// can be switched out only once it has written them all.
///
/// Every operation says `MSG_DONTWAIT`, so it completes during the call (the bytes the socket
/// took or gave, or `EAGAIN` when it is full or empty, as `send` and `recv` would say). Sent bytes
/// are copied into the ring's own buffer first, and nothing refers to them once `send` returns;
/// received bytes land in the ring's own slots and are handed over before `receive` returns.
final class SocketRing {
    /// Why a ring could not be had (the kernel is too old, io_uring is turned off by
    /// `kernel.io_uring_disabled` or by a seccomp filter): the loops then call `send` as before.
    struct Unavailable: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "io_uring unavailable: \(String(cString: strerror(errno)))" }
    }

    /// What became of one operation.
    enum Outcome: Equatable {
        /// Bytes the socket took (perhaps fewer than offered) or gave (0: the peer closed).
        case done(Int)
        /// Nothing moved; `errno` as `send` or `recv` would have set it.
        case failed(Int32)
        /// The ring failed underneath: the operation may or may not have happened, so the
        /// connection's stream can no longer be trusted and it must be closed.
        case unknown
    }

    /// Answers larger than this are left to `send`, which writes them without a copy.
    static let largestCopied = 64 * 1024
    /// The most one `receive` takes from one socket. A socket that fills it may hold more.
    static let receiveSlot = 16 * 1024

    let capacity: Int
    private let fd: Int32
    private let rings: UnsafeMutableRawPointer
    private let ringsSize: Int
    private let completions: UnsafeMutableRawPointer?
    private let completionsSize: Int
    private let entries: UnsafeMutablePointer<io_uring_sqe>
    private let entriesSize: Int
    private let submitHead: UnsafeMutablePointer<UInt32>
    private let submitTail: UnsafeMutablePointer<UInt32>
    private let submitMask: UInt32
    private let completionHead: UnsafeMutablePointer<UInt32>
    private let completionTail: UnsafeMutablePointer<UInt32>
    private let completionMask: UInt32
    private let completionEntries: UnsafeMutablePointer<io_uring_cqe>
    private var buffer: [UInt8] = []
    private var offsets: [Int] = []
    /// `capacity` slots of `receiveSlot` bytes.
    private let slots: UnsafeMutableRawPointer
    /// Set when a call failed in a way that leaves sends unaccounted for: not used again.
    private(set) var broken = false

    init(capacity: Int) throws(Unavailable) {
        var parameters = io_uring_params()
        // Twice as many completion slots as submissions (the kernel's default), so they never overflow.
        let fd = portero_io_uring_setup(UInt32(capacity), &parameters)
        guard fd >= 0 else { throw Unavailable(errno: errno) }
        self.fd = fd
        self.capacity = Int(parameters.sq_entries)
        let submitSize = Int(parameters.sq_off.array) + Int(parameters.sq_entries) * MemoryLayout<UInt32>.size
        let completeSize = Int(parameters.cq_off.cqes) + Int(parameters.cq_entries) * MemoryLayout<io_uring_cqe>.size
        let single = parameters.features & portero_IORING_FEAT_SINGLE_MMAP != 0
        ringsSize = single ? max(submitSize, completeSize) : submitSize
        func map(_ size: Int, _ offset: UInt64) throws(Unavailable) -> UnsafeMutableRawPointer {
            let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, off_t(offset))
            guard let pointer, pointer != MAP_FAILED else {
                let failure = Unavailable(errno: errno)
                close(fd)
                throw failure
            }
            return pointer
        }
        rings = try map(ringsSize, portero_IORING_OFF_SQ_RING)
        if single {
            completions = nil
            completionsSize = 0
        } else {
            do { completions = try map(completeSize, portero_IORING_OFF_CQ_RING) } catch {
                munmap(rings, ringsSize)
                throw error
            }
            completionsSize = completeSize
        }
        entriesSize = Int(parameters.sq_entries) * MemoryLayout<io_uring_sqe>.size
        let entryMemory: UnsafeMutableRawPointer
        do { entryMemory = try map(entriesSize, portero_IORING_OFF_SQES) } catch {
            munmap(rings, ringsSize)
            if let completions { munmap(completions, completeSize) }
            throw error
        }
        entries = entryMemory.bindMemory(to: io_uring_sqe.self, capacity: Int(parameters.sq_entries))
        let complete = completions ?? rings
        submitHead = (rings + Int(parameters.sq_off.head)).assumingMemoryBound(to: UInt32.self)
        submitTail = (rings + Int(parameters.sq_off.tail)).assumingMemoryBound(to: UInt32.self)
        submitMask = (rings + Int(parameters.sq_off.ring_mask)).load(as: UInt32.self)
        completionHead = (complete + Int(parameters.cq_off.head)).assumingMemoryBound(to: UInt32.self)
        completionTail = (complete + Int(parameters.cq_off.tail)).assumingMemoryBound(to: UInt32.self)
        completionMask = (complete + Int(parameters.cq_off.ring_mask)).load(as: UInt32.self)
        completionEntries = (complete + Int(parameters.cq_off.cqes)).bindMemory(
            to: io_uring_cqe.self, capacity: Int(parameters.cq_entries))
        // Submission slot i always names entry i: entries are used in ring order.
        let array = (rings + Int(parameters.sq_off.array)).assumingMemoryBound(to: UInt32.self)
        for index in 0..<Int(parameters.sq_entries) { array[index] = UInt32(index) }
        slots = .allocate(byteCount: Int(parameters.sq_entries) * Self.receiveSlot, alignment: 64)
    }

    deinit {
        slots.deallocate()
        close(fd)
        munmap(entries, entriesSize)
        if let completions { munmap(completions, completionsSize) }
        munmap(rings, ringsSize)
    }

    /// Sends each answer (a descriptor and its bytes, at most `capacity` answers of at most
    /// `largestCopied` bytes) as far as its socket takes it now, in one system call.
    func send(_ answers: [(fd: Int32, bytes: ArraySlice<UInt8>)]) -> [Outcome] {
        precondition(answers.count <= capacity && !broken)
        buffer.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        for answer in answers {
            precondition(answer.bytes.count <= Self.largestCopied)
            offsets.append(buffer.count)
            buffer.append(contentsOf: answer.bytes)
        }
        return buffer.withUnsafeBytes { bytes in
            submit(answers.count) { entry, index in
                portero_io_uring_prep_transfer(
                    entry, portero_IORING_OP_SEND, answers[index].fd, bytes.baseAddress! + offsets[index],
                    UInt32(answers[index].bytes.count),
                    Int32(MSG_NOSIGNAL | MSG_DONTWAIT), UInt64(index))
            }
        }
    }

    /// Reads from each socket (at most `capacity`) what it holds now, up to `receiveSlot` bytes,
    /// in one system call; `take` is given each socket's outcome and, for `.done`, its bytes
    /// (valid only during the call), in the order of `sockets`.
    func receive(
        _ sockets: [Int32], _ take: (_ index: Int, _ outcome: Outcome, _ bytes: UnsafeRawBufferPointer) -> Void
    ) {
        precondition(sockets.count <= capacity && !broken)
        let outcomes = submit(sockets.count) { entry, index in
            portero_io_uring_prep_transfer(
                entry, portero_IORING_OP_RECV, sockets[index], slots + index * Self.receiveSlot,
                UInt32(Self.receiveSlot),
                Int32(MSG_DONTWAIT), UInt64(index))
        }
        for (index, outcome) in outcomes.enumerated() {
            let count = if case let .done(count) = outcome { count } else { 0 }
            take(index, outcome, UnsafeRawBufferPointer(start: slots + index * Self.receiveSlot, count: count))
        }
    }

    /// Fills `count` submission entries with `prepare` (entry, index; the index is the entry's
    /// user data), submits them and waits for all their completions, in one call unless
    /// interrupted.
    private func submit(_ count: Int, _ prepare: (UnsafeMutablePointer<io_uring_sqe>, Int) -> Void) -> [Outcome] {
        var outcomes = [Outcome](repeating: .unknown, count: count)
        let start = portero_load_acquire(submitTail)
        for index in 0..<count { prepare(entries + Int((start &+ UInt32(index)) & submitMask), index) }
        portero_store_release(submitTail, start &+ UInt32(count))
        var reaped = 0
        var attempts = 0
        while reaped < count {
            let unsubmitted = UInt32(count) &- (portero_load_acquire(submitHead) &- start)
            if portero_io_uring_enter(fd, unsubmitted, UInt32(count - reaped), portero_IORING_ENTER_GETEVENTS) < 0 {
                attempts += 1
                // Interrupted, or short of memory for a moment: again, a bounded number of times.
                guard [EINTR, EAGAIN, EBUSY].contains(errno), attempts < 1_000 else {
                    broken = true
                    return outcomes
                }
            }
            var head = completionHead.pointee
            let tail = portero_load_acquire(completionTail)
            while head != tail {
                let completion = completionEntries[Int(head & completionMask)]
                let result = Int(completion.res)
                outcomes[Int(completion.user_data)] = result >= 0 ? .done(result) : .failed(Int32(-result))
                head &+= 1
                reaped += 1
            }
            portero_store_release(completionHead, head)
        }
        return outcomes
    }
}
