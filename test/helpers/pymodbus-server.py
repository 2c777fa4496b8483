#!/usr/bin/python3
"""An independent Modbus server for the integration tests: Debian's pymodbus 3.0.

Serves Modbus TCP, RTU frames over TCP, or RTU on a serial device (a socat PTY), for several unit
ids. Prints one JSON line {"ready": true, "port": N} once it listens, then takes JSON commands on
stdin, one per line, and answers each with one JSON line on stdout:

  {"cmd": "set", "unit": 1, "table": "hr", "address": 0, "values": [1, 2]}   table: co di ir hr
  {"cmd": "get", "unit": 1, "table": "hr", "address": 0, "count": 2}         -> {"ok": true, "values": [...]}
  {"cmd": "silence", "unit": 2, "on": true}     stop (or resume) answering that unit id
  {"cmd": "reject", "unit": 1, "table": "hr", "start": 100, "end": 104}     requests touching 100..103 get exception 2
  {"cmd": "accept", "unit": 1, "table": "hr"}   forget that table's rejected ranges
  {"cmd": "stats"}                              -> {"ok": true, "requests": {"1": n, ...}} requests seen per unit
  {"cmd": "stop"} / {"cmd": "start"}            close the listener and its connections / listen again (TCP modes)

Addresses are 0-based protocol addresses. --config FILE preloads the same "set" commands from a JSON list.
--check only imports what the server needs and exits 0: scripts/test.mjs uses it to decide what to install.
"""
import argparse
import asyncio
import json
import sys
import threading

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.exceptions import NoSuchSlaveException
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.framer.socket_framer import ModbusSocketFramer
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer

TABLES = {"co": "c", "di": "d", "ir": "i", "hr": "h"}


class RejectingBlock(ModbusSequentialDataBlock):
    """A full 65536-entry table that refuses (exception 2) requests touching configured ranges."""

    def __init__(self):
        super().__init__(0, [0] * 65536)
        self.rejected = []

    def validate(self, address, count=1):
        for start, end in self.rejected:
            if address < end and address + count > start:
                return False
        return super().validate(address, count)


class Units(ModbusServerContext):
    """Unit contexts that can be silenced, counting the requests each unit receives."""

    def __init__(self, unit_ids):
        slaves = {
            u: ModbusSlaveContext(di=RejectingBlock(), co=RejectingBlock(), ir=RejectingBlock(), hr=RejectingBlock(), zero_mode=True)
            for u in unit_ids
        }
        super().__init__(slaves=slaves, single=False)
        self.silenced = set()
        self.requests = {u: 0 for u in unit_ids}

    def __getitem__(self, unit):
        if unit in self.requests:
            self.requests[unit] += 1
        if unit in self.silenced:
            raise NoSuchSlaveException(f"unit {unit} is silenced")
        return super().__getitem__(unit)

    def block(self, unit, table):
        return super().__getitem__(unit).store[TABLES[table]]


class Server:
    def __init__(self, args, units):
        self.args = args
        self.units = units
        self.tcp = None
        self.port = args.port

    async def start(self):
        if self.args.mode == "rtu":
            self.tcp = ModbusSerialServer(
                self.units, framer=ModbusRtuFramer, port=self.args.device, baudrate=self.args.baud, ignore_missing_slaves=True
            )
            await self.tcp.start()
            return
        framer = ModbusSocketFramer if self.args.mode == "tcp" else ModbusRtuFramer
        self.tcp = ModbusTcpServer(
            self.units, framer=framer, address=("127.0.0.1", self.port), allow_reuse_address=True, ignore_missing_slaves=True
        )
        asyncio.ensure_future(self.tcp.serve_forever())
        await self.tcp.serving
        self.port = self.tcp.server.sockets[0].getsockname()[1]

    async def stop(self):
        if self.tcp is None:
            return
        if self.args.mode == "rtu":
            await self.tcp.shutdown()
        else:
            for handler in list(self.tcp.active_connections.values()):
                handler.transport.close()
            await self.tcp.server_close()
        self.tcp = None

    async def handle(self, cmd):
        name = cmd.get("cmd")
        if name == "set":
            block = self.units.block(cmd["unit"], cmd["table"])
            values = [bool(v) for v in cmd["values"]] if cmd["table"] in ("co", "di") else cmd["values"]
            block.setValues(cmd["address"], values)
            return {}
        if name == "get":
            values = self.units.block(cmd["unit"], cmd["table"]).getValues(cmd["address"], cmd.get("count", 1))
            return {"values": [int(v) for v in values]}
        if name == "silence":
            (self.units.silenced.add if cmd.get("on", True) else self.units.silenced.discard)(cmd["unit"])
            return {}
        if name == "reject":
            self.units.block(cmd["unit"], cmd["table"]).rejected.append((cmd["start"], cmd["end"]))
            return {}
        if name == "accept":
            self.units.block(cmd["unit"], cmd["table"]).rejected.clear()
            return {}
        if name == "stats":
            return {"requests": {str(u): n for u, n in self.units.requests.items()}}
        if name == "stop":
            await self.stop()
            return {}
        if name == "start":
            await self.start()
            return {"port": self.port}
        raise ValueError(f"unknown command {name!r}")


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["tcp", "rtu-over-tcp", "rtu"], default="tcp")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--device")
    parser.add_argument("--baud", type=int, default=9600)
    parser.add_argument("--units", default="1")
    parser.add_argument("--config")
    args = parser.parse_args()
    units = Units([int(u) for u in args.units.split(",")])
    server = Server(args, units)
    if args.config:
        with open(args.config) as f:
            for cmd in json.load(f):
                await server.handle(cmd)
    await server.start()
    reply({"ready": True, "port": server.port})

    loop = asyncio.get_running_loop()
    lines = asyncio.Queue()

    def read_stdin():
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read_stdin, daemon=True).start()
    while True:
        line = await lines.get()
        if line is None:
            break
        if not line.strip():
            continue
        try:
            reply({"ok": True, **(await server.handle(json.loads(line)))})
        except Exception as exc:  # a bad command must not kill the server the test is using
            reply({"ok": False, "error": str(exc)})
    await server.stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(0)
    asyncio.run(main())
