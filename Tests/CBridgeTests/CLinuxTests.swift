import CLinux
import Testing

/// The ioctl numbers Swift cannot compute from the kernel's macros, checked against the values the
/// x86_64 and arm64 kernel ABI fixes (both use the generic _IOC layout).
@Suite struct CLinuxTests {
    @Test func evdevRequestNumbers() {
        #expect(portero_EVIOCGRAB == 0x4004_4590)  // _IOW('E', 0x90, int)
        #expect(portero_EVIOCGVERSION == 0x8004_4501)  // _IOR('E', 0x01, int)
        #expect(portero_EVIOCGNAME(256) == 0x8100_4506)  // _IOC(_IOC_READ, 'E', 0x06, 256)
        #expect(portero_EVIOCGBIT(1, 96) == 0x8060_4521)  // EV_KEY bitmap, 96 bytes
    }

    @Test func gpioV1RequestNumbers() {
        #expect(portero_GPIO_GET_CHIPINFO_IOCTL == 0x8044_B401)  // struct gpiochip_info is 68 bytes
        #expect(portero_GPIO_GET_LINEHANDLE_IOCTL == 0xC16C_B403)  // struct gpiohandle_request is 364 bytes
        #expect(portero_GPIO_GET_LINEEVENT_IOCTL == 0xC030_B404)  // struct gpioevent_request is 48 bytes
        #expect(MemoryLayout<gpiochip_info>.size == 68)
        #expect(MemoryLayout<gpioevent_data>.size == 16)
    }

    @Test func serialRequestNumbers() {
        #expect(portero_TIOCGRS485 == 0x542E)
        #expect(portero_TIOCSRS485 == 0x542F)
        #expect(portero_TIOCEXCL == 0x540C)
        #expect(MemoryLayout<input_event>.size == 24)  // 64-bit time fields on x86_64 and arm64
    }

    @Test func ptyPairCarriesBytesInRawMode() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        #expect(openpty(&master, &slave, nil, nil, nil) == 0)
        defer {
            close(master)
            close(slave)
        }
        var attributes = termios()
        #expect(tcgetattr(slave, &attributes) == 0)
        cfmakeraw(&attributes)
        #expect(tcsetattr(slave, TCSANOW, &attributes) == 0)
        let frame: [UInt8] = [0x02, 0x31, 0x32, 0x03]
        #expect(frame.withUnsafeBytes { write(master, $0.baseAddress, $0.count) } == 4)
        var buffer = [UInt8](repeating: 0, count: 16)
        var received: [UInt8] = []
        var pollSet = pollfd(fd: slave, events: Int16(POLLIN), revents: 0)
        while received.count < 4, poll(&pollSet, 1, 2_000) == 1 {
            let count = buffer.withUnsafeMutableBytes { read(slave, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            received += buffer.prefix(count)
        }
        #expect(received == frame)
    }

    @Test func errnoIsReadableThroughTheShim() {
        #expect(portero_fcntl_getfl(-1) == -1)
        #expect(portero_errno() == EBADF)
    }
}
