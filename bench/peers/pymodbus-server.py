"""Peer for bench/modbus-peers.ts: Debian's python3-pymodbus TCP server, 2000 holding registers.
Usage: /usr/bin/python3 pymodbus-server.py PORT"""
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartTcpServer

logging.disable(logging.CRITICAL)
port = int(sys.argv[1]) if len(sys.argv) > 1 else 1502
registers = ModbusSequentialDataBlock(0, list(range(2000)))
context = ModbusServerContext(slaves=ModbusSlaveContext(hr=registers, zero_mode=True), single=True)
print(f"listening {port}", flush=True)
StartTcpServer(context=context, address=("127.0.0.1", port))
