#!/usr/bin/env python3
"""An OSDP peripheral device (card reader with keypad, LED and buzzer) from libosdp, the
independent implementation on PyPI, on one end of a pty pair. The Swift tests drive it.

stdout, one line each: "PTY <slave path>" once, then "CMD <json>" for every command the PD gets.
stdin, one line each: "CARD <bit count> <hex data>", "KEYS <digits>", "STOP" (go silent),
"START" (come back), "QUIT".
"""
import json
import os
import sys
import termios
import threading
import tty

import osdp


class PtyChannel(osdp.Channel):
    def __init__(self, fd):
        super().__init__()
        self.fd = fd

    def read(self, max_bytes):
        try:
            return os.read(self.fd, max_bytes)
        except BlockingIOError:
            return b""

    def write(self, buf):
        try:
            return os.write(self.fd, buf)
        except BlockingIOError:
            return 0

    def flush(self):
        pass


def main():
    address = int(sys.argv[1]) if len(sys.argv) > 1 else 101
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    os.set_blocking(master, False)
    print("PTY", os.ttyname(slave), flush=True)

    info = osdp.PDInfo(address, PtyChannel(master), name="pd-%d" % address,
                       id=osdp.PdId(2, 1, 0x00A1B2C3, 0x12345678, 0x00010203))
    caps = osdp.PDCapabilities([
        (osdp.Capability.LEDControl, 1, 1),
        (osdp.Capability.AudibleControl, 1, 1),
        (osdp.Capability.CheckCharacter, 1, 0),
        (osdp.Capability.Readers, 1, 1),
        (osdp.Capability.CardDataFormat, 1, 1),
    ])
    pd = osdp.PeripheralDevice(info, caps, log_level=osdp.LogLevel.Warning)

    names = {osdp.Command.LED: "led", osdp.Command.Buzzer: "buzzer", osdp.Command.Output: "output",
             osdp.Command.Text: "text", osdp.Command.Comset: "comset"}

    def on_command(command):
        printable = {k: (v.hex() if isinstance(v, (bytes, bytearray)) else v) for k, v in command.items()}
        printable["name"] = names.get(command.get("command"), "other")
        print("CMD", json.dumps(printable, sort_keys=True), flush=True)
        return 0, None

    pd.set_command_handler(on_command)
    pd.start()
    running = True
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "CARD":
            pd.submit_event({"event": osdp.Event.CardRead, "reader_no": 0, "format": osdp.CardFormat.Wiegand,
                             "length": int(words[1]), "direction": 0, "data": bytes.fromhex(words[2])})
        elif words[0] == "KEYS":
            pd.submit_event({"event": osdp.Event.KeyPress, "reader_no": 0, "data": words[1].encode()})
        elif words[0] == "STOP" and running:
            pd.stop()
            running = False
        elif words[0] == "START" and not running:
            pd.start()
            running = True
        elif words[0] == "QUIT":
            break
        print("OK", words[0], flush=True)
    if running:
        pd.stop()
    os.close(slave)
    os.close(master)


if __name__ == "__main__":
    main()
