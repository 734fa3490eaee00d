import CUDev
import LinuxSystem

/// A device as udev describes it.
public struct DeviceInfo: Hashable, Sendable {
    public var syspath: String
    /// `/dev/...`, where the device has a node.
    public var devnode: String?
    public var subsystem: String
    /// udev properties: ID_VENDOR, ID_MODEL, ID_SERIAL_SHORT, ID_PATH, DEVLINKS, ...
    public var properties: [String: String]

    public var vendor: String? { properties["ID_VENDOR_ID"] ?? properties["ID_VENDOR"] }
    public var model: String? { properties["ID_MODEL_ID"] ?? properties["ID_MODEL"] }
    public var serial: String? { properties["ID_SERIAL_SHORT"] ?? properties["ID_SERIAL"] }
    /// The stable by-path name (ID_PATH): the same port gives the same name after a reboot.
    public var byPath: String? { properties["ID_PATH"] }
    /// Symlinks udev made for the node (`/dev/serial/by-id/...`, `/dev/portero/...`).
    public var links: [String] { properties["DEVLINKS"]?.split(separator: " ").map(String.init) ?? [] }

    public init(syspath: String, devnode: String?, subsystem: String, properties: [String: String]) {
        self.syspath = syspath
        self.devnode = devnode
        self.subsystem = subsystem
        self.properties = properties
    }

    static func read(_ device: OpaquePointer) -> DeviceInfo {
        var properties: [String: String] = [:]
        var entry = udev_device_get_properties_list_entry(device)
        while let current = entry {
            if let name = udev_list_entry_get_name(current) {
                properties[String(cString: name)] = udev_list_entry_get_value(current).map { String(cString: $0) } ?? ""
            }
            entry = udev_list_entry_get_next(current)
        }
        return DeviceInfo(
            syspath: String(cString: udev_device_get_syspath(device)),
            devnode: udev_device_get_devnode(device).map { String(cString: $0) },
            subsystem: udev_device_get_subsystem(device).map { String(cString: $0) } ?? "",
            properties: properties)
    }
}

/// Why udev could not be asked.
public struct UdevError: Error, Hashable, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { "udev: \(reason)" }
}

/// A udev context: enumerates devices by subsystem (tty, input, gpio).
public final class Udev {
    let handle: OpaquePointer

    public init() throws {
        guard let handle = udev_new() else { throw UdevError(reason: "udev_new failed: \(Errno.current)") }
        self.handle = handle
    }

    deinit { udev_unref(handle) }

    /// The devices of `subsystem` (`tty`, `input`, `gpio`), optionally only those with a device node.
    public func devices(subsystem: String, withNodesOnly: Bool = true) throws -> [DeviceInfo] {
        guard let enumerate = udev_enumerate_new(handle) else { throw UdevError(reason: "udev_enumerate_new failed") }
        defer { udev_enumerate_unref(enumerate) }
        guard udev_enumerate_add_match_subsystem(enumerate, subsystem) >= 0, udev_enumerate_scan_devices(enumerate) >= 0
        else {
            throw UdevError(reason: "cannot scan subsystem \(subsystem): \(Errno.current)")
        }
        var devices: [DeviceInfo] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            if let path = udev_list_entry_get_name(current), let device = udev_device_new_from_syspath(handle, path) {
                let info = DeviceInfo.read(device)
                udev_device_unref(device)
                if !withNodesOnly || info.devnode != nil { devices.append(info) }
            }
            entry = udev_list_entry_get_next(current)
        }
        return devices.sorted { $0.syspath < $1.syspath }
    }
}

@available(*, unavailable, message: "A udev context is used from one thread")
extension Udev: Sendable {}

/// A device appearing or going away.
public struct DeviceChange: Hashable, Sendable {
    public enum Action: String, Sendable {
        case add, remove, change, bind, unbind, other
    }

    public var action: Action
    public var device: DeviceInfo
}

/// Watches udev for devices of some subsystems coming and going: a reader unplugged, or back.
/// Its descriptor goes into the daemon's poll loop; `receive` never blocks.
public final class DeviceMonitor {
    let udev: Udev
    let handle: OpaquePointer
    public let pollDescriptor: Int32

    /// Listens to udev's processed events ("udev"), or the kernel's raw ones ("kernel") where
    /// no udev daemon runs (containers, the test VM).
    public init(udev: Udev, subsystems: [String], source: String = "udev") throws {
        guard let handle = udev_monitor_new_from_netlink(udev.handle, source) else {
            throw UdevError(reason: "cannot listen to \(source) events: \(Errno.current)")
        }
        for subsystem in subsystems {
            udev_monitor_filter_add_match_subsystem_devtype(handle, subsystem, nil)
        }
        guard udev_monitor_enable_receiving(handle) >= 0 else {
            udev_monitor_unref(handle)
            throw UdevError(reason: "cannot enable receiving: \(Errno.current)")
        }
        self.udev = udev
        self.handle = handle
        self.pollDescriptor = udev_monitor_get_fd(handle)
    }

    deinit { udev_monitor_unref(handle) }

    /// The changes waiting (the monitor's socket is non-blocking).
    public func receive() -> [DeviceChange] {
        var changes: [DeviceChange] = []
        while let device = udev_monitor_receive_device(handle) {
            let actionText = udev_device_get_action(device).map { String(cString: $0) } ?? "other"
            changes.append(
                DeviceChange(
                    action: DeviceChange.Action(rawValue: actionText) ?? .other, device: DeviceInfo.read(device)))
            udev_device_unref(device)
        }
        return changes
    }
}

@available(*, unavailable, message: "A monitor is used from the daemon's loop thread")
extension DeviceMonitor: Sendable {}
